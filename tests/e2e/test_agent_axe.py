"""axe-core on every page of the agents' dashboard, at a phone's width (375 px) and a
desktop's (1280 px): the day (home, an agent's day and week, the lieux, a lieu's day),
a rdv, « reporter » (and its forced-time confirmation), « prendre un rendez-vous » at
each step, the usagers (search, results, record, correction, creation), and the pages
before signing in. WCAG 2.0, 2.1 and 2.2 A/AA rules and axe's best practices, 0
violations whatever their impact (as the public pages); no page wider than the window
(the grids scroll in their own region). Nothing is changed here: a form is sent only
where its answer is a page that changes nothing (an error, a confirmation to give).

A failure lists, page by page, each violation's rule, impact and first nodes; the full
results go to test-artifacts/agent-axe-<width>-<page>.json, screenshots beside them."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe

from devtools.demo_data import DEMO_AGENT_EMAIL, demo_id
from tests.e2e.conftest import ARTIFACTS, AXE_OPTIONS, DESKTOP, PHONE, screenshot
from tests.e2e.test_agent_print import busiest_day, sign_in

pytestmark = pytest.mark.e2e

WIDTHS = {"375px": PHONE, "1280px": DESKTOP}
# Every rule with one of these tags (as tests/e2e/test_axe.py for the public pages).
MOTIF = "mds-calais-2-consultation-nourrisson"
LIEU = "lieu-calais-2-principal"
CLAIRE = demo_id("agent", DEMO_AGENT_EMAIL)
MARC = "marc.dubois@demo.rdv-solidarites.fr"
AXE = Axe()


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    then: Callable | None = None  # what to do on the page before axe runs (a form sent)


def _hrefs(page, selector: str) -> list[str]:
    return [a.get_attribute("href") for a in page.locator(selector).all()]


def _next_sunday() -> date:
    today = date.today()
    return today + timedelta(days=6 - today.weekday() + 7)


def _press(name: str) -> Callable:
    def press(page):
        with page.expect_navigation():
            page.get_by_role("button", name=name).click()

    return press


def _forced_time(page):
    """« Un autre horaire » on a Sunday: the confirmation it asks for."""
    page.get_by_label("Date", exact=True).fill(_next_sunday().isoformat())
    page.get_by_label("Heure", exact=True).fill("10:00")
    _press("Continuer")(page)
    assert page.get_by_role("heading", level=1).inner_text().startswith("Confirmer"), page.url


def _forgotten(page):
    page.get_by_label("Adresse e-mail professionnelle").fill("personne@example.org")
    _press("Recevoir un lien")(page)


def _mismatched_passwords(page):
    page.get_by_label("Nouveau mot de passe").fill("un mot de passe assez long")
    page.get_by_label("Le même, une seconde fois").fill("un autre mot de passe long")
    _press("Enregistrer mon mot de passe")(page)


def _reset_link(page, base: str) -> str:
    """A password link of Marc Dubois (an agent no test signs in as), from the e-mail
    « mot de passe oublié » sends, on the local outbox page."""
    page.goto(base + "/agents/mot-de-passe-oublie")
    page.get_by_label("Adresse e-mail professionnelle").fill(MARC)
    _press("Recevoir un lien")(page)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        page.goto(base + "/local/envois")
        found = re.search(r"https?://[^/\s]+(/agents/mot-de-passe/[A-Za-z0-9_-]+)", page.content())
        if found:
            return found.group(1)
        time.sleep(0.5)
    raise AssertionError("no password link in the local outbox")


def _wrong_password(page):
    page.get_by_label("Adresse e-mail professionnelle").fill("personne@example.org")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    _press("Se connecter")(page)


@pytest.fixture(scope="module")
def visits(live_server, browser) -> dict[str, list[Visit]]:
    """The pages, found once through the dashboard: signed in, and signed out."""
    base = live_server.url
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    sign_in(page, base)
    lieu_day = busiest_day(page, base)
    day = lieu_day.split("jour=")[1]
    next_week = (date.today() + timedelta(weeks=1)).isoformat()
    page.goto(f"{base}/agents/agenda?semaine={next_week}")
    rdv = _hrefs(page, ".rdv .rdv-when a")[0]
    page.goto(base + rdv)
    usager = _hrefs(page, "main a[href^='/agents/usagers/']")[-1]  # the holder, if a child
    choice = f"/agents/prendre-rdv?usager={usager.rsplit('/', 1)[1]}"
    week = f"{choice}&motif={MOTIF}&lieu={LIEU}"
    page.goto(base + week)
    slots = _hrefs(page, "ul.slots a")
    if not slots:
        page.get_by_role("link", name=re.compile("Semaine suivante")).click()
        page.wait_for_load_state()
        slots = _hrefs(page, "ul.slots a")
    forced = (
        f"/agents/prendre-rdv/confirmer?{week.split('?')[1]}&jour={_next_sunday()}"
        f"&heure=10:00&agent={CLAIRE}"
    )
    reset = _reset_link(page, base)
    context.close()
    signed_in = [
        Visit("accueil", "/agents"),
        Visit("agenda-jour", f"/agents/agenda?jour={day}"),
        Visit("agenda-semaine", f"/agents/agenda?semaine={day}"),
        Visit("lieux", "/agents/lieux"),
        Visit("lieu-jour", lieu_day),
        Visit("rdv", rdv),
        Visit("reporter", f"{rdv}/reporter"),
        Visit("reporter-horaire-impose", f"{rdv}/reporter", _forced_time),
        Visit("prendre-rdv", "/agents/prendre-rdv"),
        Visit("prendre-rdv-resultats", "/agents/prendre-rdv?q=dupont"),
        Visit("prendre-rdv-aucun", "/agents/prendre-rdv?q=zzzz"),
        Visit("prendre-rdv-erreur", "/agents/prendre-rdv?q=m"),
        Visit("prendre-rdv-usager", choice),
        Visit("prendre-rdv-creneaux", week),
        Visit("prendre-rdv-confirmer", slots[0]),
        Visit("prendre-rdv-confirmer-impose", forced),
        Visit("usagers", "/agents/usagers"),
        Visit("usagers-resultats", "/agents/usagers?q=dupont"),
        Visit("usager", usager),
        Visit("usager-modifier", f"{usager}/modifier"),
        Visit("usager-nouveau", "/agents/usagers/nouveau"),
        Visit("usager-nouveau-erreurs", "/agents/usagers/nouveau", _press("Créer")),
        Visit("erreur", "/agents/rdv/inconnu"),
        Visit("usager-nouvel-enfant", f"/agents/usagers/nouveau?responsable={usager[16:]}"),
    ]
    signed_out = [
        Visit("connexion", "/agents/connexion"),
        Visit("connexion-erreur", "/agents/connexion", _wrong_password),
        Visit("mot-de-passe-oublie", "/agents/mot-de-passe-oublie"),
        Visit("mot-de-passe-oublie-envoye", "/agents/mot-de-passe-oublie", _forgotten),
        Visit("mot-de-passe-lien-perime", "/agents/mot-de-passe/lien-perime"),
        Visit("mot-de-passe", reset),
        Visit("mot-de-passe-erreurs", reset, _mismatched_passwords),
    ]
    return {"signed_in": signed_in, "signed_out": signed_out}


def _check(page, base: str, width: str, visit: Visit) -> list[str]:
    page.goto(base + visit.path)
    if visit.then:
        visit.then(page)
    screenshot(page, f"agent-axe-{width}-{visit.name}")
    results = AXE.run(page, options=AXE_OPTIONS)
    (ARTIFACTS / f"agent-axe-{width}-{visit.name}.json").write_text(
        json.dumps(results.response, indent=1, ensure_ascii=False)
    )
    failures = []
    for violation in results.response["violations"]:
        nodes = [n["target"] for n in violation["nodes"]][:5]
        failures.append(
            f"{visit.name}: {violation['id']} ({violation['impact']}) {violation['help']} {nodes}"
        )
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        failures.append(f"{visit.name}: the page is {overflow}px wider than the window")
    return failures


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_dashboard_page_passes_axe(live_server, browser, visits, width):
    base = live_server.url
    failures = []
    for signed in (True, False):
        context = browser.new_context(
            viewport=WIDTHS[width], locale="fr-FR", timezone_id="Europe/Paris"
        )
        page = context.new_page()
        if signed:
            sign_in(page, base)
        for visit in visits["signed_in" if signed else "signed_out"]:
            failures += _check(page, base, width, visit)
        context.close()
    assert not failures, "\n".join(failures)
