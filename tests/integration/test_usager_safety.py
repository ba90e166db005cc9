"""What a hostile booker could do with someone else's name and phone, on moto."""

from __future__ import annotations

from datetime import timedelta

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
