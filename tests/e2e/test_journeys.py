"""The journeys of issue 13 that went wrong, done again in a real Chromium as an usager
would: searched with spaces and accents, a phone motif and a home visit.

Every booking here is three weeks ahead or more (the other e2e tests book within two),
with phone numbers no other test uses (07 62 13 6x xx; messages only reach moto).
Screenshots go to test-artifacts/journey-*.png."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

# One phone per journey.
PHONES = {
    "phone": "07 62 13 62 01",
    "home": "07 62 13 62 02",
}


# --- what a person does -------------------------------------------------------------------


def go(page, locator):
    """Click a link or a button and wait for the next page; returns its response."""
    with page.expect_navigation() as navigation:
        locator.click()
    return navigation.value


def search(page, base: str, typed: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Votre code postal ou votre commune").fill(typed)
    go(page, page.get_by_role("button", name="Rechercher"))


def open_slots(
    page, base: str, *, place: str, mds: str, service: str, motif: str, lieu: str | None = None
) -> None:
    """From the home page to the slots of a motif, link by link."""
    search(page, base, place)
    go(page, page.get_by_role("link", name=mds, exact=True))
    go(page, page.get_by_role("link", name=service, exact=True))
    go(page, page.get_by_role("link", name=motif, exact=True))
    if lieu:
        go(page, page.get_by_role("link", name=lieu, exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choisissez votre créneau")


def weeks_ahead(page, weeks: int) -> None:
    for _ in range(weeks):
        go(page, page.get_by_role("link", name="Semaine suivante"))


def first_slot(page):
    """The first time offered from the week shown on (jumping over empty weeks)."""
    for _ in range(4):
        slots = page.locator("ul.slots a")
        if slots.count():
            return slots.first
        go(page, page.get_by_role("link", name=re.compile("Prochaine disponibilité")).first)
    raise AssertionError("no slot offered in four weeks")


def take(page, slot) -> str:
    """Open a slot's booking form; returns the slot's name (« mardi 22 … à 9h30 »)."""
    name = slot.get_attribute("aria-label")
    go(page, slot)
    expect(page.get_by_role("heading", level=1)).to_have_text("Vos coordonnées")
    return name


def fill_in(page, *, first: str, last: str, phone: str = "", email: str = "") -> None:
    page.get_by_label("Pour moi").check()
    page.get_by_label("Votre prénom").fill(first)
    page.get_by_label("Votre nom").fill(last)
    page.get_by_label("Téléphone portable").fill(phone)
    page.get_by_label("Adresse e-mail").fill(email)


def confirm(page):
    return go(page, page.get_by_role("button", name="Confirmer le rendez-vous"))


def h1(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def manage_link(page) -> str:
    """The private link the confirmation page shows (« Gardez ce lien »)."""
    return page.locator("main a", has_text=re.compile(r"/r/[A-Za-z0-9_-]{22}$")).first.inner_text()


def day_and_time(slot_name: str) -> tuple[str, str]:
    day, time = slot_name.split(" à ")
    return day, time


# --- 1. search ------------------------------------------------------------------------------


def test_a_postcode_with_a_space_and_a_commune_in_any_case_find_their_mds(live_server, page):
    search(page, live_server.url, "62 100")
    screenshot(page, "journey-search-62-100")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Votre maison départementale des solidarités"
    )
    expect(page.get_by_role("link", name="MDS Calais II", exact=True)).to_be_visible()

    for typed in ("NOEUX", "Nœux", "noeux"):
        search(page, live_server.url, typed)
        assert "Aucune maison" not in main_text(page), typed
        expect(page.get_by_role("link", name="MDS Nœux-les-Mines", exact=True)).to_be_visible()
        expect(page.get_by_role("link", name="MDS Calais II", exact=True)).to_have_count(0)
    screenshot(page, "journey-search-noeux")


# --- 2. a phone motif -----------------------------------------------------------------------


def test_a_phone_interview_needs_a_mobile_and_keeps_what_was_typed(live_server, page):
    open_slots(
        page,
        live_server.url,
        place="Calais",
        mds="MDS Calais II",
        service="Service social",
        motif="Entretien téléphonique",
    )
    assert "Par téléphone" in main_text(page)
    weeks_ahead(page, 3)
    chosen = take(page, first_slot(page))
    fill_in(page, first="Yanis", last="Appel", email="yanis.appel@example.org")
    answer = confirm(page)
    screenshot(page, "journey-phone-mobile-missing")

    assert answer.status == 422
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    assert "portable" in alert.inner_text()
    assert "appelons" in alert.inner_text()  # why: it is the number we call
    phone = page.get_by_label("Téléphone portable")
    assert phone.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Votre prénom").input_value() == "Yanis"
    assert page.get_by_label("Votre nom").input_value() == "Appel"
    assert page.get_by_label("Adresse e-mail").input_value() == "yanis.appel@example.org"
    assert page.get_by_label("Pour moi").is_checked()
    day, time = day_and_time(chosen)
    assert f"{day} à {time}" in main_text(page)  # still the slot chosen

    phone.fill(PHONES["phone"])
    confirm(page)
    screenshot(page, "journey-phone-booked")
    assert h1(page) == "Votre rendez-vous est confirmé", main_text(page)
    body = main_text(page)
    assert day in body and time in body
    assert "Par téléphone : nous vous appelons" in body


# --- 3. a home visit ------------------------------------------------------------------------


def test_a_home_visit_asks_for_the_address_and_books_with_it(live_server, page):
    open_slots(
        page,
        live_server.url,
        place="62100",
        mds="MDS Calais II",
        service="PMI",
        motif="Visite à domicile de la puéricultrice",
    )
    weeks_ahead(page, 3)
    take(page, first_slot(page))
    address = page.get_by_label("Adresse du rendez-vous à domicile")
    expect(address).to_be_visible()
    fill_in(page, first="Aurélie", last="Domicile", phone=PHONES["home"])
    answer = confirm(page)
    screenshot(page, "journey-home-address-missing")

    assert answer.status == 422
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    assert "adresse du rendez-vous à domicile" in alert.inner_text()
    assert address.get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Téléphone portable").input_value() == PHONES["home"]

    address.fill("12 rue des Tilleuls, 62100 Calais")
    confirm(page)
    screenshot(page, "journey-home-booked")
    assert h1(page) == "Votre rendez-vous est confirmé", main_text(page)
    assert "À votre domicile" in main_text(page)
