"""The slot engine: bookable créneaux of a motif (at a lieu) over a range of days.

Pure: plages, absences, busy times, public holidays and `now` are parameters. Rules:
- a plage offers a motif when the motif is in its list and, when a lieu is asked, the
  plage is at that lieu (with no lieu asked, plages at any lieu or at none count);
- a plage does not occur on a public holiday (`holidays`, local dates) unless it is
  `open_on_holidays`;
- free intervals: for each agent and lieu, the union of the agent's plages there
  (overlapping or touching plages make one interval, so one slot, not two), minus the
  agent's absences (one-off or recurring) and busy times (rdvs whose status holds
  time), wherever they are;
- the booking delays cut them: when now + the motif's minimum delay falls inside a free
  interval, the interval starts there, rounded up to the next 5 minutes of the wall
  clock; a slot starts no later than now + the maximum delay (an open agenda, with no
  maximum: `policies.latest_booking`);
- within each free interval, slots start at the interval's start and follow each other
  by the motif's duration; a slot must fit in the interval. No grid is lost after a
  busy time that does not end on the plage's grid;
- plage and absence times are Europe/Paris wall clock, turned into UTC instants on
  their day, and everything above is computed on UTC minutes: both daylight-saving
  Sundays are right, a plage over the fall-back hour lasts what it really lasts (its
  bounds at their first occurrence, fold=0), and a wall-clock bound in the
  spring-forward gap is taken at the instant of the jump, so the gap gives no slot;
- one `Slot` per start time and lieu, listing the agents free then (the agent is chosen
  at booking). A lieu is asked for a motif at a lieu, so its slots all carry it; with
  no lieu asked (motifs by phone or at home), slots of the same start at different
  lieux (or at none) are separate `Slot`s, told apart by `lieu_id`, in the order
  (start, no lieu first, then lieu id); an agent whose plages at two lieux overlap is
  listed in both (a booking at either makes the agent busy for both).

Times are integer minutes since the epoch (UTC) internally: fast to compare, and bisect
finds an interval's busy times in O(log n).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Absence, Motif, PlageOuverture, Rdv
from chalicelib.domain.policies import latest_booking
from chalicelib.domain.recurrence import occurrence_days

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)

# "now + minimum delay" inside a free interval is rounded up to this many minutes.
ROUNDING_MINUTES = 5

# next_available_slot computes this many days at a time until it finds one.
_SEARCH_CHUNK_DAYS = 7

NO_HOLIDAYS: frozenset[date] = frozenset()


@dataclass(frozen=True, slots=True)
class Slot:
    starts_at: datetime  # UTC
    duration_minutes: int
    agent_ids: tuple[str, ...]  # the agents free then, sorted
    lieu_id: str | None  # the lieu of the plage(s) it comes from; None: a plage without

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
    holidays: frozenset[date] = NO_HOLIDAYS,
) -> list[Slot]:
    """Every bookable slot from `start_day` to `end_day` (local days, inclusive), in
    the order (start, lieu). `holidays`: the territoire's public holidays (local dates)
    over the range; empty, every day is a working day."""
    engine = _Engine(motif, lieu_id, plages, absences, busy, start_day, end_day, now, tz, holidays)
    return engine.slots(start_day, end_day)


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
    holidays: frozenset[date] = NO_HOLIDAYS,
) -> Slot | None:
    """The first bookable slot on or after `from_day`, up to the horizon (default: the
    motif's latest booking, `policies.latest_booking`). Computes a week at a time and
    stops at the first week with a slot: no month is computed whole."""
    last = horizon_day or latest_booking(motif, now).astimezone(tz).date()
    engine = _Engine(motif, lieu_id, plages, absences, busy, from_day, last, now, tz, holidays)
    day = from_day
    while day <= last:
        chunk_end = min(day + timedelta(days=_SEARCH_CHUNK_DAYS - 1), last)
        found = engine.slots(day, chunk_end)
        if found:
            return found[0]
        day = chunk_end + timedelta(days=1)
    return None


def _minutes(value: datetime) -> int:
    """Whole minutes since the epoch, rounded down."""
    return (value - _EPOCH) // _MINUTE


def _minutes_up(value: datetime) -> int:
    """Whole minutes since the epoch, rounded up: the first whole minute not before."""
    return -((_EPOCH - value) // _MINUTE)


def _wall_to_utc(day: date, at: time, tz: ZoneInfo) -> int:
    """UTC minutes of a local wall-clock time on a day. An ambiguous time (fall back)
    is its first occurrence (fold=0); a time that does not exist (in the spring-forward
    gap) is the instant of the jump, so that a bound in the gap keeps no missing time."""
    local = datetime.combine(day, at, tzinfo=tz)
    later = _minutes(local)  # fold=0 in a gap: the offset before the jump, a later instant
    back = (_EPOCH + timedelta(minutes=later)).astimezone(tz)
    if (back.date(), back.hour, back.minute) == (day, at.hour, at.minute):
        return later
    # In the gap: the jump lies after the fold=1 instant and at or before the fold=0 one.
    earlier = _minutes(local.replace(fold=1))
    after_offset = back.utcoffset()
    low, high = earlier, later  # offset(low) != after_offset, offset(high) == after_offset
    while high - low > 1:
        middle = (low + high) // 2
        if (_EPOCH + timedelta(minutes=middle)).astimezone(tz).utcoffset() == after_offset:
            high = middle
        else:
            low = middle
    return high


def _round_up_wall(minute: int, tz: ZoneInfo) -> int:
    """The first UTC minute at or after `minute` whose wall-clock minute is a multiple
    of ROUNDING_MINUTES (with whole-hour offsets, as Paris has, the UTC one is too)."""
    offset = (_EPOCH + timedelta(minutes=minute)).astimezone(tz).utcoffset() or timedelta()
    local = minute + int(offset.total_seconds() // 60)
    return minute + (-local) % ROUNDING_MINUTES


def _merge(intervals: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """The union of intervals as sorted, disjoint starts and ends (touching ones join)."""
    intervals.sort()
    starts: list[int] = []
    ends: list[int] = []
    for start, end in intervals:
        if end <= start:
            continue
        if ends and start <= ends[-1]:
            if end > ends[-1]:
                ends[-1] = end
        else:
            starts.append(start)
            ends.append(end)
    return starts, ends


class _Engine:
    """What does not depend on the days asked: plages offering the motif grouped by
    agent and lieu, each agent's blocked times (merged), the delays in UTC minutes."""

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
        holidays: frozenset[date],
    ) -> None:
        self.tz = tz
        self.holidays = holidays
        # Plages share their days and hours: each conversion is done once.
        self._utc: dict[tuple[date, time], int] = {}
        self._shapes: dict[tuple, list[tuple[int, int]]] = {}
        self.duration = motif.duration_minutes
        # A free interval starting before `earliest` starts at `earliest_rounded`.
        self.earliest = _minutes_up(now) + motif.min_booking_delay_minutes
        self.earliest_rounded = _round_up_wall(self.earliest, tz)
        self.latest = _minutes(latest_booking(motif, now))  # the last start allowed
        offering = [
            p
            for p in plages
            if motif.id in p.motif_ids and (lieu_id is None or p.lieu_id == lieu_id)
        ]
        # (agent, lieu) -> its plages; agents and lieux in a stable order.
        self.groups: dict[tuple[str, str | None], list[PlageOuverture]] = defaultdict(list)
        for plage in sorted(offering, key=lambda p: (p.agent_id, p.lieu_id or "", p.id)):
            self.groups[(plage.agent_id, plage.lieu_id)].append(plage)
        agents = {agent for agent, _ in self.groups}
        blocked: dict[str, list[tuple[int, int]]] = {a: [] for a in agents}
        for absence in absences:
            if absence.agent_id in agents:
                blocked[absence.agent_id] += self._absence_intervals(absence, start_day, end_day)
        epoch, minute = _EPOCH, _MINUTE  # _minutes and _minutes_up, inlined: rdvs are many
        for period in busy:
            if period.agent_id in agents:
                blocked[period.agent_id].append(
                    ((period.starts_at - epoch) // minute, -((epoch - period.ends_at) // minute))
                )
        self.blocked = {agent: _merge(intervals) for agent, intervals in blocked.items()}

    def slots(self, start_day: date, end_day: date) -> list[Slot]:
        """The slots of the days from `start_day` to `end_day` (inclusive)."""
        duration = self.duration
        earliest, earliest_rounded, latest = self.earliest, self.earliest_rounded, self.latest
        # lieu -> UTC minute -> agents free then (appended in agent order: sorted).
        found: dict[str | None, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
        for (agent, lieu), plages in self.groups.items():
            opened = self._plage_intervals(plages, start_day, end_day)
            if not opened:
                continue
            at_lieu = found[lieu]
            for start, end in self._free(agent, opened):
                if start < earliest:
                    start = earliest_rounded
                last_start = min(end - duration, latest)
                for minute in range(start, last_start + 1, duration):
                    at_lieu[minute].append(agent)
        epoch, one_minute = _EPOCH, _MINUTE
        if len(found) == 1:  # the usual case: a lieu asked
            [(lieu, at_lieu)] = found.items()
            return [
                Slot(epoch + minute * one_minute, duration, tuple(agents), lieu)
                for minute, agents in sorted(at_lieu.items())
            ]
        ranked = sorted(found, key=lambda lieu: (lieu is not None, lieu or ""))
        entries = sorted(
            (minute, rank, agents)
            for rank, lieu in enumerate(ranked)
            for minute, agents in found[lieu].items()
        )
        return [
            Slot(epoch + minute * one_minute, duration, tuple(agents), ranked[rank])
            for minute, rank, agents in entries
        ]

    def _plage_intervals(
        self, plages: list[PlageOuverture], start_day: date, end_day: date
    ) -> list[tuple[int, int]]:
        """The UTC intervals of one agent's plages at one lieu over the days."""
        intervals: list[tuple[int, int]] = []
        for plage in plages:
            intervals += self._occurrence_intervals(plage, start_day, end_day)
        return intervals

    def _occurrence_intervals(
        self, plage: PlageOuverture, start_day: date, end_day: date
    ) -> list[tuple[int, int]]:
        """The UTC intervals of a plage's occurrences over the days. Agents' plages
        usually share days and hours: each shape is computed once."""
        key = (
            plage.first_day, plage.recurrence, plage.start_time, plage.end_time,
            plage.open_on_holidays, start_day, end_day,
        )  # fmt: skip
        intervals = self._shapes.get(key)
        if intervals is None:
            intervals = self._shapes[key] = []
            if plage.start_time < plage.end_time:
                holidays = self.holidays
                for day in occurrence_days(plage.first_day, plage.recurrence, start_day, end_day):
                    if day in holidays and not plage.open_on_holidays:
                        continue
                    intervals.append(
                        (self._to_utc(day, plage.start_time), self._to_utc(day, plage.end_time))
                    )
        return intervals

    def _free(self, agent: str, opened: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """The union of `opened` minus the agent's blocked times."""
        opened_starts, opened_ends = _merge(opened)
        blocked_starts, blocked_ends = self.blocked[agent]
        count = len(blocked_starts)
        free = []
        for start, end in zip(opened_starts, opened_ends, strict=True):
            # The first blocked interval ending after `start`; they are disjoint, sorted.
            index = bisect_right(blocked_ends, start)
            while index < count and blocked_starts[index] < end:
                if blocked_starts[index] > start:
                    free.append((start, blocked_starts[index]))
                start = max(start, blocked_ends[index])
                index += 1
            if start < end:
                free.append((start, end))
        return free

    def _to_utc(self, day: date, at: time) -> int:
        key = (day, at)
        minute = self._utc.get(key)
        if minute is None:
            minute = self._utc[key] = _wall_to_utc(day, at, self.tz)
        return minute

    def _absence_intervals(
        self, absence: Absence, start_day: date, end_day: date
    ) -> list[tuple[int, int]]:
        span = absence.end_day - absence.first_day
        return [
            (
                self._to_utc(day, absence.start_time),
                self._to_utc(day + span, absence.end_time),
            )
            for day in occurrence_days(
                absence.first_day, absence.recurrence, start_day - span, end_day
            )
        ]
