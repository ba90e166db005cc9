"""Weekly recurrence of plages and absences, checked by hand and against dateutil."""

from datetime import date, datetime

import pytest
from dateutil.rrule import MO, WEEKLY, rrule, weekday

from chalicelib.domain.models import Recurrence
from chalicelib.domain.recurrence import next_occurrence_on_or_after, occurrence_days, occurs_on

MONDAY = date(2026, 11, 2)


def test_a_one_off_day_occurs_only_that_day():
    assert occurrence_days(MONDAY, None, date(2026, 11, 1), date(2026, 11, 30)) == [MONDAY]
    assert occurrence_days(MONDAY, None, date(2026, 11, 3), date(2026, 11, 30)) == []


def test_every_week_on_monday_and_wednesday():
    days = occurrence_days(MONDAY, Recurrence(1, (0, 2)), date(2026, 11, 1), date(2026, 11, 15))
    assert days == [date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 11)]


def test_every_two_weeks_counts_from_the_first_day_week():
    # First day a Wednesday: the cycle is the weeks of 2, 16, 30 November.
    days = occurrence_days(
        date(2026, 11, 4), Recurrence(2, (0, 2)), date(2026, 11, 1), date(2026, 12, 6)
    )
    assert days == [
        date(2026, 11, 4),
        date(2026, 11, 16),
        date(2026, 11, 18),
        date(2026, 11, 30),
        date(2026, 12, 2),
    ]


def test_until_is_inclusive_and_nothing_before_the_first_day():
    days = occurrence_days(
        MONDAY, Recurrence(1, (0,), until=date(2026, 11, 16)), date(2026, 10, 1), date(2026, 12, 31)
    )
    assert days == [date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 16)]


@pytest.mark.parametrize("every", [1, 2, 3, 4])
@pytest.mark.parametrize("first", [date(2026, 11, 2), date(2026, 11, 6), date(2027, 3, 24)])
def test_it_agrees_with_dateutil_rrule(every, first):
    recurrence = Recurrence(every, (0, 2, 4), until=date(2027, 6, 30))
    expected = [
        d.date()
        for d in rrule(
            WEEKLY,
            interval=every,
            byweekday=[weekday(w) for w in recurrence.weekdays],
            wkst=MO,
            dtstart=datetime.combine(first, datetime.min.time()),
            until=datetime.combine(recurrence.until, datetime.min.time()),
        )
    ]
    assert occurrence_days(first, recurrence, date(2026, 10, 1), date(2027, 12, 31)) == expected
    assert [d for d in expected if occurs_on(first, recurrence, d)] == expected


def test_next_occurrence():
    recurrence = Recurrence(2, (1,))
    assert next_occurrence_on_or_after(MONDAY, recurrence, date(2026, 11, 4)) == date(2026, 11, 17)
    assert next_occurrence_on_or_after(MONDAY, None, date(2026, 11, 4)) is None
    assert next_occurrence_on_or_after(date(2027, 1, 5), recurrence, MONDAY) == date(2027, 1, 5)
