"""`make run`'s waiting list end to end: through the public JSON API, A books in about
five weeks and asks for an earlier slot, B books in about a week and cancels; the
write path queues the freed slot, the local consumer offers it, and the offer's SMS to
A shows on the local outbox page.

The services read the real clock (`context.now`): the test server runs without the
waiting list's quiet hours (`RDVSOL_WAITING_LIST_QUIET_HOURS=00:00-00:00`, set in
conftest.py), so the offer goes at once at any hour; the quiet hours themselves are
tested on moto (tests/integration/test_waiting_list.py)."""

from __future__ import annotations

import html
import re
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import requests

pytestmark = pytest.mark.e2e

PARIS = ZoneInfo("Europe/Paris")
MOTIF = "/api/v1/public/organisations/mds-calais-2/motifs/mds-calais-2-bilan-4-ans"
A_PHONE, B_PHONE = "07 81 23 45 71", "07 81 23 45 72"
A_E164 = "+33781234571"


def clear_of_the_sweep() -> None:
    """The waiting-list sweep fires at each quarter of an hour and would offer A other
    free time (one offer a day): start well after one, with the test done before the
    next."""
    now = datetime.now(UTC)
    to_next = 900 - (now.minute % 15 * 60 + now.second)
    if to_next < 90:
        time.sleep(to_next + 30)


def first_slot(base: str, lieu_id: str, around: date) -> dict:
    monday = around - timedelta(days=around.weekday())
    week = requests.get(
        f"{base}{MOTIF}/lieux/{lieu_id}/slots", params={"week": monday.isoformat()}, timeout=10
    ).json()
    for day in week["days"]:
        if date.fromisoformat(day["date"]) >= around and day["slots"]:
            return day["slots"][0]
    assert week["next_available"], week
    return week["next_available"]


def book(base: str, lieu_id: str, slot: dict, phone: str, waiting: bool) -> dict:
    answer = requests.post(
        f"{base}{MOTIF}/lieux/{lieu_id}/bookings",
        json={
            "starts_at": slot["starts_at"],
            "first_name": "Liste",
            "last_name": "Attente",
            "phone": phone,
            "waiting_list": waiting,
        },
        timeout=10,
    )
    assert answer.status_code == 201, answer.text[:500]
    return answer.json()


def sms_of(outbox: str, phone: str) -> list[str]:
    found = re.findall(
        r"<strong>([^<]+)</strong> · \d+ caractères<p class=\"meta\">([^<]*)</p>", outbox
    )
    return [html.unescape(text) for number, text in found if number == phone]


def test_a_cancellation_offers_the_slot_to_the_waiting_list_by_sms(live_server):
    clear_of_the_sweep()
    base = live_server.url
    lieux = requests.get(f"{base}{MOTIF}/lieux", timeout=10).json()["lieux"]
    lieu_id = lieux[0]["id"]
    today = datetime.now(PARIS).date()
    later = first_slot(base, lieu_id, today + timedelta(weeks=5))
    sooner = first_slot(base, lieu_id, today + timedelta(weeks=1))
    assert sooner["starts_at"] < later["starts_at"]
    book(base, lieu_id, later, A_PHONE, waiting=True)
    b = book(base, lieu_id, sooner, B_PHONE, waiting=False)
    cancelled = requests.post(f"{base}/api/v1/public/rdvs/{b['manage_token']}/cancel", timeout=10)
    assert cancelled.status_code == 200, cancelled.text[:500]
    freed = datetime.fromisoformat(sooner["starts_at"].replace("Z", "+00:00")).astimezone(PARIS)
    when = f"{freed:%d/%m} à {freed.hour}h{freed:%M}"
    offers: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        outbox = requests.get(f"{base}/local/envois", timeout=10).text
        offers = [t for t in sms_of(outbox, A_E164) if "/o/" in t]
        if offers:
            break
        time.sleep(1)
    assert offers, f"no offer SMS to A within 60 s: {sms_of(outbox, A_E164)}"
    [offer] = offers
    assert when in offer, (when, offer)
    assert "Bilan" not in offer  # the motif is never in a message
    # The link opens the offer's page (a GET changes nothing).
    token = re.search(r"/o/([A-Za-z0-9_-]+)", offer).group(1)
    page = requests.get(f"{base}/o/{token}", timeout=10)
    assert page.status_code == 200
