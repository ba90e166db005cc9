"""The usager's journey through a real Chromium on a 375x740 phone: search, choose,
book, open the private link, cancel; move; an error kept on the page; all without
JavaScript too. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e


def go(page, locator) -> None:
    """Click a link or a submit button and wait for the next page to be loaded."""
    with page.expect_navigation():
        locator.click()


def choose_first_slot(page) -> str:
    """On a slot page: jump to the next availability if the week is empty, then take
    the first time shown; returns its accessible name (day and time)."""
    for _ in range(4):
        slots = page.locator("ul.slots a")
        if slots.count():
            name = slots.first.get_attribute("aria-label")
            go(page, slots.first)
            return name
        jump = page.get_by_role("link", name=re.compile("Prochaine disponibilité|Semaine suivante"))
        go(page, jump.first)
    raise AssertionError("no slot offered in four weeks")


def book_through_the_pages(page, base: str, phone: str, shots: str | None = None) -> str:
    def shot(name):
        if shots:
            screenshot(page, f"{shots}-{name}")

    page.goto(base + "/")
    shot("01-accueil")
    page.get_by_label("Votre code postal ou votre commune").fill("62100")
    go(page, page.get_by_role("button", name="Rechercher"))
    shot("02-recherche")
    go(page, page.get_by_role("link", name="MDS Calais II"))
    shot("03-services")
    go(page, page.get_by_role("link", name="PMI"))
    shot("04-motifs")
    go(page, page.get_by_role("link", name="Consultation nourrisson"))
    shot("05-lieux")
    go(page, page.get_by_role("link", name="MDS Calais II – site principal"))
    shot("06-creneaux")
    # Next week: far enough ahead to stay cancellable online (24 hours before).
    go(page, page.get_by_role("link", name="Semaine suivante"))
    chosen = choose_first_slot(page)
    shot("07-formulaire")
    page.get_by_label("Pour moi").check()
    page.get_by_label("Votre prénom").fill("Amandine")
    page.get_by_label("Votre nom").fill("Lefebvre")
    page.get_by_label("Téléphone portable").fill(phone)
    go(page, page.get_by_role("button", name="Confirmer le rendez-vous"))
    shot("08-confirmation")
    return chosen


def test_book_then_cancel_through_the_private_link(live_server, page):
    chosen = book_through_the_pages(page, live_server.url, "06 12 34 56 71", shots="flow")
    assert page.get_by_role("heading", level=1).inner_text() == "Votre rendez-vous est confirmé"
    day, time = chosen.split(" à ")
    body = page.locator("main").inner_text()
    assert day in body and time in body
    assert "62100 Calais" in body
    assert "Apportez le carnet de santé" in body
    link = page.locator("main a", has_text=re.compile(r"/r/[A-Za-z0-9_-]{22}$")).first
    manage_url = link.inner_text()
    assert "Amandine" not in body and "06 12" not in body
    page.goto(manage_url)
    screenshot(page, "flow-09-lien-prive")
    assert page.get_by_role("heading", level=1).inner_text() == "Votre rendez-vous"
    go(page, page.get_by_role("link", name="Annuler ce rendez-vous"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirmer l’annulation"
    go(page, page.get_by_role("button", name="Oui, annuler ce rendez-vous"))
    screenshot(page, "flow-10-annule")
    assert page.get_by_role("heading", level=1).inner_text() == "Rendez-vous annulé"


def test_move_to_another_slot(live_server, page):
    book_through_the_pages(page, live_server.url, "06 12 34 56 72")
    manage_url = page.locator("main a", has_text=re.compile(r"/r/")).first.inner_text()
    page.goto(manage_url)
    go(page, page.get_by_role("link", name="Déplacer ce rendez-vous"))
    screenshot(page, "move-01-choix")
    slots = page.locator("ul.slots a")
    if slots.count() < 2:
        go(page, page.get_by_role("link", name="Semaine suivante"))
    new = page.locator("ul.slots a").nth(1)
    new_name = new.get_attribute("aria-label")
    go(page, new)
    screenshot(page, "move-02-confirmer")
    go(page, page.get_by_role("button", name="Déplacer mon rendez-vous"))
    screenshot(page, "move-03-deplace")
    assert "Votre rendez-vous a bien été déplacé" in page.locator("main").inner_text()
    day, time = new_name.split(" à ")
    assert day in page.locator("main").inner_text()
    assert time in page.locator("main").inner_text()


def test_an_invalid_phone_is_explained_and_the_form_keeps_what_was_typed(live_server, page):
    book_through_the_pages(page, live_server.url, "01 23 45 67 89")
    screenshot(page, "form-erreur")
    expect(page.get_by_role("alert").first).to_be_visible()
    assert "portable français" in page.locator("main").inner_text()
    assert page.get_by_label("Votre prénom").input_value() == "Amandine"
    assert page.get_by_label("Téléphone portable").input_value() == "01 23 45 67 89"
    assert page.get_by_label("Téléphone portable").get_attribute("aria-invalid") == "true"


def test_the_whole_booking_works_without_javascript(live_server, page_without_js):
    page = page_without_js
    book_through_the_pages(page, live_server.url, "06 12 34 56 73", shots="nojs")
    assert page.get_by_role("heading", level=1).inner_text() == "Votre rendez-vous est confirmé"
    manage_url = page.locator("main a", has_text=re.compile(r"/r/")).first.inner_text()
    page.goto(manage_url)
    go(page, page.get_by_role("link", name="Annuler ce rendez-vous"))
    assert page.get_by_role("heading", level=1).inner_text() == "Confirmer l’annulation"
    go(page, page.get_by_role("button", name="Oui, annuler ce rendez-vous"))
    assert page.get_by_role("heading", level=1).inner_text() == "Rendez-vous annulé"
