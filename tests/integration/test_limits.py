"""Limits on what costs money or reaches a person: bookings and moves made per phone
and per e-mail, moves per rdv, SMS spaced per rdv; attempts per client address."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import RateLimited, SlotTaken
from chalicelib.services import booking, manage, rate_limits
from chalicelib.settings import get_settings
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain, sent_sms

PHONE = "+33612345678"


@pytest.fixture
def two_a_day(store, monkeypatch):
    monkeypatch.setattr(get_settings(), "bookings_per_person_per_day", 2)


def test_email_only_bookings_are_limited_per_address_too(store, pilot, two_a_day):
    for hours in (0, 1):
        booking.book_rdv(
            store,
            request_for(pilot, starts_at=TUESDAY_9H + timedelta(hours=hours), phone=None),
            NOW,
        )
    with pytest.raises(RateLimited) as refused:
        booking.book_rdv(
            store, request_for(pilot, starts_at=TUESDAY_9H + timedelta(hours=2), phone=None), NOW
        )
    assert "Réessayez demain" in refused.value.message
    rdvs = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert len(rdvs) == 2  # nothing stored for the refused one
    # The next day counts afresh.
    tomorrow = NOW + timedelta(days=1)
    booking.book_rdv(
        store, request_for(pilot, starts_at=TUESDAY_9H + timedelta(hours=2), phone=None), tomorrow
    )


def test_refused_attempts_with_someones_phone_do_not_block_it(store, pilot, two_a_day):
    store.planning.delete_plage("plage-2")
    other = request_for(pilot, phone="+33698765432", email="karim@example.org")
    booking.book_rdv(store, other, NOW)  # someone else
    for _ in range(5):  # a hostile or unlucky booker with PHONE: the slot is taken
        with pytest.raises(SlotTaken):
            booking.book_rdv(store, request_for(pilot, phone=PHONE), NOW)
    for hours in (1, 2):  # the owner of PHONE can still book their two
        booking.book_rdv(
            store,
            request_for(pilot, starts_at=TUESDAY_9H + timedelta(hours=hours), phone=PHONE),
            NOW,
        )


def test_ten_moves_send_at_most_five_sms_to_the_phone_all_told(store, pilot, monkeypatch):
    from chalicelib.notify import queue

    deferred = []
    real_enqueue = queue.enqueue

    def enqueue(settings, messages, delay_seconds=0):
        if delay_seconds:
            deferred.extend(messages)  # SQS hands them back after the delay
        else:
            real_enqueue(settings, messages)

    monkeypatch.setattr(queue, "enqueue", enqueue)
    booked = booking.book_rdv(store, request_for(pilot, email=None), NOW)
    deliver_all(store, drain(store))
    moved, refused = [], []
    for i in range(10):
        at = NOW + timedelta(minutes=5 * (i + 1))
        # Ten other times, none the rdv's current one.
        target = TUESDAY_9H + timedelta(days=1 + i % 3, minutes=30 * (i // 3 % 3))
        try:
            moved.append(manage.move_by_usager(store, booked.manage_token, target, at))
        except RateLimited as error:
            refused.append(error)
        deliver_all(store, drain(store), now=at)
    assert len(moved) == 3 and len(refused) == 7
    assert "déjà été déplacé 3 fois" in refused[0].message
    later = NOW + timedelta(hours=2)
    deliver_all(store, list(deferred), now=later)  # the deferred SMS, once the hour is up
    texts = [t for phone, t in sent_sms() if phone == PHONE]
    assert len(texts) <= 5
    assert len(texts) == 2  # the confirmation, then the latest move only
    latest = moved[-1].rdv.starts_at
    assert (
        f"{latest.astimezone(__import__('zoneinfo').ZoneInfo('Europe/Paris')).hour}h" in texts[-1]
    )


def test_one_client_address_may_try_sixty_bookings_an_hour(store, pilot):
    for _ in range(60):
        rate_limits.check_address_allowed(store, "203.0.113.9", NOW)
    with pytest.raises(RateLimited) as refused:
        rate_limits.check_address_allowed(store, "203.0.113.9", NOW)
    assert "Réessayez dans 60 minutes" in refused.value.message
    rate_limits.check_address_allowed(store, "203.0.113.10", NOW)  # another address


def test_bookings_that_message_nobody_there_do_not_use_up_that_phones_day(store, pilot, two_a_day):
    for hours in (0, 1, 2):  # someone books with PHONE, SMS unticked, their own e-mails
        booking.book_rdv(
            store,
            request_for(
                pilot,
                starts_at=TUESDAY_9H + timedelta(hours=hours, minutes=30 * (hours % 2)),
                phone=PHONE,
                notify_sms=False,
                email=f"other{hours}@example.org",
            ),
            NOW,
        )
    # The owner of PHONE still has their two bookings of the day, and only two.
    for hours in (0, 1):
        owned = booking.book_rdv(
            store,
            request_for(pilot, starts_at=TUESDAY_9H + timedelta(days=1, hours=hours), phone=PHONE),
            NOW,
        )
        assert store.rdvs.get(owned.rdv.id) is not None
    with pytest.raises(RateLimited):
        booking.book_rdv(
            store,
            request_for(pilot, starts_at=TUESDAY_9H + timedelta(days=1, hours=2), phone=PHONE),
            NOW,
        )


def test_one_mailbox_counts_once_whatever_its_plus_tags(store, pilot, two_a_day):
    for n, hours in enumerate((0, 1)):
        booking.book_rdv(
            store,
            request_for(
                pilot, starts_at=TUESDAY_9H + timedelta(hours=hours), phone=None,
                email=f"Amandine+{n}@Example.org",
            ),
            NOW,
        )  # fmt: skip
    with pytest.raises(RateLimited):
        booking.book_rdv(
            store,
            request_for(
                pilot, starts_at=TUESDAY_9H + timedelta(hours=2), phone=None,
                email="amandine+2@example.org",
            ),
            NOW,
        )  # fmt: skip


def test_a_spaced_sms_that_would_arrive_at_night_is_not_sent(store, pilot, monkeypatch):
    from chalicelib.notify import queue

    deferred = []
    monkeypatch.setattr(queue, "enqueue", _capturing(queue.enqueue, deferred))
    evening = NOW.replace(hour=18, minute=30)  # 19:30 Paris: an hour later is 20:30
    booked = booking.book_rdv(store, request_for(pilot, email=None), evening)
    deliver_all(store, drain(store), now=evening)
    sent = len(sent_sms())
    at = evening + timedelta(minutes=10)
    manage.move_by_usager(store, booked.manage_token, TUESDAY_9H + timedelta(days=1), at)
    deliver_all(store, drain(store), now=at)
    assert len(sent_sms()) == sent and deferred == []  # nothing now, nothing queued for 20:30


def _capturing(real_enqueue, deferred):
    def enqueue(settings, messages, delay_seconds=0):
        if delay_seconds:
            deferred.extend(messages)
        else:
            real_enqueue(settings, messages)

    return enqueue
