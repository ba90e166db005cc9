"""A lieu's day, printed to PDF by Chromium, fits on one A4 page. Screenshots go to
test-artifacts/agent-lieu-jour-*.png. (axe-core on the dashboard's pages, these
helpers' first users: test_agent_axe.py.)"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import requests

from devtools.demo_data import DEMO_AGENT_EMAIL, DEMO_AGENT_PASSWORD
from tests.e2e.conftest import ARTIFACTS, DESKTOP, screenshot

pytestmark = pytest.mark.e2e

DAY_LINK = re.compile(r'href="(/agents/lieux/[^"?]+\?jour=([0-9-]+))"[^>]*data-rdvs="(\d+)"')
SLOT_FORM = re.compile(r'href="([^"]+/reserver\?debut=([0-9-]+)T[^"]+)"')
MAIN_LIEU = "lieu-calais-2-principal"
# Claire Lefebvre (PMI) and Sophie Martin (social) hold plages there on Thursdays, morning
# and afternoon. Bookings here are six weeks ahead: the other e2e tests book within four.
NAMES = [
    "Martin",
    "Bernard",
    "Thomas",
    "Robert",
    "Richard",
    "Durand",
    "Moreau",
    "Simon",
    "Laurent",
    "Michel",
    "Garcia",
]
MOTIFS = ("mds-calais-2-consultation-nourrisson", "mds-calais-2-premier-rdv-as")


def sign_in(page, base: str) -> None:
    """The demo agent's session cookie in the page's browser context, posted by the
    context's HTTP client (the sign-in form itself: test_agent_sign_in.py)."""
    answer = page.request.post(
        base + "/agents/connexion",
        form={"email": DEMO_AGENT_EMAIL, "mot_de_passe": DEMO_AGENT_PASSWORD},
        max_redirects=0,
    )
    assert answer.status == 303, answer.status
    page.goto(base + "/agents")
    assert page.locator("h1").inner_text().startswith("Bonjour")


def busiest_day(page, base: str) -> str:
    """The main lieu's busiest day over this week and the next two (from the counts
    its day page gives for each day of the week)."""
    page.goto(base + "/agents/lieux")
    lieu = page.locator("h2.lieu-name a").first.get_attribute("href")
    counts: dict[str, int] = {}
    day = date.today()
    for _ in range(3):
        page.goto(f"{base}{lieu}?jour={day.isoformat()}")
        for path, _day, rdvs in DAY_LINK.findall(page.content()):
            counts[path] = int(rdvs)
        day += timedelta(weeks=1)
    path = max(counts, key=lambda p: (counts[p], p))
    assert counts[path] >= 2, counts  # a day worth printing
    return path


def fill_a_thursday(base: str) -> str:
    """Book every free time of a Thursday six weeks ahead at the main lieu of MDS
    Calais II, for both motifs, through the usagers' pages; its day page's path."""
    today = date.today()
    for weeks in (6, 7, 8):  # past a public holiday, the next Thursday
        thursday = today + timedelta(days=(3 - today.weekday()) % 7, weeks=weeks)
        monday = thursday - timedelta(days=3)
        booked = 0
        for number, motif in enumerate(MOTIFS):
            week = requests.get(
                f"{base}/mds/mds-calais-2/motifs/{motif}/lieux/{MAIN_LIEU}",
                params={"semaine": monday.isoformat()},
                timeout=10,
            ).text
            forms = [
                f.replace("&amp;", "&") for f, d in SLOT_FORM.findall(week) if d == str(thursday)
            ]
            for index, form in enumerate(forms):
                action, debut = form.split("?debut=")
                answer = requests.post(
                    base + action,
                    data={"debut": requests.utils.unquote(debut), "pour": "moi",
                          "prenom": "Maëlys", "nom": NAMES[index % len(NAMES)],
                          "telephone": f"06 12 35 6{number} {index:02d}", "sms": "oui"},
                    allow_redirects=False,
                    timeout=10,
                )  # fmt: skip
                booked += answer.status_code == 303
        if booked >= 12:
            return f"/agents/lieux/{MAIN_LIEU}?jour={thursday.isoformat()}"
    raise AssertionError("no Thursday to fill at the main lieu in eight weeks")


def pdf_pages(pdf: bytes) -> int:
    """Page objects of a PDF (`/Type /Page`, not the `/Pages` tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


@pytest.mark.parametrize("day", ["demo", "full"])
def test_a_lieus_busiest_day_prints_on_one_a4_page(live_server, page, day):
    """The demo's busiest day at a lieu over three weeks, and a Thursday whose every
    time is booked (twenty rdvs or so, in quarter hours)."""
    base = live_server.url
    path = fill_a_thursday(base) if day == "full" else None
    sign_in(page, base)
    path = path or busiest_day(page, base)
    page.set_viewport_size(DESKTOP)
    page.goto(base + path)
    assert page.locator("table.grid thead th").count() >= 3  # two agents or more
    rdvs = page.locator("table.grid .rdv").count()
    assert rdvs >= (16 if day == "full" else 2), rdvs
    screenshot(page, f"agent-lieu-jour-{day}-1280")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    screenshot(page, f"agent-lieu-jour-{day}-impression")
    pdf = page.pdf(format="A4")
    (ARTIFACTS / f"agent-lieu-jour-{day}.pdf").write_bytes(pdf)
    assert pdf_pages(pdf) == 1
    # What is printed: the grid and its rdvs, not the navigation.
    assert page.locator("nav.agenda-nav").is_hidden()
    assert page.locator("table.grid .rdv").first.is_visible()
