"""The demo admin sets up the MDS in Chromium: creates a lieu and a motif through the
forms (and sees a wrong motif explained), then archives them; every setup page passes axe-core (no
serious or critical violation) at a phone's and a desktop's width, without being wider
than the window. Screenshots go to test-artifacts/setup-*.png."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.e2e.conftest import AXE_OPTIONS, DESKTOP, PHONE, screenshot
from tests.e2e.test_agent_print import sign_in

pytestmark = pytest.mark.e2e

ROOT = "/agents/parametres"


def check(page, name: str, failures: list[str]) -> None:
    screenshot(page, f"setup-{name}")
    results = Axe().run(page, options=AXE_OPTIONS)
    for violation in results.response["violations"]:
        if violation["impact"] in ("serious", "critical"):
            nodes = [n["target"] for n in violation["nodes"]][:5]
            failures.append(f"{name}: {violation['id']} ({violation['impact']}) {nodes}")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 0:
        failures.append(f"{name}: the page is {overflow}px wider than the window")


@pytest.mark.parametrize("width", ["375", "1280"])
def test_the_demo_admin_creates_a_lieu_and_a_motif_on_accessible_pages(live_server, page, width):
    base = live_server.url
    page.set_viewport_size(PHONE if width == "375" else DESKTOP)
    sign_in(page, base)  # Claire Lefebvre, admin of MDS Calais II
    failures: list[str] = []
    page.get_by_role("link", name="Paramètres").click()
    expect(page.locator("h1")).to_have_text("Paramètres de MDS Calais II")
    check(page, f"accueil-{width}", failures)

    # A lieu, through its form.
    page.goto(base + f"{ROOT}/lieux/nouveau")
    check(page, f"lieu-nouveau-{width}", failures)
    page.get_by_label("Nom du lieu").fill(f"Relais du Fort-Nieulay ({width})")
    page.get_by_label("Adresse").fill("3 rue du Fort-Nieulay, 62100 Calais")
    page.get_by_label("Téléphone").fill("0321460101")
    page.get_by_label("Horaires d’ouverture").fill("Mardi et jeudi, 9 h – 12 h")
    page.get_by_label("Accessibilité").fill("De plain-pied ; arrêt de bus Fort-Nieulay")
    page.get_by_role("button", name="Ajouter le lieu").click()
    expect(page.locator(".success")).to_have_text("C’est enregistré.")
    expect(page.get_by_role("link", name=f"Relais du Fort-Nieulay ({width})")).to_be_visible()
    check(page, f"lieux-{width}", failures)
    page.get_by_role("link", name=f"Relais du Fort-Nieulay ({width})").click()
    expect(page.get_by_label("Téléphone")).to_have_value("03 21 46 01 01")
    check(page, f"lieu-{width}", failures)

    # A motif: first wrong (no duration, a reminder after the cancellation deadline).
    page.goto(base + f"{ROOT}/motifs/nouveau")
    check(page, f"motif-nouveau-{width}", failures)
    page.get_by_label("Nom du motif").fill(f"Pesée du nourrisson ({width})")
    page.get_by_label("Service").select_option(label="PMI")
    page.get_by_label("Durée, en minutes").fill("0")
    page.locator("#annulation").fill("3")
    page.locator("#annulation_unite").select_option("jours")
    page.get_by_role("button", name="Ajouter le motif").click()
    expect(page.locator("#erreurs")).to_be_visible()
    errors = page.locator("#erreurs").inner_text()
    assert "La durée doit être positive" in errors and "limite d’annulation" in errors
    assert page.get_by_label("Nom du motif").input_value() == f"Pesée du nourrisson ({width})"
    check(page, f"motif-erreurs-{width}", failures)
    page.get_by_label("Durée, en minutes").fill("20")
    page.locator("#annulation").fill("1")
    page.get_by_label("Bleu canard").check()
    page.get_by_role("button", name="Ajouter le motif").click()
    expect(page.locator(".success")).to_have_text("C’est enregistré.")
    expect(page.get_by_role("link", name=f"Pesée du nourrisson ({width})")).to_be_visible()
    check(page, f"motifs-{width}", failures)
    page.get_by_role("link", name=f"Pesée du nourrisson ({width})").click()
    expect(page.get_by_label("Bleu canard")).to_be_checked()
    check(page, f"motif-{width}", failures)
    # Usagers see it at once (this Lambda wrote it).
    services = page.context.request.get(base + "/mds/mds-calais-2/services/pmi").text()
    assert f"Pesée du nourrisson ({width})" in services

    for name, path in (
        ("agents", f"{ROOT}/agents"),
        ("agent-nouveau", f"{ROOT}/agents/nouveau"),
        ("secteurs", f"{ROOT}/secteurs"),
        ("liste-attente", f"{ROOT}/liste-attente"),
    ):
        page.goto(base + path)
        check(page, f"{name}-{width}", failures)
    page.goto(base + f"{ROOT}/agents")
    page.locator(".list a").nth(1).click()
    expect(page.get_by_role("heading", name="Retirer de la MDS")).to_be_visible()
    check(page, f"agent-{width}", failures)
    # Archived, they leave the usagers' pages (and the other tests' way: the server is
    # shared by the whole session).
    for kind, name in (("lieux", f"Relais du Fort-Nieulay ({width})"),
                       ("motifs", f"Pesée du nourrisson ({width})")):  # fmt: skip
        page.goto(base + f"{ROOT}/{kind}")
        page.get_by_role("link", name=name).click()
        page.get_by_role("button", name="Archiver ce").click()
        expect(page.locator(".success")).to_contain_text("C’est archivé")
    services = page.context.request.get(base + "/mds/mds-calais-2/services/pmi").text()
    assert f"Pesée du nourrisson ({width})" not in services
    assert not failures, "\n".join(failures)
