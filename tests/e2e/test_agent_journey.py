"""An agent's day through the dashboard's forms in Chromium, at a desktop's and a phone's
width: sign in, today's rdvs, book for a caller (a new usager, found again by phone),
the confirmation sent, reschedule, mark a past rdv absent, print a lieu's day on one A4
page, sign out. Then the booking for a caller again, without JavaScript.

Bookings are at the Beau-Marais permanence for the « bilan 4 ans », nine to eleven weeks
ahead (one week per run): the other e2e tests book within eight weeks at the main lieu.
Screenshots of each step go to test-artifacts/agent-journey-<width>-<step>.png."""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, urlparse
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from devtools.demo_data import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD
from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, screenshot
from tests.e2e.test_agent_print import pdf_pages

pytestmark = pytest.mark.e2e

LIEU = "Permanence du Beau-Marais"
LIEU_ID = "lieu-calais-2-beau-marais"
MOTIF_ID = "mds-calais-2-bilan-4-ans"
PARIS = ZoneInfo("Europe/Paris")


class Caller:
    def __init__(self, first: str, last: str, phone: str, e164: str, weeks_ahead: int):
        self.first, self.last, self.phone, self.e164 = first, last, phone, e164
        self.weeks_ahead = weeks_ahead


CALLERS = {
    "1280": Caller("Bérénice", "Parcours-Bureau", "06 12 36 12 80", "+33612361280", 9),
    "375": Caller("Bérénice", "Parcours-Mobile", "06 12 36 03 75", "+33612360375", 10),
    "sans-js": Caller("Noé", "Sans-Script", "06 12 36 00 00", "+33612360000", 11),
}
WIDTHS = {"1280": DESKTOP, "375": PHONE}


def go(page, locator) -> None:
    """Click a link or a submit button and wait for the next page to be loaded."""
    with page.expect_navigation():
        locator.click()


def heading(page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def main_text(page) -> str:
    return page.locator("main").inner_text()


def monday_in(weeks: int) -> date:
    today = date.today()
    return today - timedelta(days=today.weekday()) + timedelta(weeks=weeks)


def week_shown(page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("semaine", [None])[0]


def to_week(page, monday: date) -> None:
    """Follow « Semaine suivante » until the page shows the week of `monday`."""
    for _ in range(14):
        if week_shown(page) == monday.isoformat():
            return
        go(page, page.get_by_role("link", name=re.compile("Semaine suivante")))
    raise AssertionError(f"never reached the week of {monday}: {page.url}")


def sign_in(page, base: str, shot=None) -> None:
    page.goto(base + "/agents")
    assert "/agents/connexion" in page.url
    page.get_by_label("Adresse e-mail professionnelle").fill(DEMO_AGENT_EMAIL)
    page.get_by_label("Mot de passe").fill(DEMO_AGENT_PASSWORD)
    if shot:
        shot("01-connexion")
    go(page, page.get_by_role("button", name="Se connecter"))
    assert heading(page) == "Bonjour Claire", main_text(page)[:500]


def book_for_a_caller(page, caller: Caller, shot=lambda name: None) -> tuple[str, str]:
    """From the home: « Prendre un rendez-vous », the caller not found by name, created,
    found again by phone; the motif, the lieu, the first free slot of the chosen week,
    booked by phone. Returns the rdv page's path and the slot's accessible name."""
    go(page, page.get_by_role("link", name="Prendre un rendez-vous"))
    page.get_by_label("Nom et prénom, ou numéro de portable").fill(f"{caller.last} {caller.first}")
    go(page, page.get_by_role("button", name="Rechercher"))
    assert "Aucun usager trouvé" in main_text(page)
    go(page, page.get_by_role("link", name="Créer un usager"))
    assert heading(page) == "Nouvel usager"
    page.get_by_label("Prénom", exact=True).fill(caller.first)
    page.get_by_label("Nom", exact=True).fill(caller.last)
    page.get_by_label("Téléphone portable").fill(caller.phone)
    expect(page.get_by_label("Confirmations et rappels par SMS")).to_be_checked()
    shot("04-nouvel-usager")
    go(page, page.get_by_role("button", name="Créer et continuer la prise de rendez-vous"))
    assert f"{caller.last.upper()} {caller.first}" in main_text(page)

    # The caller again, by phone this time, as when they call back.
    go(page, page.get_by_role("link", name="Changer d’usager"))
    page.get_by_label("Nom et prénom, ou numéro de portable").fill(caller.phone)
    go(page, page.get_by_role("button", name="Rechercher"))
    found = page.locator("ul.list a.card")
    assert found.count() == 1, main_text(page)
    shot("05-usager-trouve")
    go(page, found.first)

    page.get_by_label("Motif").select_option(MOTIF_ID)
    page.get_by_label(re.compile("^Lieu")).select_option(label=LIEU)
    go(page, page.get_by_role("button", name="Voir les créneaux libres"))
    to_week(page, monday_in(caller.weeks_ahead))
    slots = page.locator("ul.slots a")
    assert slots.count() >= 2, main_text(page)
    shot("06-creneaux")
    chosen = slots.first.get_attribute("aria-label")
    go(page, slots.first)
    assert heading(page) == "Confirmer le rendez-vous"
    summary = main_text(page)
    day, at = chosen.split(" avec ")[0].split(" à ")
    assert day in summary and at in summary and f"SMS au {caller.phone}" in summary
    page.get_by_label("Par téléphone").check()
    shot("07-confirmer")
    go(page, page.get_by_role("button", name="Réserver"))
    assert re.search(r"/agents/rdv/[^/?]+$", page.url), page.url
    return urlparse(page.url).path, chosen


def sent_sms(page, base: str, phone: str, text: str) -> str:
    """The local outbox page's SMS to `phone`, once one says `text` (they are sent
    after the commit, through the queue: waited for a little)."""
    deadline = time.monotonic() + 20
    while True:
        page.goto(base + "/local/envois")
        items = page.locator("ul.list li", has_text=phone).filter(has_text=text)
        if items.count() or time.monotonic() > deadline:
            return "\n".join(items.all_inner_texts())
        time.sleep(0.5)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_agents_day_through_the_dashboard(live_server, page, width):
    base, caller = live_server.url, CALLERS[width]
    page.set_viewport_size(WIDTHS[width])

    def shot(name: str) -> None:
        screenshot(page, f"agent-journey-{width}-{name}")

    sign_in(page, base, shot)
    shot("02-accueil")

    # Today's rdvs on the home: the same as the agent's day (cancelled ones too).
    today = page.locator("#aujourdhui + p + table.rdvs td[data-label=Heure] a")
    home_rdvs = [a.get_attribute("href") for a in today.all()]
    if not home_rdvs:
        assert "Vous n’avez aucun rendez-vous aujourd’hui." in main_text(page)
    go(page, page.get_by_role("link", name="Mon agenda du jour"))
    shot("03-agenda-jour")
    shown = page.locator(".rdv .rdv-when a, table.rdvs td[data-label=Heure] a")  # + cancelled
    day_rdvs = [a.get_attribute("href") for a in shown.all()]
    assert sorted(home_rdvs) == sorted(set(day_rdvs))

    # A caller: created, found again, booked by phone; their confirmation sent.
    rdv_path, chosen = book_for_a_caller(page, caller, shot)
    shot("08-rdv")
    body = main_text(page)
    day, at = chosen.split(" avec ")[0].split(" à ")
    assert heading(page) == f"Rendez-vous du {day} à {at}"
    assert "au téléphone par Claire Lefebvre" in body, body
    assert f"{caller.first} {caller.last}" in body
    sms = sent_sms(page, base, caller.e164, "confirmé")
    shot("09-envois")
    assert f"RDV PMI confirmé le {day[:3]}." in sms, sms
    page.goto(base + rdv_path)
    assert "SMS" in page.locator("#rdv-receipts ~ ul.receipts").inner_text()

    # « Reporter »: another free time of the same week.
    go(page, page.get_by_role("link", name="Reporter"))
    assert heading(page) == "Reporter le rendez-vous"
    to_week(page, monday_in(caller.weeks_ahead))
    other = page.locator("fieldset.slot-day label.choice").nth(1)
    new_day = other.locator("xpath=ancestor::fieldset/legend").inner_text()
    new_at = other.inner_text().split()[0]
    new_start = datetime.fromisoformat(other.locator("input").get_attribute("value"))
    other.locator("input").check()
    shot("10-reporter")
    go(page, page.get_by_role("button", name="Reporter au créneau choisi"))
    shot("11-reporte")
    assert heading(page) == f"Rendez-vous du {new_day} à {new_at}"
    assert "Le rendez-vous est reporté" in main_text(page)
    assert (new_day, new_at) != (day, at)
    sms = sent_sms(page, base, caller.e164, "déplacé")
    assert f"RDV PMI déplacé au {new_day[:3]}." in sms and new_at in sms, sms
    page.goto(base + rdv_path)

    # « À renseigner »: the oldest past rdv still unknown, marked absent, leaves the list.
    go(page, page.get_by_role("link", name="Aujourd’hui", exact=True))
    to_mark = page.locator("#a-renseigner ~ table.rdvs td[data-label=Heure] a")
    assert to_mark.count() >= 1, main_text(page)
    past = to_mark.first.get_attribute("href")
    go(page, to_mark.first)
    shot("12-a-renseigner")
    go(page, page.get_by_role("button", name="Absent (non excusé)"))
    assert "marqué absent" in main_text(page)
    assert "Absent" in page.locator("main .status").first.inner_text()
    go(page, page.get_by_role("link", name="Aujourd’hui", exact=True))
    shot("13-accueil-renseigne")
    left = page.locator("#a-renseigner ~ table.rdvs td[data-label=Heure] a")
    assert past not in [a.get_attribute("href") for a in left.all()]

    # The lieu's day of the rdv, printed on one A4 page.
    go(page, page.get_by_role("link", name="Lieux", exact=True))
    go(page, page.get_by_role("link", name="Journée d’aujourd’hui : " + LIEU))
    page.goto(f"{base}/agents/lieux/{LIEU_ID}?jour={new_start.astimezone(PARIS).date()}")
    assert f"{caller.first} {caller.last}" in page.locator("table.grid").inner_text()
    shot("14-lieu-jour")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    shot("15-impression")
    pdf = page.pdf(format="A4")
    (ARTIFACTS / f"agent-journey-{width}-lieu-jour.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1
    page.emulate_media(media="screen")
    page.set_viewport_size(WIDTHS[width])

    # Signing out: the dashboard sends back to sign-in.
    go(page, page.get_by_role("button", name="Se déconnecter"))
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    shot("16-deconnecte")
    page.goto(base + "/agents")
    assert "/agents/connexion" in page.url


def test_booking_for_a_caller_works_without_javascript(live_server, page_without_js):
    page, caller = page_without_js, CALLERS["sans-js"]

    def shot(name: str) -> None:
        screenshot(page, f"agent-journey-375-sans-js-{name}")

    sign_in(page, live_server.url, shot)
    book_for_a_caller(page, caller, shot)
    shot("08-rdv")
    assert "au téléphone par Claire Lefebvre" in main_text(page)
    assert f"{caller.first} {caller.last}" in main_text(page)
