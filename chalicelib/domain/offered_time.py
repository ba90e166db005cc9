"""Offered time: the minutes agents were open for rdvs, per scope and month, the
denominator of the vacancy rate.

The slot engine's rules (`domain.slots`), without a motif: an agent's plages on a day
(none on a public holiday unless opened for it), their union (two overlapping plages of
one agent offer their time once), minus the agent's absences (one-off or recurring).
Each plage counts in the scopes `scopes_of_plage` gives (its organisation, its agent,
the services of its motifs, its motifs): a scope's offered time is, for each agent, the
union of the agent's plages in that scope. Pure: no AWS, time zone as a parameter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Absence, PlageOuverture
from chalicelib.domain.recurrence import occurrence_days
from chalicelib.domain.slots import _merge, _wall_to_utc


def offered_minutes(
    plages: Iterable[PlageOuverture],
    absences: Iterable[Absence],
    holidays: frozenset[date],
    start_day: date,
    end_day: date,
    tz: ZoneInfo,
    scopes_of_plage: Callable[[PlageOuverture], Iterable[str]],
) -> dict[tuple[str, str], int]:
    """(scope, "YYYY-MM") -> minutes offered from `start_day` to `end_day` (inclusive)."""
    # (agent, scope, day) -> the intervals (UTC minutes) its plages open that day.
    opened: dict[tuple[str, str, date], list[tuple[int, int]]] = defaultdict(list)
    agents = set()
    for plage in plages:
        if plage.start_time >= plage.end_time:
            continue
        scopes = tuple(scopes_of_plage(plage))
        agents.add(plage.agent_id)
        for day in occurrence_days(plage.first_day, plage.recurrence, start_day, end_day):
            if day in holidays and not plage.open_on_holidays:
                continue
            interval = (
                _wall_to_utc(day, plage.start_time, tz),
                _wall_to_utc(day, plage.end_time, tz),
            )
            for scope in scopes:
                opened[(plage.agent_id, scope, day)].append(interval)
    blocked: dict[str, tuple[list[int], list[int]]] = {}
    by_agent: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for absence in absences:
        if absence.agent_id not in agents:
            continue
        span = absence.end_day - absence.first_day
        for day in occurrence_days(
            absence.first_day, absence.recurrence, start_day - span, end_day
        ):
            by_agent[absence.agent_id].append(
                (
                    _wall_to_utc(day, absence.start_time, tz),
                    _wall_to_utc(day + span, absence.end_time, tz),
                )
            )
    for agent, intervals in by_agent.items():
        blocked[agent] = _merge(intervals)
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for (agent, scope, day), intervals in opened.items():
        starts, ends = _merge(intervals)
        minutes = sum(end - start for start, end in zip(starts, ends, strict=True))
        block_starts, block_ends = blocked.get(agent, ([], []))
        for start, end in zip(starts, ends, strict=True):
            for b_start, b_end in zip(block_starts, block_ends, strict=True):
                if b_start < end and start < b_end:
                    minutes -= min(end, b_end) - max(start, b_start)
        totals[(scope, day.strftime("%Y-%m"))] += minutes
    return dict(totals)
