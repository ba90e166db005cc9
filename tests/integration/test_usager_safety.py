"""What a hostile booker could do with someone else's name and phone, on moto."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.services import booking, notifications
from chalicelib.services.booking import Person
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain, sent_emails, sent_sms

VICTIM_PHONE = "+33612345678"


def test_booking_with_someone_elses_phone_and_name_does_not_take_over_their_contact(store, pilot):
    victim = booking.book_rdv(
        store, request_for(pilot, phone=VICTIM_PHONE, email="amandine@example.org"), NOW
    )
    attacker = booking.book_rdv(
        store,
        request_for(
            pilot,
            starts_at=TUESDAY_9H + timedelta(days=1),
            contact=Person("AMANDINE", "dupont"),
            phone=VICTIM_PHONE,
            email="attacker@evil.example",
            notify_sms=False,
        ),
        NOW,
    )
    # The victim's record and rdv keep their contact and choices.
    [record] = store.usagers.get_many(list(victim.rdv.usager_ids))
    assert (record.email, record.notify_sms, record.notify_email) == (
        "amandine@example.org",
        True,
        True,
    )
    assert store.rdvs.get(victim.rdv.id).contact.email == "amandine@example.org"
    assert store.rdvs.get(attacker.rdv.id).contact.email == "attacker@evil.example"
    # The victim's reminder reaches the victim, by SMS and e-mail, and nobody else.
    deliver_all(store, drain(store))
    sms_before, mails_before = len(sent_sms()), len(sent_emails())
    due = TUESDAY_9H - timedelta(days=1)
    notifications.send_due_reminders(store, due, lambda: 60_000)
    reminders = [b for b in drain(store) if b["rdv_id"] == victim.rdv.id]
    deliver_all(store, reminders, now=due)
    assert {phone for phone, _ in sent_sms()[sms_before:]} == {VICTIM_PHONE}
    recipients = {m["To"] for m in sent_emails()[mails_before:]}
    assert "attacker@evil.example" not in recipients
    assert "amandine@example.org" in recipients


def send_form(client, cookie: str | None = None, phone: str = "06 12 34 56 78"):
    """The booking form of Tuesday 9:00 as a browser gets it (a new one-time key each
    time: pages are never cached), filled in and sent."""
    import re
    from urllib.parse import urlencode

    path = "/mds/org-1/motifs/m30/lieux/lieu-1/reserver"
    form = client.http.get(path + "?debut=2026-12-01T08:00Z").body.decode()
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    fields = {
        "debut": "2026-12-01T08:00Z",
        "pour": "moi",
        "prenom": "Amandine",
        "nom": "Dupont",
        "telephone": phone,
        "sms": "oui",
        "cle": key,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if cookie:
        headers["Cookie"] = cookie
    return client.http.post(path, headers=headers, body=urlencode(fields))


@pytest.fixture
def frozen(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)


def test_the_form_sent_again_after_back_shows_the_rdv_instead_of_a_second_one(
    client, store, pilot, frozen
):
    first = send_form(client)
    assert first.status_code == 303
    cookie = first.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/mds" in cookie
    again = send_form(client, cookie=cookie.split(";")[0])
    assert again.status_code == 303
    assert again.headers["Location"] == first.headers["Location"]  # their own rdv
    rdvs = store.rdvs.of_organisation("org-1", TUESDAY_9H, TUESDAY_9H + timedelta(hours=1))
    assert len(rdvs) == 1


def test_booking_with_someone_elses_details_does_not_tell_whether_they_have_a_rdv(
    client, store, pilot, frozen
):
    """Without the victim's browser, the same name and phone at the victim's time is an
    ordinary booking (here with the other agent): no « vous avez déjà un rendez-vous »
    that would tell an abuser where and when to find someone."""
    victim = send_form(client)
    assert victim.status_code == 303
    attacker = send_form(client)  # no cookie
    assert attacker.status_code == 303
    assert attacker.headers["Location"] != victim.headers["Location"]
    assert "déjà un rendez-vous" not in attacker.body.decode()


def test_the_calendar_file_downloads_over_http(client, store, pilot, frozen):
    from icalendar import Calendar

    booked = send_form(client)
    token = booked.headers["Location"].split("/r/")[1].split("?")[0]
    answer = client.http.get(f"/r/{token}/rdv.ics")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("text/calendar")
    [event] = Calendar.from_ical(answer.body).walk("VEVENT")
    assert event.decoded("dtstart") == TUESDAY_9H
    assert token not in answer.body.decode()
