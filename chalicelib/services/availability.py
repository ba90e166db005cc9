"""Bookable slots of a motif (at a lieu), a week at a time, and the next free one.

Reads a constant number of DynamoDB requests whatever the number of plages: one
Query for the plages (of the lieu, or of the organisation), one for the absences of
the organisation's agents, one for the rdvs of the organisation over the range."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Lieu, Motif
from chalicelib.domain.policies import latest_booking
from chalicelib.domain.slots import Slot, busy_from_rdvs, compute_slots, next_available_slot
from chalicelib.services.holidays import holidays_of_organisation
from chalicelib.store import Store


@dataclass(frozen=True)
class WeekOfSlots:
    monday: date
    days: list[tuple[date, list[Slot]]]  # every day of the week, possibly empty
    previous_monday: date | None  # None when the previous week is in the past
    next_monday: date | None  # None beyond the booking horizon
    next_available: Slot | None  # set when this week has no slot

    @property
    def is_empty(self) -> bool:
        return not any(slots for _, slots in self.days)


def tz_of(store: Store) -> ZoneInfo:
    return ZoneInfo(store.settings.timezone)


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def horizon(motif: Motif, now: datetime, tz: ZoneInfo) -> date:
    return latest_booking(motif, now).astimezone(tz).date()


def slots_between(
    store: Store,
    motif: Motif,
    lieu: Lieu | None,
    start: date,
    end: date,
    now: datetime,
    ignore_rdv_id: str | None = None,
) -> list[Slot]:
    """Every bookable slot from `start` to `end` (local days, inclusive); the time of
    `ignore_rdv_id` counts as free (a rdv being moved does not block its own way)."""
    tz = tz_of(store)
    plages = _plages(store, motif, lieu, start, end)
    if not plages:
        return []
    agent_ids = {p.agent_id for p in plages}
    absences = store.planning.absences_of_organisation(
        motif.organisation_id, start, end, agent_ids=agent_ids
    )
    range_start = datetime.combine(start, time(0), tzinfo=tz)
    range_end = datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz)
    rdvs = [
        r
        for r in store.rdvs.of_organisation(motif.organisation_id, range_start, range_end)
        if r.agent_id in agent_ids and r.id != ignore_rdv_id
    ]
    slots = compute_slots(
        motif=motif,
        lieu_id=lieu.id if lieu else None,
        plages=plages,
        absences=absences,
        busy=busy_from_rdvs(rdvs),
        start_day=start,
        end_day=end,
        now=now,
        tz=tz,
        holidays=holidays_of_organisation(store, motif.organisation_id, start, end),
    )
    return slots if lieu is not None else _wherever(slots)


def _wherever(slots: list[Slot]) -> list[Slot]:
    """Slots of a motif by phone or at home: where the agent's plage is does not
    matter, so one slot per start, with every agent free then."""
    merged: dict[datetime, Slot] = {}
    for slot in slots:
        seen = merged.get(slot.starts_at)
        agents = tuple(sorted({*(seen.agent_ids if seen else ()), *slot.agent_ids}))
        merged[slot.starts_at] = replace(slot, agent_ids=agents, lieu_id=None)
    return [merged[start] for start in sorted(merged)]


def slot_at(
    store: Store,
    motif: Motif,
    lieu: Lieu | None,
    starts_at: datetime,
    now: datetime,
    ignore_rdv_id: str | None = None,
) -> Slot | None:
    """The bookable slot starting at that instant, with the agents free then."""
    day = starts_at.astimezone(tz_of(store)).date()
    for slot in slots_between(store, motif, lieu, day, day, now, ignore_rdv_id):
        if slot.starts_at == starts_at:
            return slot
    return None


def next_slots(
    store: Store, motif: Motif, lieu: Lieu | None, day: date, now: datetime, count: int = 6
) -> list[Slot]:
    """A few free slots from a day on (what a disappointed booker is offered)."""
    return slots_between(store, motif, lieu, day, day + timedelta(days=13), now)[:count]


def week_of_slots(
    store: Store,
    motif: Motif,
    lieu: Lieu | None,
    wanted: date | None,
    now: datetime,
    ignore_rdv_id: str | None = None,
) -> WeekOfSlots:
    """A week of slots; with `ignore_rdv_id` (the move page), that rdv's own time is
    offered too, so its page can show it as the rdv's."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    last_day = horizon(motif, now, tz)
    monday = monday_of(max(wanted or today, today))
    if monday > last_day:
        monday = monday_of(last_day)
    sunday = monday + timedelta(days=6)
    slots = slots_between(store, motif, lieu, monday, sunday, now, ignore_rdv_id)
    by_day: dict[date, list[Slot]] = {monday + timedelta(days=i): [] for i in range(7)}
    for slot in slots:
        by_day[slot.starts_at.astimezone(tz).date()].append(slot)
    next_available = None
    if not slots and sunday < last_day:
        next_available = first_available(store, motif, lieu, sunday + timedelta(days=1), now)
    return WeekOfSlots(
        monday=monday,
        days=sorted(by_day.items()),
        previous_monday=monday - timedelta(days=7) if monday > monday_of(today) else None,
        next_monday=monday + timedelta(days=7) if sunday < last_day else None,
        next_available=next_available,
    )


def first_available(
    store: Store, motif: Motif, lieu: Lieu | None, from_day: date, now: datetime
) -> Slot | None:
    """The first free slot on or after a day, up to the booking horizon: the same three
    Queries over the whole horizon, then the engine walks forward and stops at the first."""
    tz = tz_of(store)
    end = horizon(motif, now, tz)
    if from_day > end:
        return None
    plages = _plages(store, motif, lieu, from_day, end)
    if not plages:
        return None
    agent_ids = {p.agent_id for p in plages}
    absences = store.planning.absences_of_organisation(
        motif.organisation_id, from_day, end, agent_ids=agent_ids
    )
    rdvs = store.rdvs.of_organisation(
        motif.organisation_id,
        datetime.combine(from_day, time(0), tzinfo=tz),
        datetime.combine(end + timedelta(days=1), time(0), tzinfo=tz),
    )
    slot = next_available_slot(
        motif=motif,
        lieu_id=lieu.id if lieu else None,
        plages=plages,
        absences=absences,
        busy=busy_from_rdvs(r for r in rdvs if r.agent_id in agent_ids),
        from_day=from_day,
        now=now,
        tz=tz,
        horizon_day=end,
        holidays=holidays_of_organisation(store, motif.organisation_id, from_day, end),
    )
    return slot if slot is None or lieu is not None else replace(slot, lieu_id=None)


def lieux_offering(store: Store, motif: Motif, lieux: list[Lieu], now: datetime) -> list[Lieu]:
    """The lieux where some plage offers the motif before the booking horizon."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    plages = store.planning.plages_of_organisation(
        motif.organisation_id, today, horizon(motif, now, tz)
    )
    offering = {p.lieu_id for p in plages if motif.id in p.motif_ids and p.lieu_id}
    return [lieu for lieu in lieux if lieu.id in offering]


def _plages(store: Store, motif: Motif, lieu: Lieu | None, start: date, end: date):
    if lieu is not None:
        plages = store.planning.plages_of_lieu(lieu.id, start, end)
    else:
        plages = store.planning.plages_of_organisation(motif.organisation_id, start, end)
    return [p for p in plages if motif.id in p.motif_ids]
