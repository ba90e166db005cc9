"""The slot engine: bookable créneaux of a motif (at a lieu) over a range of days.

Pure: plages, absences, busy times and `now` are parameters. Rules:
- a plage offers a motif when the motif is in its list (and the lieu matches, if any);
- on each day the plage occurs, slots start at its start time and step by the motif's
  duration; a slot must end by the plage's end;
- times are Europe/Paris wall clock, converted to UTC per slot, so both daylight-saving
  Sundays are right; a local time that does not exist (spring forward) gives no slot,
  an ambiguous one (fall back) is taken at its first occurrence (fold=0);
- an agent's slot is removed when it overlaps one of the agent's absences (one-off or
  recurring) or busy times (rdvs whose status holds time);
- a slot must start no sooner than now + the motif's minimum delay and no later than
  now + its maximum delay;
- one slot per start time: agents free at the same time are listed together, the
  agent is chosen at booking.

Times are handled as integer minutes since the epoch (UTC) internally: fast to compare,
and bisect finds overlaps in O(log n) per slot.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Absence, Motif, PlageOuverture, Rdv
from chalicelib.domain.policies import latest_booking
from chalicelib.domain.recurrence import occurrence_days, occurs_on

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime  # UTC
    duration_minutes: int
    agent_ids: tuple[str, ...]

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True, slots=True)
class BusyPeriod:
    agent_id: str
    starts_at: datetime  # UTC
    ends_at: datetime


def busy_from_rdvs(rdvs: Iterable[Rdv]) -> list[BusyPeriod]:
    """The times held by rdvs: every status but excused and revoked."""
    return [BusyPeriod(r.agent_id, r.starts_at, r.ends_at) for r in rdvs if r.status.blocks_time]


def compute_slots(
    *,
    motif: Motif,
    lieu_id: str | None,
    plages: Iterable[PlageOuverture],
    absences: Iterable[Absence],
    busy: Iterable[BusyPeriod],
    start_day: date,
    end_day: date,
    now: datetime,
    tz: ZoneInfo,
) -> list[Slot]:
    engine = _Engine(motif, lieu_id, plages, absences, busy, start_day, end_day, now, tz)
    found: dict[int, list[str]] = defaultdict(list)
    day = start_day
    while day <= end_day:
        engine.collect_day(day, found)
        day += timedelta(days=1)
    return engine.to_slots(found)


def next_available_slot(
    *,
    motif: Motif,
    lieu_id: str | None,
    plages: Iterable[PlageOuverture],
    absences: Iterable[Absence],
    busy: Iterable[BusyPeriod],
    from_day: date,
    now: datetime,
    tz: ZoneInfo,
    horizon_day: date | None = None,
) -> Slot | None:
    """The first bookable slot on or after `from_day`, up to the horizon (default: the
    motif's maximum booking delay). Walks day by day over the days some plage occurs
    and stops at the first one with a slot: no month is computed whole."""
    last = horizon_day or latest_booking(motif, now).astimezone(tz).date()
    engine = _Engine(motif, lieu_id, plages, absences, busy, from_day, last, now, tz)
    day = from_day
    while day <= last:
        found: dict[int, list[str]] = defaultdict(list)
        engine.collect_day(day, found)
        if found:
            return engine.to_slots(found)[0]
        day += timedelta(days=1)
    return None


def _minutes(value: datetime) -> int:
    return int((value - _EPOCH).total_seconds() // 60)


def _local_minutes(day: date, at: time, tz: ZoneInfo) -> int | None:
    """UTC minutes of a local wall-clock time; None when it does not exist that day."""
    local = datetime.combine(day, at, tzinfo=tz)
    back = local.astimezone(UTC).astimezone(tz)
    if (back.hour, back.minute) != (at.hour, at.minute):
        return None  # in the spring-forward gap
    return _minutes(local)


class _Intervals:
    """Sorted intervals with a running maximum of their ends: overlap test by bisect."""

    __slots__ = ("max_ends", "starts")

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        intervals.sort()
        self.starts = [s for s, _ in intervals]
        self.max_ends = []
        running = -(2**62)
        for _, end in intervals:
            running = max(running, end)
            self.max_ends.append(running)

    def overlaps(self, start: int, end: int) -> bool:
        position = bisect_left(self.starts, end)  # intervals starting before `end`
        return position > 0 and self.max_ends[position - 1] > start


class _Engine:
    def __init__(
        self,
        motif: Motif,
        lieu_id: str | None,
        plages: Iterable[PlageOuverture],
        absences: Iterable[Absence],
        busy: Iterable[BusyPeriod],
        start_day: date,
        end_day: date,
        now: datetime,
        tz: ZoneInfo,
    ) -> None:
        self.tz = tz
        self.duration = motif.duration_minutes
        self.earliest = _minutes(now) + motif.min_booking_delay_minutes
        self.latest = _minutes(latest_booking(motif, now))
        self.plages = [
            p
            for p in plages
            if motif.id in p.motif_ids and (lieu_id is None or p.lieu_id == lieu_id)
        ]
        agents = {p.agent_id for p in self.plages}
        blocked: dict[str, list[tuple[int, int]]] = {a: [] for a in agents}
        for absence in absences:
            if absence.agent_id in agents:
                blocked[absence.agent_id] += _absence_intervals(absence, start_day, end_day, tz)
        for period in busy:
            if period.agent_id in agents:
                blocked[period.agent_id].append(
                    (_minutes(period.starts_at), _minutes(period.ends_at))
                )
        self.blocked = {agent: _Intervals(intervals) for agent, intervals in blocked.items()}
        # Agents usually share their plages' days and hours: convert each once.
        self._occurs: dict[tuple, bool] = {}
        self._utc: dict[tuple[date, time], int | None] = {}

    def collect_day(self, day: date, found: dict[int, list[str]]) -> None:
        """Add the free slots of `day` to `found` (UTC minute -> agent ids)."""
        duration = self.duration
        for plage in self.plages:
            key = (plage.first_day, plage.recurrence, day)
            occurs = self._occurs.get(key)
            if occurs is None:
                occurs = self._occurs[key] = occurs_on(plage.first_day, plage.recurrence, day)
            if not occurs:
                continue
            blocked = self.blocked[plage.agent_id]
            for start in self._starts(plage, day):
                end = start + duration
                if start < self.earliest or start > self.latest:
                    continue
                if blocked.overlaps(start, end):
                    continue
                found[start].append(plage.agent_id)

    def _starts(self, plage: PlageOuverture, day: date) -> list[int]:
        """UTC minutes of the slot starts of a plage on a day (wall clock steps)."""
        begin = plage.start_time.hour * 60 + plage.start_time.minute
        finish = plage.end_time.hour * 60 + plage.end_time.minute
        if finish <= begin:
            return []
        first = self._to_utc(day, plage.start_time)
        last = self._to_utc(day, plage.end_time)
        if first is not None and last is not None and last - first == finish - begin:
            # No clock change inside the plage (the usual case): plain arithmetic.
            return list(range(first, first + (finish - begin) - self.duration + 1, self.duration))
        starts = []
        for local in range(begin, finish - self.duration + 1, self.duration):
            at = time(local // 60, local % 60)
            minute = self._to_utc(day, at)
            if minute is not None:
                starts.append(minute)
        return starts

    def _to_utc(self, day: date, at: time) -> int | None:
        key = (day, at)
        if key not in self._utc:
            self._utc[key] = _local_minutes(day, at, self.tz)
        return self._utc[key]

    def to_slots(self, found: dict[int, list[str]]) -> list[Slot]:
        return [
            Slot(
                starts_at=_EPOCH + timedelta(minutes=start),
                duration_minutes=self.duration,
                agent_ids=tuple(sorted(set(agents))),
            )
            for start, agents in sorted(found.items())
        ]


def _absence_intervals(
    absence: Absence, start_day: date, end_day: date, tz: ZoneInfo
) -> list[tuple[int, int]]:
    span = absence.end_day - absence.first_day
    intervals = []
    for day in occurrence_days(absence.first_day, absence.recurrence, start_day - span, end_day):
        begin = datetime.combine(day, absence.start_time, tzinfo=tz)
        end = datetime.combine(day + span, absence.end_time, tzinfo=tz)
        intervals.append((_minutes(begin), _minutes(end)))
    return intervals
