"""The journeys of issue 13 that went wrong, done again in a real Chromium as an usager
would: searched with spaces and accents, a phone motif and a home visit, a move to one's
own time, a cancellation confirmed on a second page, preferences saved, links cut
short, a slot taken meanwhile, a form sent again after Back, and a 360 px screen.

Every booking here is three weeks ahead or more (the other e2e tests book within two),
with phone numbers no other test uses (07 62 13 6x xx; messages only reach moto).
Screenshots go to test-artifacts/journey-*.png."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import screenshot

pytestmark = pytest.mark.e2e

# One phone per journey; the « slot taken » journey's other bookers use 07 62 13 69 xx.
PHONES = {
    "phone": "07 62 13 62 01",
    "home": "07 62 13 62 02",
    "own-time": "07 62 13 62 03",
    "cancel": "07 62 13 62 04",
    "preferences": "07 62 13 62 05",
    "back": "07 62 13 62 06",
    "narrow": "07 62 13 62 07",
}
NARROW = {"width": 360, "height": 740}
UNLABELLED_FIELDS = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""
PAGE_WIDTH = "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"


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


def to_week_of(page, day: str) -> None:
    """On a week of slots: forward to the week that shows `day` (« mardi 22 … »)."""
    for _ in range(6):
        if page.get_by_role("heading", level=3, name=day, exact=True).count():
            return
        weeks_ahead(page, 1)
    raise AssertionError(f"{day} is not shown in six weeks")


def book_a_consultation(
    page, base: str, *, phone: str, weeks: int, email: str = "", at: str | None = None
) -> tuple[str, str]:
    """Book a « Consultation nourrisson » at MDS Nœux-les-Mines `weeks` ahead: the
    first time offered, or the first whose name matches `at`; returns the slot's name
    and its `debut` (as in the form's address), on the confirmation page."""
    open_slots(
        page,
        base,
        place="62290",
        mds="MDS Nœux-les-Mines",
        service="PMI",
        motif="Consultation nourrisson",
        lieu="MDS Nœux-les-Mines – site principal",
    )
    weeks_ahead(page, weeks)
    slot = page.get_by_role("link", name=re.compile(at)).first if at else first_slot(page)
    chosen = take(page, slot)
    [debut] = parse_qs(urlsplit(page.url).query)["debut"]
    fill_in(page, first="Mélanie", last="Parcours", phone=phone, email=email)
    confirm(page)
    assert h1(page) == "Votre rendez-vous est confirmé", main_text(page)
    return chosen, debut


def looks_french(page) -> None:
    """A page for people: French HTML, a heading, never Chalice's or the gateway's JSON."""
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).count() == 1
    text = page.locator("body").inner_text()
    for english in ("Missing Authentication Token", '"Code"', '"Message"', "MethodNotAllowed"):
        assert english not in text, text[:300]


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


# --- 4. a move to one's own time ------------------------------------------------------------


def test_moving_to_ones_own_time_is_not_offered_and_moves_nothing(live_server, page):
    # A Tuesday at 10h00, four weeks ahead: two PMI agents see children at Nœux on
    # Tuesday mornings, so the time stays free with the other one once booked.
    chosen, debut = book_a_consultation(
        page, live_server.url, phone=PHONES["own-time"], weeks=4, at=r"^mardi .* à 10h00$"
    )
    manage = manage_link(page)
    day, time = day_and_time(chosen)
    page.goto(manage)
    go(page, page.get_by_role("link", name="Déplacer ce rendez-vous"))
    assert h1(page) == "Déplacer votre rendez-vous"
    to_week_of(page, day)
    screenshot(page, "journey-own-time-move-page")
    own = page.get_by_text(f"{time} (votre rendez-vous)")
    expect(own).to_be_visible()
    # Shown as the rdv's own time, under its day, and not something to choose.
    assert own.evaluate("el => el.closest('a') === null")
    expect(page.get_by_role("link", name=chosen, exact=True)).to_have_count(0)
    assert own.locator("xpath=ancestor::ul[1]/preceding-sibling::h3[1]").inner_text() == day
    assert page.locator("ul.slots a").count() > 0  # other times are offered

    # The confirmation of a move to that very time (a page kept from before, a link
    # typed again): it says so, and offers no button that would « move » it.
    page.goto(f"{manage}/deplacer/confirmer?" + urlencode({"debut": debut}))
    screenshot(page, "journey-own-time-confirm")
    assert h1(page) == "Votre rendez-vous est déjà à cette heure"
    assert f"{day} à {time}" in main_text(page)
    expect(page.get_by_role("button", name="Déplacer mon rendez-vous")).to_have_count(0)
    go(page, page.get_by_role("link", name="Garder mon rendez-vous actuel"))
    assert h1(page) == "Votre rendez-vous"
    body = main_text(page)
    assert day in body and time in body
    assert "déplacé" not in body


# --- 5. a cancellation, confirmed on a second page -----------------------------------------


def test_cancelling_asks_first_then_shows_a_page_that_reloads(live_server, page):
    open_slots(
        page,
        live_server.url,
        place="62100",
        mds="MDS Calais II",
        service="Service social",
        motif="Premier rendez-vous avec une assistante sociale",
        lieu="MDS Calais II – site principal",
    )
    weeks_ahead(page, 3)
    chosen = take(page, first_slot(page))
    fill_in(page, first="Nicolas", last="Annulation", phone=PHONES["cancel"])
    confirm(page)
    manage = manage_link(page)
    page.goto(manage)

    # The link only asks: nothing is cancelled until the second page's button.
    go(page, page.get_by_role("link", name="Annuler ce rendez-vous"))
    screenshot(page, "journey-cancel-confirm")
    assert h1(page) == "Confirmer l’annulation"
    day, time = day_and_time(chosen)
    assert day in main_text(page) and time in main_text(page)
    go(page, page.get_by_role("link", name="Non, garder mon rendez-vous"))
    assert h1(page) == "Votre rendez-vous"

    go(page, page.get_by_role("link", name="Annuler ce rendez-vous"))
    answer = go(page, page.get_by_role("button", name="Oui, annuler ce rendez-vous"))
    screenshot(page, "journey-cancel-done")
    assert h1(page) == "Rendez-vous annulé"
    assert "Votre rendez-vous est bien annulé" in main_text(page)
    # Post/Redirect/Get: the address bar shows the rdv's page, fetched by a GET.
    assert answer.request.method == "GET"
    assert answer.request.redirected_from is not None
    assert answer.request.redirected_from.method == "POST"
    assert urlsplit(page.url).path == urlsplit(manage).path

    again = page.reload()
    screenshot(page, "journey-cancel-reloaded")
    assert again.status == 200
    assert again.request.method == "GET"
    looks_french(page)
    assert h1(page) == "Rendez-vous annulé"
    expect(page.get_by_role("link", name="Annuler ce rendez-vous")).to_have_count(0)


# --- 6. preferences -------------------------------------------------------------------------


def test_saved_preferences_show_the_rdv_page_again_on_reload(live_server, page):
    book_a_consultation(
        page,
        live_server.url,
        phone=PHONES["preferences"],
        email="laetitia.choix@example.org",
        weeks=4,
    )
    page.goto(manage_link(page))
    sms = page.get_by_label("par SMS")
    email = page.get_by_label("par e-mail")
    assert sms.is_checked() and email.is_checked()
    sms.uncheck()
    answer = go(page, page.get_by_role("button", name="Enregistrer mes choix"))
    screenshot(page, "journey-preferences-saved")
    assert answer.request.method == "GET"
    assert not urlsplit(page.url).path.endswith("/preferences")
    expect(page.get_by_text("Vos choix sont enregistrés")).to_be_visible()

    again = page.reload()
    assert again.status == 200
    looks_french(page)
    assert h1(page) == "Votre rendez-vous"
    expect(page.get_by_text("Vos choix sont enregistrés")).to_be_visible()
    assert not page.get_by_label("par SMS").is_checked()
    assert page.get_by_label("par e-mail").is_checked()


# --- 7. links cut short, unknown addresses --------------------------------------------------


def test_a_truncated_private_link_shows_a_french_page(live_server, page):
    for path in ("/r/", "/r"):
        answer = page.goto(live_server.url + path)
        assert answer.status == 404, path
        assert answer.headers["content-type"].startswith("text/html"), path
        looks_french(page)
        assert "lien est incomplet" in main_text(page), path
        expect(page.get_by_role("link", name="Revenir à l’accueil")).to_be_visible()
    screenshot(page, "journey-truncated-link")


# --- 8. a slot taken while one looks at the week --------------------------------------------


def _book_over_http(base: str, form_url: str, phone: str) -> int:
    action, debut = form_url.split("?debut=")
    return requests.post(
        base + action,
        data={"debut": unquote(debut), "pour": "moi", "prenom": "Dylan", "nom": "Pressé",
              "telephone": phone, "sms": "oui"},
        allow_redirects=False,
        timeout=10,
    ).status_code  # fmt: skip


def test_the_form_of_a_slot_taken_meanwhile_shows_the_free_slots(live_server, page):
    open_slots(
        page,
        live_server.url,
        place="62100",
        mds="MDS Calais II",
        service="PMI",
        motif="Bilan de santé 4 ans",
        lieu="MDS Calais II – site principal",
    )
    weeks_ahead(page, 3)
    slot = first_slot(page)
    chosen = slot.get_attribute("aria-label")
    # Others take every agent's time at that slot while this page is open.
    others = (f"07 62 13 69 {n:02d}" for n in range(10, 20))
    for _ in range(5):
        if _book_over_http(live_server.url, slot.get_attribute("href"), next(others)) == 409:
            break
    else:
        raise AssertionError(f"{chosen} never became full")

    answer = go(page, slot)
    screenshot(page, "journey-taken-slot")
    assert answer.status == 409
    assert h1(page) == "Choisissez votre créneau"
    alert = page.get_by_role("alert").first
    expect(alert).to_be_visible()
    assert "Ce créneau n’est plus disponible" in alert.inner_text()
    # No form to fill in for nothing: the week's free times instead, without that one.
    expect(page.get_by_label("Votre prénom")).to_have_count(0)
    expect(page.get_by_role("button", name="Confirmer le rendez-vous")).to_have_count(0)
    expect(page.get_by_role("link", name=chosen, exact=True)).to_have_count(0)
    day, _ = day_and_time(chosen)
    assert day in main_text(page)  # the week of the slot chosen
    assert page.locator("ul.slots a").count() > 0
    take(page, page.locator("ul.slots a").first)  # and another one can be chosen


# --- 9. the same form sent again after Back -------------------------------------------------


def test_a_booking_sent_again_after_back_does_not_book_twice(live_server, page):
    open_slots(
        page,
        live_server.url,
        place="62100",
        mds="MDS Calais II",
        service="PMI",
        motif="Consultation nourrisson",
        lieu="MDS Calais II – site principal",
    )
    # Four weeks ahead, a Tuesday at 10h00: two PMI agents see children at the main
    # site on Tuesday mornings, so the time is still offered after one booking.
    weeks_ahead(page, 4)
    chosen = take(page, page.get_by_role("link", name=re.compile(r"^mardi .* à 10h00$")))
    fill_in(page, first="Sarah", last="Retour", phone=PHONES["back"])
    confirm(page)
    assert h1(page) == "Votre rendez-vous est confirmé"
    manage = manage_link(page)

    page.go_back()  # the form again, with a new one-time key
    assert h1(page) == "Vos coordonnées"
    fill_in(page, first="Sarah", last="Retour", phone=PHONES["back"])
    confirm(page)
    screenshot(page, "journey-back-resubmitted")
    # This browser booked it a moment ago: it is shown that rdv, not a second one, and
    # not « Ce créneau vient d’être réservé » inviting to book another.
    assert h1(page) == "Votre rendez-vous est confirmé"
    assert page.url.split("?")[0] == manage
    assert "Ce créneau vient d’être réservé" not in main_text(page)

    # Still one rdv, at that time: the first one, untouched.
    page.goto(manage)
    assert h1(page) == "Votre rendez-vous"
    day, time = day_and_time(chosen)
    assert day in main_text(page) and time in main_text(page)


# --- 10. a 360 px screen --------------------------------------------------------------------


@pytest.fixture
def narrow_page(browser):
    context = browser.new_context(viewport=NARROW, locale="fr-FR", timezone_id="Europe/Paris")
    page = context.new_page()
    yield page
    context.close()


def fits_and_is_labelled(page, name: str) -> None:
    width = page.evaluate(PAGE_WIDTH)
    assert width <= NARROW["width"], f"{name}: {width} px wide on a 360 px screen"
    assert page.evaluate(UNLABELLED_FIELDS) == [], name


def test_the_home_address_form_and_the_cancel_confirmation_fit_360_px(live_server, narrow_page):
    page = narrow_page
    open_slots(
        page,
        live_server.url,
        place="62290",
        mds="MDS Nœux-les-Mines",
        service="PMI",
        motif="Visite à domicile de la puéricultrice",
    )
    weeks_ahead(page, 3)
    take(page, first_slot(page))
    fits_and_is_labelled(page, "home visit form")
    screenshot(page, "journey-360-home-form")
    fill_in(page, first="Émilie", last="Étroit", phone=PHONES["narrow"])
    confirm(page)  # without the address: the form with its errors
    expect(page.get_by_role("alert").first).to_be_visible()
    fits_and_is_labelled(page, "home visit form with errors")
    screenshot(page, "journey-360-home-form-errors")

    page.get_by_label("Adresse du rendez-vous à domicile").fill(
        "Résidence des Acacias, bâtiment C, 3 allée Jean-Baptiste Lebas, 62290 Nœux-les-Mines"
    )
    confirm(page)
    assert h1(page) == "Votre rendez-vous est confirmé", main_text(page)
    fits_and_is_labelled(page, "confirmation")
    page.goto(manage_link(page))
    go(page, page.get_by_role("link", name="Annuler ce rendez-vous"))
    assert h1(page) == "Confirmer l’annulation"
    fits_and_is_labelled(page, "cancel confirmation")
    screenshot(page, "journey-360-cancel-confirm")


# --- what the deployed gateway and the local server answer alike --------------------------


def test_an_unknown_address_shows_a_french_page(live_server, page):
    answer = page.goto(live_server.url + "/rendez-vous/mes-rendez-vous")
    screenshot(page, "journey-unknown-path")
    assert answer.status == 404
    assert answer.headers["content-type"].startswith("text/html")
    looks_french(page)
    expect(page.get_by_role("link", name="Revenir à l’accueil")).to_be_visible()


def test_the_move_page_shows_ones_own_time_when_no_other_agent_is_free(live_server, page):
    # The first time three weeks ahead: a Monday at 9h00, when one PMI agent only sees
    # children at Nœux; once booked, nobody else is free at that time.
    chosen, _ = book_a_consultation(page, live_server.url, phone="07 62 13 62 08", weeks=3)
    day, time = day_and_time(chosen)
    page.goto(manage_link(page))
    go(page, page.get_by_role("link", name="Déplacer ce rendez-vous"))
    to_week_of(page, day)
    screenshot(page, "journey-own-time-single-agent")
    expect(page.get_by_text(f"{time} (votre rendez-vous)")).to_be_visible()
