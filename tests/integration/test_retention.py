"""Retention: personal data leaves 2 years (per territoire) after the last contact, by
DynamoDB's TTL; the statistics counters stay. Checked with a frozen clock."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.models import Territoire
from chalicelib.services import booking, notifications
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import drain


def test_a_rdv_and_its_usager_are_kept_two_years_after_the_rdv(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    end = TUESDAY_9H + timedelta(minutes=30)
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.expires_at == end + timedelta(days=730)
    [usager] = store.usagers.get_many(list(rdv.usager_ids))
    assert usager.expires_at == end + timedelta(days=730)
    notifications_sent = drain(store)
    senders = notifications.Senders.from_store(store)
    for body in notifications_sent:
        notifications.deliver(store, body, NOW, 1, senders)
    from chalicelib.store.models import ReceiptModel

    assert {item.expires_at for item in ReceiptModel.query(rdv.id)} == {rdv.expires_at}
    # The counters are statistics, not personal data: no expiry.
    from chalicelib.store.models import CounterModel

    assert list(CounterModel.query("organisation#org-1"))
    assert CounterModel._ttl_attribute() is None


def test_a_new_rdv_restarts_the_usager_retention(store, pilot):
    first = booking.book_rdv(store, request_for(pilot), NOW)
    later = TUESDAY_9H + timedelta(weeks=9)  # a Tuesday too
    booking.book_rdv(store, request_for(pilot, starts_at=later), NOW)
    [usager] = store.usagers.get_many(list(first.rdv.usager_ids))
    assert usager.expires_at == later + timedelta(minutes=30, days=730)
    # The first rdv keeps its own date.
    assert store.rdvs.get(first.rdv.id).expires_at == TUESDAY_9H + timedelta(minutes=30, days=730)


def test_the_retention_is_set_per_territoire(store, pilot):
    store.catalogue.save_territoire(
        Territoire(id="t-62", name="Pas-de-Calais", departement_number="62", retention_days=365)
    )
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    assert store.rdvs.get(booked.rdv.id).expires_at == TUESDAY_9H + timedelta(minutes=30, days=365)


def test_a_child_and_its_parent_are_both_kept(store, pilot):
    from datetime import date

    from chalicelib.services.booking import Person

    booked = booking.book_rdv(
        store, request_for(pilot, child=Person("Lina", "Dupont", date(2022, 3, 14))), NOW
    )
    [child] = store.usagers.get_many(list(booked.rdv.usager_ids))
    parent = store.usagers.get(child.responsable_id)
    assert child.expires_at == parent.expires_at == booked.rdv.expires_at
