"""The demo admin creates a weekly plage after previewing it, books on it through the
usagers' pages, adds an absence over that rdv and reschedules it from the list, in
Chromium; the forms pass axe-core at a phone's and a desktop's width. Screenshots go to
test-artifacts/agent-plage-*.png and agent-absence-*.png."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import requests
from axe_playwright_python.sync_playwright import Axe

from chalicelib.filters import day_fr
from tests.e2e.conftest import AXE_OPTIONS, DESKTOP, PHONE, screenshot
from tests.e2e.test_agent_print import MAIN_LIEU, sign_in

pytestmark = pytest.mark.e2e

MOTIF = "mds-calais-2-consultation-nourrisson"
SLOT_FORM = re.compile(r'href="([^"]+/reserver\?debut=([0-9-]+)T[^"]+)"')


def axe_failures(page, name: str) -> list[str]:
    """Serious and critical violations; the others are listed by the test's output."""
    failures = []
    for violation in Axe().run(page, options=AXE_OPTIONS).response["violations"]:
        nodes = [n["target"] for n in violation["nodes"]][:5]
        line = f"{name}: {violation['id']} ({violation['impact']}) {nodes}"
        print(line)
        if violation["impact"] in ("serious", "critical"):
            failures.append(line)
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        failures.append(f"{name}: the page is {overflow}px wider than the window")
    return failures


def book_on(base: str, day: date, phone: str) -> None:
    """Book the first free time of the day through the usagers' pages."""
    monday = day - timedelta(days=day.weekday())
    week = requests.get(
        f"{base}/mds/mds-calais-2/motifs/{MOTIF}/lieux/{MAIN_LIEU}",
        params={"semaine": monday.isoformat()},
        timeout=10,
    ).text
    forms = [f.replace("&amp;", "&") for f, d in SLOT_FORM.findall(week) if d == str(day)]
    assert forms, f"no slot on {day}"
    action, debut = forms[0].split("?debut=")
    answer = requests.post(
        base + action,
        data={"debut": requests.utils.unquote(debut), "pour": "moi", "prenom": "Inès",
              "nom": "Planchon", "telephone": phone, "sms": "oui"},
        allow_redirects=False,
        timeout=10,
    )  # fmt: skip
    assert answer.status_code == 303, answer.text[:500]


@pytest.mark.parametrize("width", ["375", "1280"])
def test_an_admin_plans_a_plage_and_reschedules_a_rdv_under_an_absence(live_server, page, width):
    base = live_server.url
    page.set_viewport_size(PHONE if width == "375" else DESKTOP)
    sign_in(page, base)
    # A Saturday: the demo has no plage then. Each width takes its own.
    today = date.today()
    weeks = 3 if width == "375" else 4
    saturday = today + timedelta(days=(5 - today.weekday()) % 7, weeks=weeks)
    failures: list[str] = []

    page.get_by_role("link", name="Plages et absences").first.click()
    page.get_by_role("link", name="Nouvelle plage d’ouverture").click()
    page.select_option("#lieu", MAIN_LIEU)
    page.get_by_label("Consultation nourrisson").check()
    page.fill("#premier_jour", saturday.isoformat())
    page.fill("#debut", "09:00")
    page.fill("#fin", "12:00")
    page.select_option("#repetition", "hebdomadaire")
    page.get_by_label("samedi").check()
    page.fill("#jusqu_au", (saturday + timedelta(weeks=8)).isoformat())
    page.fill("#titre", f"Samedi des familles ({width})")
    page.fill("#debut", "12:00")
    page.fill("#fin", "09:00")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert "L’heure de fin est avant l’heure de début." in page.locator("#erreurs").inner_text()
    assert page.locator("#titre").input_value() == f"Samedi des familles ({width})"  # kept
    screenshot(page, f"agent-plage-erreurs-{width}")
    failures += axe_failures(page, f"plage-erreurs-{width}")
    page.fill("#debut", "09:00")
    page.fill("#fin", "12:00")
    page.get_by_role("button", name="Prévisualiser").click()
    page.wait_for_load_state()
    preview = page.locator("#apercu")
    assert preview.is_visible()
    items = preview.locator("li")
    assert items.count() == 8
    assert "9h00–12h00" in items.first.inner_text()
    screenshot(page, f"agent-plage-apercu-{width}")
    failures += axe_failures(page, f"plage-apercu-{width}")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/agents/plages?fait=plage")
    assert "La plage d’ouverture est enregistrée." in page.content()
    assert f"Samedi des familles ({width})" in page.content()
    screenshot(page, f"agent-plages-{width}")
    failures += axe_failures(page, f"plages-{width}")

    book_on(base, saturday, f"06 12 77 0{weeks} 00")

    page.goto(base + "/agents/absences/nouvelle")
    page.fill("#premier_jour", saturday.isoformat())
    page.fill("#debut", "08:00")
    page.fill("#dernier_jour", saturday.isoformat())
    page.fill("#fin", "13:00")
    page.fill("#titre", "Formation")
    screenshot(page, f"agent-absence-formulaire-{width}")
    failures += axe_failures(page, f"absence-formulaire-{width}")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/rdvs?fait=absence")
    assert "L’absence est enregistrée." in page.content()
    rows = page.locator("table.rdvs tbody tr")
    assert rows.count() == 1
    rdv_link = rows.first.locator("a").first.get_attribute("href")
    screenshot(page, f"agent-absence-rdvs-{width}")
    failures += axe_failures(page, f"absence-rdvs-{width}")
    rows.first.get_by_role("button", name=re.compile("^Reporter")).click()
    page.wait_for_url("**/rdvs?fait=reporte")
    assert "Le rendez-vous est reporté." in page.content()
    assert "Aucun rendez-vous à venir n’est concerné." in page.content()

    page.goto(base + rdv_link)
    heading = page.locator("h1").inner_text()
    assert day_fr(saturday) not in heading, heading  # moved off the day of the absence
    assert failures == [], "\n".join(failures)


def test_the_preview_works_without_javascript(live_server, page_without_js):
    page = page_without_js
    base = live_server.url
    sign_in(page, base)
    page.goto(base + "/agents/plages/nouvelle")
    christmas = date(date.today().year, 12, 25)
    if christmas <= date.today():
        christmas = christmas.replace(year=christmas.year + 1)
    page.select_option("#lieu", MAIN_LIEU)
    page.get_by_label("Bilan de santé 4 ans").check()
    page.fill("#premier_jour", (christmas - timedelta(days=7)).isoformat())
    page.fill("#debut", "18:00")
    page.fill("#fin", "19:30")
    page.select_option("#repetition", "quotidienne")
    page.get_by_role("button", name="Prévisualiser").click()
    page.wait_for_load_state()
    preview = page.locator("#apercu").inner_text()
    assert f"{day_fr(christmas)}, 18h00–19h30" in preview
    assert "Jour férié : fermée" in preview
    screenshot(page, "agent-plage-apercu-sans-js-375")
