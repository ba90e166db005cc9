"""Changes of one rdv racing each other, on moto: whatever the interleaving, the agenda
stays true afterwards. Every time an agent-day item holds belongs to a live rdv at that
agent and time, every live rdv is held on its day, and every slot that no live rdv holds
can be booked (no "ghost" hold that the slot page shows free and every booking refuses).

Reproduces what was measured on main before the one write path: a move and a cancel of
the same rdv sent together left, in 3 races of 8, a time held by a cancelled rdv."""

from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.models import RdvStatus
from chalicelib.services import availability, booking, manage
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for

PARIS = ZoneInfo("Europe/Paris")
RACES = 8


def held_times(store) -> dict[str, tuple[str, date, datetime, datetime]]:
    """Every time an agent-day item holds: rdv id -> (agent, day, start, end). A test
    may Scan; the app never does."""
    from chalicelib.store.models import AgentDayModel

    held = {}
    for item in AgentDayModel.scan(consistent_read=True):
        agent_id, day = item.key.rsplit("#", 1)
        for busy in item.busy or ():
            assert busy.rdv_id not in held, f"rdv {busy.rdv_id} held twice"
            held[busy.rdv_id] = (agent_id, date.fromisoformat(day), busy.starts_at, busy.ends_at)
    return held


def assert_agenda_is_true(store) -> None:
    held = held_times(store)
    rdvs = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=120))
    live = {r.id: r for r in rdvs if r.status.blocks_time}
    for rdv_id, (agent_id, day, starts_at, ends_at) in held.items():
        assert rdv_id in live, f"a cancelled or missing rdv still holds {starts_at}"
        rdv = live[rdv_id]
        assert (agent_id, day, starts_at, ends_at) == (
            rdv.agent_id,
            rdv.starts_at.astimezone(PARIS).date(),
            rdv.starts_at,
            rdv.ends_at,
        ), "an agent-day holds a rdv where it no longer is"
    for rdv_id in live:
        assert rdv_id in held, "a live rdv is not held on its agent's day"


def assert_free_times_can_be_booked(store, pilot, times: list[datetime], phone: str) -> None:
    """Each of these times that the slot page offers can really be booked."""
    for index, starts_at in enumerate(times):
        day = starts_at.astimezone(PARIS).date()
        offered = availability.slots_between(store, pilot.motif, pilot.lieu, day, day, NOW)
        if starts_at in [s.starts_at for s in offered]:
            booked = booking.book_rdv(
                store, request_for(pilot, starts_at=starts_at, phone=f"{phone}{index}"), NOW
            )
            assert booked.rdv.starts_at == starts_at


def race(*actions, spread: float = 0.15) -> list[object]:
    """Run the actions together: the first at once, each other one 0 to `spread`
    seconds later. Returns what each returned, or the DomainError it raised."""
    results: list[object] = [None] * len(actions)
    barrier = threading.Barrier(len(actions))

    def run(index, action, delay):
        barrier.wait()
        time.sleep(delay)
        try:
            results[index] = action()
        except DomainError as error:
            results[index] = error

    delays = [0.0] + [random.uniform(0, spread) for _ in actions[1:]]
    threads = [
        threading.Thread(target=run, args=(i, a, d))
        for i, (a, d) in enumerate(zip(actions, delays, strict=True))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture(autouse=True)
def no_person_limit(store, monkeypatch):
    """These races book many rdvs with one e-mail: the per-person limit is not tested here."""
    from chalicelib.settings import get_settings

    monkeypatch.setattr(get_settings(), "bookings_per_person_per_day", 10_000)
    monkeypatch.setattr(get_settings(), "moves_per_rdv_per_day", 10_000)


@pytest.fixture
def one_agent(pilot, store):
    store.planning.delete_plage("plage-2")  # only agent-1: every time is one agent's
    return pilot


def weekday_at(week: int, weekday: int, hour: int, minute: int = 0) -> datetime:
    """A time of the pilot's plages (9:00-12:00 Paris, Monday to Friday), `week` weeks
    after the week of 30 November 2026."""
    day = date(2026, 11, 30) + timedelta(weeks=week, days=weekday)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PARIS).astimezone(
        TUESDAY_9H.tzinfo
    )


def test_a_move_and_a_cancel_sent_together_leave_no_ghost_hold(store, one_agent):
    random.seed(12)
    for week in range(RACES):
        original, target = weekday_at(week, 1, 9), weekday_at(week, 3, 10)
        booked = booking.book_rdv(
            store, request_for(one_agent, starts_at=original, phone=f"+3361234{week:04d}"), NOW
        )
        token = booked.manage_token
        race(
            lambda token=token, target=target: manage.move_by_usager(store, token, target, NOW),
            lambda token=token: manage.cancel_by_usager(store, token, NOW),
        )
        final = store.rdvs.get(booked.rdv.id)
        assert final.status is RdvStatus.EXCUSED  # the cancel always lands, moved or not
        assert_agenda_is_true(store)
        assert_free_times_can_be_booked(store, one_agent, [original, target], f"+336987{week}")
    assert_agenda_is_true(store)


def test_two_moves_of_one_rdv_to_two_days_leave_it_held_once(store, one_agent):
    random.seed(7)
    for week in range(RACES):
        original = weekday_at(week, 0, 9)
        wednesday, thursday = weekday_at(week, 2, 10), weekday_at(week, 3, 11)
        booked = booking.book_rdv(
            store, request_for(one_agent, starts_at=original, phone=f"+3361235{week:04d}"), NOW
        )
        token = booked.manage_token
        race(
            lambda token=token, t=wednesday: manage.move_by_usager(store, token, t, NOW),
            lambda token=token, t=thursday: manage.move_by_usager(store, token, t, NOW),
        )
        final = store.rdvs.get(booked.rdv.id)
        assert final.starts_at in (wednesday, thursday)
        assert final.sequence in (1, 2)
        assert_agenda_is_true(store)
        assert_free_times_can_be_booked(
            store, one_agent, [original, wednesday, thursday], f"+336988{week}"
        )


def test_a_move_and_a_booking_into_the_same_slot_give_it_to_exactly_one(store, one_agent):
    random.seed(3)
    for week in range(RACES):
        # Wednesdays: no public holiday falls on one in these eight weeks.
        original, wanted = weekday_at(week, 1, 9), weekday_at(week, 2, 9, 30)
        booked = booking.book_rdv(
            store, request_for(one_agent, starts_at=original, phone=f"+3361236{week:04d}"), NOW
        )
        token = booked.manage_token
        moved, other = race(
            lambda token=token, t=wanted: manage.move_by_usager(store, token, t, NOW),
            lambda t=wanted, w=week: booking.book_rdv(
                store, request_for(one_agent, starts_at=t, phone=f"+3361237{w:04d}"), NOW
            ),
        )
        at_wanted = [
            r
            for r in store.rdvs.of_agent("agent-1", wanted, wanted + timedelta(minutes=30))
            if r.status.blocks_time and r.starts_at == wanted
        ]
        assert len(at_wanted) == 1, "the slot went to both or to nobody"
        winners = [r for r in (moved, other) if not isinstance(r, DomainError)]
        assert len(winners) == 1
        assert_agenda_is_true(store)
        assert_free_times_can_be_booked(store, one_agent, [original], f"+336989{week}")
