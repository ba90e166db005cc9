"""The notification pipeline on moto: queue -> consumer -> SNS / SES, exactly once."""

from __future__ import annotations

import email
import json
from dataclasses import replace
from datetime import timedelta

import pytest
from icalendar import Calendar

from chalicelib.domain.models import Channel, ReceiptOutcome
from chalicelib.services import booking, feedback, manage, notifications
from chalicelib.settings import get_settings
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for

REGION = "eu-west-3"


def sns_backend():
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns import sns_backends

    return sns_backends[DEFAULT_ACCOUNT_ID][REGION]


def sent_sms() -> list[tuple[str, str]]:
    return list(sns_backend().sms_messages.values())


def sent_emails() -> list[email.message.EmailMessage]:
    from email import policy

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses import ses_backends

    backend = ses_backends[DEFAULT_ACCOUNT_ID][REGION]
    return [
        email.message_from_string(m.raw_data, policy=policy.default) for m in backend.sent_messages
    ]


def drain(store) -> list[dict]:
    """Every message waiting in the notification queue (deleted once read)."""
    from chalicelib.notify.clients import client
    from chalicelib.notify.queue import queue_url

    sqs, url, bodies = client("sqs", store.settings), queue_url(store.settings), []
    while True:
        answer = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
        messages = answer.get("Messages", [])
        if not messages:
            return bodies
        for m in messages:
            bodies.append(json.loads(m["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])


def deliver_all(store, bodies, now=NOW, attempt=1):
    senders = notifications.Senders.from_store(store)
    for body in bodies:
        notifications.deliver(store, body, now, attempt, senders)


@pytest.fixture
def booked(store, pilot):
    return booking.book_rdv(store, request_for(pilot), NOW)


def test_a_booking_queues_its_confirmation_and_the_consumer_sends_sms_and_email(store, booked):
    bodies = drain(store)
    assert bodies == [
        {"rdv_id": booked.rdv.id, "event": "rdv_created", "extra": "", "by": "usager"}
    ]
    deliver_all(store, bodies)
    [(phone, text)] = sent_sms()
    assert phone == "+33612345678"
    assert text.startswith("RDV PMI confirmé le mar. 01/12 à 9h00, MDS Test")
    assert f"https://rdv.example.fr/r/{booked.manage_token}" in text
    assert "nourrisson" not in text.lower()
    [message] = [m for m in sent_emails() if m["To"] == "amandine@example.org"]
    assert message["To"] == "amandine@example.org"
    assert "mardi 1er décembre 2026 à 9h00" in message["Subject"]
    parts = {part.get_content_type(): part for part in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= set(parts)
    calendar = Calendar.from_ical(parts["text/calendar"].get_payload(decode=True))
    [event] = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == TUESDAY_9H
    assert "nourrisson" not in message.as_string().lower()
    receipts = store.receipts.of_rdv(booked.rdv.id)
    assert {(r.channel, r.outcome) for r in receipts} >= {
        (Channel.SMS, ReceiptOutcome.SENT),
        (Channel.EMAIL, ReceiptOutcome.SENT),
    }
    assert all(r.provider_message_id for r in receipts if r.outcome is ReceiptOutcome.SENT)


def test_a_message_delivered_twice_sends_once(store, booked):
    bodies = drain(store)
    deliver_all(store, bodies + bodies)
    assert len(sent_sms()) == 1
    usager_emails = [m for m in sent_emails() if m["To"] == "amandine@example.org"]
    assert len(usager_emails) == 1


def test_the_agent_hears_of_an_online_booking(store, booked):
    deliver_all(store, drain(store))
    agent = store.agents.get(booked.rdv.agent_id)
    [to_agent] = [m for m in sent_emails() if m["To"] == agent.email]
    assert "Nouveau rendez-vous pris en ligne" in to_agent["Subject"]


def test_reminders_are_swept_once_and_sent_once(store, booked):
    deliver_all(store, drain(store))
    before = len(sent_sms())
    for due_time in (TUESDAY_9H - timedelta(days=2), TUESDAY_9H - timedelta(days=1)):
        first = notifications.send_due_reminders(store, due_time, lambda: 60_000)
        second = notifications.send_due_reminders(store, due_time, lambda: 60_000)
        assert (first.queued, second.queued) == (1, 0)
        bodies = drain(store)
        deliver_all(store, bodies + bodies, now=due_time)
    reminders = [t for _, t in sent_sms()[before:]]
    assert len(reminders) == 2  # 2 days and 1 day before
    # Each says what is true when it is sent: the day before, « demain ».
    assert reminders[0].startswith("Rappel : RDV PMI le mar. 01/12 à 9h00")
    assert reminders[1].startswith("Rappel : RDV PMI demain mar. 01/12 à 9h00")


def test_after_a_sweep_outage_only_the_latest_reminder_goes_and_none_too_late(store, pilot, booked):
    deliver_all(store, drain(store))
    before = len(sent_sms())
    back = TUESDAY_9H - timedelta(days=1) + timedelta(minutes=30)  # both are due by now
    assert notifications.send_due_reminders(store, back, lambda: 60_000).queued == 2
    deliver_all(store, drain(store), now=back)
    assert len(sent_sms()) - before == 1  # the day-before one; the 2-day one is stale
    # A reminder found more than 2 hours late is dropped (no SMS at 02:00 after an
    # outage), and so is one for a rdv that has begun.
    ten = TUESDAY_9H + timedelta(hours=1)
    late = booking.book_rdv(store, request_for(pilot, starts_at=ten, phone="+33612345670"), NOW)
    deliver_all(store, drain(store))
    sent = len(sent_sms())
    outage_end = late.rdv.starts_at - timedelta(days=1) + timedelta(hours=3)
    assert notifications.send_due_reminders(store, outage_end, lambda: 60_000).queued == 2
    deliver_all(store, drain(store), now=outage_end)
    assert len(sent_sms()) == sent


def test_a_reminder_found_due_in_the_quiet_hours_waits_for_eight(store, pilot):
    # Reminded 13 hours ahead, a rdv at 9:00 is due at 20:00 the evening before, which
    # the planner brings forward to 19:30; the sweep only runs again at 20:45.
    motif = replace(pilot.motif, reminder_offsets_minutes=(13 * 60,))
    store.catalogue.save_motif(motif)
    booked = booking.book_rdv(store, request_for(pilot, motif=motif), NOW)
    [planned] = store.reminders.of_rdv(booked.rdv.id)
    assert planned.due_at == TUESDAY_9H - timedelta(hours=13, minutes=30)  # 19:30 Paris
    deliver_all(store, drain(store))
    sent = len(sent_sms())
    evening = TUESDAY_9H - timedelta(hours=12, minutes=15)  # 20:45 Paris
    assert notifications.send_due_reminders(store, evening, lambda: 60_000).queued == 1
    deliver_all(store, drain(store), now=evening)
    assert len(sent_sms()) == sent  # nothing at 20:45
    [postponed] = store.reminders.of_rdv(booked.rdv.id)
    assert postponed.due_at == TUESDAY_9H - timedelta(hours=1) and not postponed.sent  # 8:00
    morning = TUESDAY_9H - timedelta(hours=1)
    assert notifications.send_due_reminders(store, morning, lambda: 60_000).queued == 1
    deliver_all(store, drain(store), now=morning)
    assert len(sent_sms()) == sent + 1


def test_overlapping_sweeps_queue_twice_but_send_once(store, booked):
    deliver_all(store, drain(store))
    due_time = TUESDAY_9H - timedelta(days=1)
    from chalicelib.notify import queue

    # Two sweeps read the same due reminders before either marks them handled.
    due = list(store.reminders.due_before(due_time))
    message = [
        {"rdv_id": r.rdv_id, "event": "rdv_upcoming_reminder", "extra": str(r.offset_minutes),
         "due_at": r.due_at.isoformat()}
        for r in due
    ]  # fmt: skip
    queue.enqueue(store.settings, message + message)
    before = len(sent_sms())
    deliver_all(store, drain(store), now=due_time)
    assert len(sent_sms()) - before == 1  # the latest due reminder, once


def test_a_cancelled_rdv_gets_its_cancellation_and_no_reminder(store, booked):
    deliver_all(store, drain(store))
    manage.cancel_by_usager(store, booked.manage_token, NOW + timedelta(hours=1))
    bodies = drain(store)
    assert [b["event"] for b in bodies] == ["rdv_cancelled"]
    deliver_all(store, bodies, now=NOW + timedelta(hours=1))
    assert "annulé" in sent_sms()[-1][1]
    cancel_mail = [m for m in sent_emails() if m["To"] == "amandine@example.org"][-1]
    parts = {p.get_content_type(): p for p in cancel_mail.walk()}
    assert "METHOD:CANCEL" in parts["text/calendar"].get_payload(decode=True).decode()
    sweep = notifications.send_due_reminders(store, TUESDAY_9H, lambda: 60_000)
    assert sweep.queued == 0


def test_a_reminder_queued_before_a_move_is_not_sent_for_the_old_time(store, booked):
    deliver_all(store, drain(store))
    due_time = TUESDAY_9H - timedelta(days=1)
    notifications.send_due_reminders(store, due_time, lambda: 60_000)
    stale = drain(store)
    manage.move_by_usager(store, booked.manage_token, TUESDAY_9H + timedelta(days=7), NOW)
    moved = drain(store)
    assert [b["event"] for b in moved] == ["rdv_date_updated"]
    before = len(sent_sms())
    deliver_all(store, stale + moved, now=due_time)
    texts = [t for _, t in sent_sms()[before:]]
    assert len(texts) == 1 and texts[0].startswith("RDV PMI déplacé au mar. 08/12 à 9h00")


def test_a_rdv_moved_after_its_reminder_went_out_is_reminded_of_its_new_time(store, booked):
    deliver_all(store, drain(store))
    two_days_before = TUESDAY_9H - timedelta(days=2)
    notifications.send_due_reminders(store, two_days_before, lambda: 60_000)
    deliver_all(store, drain(store), now=two_days_before)
    assert sent_sms()[-1][1].startswith("Rappel : RDV PMI le mar. 01/12 à 9h00")
    later = TUESDAY_9H + timedelta(days=7)
    manage.move_by_usager(store, booked.manage_token, later, two_days_before)
    deliver_all(store, drain(store), now=two_days_before)
    # The move's SMS stands for the 2-day reminder; the day-before one goes.
    assert (
        notifications.send_due_reminders(store, later - timedelta(days=2), lambda: 60_000).queued
        == 0
    )
    due = later - timedelta(days=1)
    assert notifications.send_due_reminders(store, due, lambda: 60_000).queued == 1
    deliver_all(store, drain(store), now=due)
    assert sent_sms()[-1][1].startswith("Rappel : RDV PMI demain")


def test_a_bounce_marks_the_address_invalid_and_it_is_no_longer_used(store, booked):
    deliver_all(store, drain(store))
    bounce = {
        "notificationType": "Bounce",
        "bounce": {
            "bounceType": "Permanent",
            "bouncedRecipients": [{"emailAddress": "amandine@example.org"}],
        },
    }
    marked = feedback.handle_ses_feedback(store, bounce, NOW)
    assert booked.rdv.id in marked
    assert store.rdvs.get(booked.rdv.id).contact.email_invalid is True
    [usager] = store.usagers.get_many(list(booked.rdv.usager_ids))
    assert usager.email_invalid is True
    assert feedback.handle_ses_feedback(store, bounce, NOW) == [usager.id]  # nothing new
    mails = len(sent_emails())
    notifications.send_due_reminders(store, TUESDAY_9H - timedelta(days=1), lambda: 60_000)
    deliver_all(store, drain(store), now=TUESDAY_9H - timedelta(days=1))
    assert [m["To"] for m in sent_emails()[mails:]] == []


def test_an_opted_out_phone_gets_no_sms(store, pilot):
    # moto reports numbers ending in 99 as opted out of SMS.
    opted_out = booking.book_rdv(store, request_for(pilot, phone="+33612345699"), NOW)
    deliver_all(store, drain(store))
    assert sent_sms() == []
    sms = [r for r in store.receipts.of_rdv(opted_out.rdv.id) if r.channel is Channel.SMS]
    assert [r.outcome for r in sms] == [ReceiptOutcome.SKIPPED]


def test_no_consent_no_sms(store, pilot):
    booking.book_rdv(store, request_for(pilot, notify_sms=False), NOW)
    deliver_all(store, drain(store))
    assert sent_sms() == []
    assert len([m for m in sent_emails() if m["To"] == "amandine@example.org"]) == 1


def test_a_failing_provider_is_retried_then_marked_failed(store, booked, monkeypatch):
    bodies = drain(store)
    senders = notifications.Senders.from_store(store)

    def broken(*_args, **_kwargs):
        raise ConnectionError("SNS unreachable")

    monkeypatch.setattr(senders.sms, "send", broken)
    with pytest.raises(notifications.DeliveryFailed):
        notifications.deliver(store, bodies[0], NOW, 1, senders)
    sms = [r for r in store.receipts.of_rdv(booked.rdv.id) if r.channel is Channel.SMS]
    assert [r.outcome for r in sms] == [ReceiptOutcome.RETRY]
    last = get_settings().max_delivery_attempts
    notifications.deliver(store, bodies[0], NOW, last, senders)  # the last try: no raise
    sms = [r for r in store.receipts.of_rdv(booked.rdv.id) if r.channel is Channel.SMS]
    assert [r.outcome for r in sms] == [ReceiptOutcome.FAILED]
    assert len([m for m in sent_emails() if m["To"] == "amandine@example.org"]) == 1


def test_the_sweep_stops_before_the_lambda_timeout(store, pilot):
    for i in range(5):
        booking.book_rdv(
            store, request_for(pilot, starts_at=TUESDAY_9H + timedelta(minutes=30 * i),
                               phone=f"+3361234560{i}"), NOW
        )  # fmt: skip
    drain(store)
    budget = iter([60_000, 60_000, 60_000] + [1_000] * 100)
    result = notifications.send_due_reminders(
        store, TUESDAY_9H, lambda: next(budget), reserve_ms=5_000, batch=1
    )
    assert result.finished is False and result.queued == 3
    rest = notifications.send_due_reminders(store, TUESDAY_9H, lambda: 60_000)
    assert (rest.finished, rest.queued) == (True, 7)  # 5 rdvs x 2 reminders in all


def test_handlers_run_through_chalice_events(client, store, booked):
    """The SQS consumer and the SNS feedback handler, invoked as Lambda would."""
    from chalicelib.routes.events import NOTIFICATIONS_QUEUE

    bodies = drain(store)
    event = client.events.generate_sqs_event(
        message_bodies=[json.dumps(b) for b in bodies], queue_name=NOTIFICATIONS_QUEUE
    )
    client.lambda_.invoke("deliver_notifications", event)
    assert len(sent_sms()) == 1
    feedback = client.events.generate_sns_event(
        message=json.dumps(
            {
                "notificationType": "Complaint",
                "complaint": {"complainedRecipients": [{"emailAddress": "amandine@example.org"}]},
            }
        )
    )
    client.lambda_.invoke("ses_feedback", feedback)
    [usager] = store.usagers.get_many(list(booked.rdv.usager_ids))
    assert usager.email_invalid


def test_opting_out_through_the_private_link_stops_the_sms(client, store, booked):
    drain(store)
    page = client.http.get(f"/r/{booked.manage_token}").body.decode()
    assert 'action="/r/' in page and "par SMS" in page and "par e-mail" in page
    answer = client.http.post(
        f"/r/{booked.manage_token}/preferences",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body="email=oui",
    )
    assert answer.status_code == 303  # Post/Redirect/Get
    shown = client.http.get(answer.headers["Location"].split("#")[0]).body.decode()
    assert "Vos choix sont enregistrés" in shown
    contact = store.rdvs.get(booked.rdv.id).contact
    assert (contact.notify_sms, contact.notify_email) == (False, True)
    [usager] = store.usagers.get_many(list(booked.rdv.usager_ids))
    assert (usager.notify_sms, usager.notify_email) == (True, True)  # this rdv's choice only
    due_time = TUESDAY_9H - timedelta(days=1)
    notifications.send_due_reminders(store, due_time, lambda: 60_000)
    deliver_all(store, drain(store), now=due_time)
    assert sent_sms() == []
    assert any(m["Subject"].startswith("Rappel") for m in sent_emails())
