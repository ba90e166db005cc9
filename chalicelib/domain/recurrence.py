"""Occurrences of recurring plages d'ouverture and absences.

A recurrence (`models.Recurrence`) repeats every `interval` weeks, days or months,
counted from the period of the first day (its Monday-based week, the day itself, its
month), never before the first day and never after `until` (inclusive). The days are
those python-dateutil's rrule yields with `dtstart=first_day, until=until,
interval=interval` and
- WEEKLY: `freq=WEEKLY, byweekday=weekdays, wkst=MO`,
- DAILY: `freq=DAILY`,
- MONTHLY_BY_DAY: `freq=MONTHLY, bymonthday=month_day` (a month without that day,
  e.g. a 31st in April, is skipped: no occurrence that month, none moved to the 30th),
- MONTHLY_BY_WEEKDAY: `freq=MONTHLY, byweekday=weekday(nth)` (nth 5 skips the months
  without a 5th such weekday; -1 is the last one of the month),
as tests/unit/test_recurrence.py checks. Like rrule, the first day itself is not an
occurrence when the rule does not select it (a first day on Tuesday for a Monday
recurrence starts on the following Monday).

This arithmetic answers "does it occur that day?" in O(1) and lists a range's days
without rrule: the slot engine asks for every plage and day.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Iterator
from datetime import date, timedelta

from chalicelib.domain.models import Frequency, Recurrence

# The Gregorian calendar repeats every 400 years (4,800 months): a monthly rule that
# finds no day in that span never occurs (the 31st every 12 months from April).
_CALENDAR_CYCLE_MONTHS = 4800


def occurs_on(first_day: date, recurrence: Recurrence | None, day: date) -> bool:
    if recurrence is None:
        return day == first_day
    if day < first_day or (recurrence.until is not None and day > recurrence.until):
        return False
    frequency = recurrence.frequency
    if frequency is Frequency.WEEKLY:
        if day.weekday() not in recurrence.weekdays:
            return False
        weeks = (day.toordinal() - first_day.toordinal() + first_day.weekday()) // 7
        return weeks % recurrence.interval == 0
    if frequency is Frequency.DAILY:
        return (day - first_day).days % recurrence.interval == 0
    months = (day.year - first_day.year) * 12 + day.month - first_day.month
    if months % recurrence.interval:
        return False
    if frequency is Frequency.MONTHLY_BY_DAY:
        return day.day == recurrence.month_day
    # MONTHLY_BY_WEEKDAY
    if day.weekday() != recurrence.weekdays[0]:
        return False
    if recurrence.nth == -1:
        return (day + timedelta(weeks=1)).month != day.month
    return (day.day - 1) // 7 + 1 == recurrence.nth


def occurrence_days(
    first_day: date, recurrence: Recurrence | None, start: date, end: date
) -> list[date]:
    """The days from `start` to `end` (inclusive) on which it occurs, in order."""
    if recurrence is None:
        return [first_day] if start <= first_day <= end else []
    return list(_occurrences(first_day, recurrence, start, end))


def next_occurrence_on_or_after(
    first_day: date, recurrence: Recurrence | None, day: date
) -> date | None:
    """The first day on or after `day` on which it occurs, or None (it has ended, or
    it never occurs: e.g. the 31st every 12 months from a first day in April). With
    `day=first_day` it is the first occurrence, which a form may check exists."""
    if recurrence is None:
        return first_day if first_day >= day else None
    start = max(day, first_day)
    frequency = recurrence.frequency
    # A span that holds a whole cycle of the rule after `start`, if it occurs at all.
    if frequency is Frequency.WEEKLY:
        horizon = start + timedelta(weeks=recurrence.interval + 1)
    elif frequency is Frequency.DAILY:
        horizon = start + timedelta(days=recurrence.interval)
    else:
        months = _month_index(start) + _CALENDAR_CYCLE_MONTHS + recurrence.interval
        horizon = date(months // 12, months % 12 + 1, 1) if months < 12 * 10_000 else date.max
    if recurrence.until is not None:
        horizon = min(horizon, recurrence.until)
    return next(_occurrences(first_day, recurrence, start, horizon), None)


def _occurrences(first_day: date, recurrence: Recurrence, start: date, end: date) -> Iterator[date]:
    last = end if recurrence.until is None else min(end, recurrence.until)
    first = max(start, first_day)
    if first > last:
        return
    interval = recurrence.interval
    frequency = recurrence.frequency
    if frequency is Frequency.WEEKLY:
        yield from _weekly(first_day, recurrence, first, last)
    elif frequency is Frequency.DAILY:
        late = (first - first_day).days % interval
        day = first + timedelta(days=(interval - late) % interval)
        step = timedelta(days=interval)
        while day <= last:
            yield day
            day += step
    else:
        origin = _month_index(first_day)
        month = _month_index(first)
        month += (origin - month) % interval  # the first month of the cycle from `first`
        while month <= _month_index(last):
            year, month_number = divmod(month, 12)
            day = _day_in_month(recurrence, year, month_number + 1)
            if day is not None and first <= day <= last:
                yield day
            month += interval


def _weekly(first_day: date, recurrence: Recurrence, first: date, last: date) -> Iterator[date]:
    interval = recurrence.interval
    first_monday = first_day - timedelta(days=first_day.weekday())
    weekdays = sorted(set(recurrence.weekdays))
    monday = first - timedelta(days=first.weekday())
    # Jump to the first week of the cycle at or after `first`'s week.
    remainder = ((monday - first_monday).days // 7) % interval
    if remainder:
        monday += timedelta(weeks=interval - remainder)
    step = timedelta(weeks=interval)
    while monday <= last:
        for weekday in weekdays:
            day = monday + timedelta(days=weekday)
            if first <= day <= last:
                yield day
        monday += step


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _day_in_month(recurrence: Recurrence, year: int, month: int) -> date | None:
    """The monthly rule's day in that month, or None when the month has none."""
    days_in_month = monthrange(year, month)[1]
    if recurrence.month_day is not None:  # MONTHLY_BY_DAY
        if recurrence.month_day > days_in_month:
            return None
        return date(year, month, recurrence.month_day)
    weekday = recurrence.weekdays[0]
    if recurrence.nth == -1:
        last = date(year, month, days_in_month)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first_such = 1 + (weekday - date(year, month, 1).weekday()) % 7
    day_number = first_such + 7 * ((recurrence.nth or 1) - 1)
    return date(year, month, day_number) if day_number <= days_in_month else None
