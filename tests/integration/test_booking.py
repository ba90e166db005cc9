"""Booking, cancelling and moving through the use cases, on moto."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from chalicelib.domain.errors import (
    CancellationTooLate,
    FieldErrors,
    LinkExpired,
    NotFound,
    SlotTaken,
)
from chalicelib.domain.models import RdvStatus
from chalicelib.services import availability, booking, manage
from chalicelib.services.booking import BookingRequest, Person
from chalicelib.services.tokens import hash_token
from chalicelib.store.rdv_writes import RdvWriteRepository
from tests.integration.conftest import NOW, TUESDAY_9H


def request_for(pilot, starts_at=TUESDAY_9H, motif=None, phone="+33612345678", **kw):
    motif = motif or pilot.motif
    base = dict(
        organisation=pilot.organisation,
        motif=motif,
        lieu=pilot.lieu if motif.location_type.value == "public_office" else None,
        starts_at=starts_at,
        contact=Person("Amandine", "Dupont"),
        child=None,
        phone=phone,
        email="amandine@example.org",
        notify_sms=True,
        notify_email=True,
    )
    return BookingRequest(**{**base, **kw})


def day_slots(store, pilot, day=date(2026, 12, 1), motif=None):
    return availability.slots_between(store, motif or pilot.motif, pilot.lieu, day, day, NOW)


def test_a_booking_stores_the_rdv_its_usager_and_the_counters(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.starts_at == TUESDAY_9H
    assert rdv.status is RdvStatus.UNKNOWN
    assert rdv.created_by.value == "usager"
    assert rdv.manage_token_hash == hash_token(booked.manage_token)
    assert booked.manage_token not in rdv.manage_token_hash
    assert len(booked.manage_token) >= 22  # 128 bits, URL-safe
    [usager] = store.usagers.get_many(list(rdv.usager_ids))
    assert (usager.first_name, usager.phone, usager.email) == (
        "Amandine",
        "+33612345678",
        "amandine@example.org",
    )
    [month] = store.counters.months("organisation#org-1", "2026-12", "2026-12")
    assert (month.counts["created"], month.counts["created_online"], month.counts["unknown"]) == (
        1,
        1,
        1,
    )
    # The slot is no longer offered by that agent.
    slot = next(s for s in day_slots(store, pilot) if s.starts_at == TUESDAY_9H)
    assert rdv.agent_id not in slot.agent_ids


def test_two_agents_free_give_the_second_booker_the_other_agent(store, pilot):
    first = booking.book_rdv(store, request_for(pilot), NOW)
    second = booking.book_rdv(store, request_for(pilot, phone="+33612345679"), NOW)
    assert {first.rdv.agent_id, second.rdv.agent_id} == {"agent-1", "agent-2"}
    assert TUESDAY_9H not in [s.starts_at for s in day_slots(store, pilot)]


def test_third_booker_of_a_slot_is_told_it_is_taken_with_next_slots(store, pilot):
    booking.book_rdv(store, request_for(pilot), NOW)
    booking.book_rdv(store, request_for(pilot, phone="+33612345679"), NOW)
    with pytest.raises(SlotTaken) as taken:
        booking.book_rdv(store, request_for(pilot, phone="+33612345670"), NOW)
    assert taken.value.next_slots
    assert taken.value.next_slots[0].starts_at == TUESDAY_9H + timedelta(minutes=30)
    assert "vient d’être réservé" in taken.value.message


def test_a_longer_rdv_blocks_the_overlapping_shorter_slots_of_its_agent(store, pilot):
    for phone in ("+33612345671", "+33612345672"):
        booking.book_rdv(store, request_for(pilot, motif=pilot.long_motif, phone=phone), NOW)
    # Both agents hold 9:00-9:45: the 30-minute slot at 9:30 overlaps for both, and
    # the next one starts when they are free again (9:45), not at the plage's grid.
    starts = [s.starts_at for s in day_slots(store, pilot)]
    assert TUESDAY_9H + timedelta(minutes=30) not in starts
    assert TUESDAY_9H + timedelta(minutes=45) in starts
    with pytest.raises(SlotTaken):
        booking.book_rdv(
            store, request_for(pilot, starts_at=TUESDAY_9H + timedelta(minutes=30)), NOW
        )


def test_the_agent_day_item_stops_an_overlap_the_index_has_not_shown_yet(store, pilot, monkeypatch):
    """Even if the slot engine (fed by an eventually consistent index) still offers a
    time, the strongly consistent agent-day item refuses the overlap."""
    booking.book_rdv(store, request_for(pilot, motif=pilot.long_motif, phone="+33612345671"), NOW)
    booking.book_rdv(store, request_for(pilot, motif=pilot.long_motif, phone="+33612345672"), NOW)
    monkeypatch.setattr(store.rdvs, "of_organisation", lambda *a, **k: [])  # a lagging index
    with pytest.raises(SlotTaken):
        booking.book_rdv(
            store, request_for(pilot, starts_at=TUESDAY_9H + timedelta(minutes=30)), NOW
        )


def test_fifty_concurrent_bookers_of_one_agent_slot_get_exactly_one_rdv(store, pilot):
    # Only agent-1 works on Wednesday 2 December.
    store.planning.delete_plage("plage-2")
    wednesday = TUESDAY_9H + timedelta(days=1)
    results, barrier = [], threading.Barrier(50)

    def attempt(i):
        barrier.wait()
        try:
            booking.book_rdv(
                store, request_for(pilot, starts_at=wednesday, phone=f"+336123456{i:02d}"), NOW
            )
            results.append("booked")
        except SlotTaken:
            results.append("taken")

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results).count("booked") == 1
    assert results.count("taken") == 49
    rdvs = store.rdvs.of_agent("agent-1", wednesday, wednesday + timedelta(hours=1))
    assert len([r for r in rdvs if r.starts_at == wednesday]) == 1


def test_a_booking_needs_a_phone_or_an_email(store, pilot):
    with pytest.raises(FieldErrors) as error:
        booking.book_rdv(store, request_for(pilot, phone=None, email=None), NOW)
    assert "portable" in error.value.errors["phone"]


def test_a_parent_booking_for_a_child_is_found_again_next_time(store, pilot):
    child = Person("Lina", "Dupont", date(2022, 3, 14))
    first = booking.book_rdv(store, request_for(pilot, child=child), NOW)
    second = booking.book_rdv(
        store,
        request_for(pilot, child=child, starts_at=TUESDAY_9H + timedelta(days=1)),
        NOW,
    )
    assert first.rdv.usager_ids == second.rdv.usager_ids
    [lina] = store.usagers.get_many(list(first.rdv.usager_ids))
    parent = store.usagers.get(lina.responsable_id)
    assert (lina.first_name, lina.birth_date, lina.phone) == ("Lina", date(2022, 3, 14), None)
    assert parent.phone == "+33612345678"


def test_a_rdv_by_phone_has_no_lieu(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot, motif=pilot.phone_motif), NOW)
    assert store.rdvs.get(booked.rdv.id).lieu_id is None


# --- manage link ---------------------------------------------------------------------------


def test_cancelling_frees_the_slot_at_once_and_counts_an_excused_rdv(store, pilot):
    store.planning.delete_plage("plage-2")
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    later = NOW + timedelta(hours=1)
    managed = manage.cancel_by_usager(store, booked.manage_token, later)
    assert managed.rdv.status is RdvStatus.EXCUSED
    assert managed.rdv.status_history[-1].at == later
    assert TUESDAY_9H in [s.starts_at for s in day_slots(store, pilot)]
    assert (
        RdvWriteRepository()
        .read_days([("agent-1", date(2026, 12, 1))])[("agent-1", date(2026, 12, 1))]
        .held
        == ()
    )
    [month] = store.counters.months("organisation#org-1", "2026-12", "2026-12")
    assert (month.counts["unknown"], month.counts["excused"]) == (0, 1)
    # Someone else can book it now; a second tap on "cancel" changes nothing.
    booking.book_rdv(store, request_for(pilot, phone="+33612345679"), later)
    assert (
        manage.cancel_by_usager(store, booked.manage_token, later).rdv.status is RdvStatus.EXCUSED
    )


def test_cancelling_after_the_deadline_says_to_call_the_mds(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    with pytest.raises(CancellationTooLate) as late:
        manage.cancel_by_usager(store, booked.manage_token, TUESDAY_9H - timedelta(hours=3))
    assert pilot.organisation.phone in late.value.message
    assert store.rdvs.get(booked.rdv.id).status is RdvStatus.UNKNOWN


def test_moving_takes_the_new_slot_and_frees_the_old_one(store, pilot):
    store.planning.delete_plage("plage-2")
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    new_start = TUESDAY_9H + timedelta(days=2, hours=1)
    managed = manage.move_by_usager(store, booked.manage_token, new_start, NOW)
    assert managed.rdv.starts_at == new_start
    assert managed.rdv.sequence == 1
    assert TUESDAY_9H in [s.starts_at for s in day_slots(store, pilot)]
    thursday = day_slots(store, pilot, date(2026, 12, 3))
    assert new_start not in [s.starts_at for s in thursday]


def test_moving_to_a_taken_slot_keeps_the_old_one(store, pilot):
    store.planning.delete_plage("plage-2")
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    other = booking.book_rdv(
        store,
        request_for(pilot, phone="+33612345679", starts_at=TUESDAY_9H + timedelta(hours=1)),
        NOW,
    )
    with pytest.raises(SlotTaken):
        manage.move_by_usager(store, booked.manage_token, other.rdv.starts_at, NOW)
    assert store.rdvs.get(booked.rdv.id).starts_at == TUESDAY_9H
    assert TUESDAY_9H not in [s.starts_at for s in day_slots(store, pilot)]


def test_moving_within_the_same_day_keeps_one_hold(store, pilot):
    store.planning.delete_plage("plage-2")
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    manage.move_by_usager(store, booked.manage_token, TUESDAY_9H + timedelta(minutes=90), NOW)
    held = (
        RdvWriteRepository()
        .read_days([("agent-1", date(2026, 12, 1))])[("agent-1", date(2026, 12, 1))]
        .held
    )
    assert [(h.rdv_id, h.starts_at) for h in held] == [
        (booked.rdv.id, TUESDAY_9H + timedelta(minutes=90))
    ]


def test_unknown_and_expired_links_are_told_apart(store, pilot):
    with pytest.raises(NotFound):
        manage.rdv_for_token(store, "not-a-real-token", NOW)
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    assert manage.rdv_for_token(store, booked.manage_token, TUESDAY_9H + timedelta(days=29)).rdv
    with pytest.raises(LinkExpired):
        manage.rdv_for_token(store, booked.manage_token, TUESDAY_9H + timedelta(days=31))


def test_the_calendar_file_names_the_service_not_the_motif(store, pilot):
    from icalendar import Calendar

    booked = booking.book_rdv(store, request_for(pilot), NOW)
    ics = manage.calendar_for_token(store, booked.manage_token, NOW)
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("dtstart") == TUESDAY_9H
    assert event.decoded("dtend") == TUESDAY_9H + timedelta(minutes=30)
    assert "PMI" in str(event["summary"])
    assert "nourrisson" not in ics.decode().lower()
    assert str(event["uid"]) == f"{booked.rdv.id}@rdv-solidarites"
    manage.cancel_by_usager(store, booked.manage_token, NOW)
    cancelled = Calendar.from_ical(manage.calendar_for_token(store, booked.manage_token, NOW))
    assert str(cancelled["method"]) == "CANCEL"


def test_a_person_with_only_an_email_is_found_again(store, pilot):
    first = booking.book_rdv(store, request_for(pilot, phone=None), NOW)
    second = booking.book_rdv(
        store, request_for(pilot, phone=None, starts_at=TUESDAY_9H + timedelta(days=1)), NOW
    )
    assert first.rdv.usager_ids == second.rdv.usager_ids


def test_concurrent_submits_of_one_form_give_one_rdv(store, pilot):
    results, barrier = [], threading.Barrier(5)

    def submit():
        barrier.wait()
        results.append(booking.book_rdv(store, request_for(pilot, idempotency_key="k" * 22), NOW))

    threads = [threading.Thread(target=submit) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({r.rdv.id for r in results}) == 1 and len(results) == 5
    assert len({r.manage_token for r in results}) == 1
    rdvs = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert len(rdvs) == 1


def test_a_rdv_stored_before_rdvs_had_a_version_can_still_be_cancelled(store, pilot):
    from chalicelib.store.models import RdvModel

    booked = booking.book_rdv(store, request_for(pilot), NOW)
    RdvModel(id=booked.rdv.id).update(actions=[RdvModel.version.remove()])
    assert store.rdvs.get(booked.rdv.id).version == 0
    managed = manage.cancel_by_usager(store, booked.manage_token, NOW)
    assert managed.rdv.status is RdvStatus.EXCUSED
    assert store.rdvs.get(booked.rdv.id).version == 1
