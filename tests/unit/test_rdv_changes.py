"""Rdv changes as values: what each one holds, counts, plans and tells. Pure, no AWS."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.changes import (
    BY_USAGER,
    AgentDay,
    ChangeKind,
    Held,
    create,
    empty_day,
    move,
    set_status,
    write_set,
)
from chalicelib.domain.models import NotificationEvent, RdvStatus
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
DAY = 24 * 60
OFFSETS = (2 * DAY, DAY)
TUESDAY = date(2026, 12, 1)
NINE = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 9:00 in Paris
BOOKED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def rdv(**kw):
    return f.rdv(**{"starts_at": NINE, "created_at": BOOKED_AT, **kw})


def stored(change):
    """The rdv as the store would hold it after the change."""
    return write_set(change, days_for(change), OFFSETS, PARIS).rdv


def days_for(change):
    return {key: empty_day(*key) for key in change.days(PARIS)}


def totals(writes) -> dict[tuple[str, str], dict[str, int]]:
    return {(c.scope, c.month): c.deltas for c in writes.counters}


def test_a_creation_holds_its_time_counts_once_plans_reminders_and_confirms():
    change = create(rdv(), BY_USAGER)
    assert change.kind is ChangeKind.CREATED and change.after.version == 1
    assert change.days(PARIS) == [("agent-1", TUESDAY)]
    writes = write_set(change, days_for(change), OFFSETS, PARIS)
    assert writes.expected_version is None
    [day] = writes.days
    assert day.held == (Held("rdv-1", NINE, NINE + timedelta(minutes=30)),)
    assert totals(writes)[("organisation#org-1", "2026-12")] == {
        "created": 1,
        "created_online": 1,
        "unknown": 1,
        "lead_7": 1,  # booked 7 to 13 days ahead
    }
    assert {c.scope for c in writes.counters} == {
        "organisation#org-1",
        "service#pmi#org-1",
        "motif#motif-1",
        "agent#agent-1#org-1",
    }
    assert [r.offset_minutes for r in writes.reminders] == [2 * DAY, DAY]
    assert writes.rdv.reminder_offsets == (2 * DAY, DAY)
    assert writes.reminders_dropped == ()
    assert change.notification() == (NotificationEvent.RDV_CREATED, "")


def test_a_new_time_does_not_fit_where_another_rdv_of_the_agent_overlaps():
    change = create(rdv(duration_minutes=45), BY_USAGER)
    taken = AgentDay(
        "agent-1",
        TUESDAY,
        3,
        (Held("other", NINE + timedelta(minutes=30), NINE + timedelta(hours=1)),),
    )
    assert not change.fits({("agent-1", TUESDAY): taken}, PARIS)
    free = AgentDay(
        "agent-1",
        TUESDAY,
        3,
        (Held("other", NINE + timedelta(hours=1), NINE + timedelta(hours=2)),),
    )
    assert change.fits({("agent-1", TUESDAY): free}, PARIS)


def test_a_cancellation_frees_the_time_moves_the_counters_drops_reminders_and_tells():
    booked = stored(create(rdv(), BY_USAGER))
    at = BOOKED_AT + timedelta(days=1)
    change = set_status(booked, RdvStatus.EXCUSED, at, BY_USAGER)
    assert change.after.status_history[-1].by == BY_USAGER
    day = AgentDay("agent-1", TUESDAY, 1, (Held("rdv-1", NINE, NINE + timedelta(minutes=30)),))
    writes = write_set(change, {("agent-1", TUESDAY): day}, OFFSETS, PARIS)
    assert [d.held for d in writes.days] == [()]
    assert writes.expected_version == 1 and writes.rdv.version == 2
    assert totals(writes)[("motif#motif-1", "2026-12")] == {"unknown": -1, "excused": 1}
    assert writes.reminders == () and writes.reminders_dropped == (DAY, 2 * DAY)
    assert change.notification() == (NotificationEvent.RDV_CANCELLED, "1")


def test_seen_and_noshow_keep_the_time_without_touching_the_agent_day():
    booked = stored(create(rdv(), BY_USAGER))
    for status in (RdvStatus.SEEN, RdvStatus.NOSHOW):
        change = set_status(booked, status, NINE + timedelta(hours=1), "agent-1")
        assert change.days(PARIS) == []
        assert change.notification() is None
        writes = write_set(change, {}, OFFSETS, PARIS)
        honoured = {"seen_minutes": 30} if status is RdvStatus.SEEN else {}
        assert totals(writes)[("organisation#org-1", "2026-12")] == {
            "unknown": -1,
            status.value: 1,
            **honoured,
        }


def test_a_revoked_rdv_restored_takes_its_time_again_and_is_announced_again():
    booked = stored(create(rdv(), BY_USAGER))
    revoked = stored(set_status(booked, RdvStatus.REVOKED, BOOKED_AT, "agent-2"))
    assert set_status(booked, RdvStatus.REVOKED, BOOKED_AT, "agent-2").notification() == (
        NotificationEvent.RDV_REVOKED,
        "1",
    )
    restored = set_status(revoked, RdvStatus.UNKNOWN, BOOKED_AT + timedelta(hours=1), "agent-2")
    assert restored.days(PARIS) == [("agent-1", TUESDAY)]
    event, extra = restored.notification()
    assert event is NotificationEvent.RDV_CREATED and extra.startswith("restored-")
    writes = write_set(restored, days_for(restored), OFFSETS, PARIS)
    assert [d.held for d in writes.days] == [(Held("rdv-1", NINE, NINE + timedelta(minutes=30)),)]
    assert [r.offset_minutes for r in writes.reminders] == [2 * DAY, DAY]


def test_a_move_to_another_day_and_agent_frees_one_day_and_holds_the_other():
    booked = stored(create(rdv(), BY_USAGER))
    thursday_ten = NINE + timedelta(days=2, hours=1)
    change = move(booked, thursday_ten, "agent-2", BOOKED_AT, BY_USAGER)
    assert change.after.sequence == 1
    assert change.days(PARIS) == [("agent-1", TUESDAY), ("agent-2", date(2026, 12, 3))]
    old = AgentDay("agent-1", TUESDAY, 4, (Held("rdv-1", NINE, NINE + timedelta(minutes=30)),))
    writes = write_set(
        change,
        {
            ("agent-1", TUESDAY): old,
            ("agent-2", date(2026, 12, 3)): empty_day("agent-2", date(2026, 12, 3)),
        },
        OFFSETS,
        PARIS,
    )
    assert {(d.day.agent_id, d.held) for d in writes.days} == {
        ("agent-1", ()),
        ("agent-2", (Held("rdv-1", thursday_ten, thursday_ten + timedelta(minutes=30)),)),
    }
    # Same month, same status: only the agents' statistics move, from one to the other.
    assert {c.scope for c in writes.counters} == {"agent#agent-1#org-1", "agent#agent-2#org-1"}
    assert change.notification() == (NotificationEvent.RDV_DATE_UPDATED, "1")
    # The move's own SMS tells the new time: only the day-before reminder stays.
    assert [r.due_at for r in writes.reminders] == [thursday_ten - timedelta(days=1)]
    assert writes.reminders_dropped == (2 * DAY,)


def test_a_move_to_another_month_counts_in_the_new_month():
    booked = stored(create(rdv(), BY_USAGER))
    january = datetime(2027, 1, 5, 8, 0, tzinfo=UTC)
    writes = write_set(
        move(booked, january, "agent-1", BOOKED_AT, BY_USAGER),
        {
            ("agent-1", TUESDAY): empty_day("agent-1", TUESDAY),
            ("agent-1", date(2027, 1, 5)): empty_day("agent-1", date(2027, 1, 5)),
        },
        OFFSETS,
        PARIS,
    )
    counts = totals(writes)
    assert counts[("organisation#org-1", "2026-12")] == {
        "created": -1,
        "created_online": -1,
        "unknown": -1,
        "lead_7": -1,
    }
    assert counts[("organisation#org-1", "2027-01")] == {
        "created": 1,
        "created_online": 1,
        "unknown": 1,
        "lead_30": 1,  # moved a month later: booked further ahead
    }


def test_a_day_item_expires_a_month_after_its_day_and_reminders_after_the_rdv():
    change = create(rdv(), BY_USAGER)
    writes = write_set(change, days_for(change), OFFSETS, PARIS)
    [day] = writes.days
    assert day.expires_at == datetime(2026, 12, 2, tzinfo=PARIS) + timedelta(days=31)
    assert writes.reminders_expire_at == NINE + timedelta(minutes=30) + timedelta(days=1)


def test_the_same_time_given_to_another_agent_moves_the_hold_between_their_days():
    booked = stored(create(rdv(), BY_USAGER))
    change = move(booked, NINE, "agent-2", BOOKED_AT, "agent-9")
    assert change.days(PARIS) == [("agent-1", TUESDAY), ("agent-2", TUESDAY)]
    busy = AgentDay("agent-2", TUESDAY, 2, (Held("other", NINE, NINE + timedelta(hours=1)),))
    held = AgentDay("agent-1", TUESDAY, 1, (Held("rdv-1", NINE, NINE + timedelta(minutes=30)),))
    assert not change.fits({("agent-1", TUESDAY): held, ("agent-2", TUESDAY): busy}, PARIS)


def test_a_second_cancellation_after_a_restore_is_told_again_but_not_a_revocation_after_one():
    booked = stored(create(rdv(), BY_USAGER))
    first = set_status(booked, RdvStatus.EXCUSED, BOOKED_AT, BY_USAGER)
    restored = stored(set_status(stored(first), RdvStatus.UNKNOWN, BOOKED_AT, "agent-1"))
    again = set_status(restored, RdvStatus.EXCUSED, BOOKED_AT, BY_USAGER)
    assert first.notification() != again.notification()
    assert again.notification()[0] is NotificationEvent.RDV_CANCELLED
    assert set_status(stored(again), RdvStatus.REVOKED, BOOKED_AT, "agent-1").notification() is None
