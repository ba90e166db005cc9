"""axe-core on every public HTML page, at a phone's width (375 px) and a desktop's
(1280 px): WCAG 2.0, 2.1 and 2.2 A/AA rules and axe's best practices, 0 violations.

axe-core's script comes inside the axe-playwright-python package: nothing is fetched at
run time (each test also checks that no request left the local server). A failure lists,
page by page, each violation's rule, impact, help and offending nodes; the full results
go to test-artifacts/axe-<width>-<page>.json.

Bookings made here are two weeks ahead, where the other e2e tests never book."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import ARTIFACTS, AXE_OPTIONS, DESKTOP, PHONE

pytestmark = pytest.mark.e2e

WIDTHS = {"375px": PHONE, "1280px": DESKTOP}
TAKEN_SLOT_BOOKER = {"375px": "06 12 34 57 41", "1280px": "06 12 34 57 42"}
# Every rule with one of these tags; axe's own default set leaves target-size
# (WCAG 2.2 AA, 2.5.8) out, this runs it too.
AXE = Axe()

NOURRISSON = "/mds/mds-calais-2/motifs/mds-calais-2-consultation-nourrisson"
TELEPHONE = "/mds/mds-calais-2/motifs/mds-calais-2-entretien-telephonique"
DOMICILE = "/mds/mds-calais-2/motifs/mds-calais-2-visite-domicile-puericultrice"
NEXT_WEEK = re.compile(r'href="([^"]+semaine=[^"#]+)#semaine">Semaine suivante')
SLOT_FORM = re.compile(r'href="([^"]+/reserver\?debut=[^"]+)"')


@dataclass(frozen=True)
class Visit:
    name: str
    path: str
    status: int = 200


@dataclass
class Site:
    """What the pages need, booked once through HTTP: rdvs and slot URLs."""

    visits: list[Visit]
    empty_form: str  # a free slot's form
    taken_form: str  # a slot booked by every agent who offers it
    taken_meanwhile: dict[str, str]  # width -> a free slot's form, taken by that test
    own_rdv: dict[str, str]  # width -> manage path of a rdv that test may cancel
    week_after_next: str  # semaine=... of the week these bookings are in


@dataclass
class Screen:
    width: str
    page: object
    outside: list[str]  # requests that left the local server


# --- the pages, reached through HTTP ----------------------------------------------------


def _get(base: str, path: str) -> requests.Response:
    response = requests.get(base + path, timeout=10)
    assert response.status_code == 200, (path, response.status_code)
    return response


def _forms_of_a_week_with_slots(base: str, path: str) -> list[str]:
    """The slot forms of the first week from `path` that offers some (four weeks at most)."""
    for _ in range(4):
        page = _get(base, path).text
        forms = [_unescape(f) for f in SLOT_FORM.findall(page)]
        if forms:
            return forms
        path = NEXT_WEEK.search(page).group(1)
    raise AssertionError(f"no slot in four weeks from {path}")


def _unescape(href: str) -> str:
    """An href as the browser reads it."""
    return href.replace("&amp;", "&")


def _book(base: str, form_url: str, phone: str) -> requests.Response:
    action, debut = form_url.split("?debut=")
    return requests.post(
        base + action,
        data={"debut": unquote(debut), "pour": "moi", "prenom": "Inès", "nom": "Axe",
              "telephone": phone, "sms": "oui"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip


@pytest.fixture(scope="module")
def site(live_server) -> Site:
    base = live_server.url
    lieux = _get(base, NOURRISSON).text
    lieu = re.search(r'href="(/mds/[^"]+/lieux/[^"]+)"', lieux).group(1)
    next_week = NEXT_WEEK.search(_get(base, lieu).text).group(1)
    week_after_next = NEXT_WEEK.search(_get(base, next_week).text).group(1)
    forms = [_unescape(f) for f in SLOT_FORM.findall(_get(base, week_after_next).text)]
    assert len(forms) >= 7, week_after_next
    phones = (f"06 12 34 57 {n:02d}" for n in range(10, 40))

    # Fill one slot: each agent free then takes one rdv, the next booker hears 409.
    for _ in range(4):
        if _book(base, forms[0], next(phones)).status_code == 409:
            break
    else:
        raise AssertionError(f"{forms[0]} never became full")
    booked = _book(base, forms[1], next(phones))
    assert booked.status_code == 303, booked.text
    confirmation = booked.headers["Location"]
    manage = confirmation.split("?")[0]
    move_week = manage + "/deplacer?" + week_after_next.split("?")[1]
    move_confirm = _unescape(
        re.search(r'href="([^"]+/deplacer/confirmer\?debut=[^"]+)"', _get(base, move_week).text)
        .group(1)
    )  # fmt: skip
    home_form = _forms_of_a_week_with_slots(base, DOMICILE)[0]
    empty_week = lieu + "?semaine=2099-12-28"  # past the horizon: its last week, no plage
    assert "Aucun créneau libre" in _get(base, empty_week).text

    visits = [
        Visit("accueil", "/"),
        Visit("recherche", "/recherche?lieu=62100"),
        Visit("recherche-sans-resultat", "/recherche?lieu=75001"),
        Visit("recherche-erreur", "/recherche?lieu=", 422),
        Visit("services", "/mds/mds-calais-2"),
        Visit("motifs-pmi", "/mds/mds-calais-2/services/pmi"),
        Visit("motifs-social", "/mds/mds-calais-2/services/service-social"),
        Visit("lieux", NOURRISSON),
        Visit("creneaux", week_after_next),
        Visit("semaine-vide", empty_week),
        Visit("creneaux-telephone", TELEPHONE),  # redirected to lieux/-
        Visit("creneaux-domicile", DOMICILE),
        Visit("formulaire", forms[4]),
        Visit("formulaire-creneau-pris", forms[0], 409),  # the week's free slots instead
        Visit("formulaire-domicile", home_form),
        Visit("confirmation", confirmation),
        Visit("rdv", manage),
        Visit("deplacer", move_week),
        Visit("deplacer-confirmer", move_confirm),
        Visit("mds-inconnue", "/mds/inconnue", 404),
        Visit("motif-hors-ligne", "/mds/mds-calais-2/motifs/mds-calais-2-suivi-as", 409),
        Visit("creneau-illisible", NOURRISSON + "/lieux/-/reserver?debut=zz", 404),
        Visit("lien-inconnu", "/r/inconnu", 404),
    ]
    own_rdv = {}
    for width, form in zip(WIDTHS, forms[2:4], strict=True):
        own = _book(base, form, next(phones))
        assert own.status_code == 303, own.text
        own_rdv[width] = own.headers["Location"].split("?")[0]
    return Site(
        visits,
        empty_form=forms[4],
        taken_form=forms[0],
        taken_meanwhile=dict(zip(WIDTHS, forms[5:7], strict=True)),
        own_rdv=own_rdv,
        week_after_next=week_after_next.split("?")[1],
    )


# --- axe ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=list(WIDTHS))
def screen(request, browser, live_server):
    """One browser context per width, shared by this module's tests."""
    context = browser.new_context(
        viewport=WIDTHS[request.param], locale="fr-FR", timezone_id="Europe/Paris"
    )
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_server.url + "/") else outside.append(r.url),
    )
    yield Screen(request.param, page, outside)
    context.close()


def axe_report(screen: Screen, name: str) -> str | None:
    """Run axe on the page shown; None when clean, else what to fix."""
    results = AXE.run(screen.page, options=AXE_OPTIONS).response
    ran = sum(len(results[kind]) for kind in ("violations", "passes", "incomplete", "inapplicable"))
    assert ran >= 80, f"axe ran only {ran} rules on {name}"
    violations = results["violations"]
    if not violations:
        return None
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{screen.width}-{name}.json").write_text(
        json.dumps(violations, indent=2, ensure_ascii=False)
    )
    lines = [f"{name} at {screen.width} ({screen.page.url}): {len(violations)} violation(s)"]
    for violation in violations:
        lines.append(
            f"  - {violation['id']} [{violation['impact']}] {violation['help']}"
            f" <{violation['helpUrl']}>"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"      at {target}: {node['html']}")
            for summary in node.get("failureSummary", "").splitlines():
                lines.append(f"        {summary}")
    return "\n".join(lines)


def check(screen: Screen, name: str, response, status: int, failures: list[str]) -> None:
    assert response is not None and response.status == status, (name, screen.page.url)
    report = axe_report(screen, name)
    if report:
        failures.append(report)


def no_violations(screen: Screen, failures: list[str]) -> None:
    assert screen.outside == [], f"requests left the local server: {screen.outside}"
    if failures:
        pytest.fail("axe-core found violations:\n\n" + "\n\n".join(failures), pytrace=False)


def submit(page, button):
    with page.expect_navigation() as navigation:
        button.click()
    return navigation.value


def test_every_public_page_has_no_axe_violation(live_server, site, screen):
    failures: list[str] = []
    for visit in site.visits:
        response = screen.page.goto(live_server.url + visit.path)
        check(screen, visit.name, response, visit.status, failures)
    checked = {visit.name for visit in site.visits}
    assert {"accueil", "creneaux", "formulaire", "confirmation", "rdv"} <= checked
    no_violations(screen, failures)


def test_pages_after_a_form_have_no_axe_violation(live_server, site, screen):
    """The pages only a POST shows: form errors, a slot just taken, saved preferences,
    a moved rdv and a cancelled one."""
    page, failures = screen.page, []
    page.goto(live_server.url + site.empty_form)
    confirm = page.get_by_role("button", name="Confirmer le rendez-vous")
    check(screen, "formulaire-erreurs", submit(page, confirm), 422, failures)

    # The form of a free slot, taken by others while the usager fills it in.
    form = site.taken_meanwhile[screen.width]
    page.goto(live_server.url + form)
    page.get_by_label("Votre prénom").fill("Inès")
    page.get_by_label("Votre nom").fill("Axe")
    page.get_by_label("Téléphone portable").fill(TAKEN_SLOT_BOOKER[screen.width])
    phones = (f"06 12 34 58 {n:02d}" for n in range(10 * len(str(screen.width)), 99))
    while _book(live_server.url, form, next(phones)).status_code == 303:
        pass
    check(screen, "creneau-pris", submit(page, confirm), 409, failures)

    manage = live_server.url + site.own_rdv[screen.width]
    page.goto(manage)
    save = page.get_by_role("button", name="Enregistrer mes choix")
    check(screen, "preferences-enregistrees", submit(page, save), 200, failures)

    page.goto(manage + "/deplacer?" + site.week_after_next)
    submit(page, page.locator("ul.slots a").last)
    move = page.get_by_role("button", name="Déplacer mon rendez-vous")
    check(screen, "deplace-apres-envoi", submit(page, move), 200, failures)

    ask = page.get_by_role("link", name="Annuler ce rendez-vous")
    check(screen, "confirmer-annulation", submit(page, ask), 200, failures)
    cancel = page.get_by_role("button", name="Oui, annuler ce rendez-vous")
    check(screen, "annule", submit(page, cancel), 200, failures)
    assert page.get_by_role("heading", level=1).inner_text() == "Rendez-vous annulé"
    no_violations(screen, failures)
