"""Weekly recurrence of plages d'ouverture and absences.

A recurrence repeats every `every_weeks` weeks, counted from the (Monday-based) week
of the first day, on the given weekdays, never before the first day and never after
`until`. It is what python-dateutil's `rrule(WEEKLY, interval=N, byweekday=…,
wkst=MO, dtstart=first_day, until=until)` yields (a test checks both agree); this
arithmetic answers "does it occur that day?" in O(1), which the slot engine asks often.
"""

from __future__ import annotations

from datetime import date, timedelta

from chalicelib.domain.models import Recurrence


def occurs_on(first_day: date, recurrence: Recurrence | None, day: date) -> bool:
    if recurrence is None:
        return day == first_day
    if day < first_day or (recurrence.until is not None and day > recurrence.until):
        return False
    if day.weekday() not in recurrence.weekdays:
        return False
    first_monday = first_day - timedelta(days=first_day.weekday())
    weeks = (day - first_monday).days // 7
    return weeks % recurrence.every_weeks == 0


def occurrence_days(
    first_day: date, recurrence: Recurrence | None, start: date, end: date
) -> list[date]:
    """The days from `start` to `end` (inclusive) on which it occurs, in order."""
    if recurrence is None:
        return [first_day] if start <= first_day <= end else []
    last = end if recurrence.until is None else min(end, recurrence.until)
    first = max(start, first_day)
    if first > last:
        return []
    first_monday = first_day - timedelta(days=first_day.weekday())
    weekdays = sorted(set(recurrence.weekdays))
    days = []
    monday = first - timedelta(days=first.weekday())
    # Jump to the first week of the cycle at or after `first`'s week.
    weeks = (monday - first_monday).days // 7
    remainder = weeks % recurrence.every_weeks
    if remainder:
        monday += timedelta(weeks=recurrence.every_weeks - remainder)
    step = timedelta(weeks=recurrence.every_weeks)
    while monday <= last:
        for weekday in weekdays:
            day = monday + timedelta(days=weekday)
            if first <= day <= last:
                days.append(day)
        monday += step
    return days


def next_occurrence_on_or_after(
    first_day: date, recurrence: Recurrence | None, day: date
) -> date | None:
    """The first day on or after `day` on which it occurs, or None."""
    if recurrence is None:
        return first_day if first_day >= day else None
    horizon = day + timedelta(weeks=recurrence.every_weeks)
    if recurrence.until is not None and day > recurrence.until:
        return None
    found = occurrence_days(first_day, recurrence, day, horizon)
    if found:
        return found[0]
    # Starts later than `day`: look from its first day.
    if first_day > day:
        found = occurrence_days(
            first_day, recurrence, first_day, first_day + timedelta(weeks=recurrence.every_weeks)
        )
        return found[0] if found else None
    return None
