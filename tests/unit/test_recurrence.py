"""Recurrences of plages and absences (weekly, daily, monthly by day, monthly by
weekday), checked by hand and against dateutil's rrule over two years of days."""

from datetime import date, datetime, timedelta

import pytest
from dateutil.rrule import DAILY, MO, MONTHLY, WEEKLY, rrule, weekday

from chalicelib.domain.models import Frequency, Recurrence
from chalicelib.domain.recurrence import next_occurrence_on_or_after, occurrence_days, occurs_on

MONDAY = date(2026, 11, 2)
# Two years of days, starting before every first day used below.
SPAN_START = date(2026, 10, 1)
SPAN_END = date(2028, 9, 30)
FIRST_DAYS = [
    date(2026, 11, 2),  # a Monday
    date(2026, 11, 6),  # a Friday
    date(2027, 1, 31),  # a 31st, before February
    date(2027, 3, 24),
    date(2028, 2, 29),  # a leap day
]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time())


def _rrule_days(first: date, recurrence: Recurrence) -> list[date]:
    """What dateutil yields for the recurrence, within the two years of days."""
    until = SPAN_END if recurrence.until is None else min(SPAN_END, recurrence.until)
    common = dict(interval=recurrence.interval, dtstart=_midnight(first), until=_midnight(until))
    if recurrence.frequency is Frequency.WEEKLY:
        rule = rrule(WEEKLY, byweekday=[weekday(w) for w in recurrence.weekdays], wkst=MO, **common)
    elif recurrence.frequency is Frequency.DAILY:
        rule = rrule(DAILY, **common)
    elif recurrence.frequency is Frequency.MONTHLY_BY_DAY:
        rule = rrule(MONTHLY, bymonthday=recurrence.month_day, **common)
    else:
        rule = rrule(MONTHLY, byweekday=weekday(recurrence.weekdays[0], recurrence.nth), **common)
    return [d.date() for d in rule if d.date() >= SPAN_START]


def _check_against_rrule(first: date, recurrence: Recurrence) -> None:
    expected = _rrule_days(first, recurrence)
    assert occurrence_days(first, recurrence, SPAN_START, SPAN_END) == expected
    # occurs_on agrees on every day of the two years, both ways.
    expected_set = set(expected)
    day = SPAN_START
    while day <= SPAN_END:
        assert occurs_on(first, recurrence, day) is (day in expected_set), day
        day += timedelta(days=1)
    # A window inside the span gives the same days as the whole span cut to it.
    window_start, window_end = date(2027, 2, 10), date(2027, 9, 3)
    assert occurrence_days(first, recurrence, window_start, window_end) == [
        d for d in expected if window_start <= d <= window_end
    ]
    # The next occurrence after any day of the span is the next one rrule gives.
    for probe in (SPAN_START, first, date(2027, 2, 27), date(2027, 12, 31)):
        after = [d for d in expected if d >= probe]
        if after:
            assert next_occurrence_on_or_after(first, recurrence, probe) == after[0]


# --- One-off and weekly ---------------------------------------------------------------------


def test_a_one_off_day_occurs_only_that_day():
    assert occurrence_days(MONDAY, None, date(2026, 11, 1), date(2026, 11, 30)) == [MONDAY]
    assert occurrence_days(MONDAY, None, date(2026, 11, 3), date(2026, 11, 30)) == []
    assert occurs_on(MONDAY, None, MONDAY)
    assert not occurs_on(MONDAY, None, MONDAY + timedelta(weeks=1))


def test_every_week_on_monday_and_wednesday():
    days = occurrence_days(MONDAY, Recurrence(1, (0, 2)), date(2026, 11, 1), date(2026, 11, 15))
    assert days == [date(2026, 11, 2), date(2026, 11, 4), date(2026, 11, 9), date(2026, 11, 11)]


def test_every_two_weeks_counts_from_the_first_day_week():
    # First day a Wednesday: the cycle is the weeks of 2, 16, 30 November.
    days = occurrence_days(
        date(2026, 11, 4), Recurrence.weekly((0, 2), every=2), date(2026, 11, 1), date(2026, 12, 6)
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


def test_the_positional_weekly_form_is_the_weekly_classmethod():
    assert Recurrence(2, (0, 4), date(2027, 1, 1)) == Recurrence.weekly(
        (0, 4), every=2, until=date(2027, 1, 1)
    )
    assert Recurrence(1, (0,)).frequency is Frequency.WEEKLY


@pytest.mark.parametrize("every", [1, 2, 3, 4])
@pytest.mark.parametrize("first", FIRST_DAYS)
@pytest.mark.parametrize("until", [date(2027, 6, 30), None])
def test_weekly_agrees_with_dateutil_rrule(every, first, until):
    _check_against_rrule(first, Recurrence.weekly((0, 2, 4), every=every, until=until))


@pytest.mark.parametrize("weekdays", [(1,), (6,), (0, 1, 2, 3, 4), (5, 6)])
def test_weekly_on_any_weekdays_agrees_with_dateutil_rrule(weekdays):
    _check_against_rrule(date(2026, 11, 4), Recurrence.weekly(weekdays, every=3))


# --- Daily ----------------------------------------------------------------------------------


def test_every_three_days_from_the_first_day():
    recurrence = Recurrence.daily(every=3, until=date(2026, 11, 14))
    days = occurrence_days(MONDAY, recurrence, date(2026, 10, 1), date(2026, 12, 31))
    assert days == [
        date(2026, 11, 2),
        date(2026, 11, 5),
        date(2026, 11, 8),
        date(2026, 11, 11),
        date(2026, 11, 14),
    ]
    assert occurrence_days(MONDAY, recurrence, date(2026, 11, 6), date(2026, 11, 10)) == [
        date(2026, 11, 8)
    ]


@pytest.mark.parametrize("every", [1, 2, 3, 7, 10])
@pytest.mark.parametrize("first", FIRST_DAYS)
@pytest.mark.parametrize("until", [date(2027, 6, 30), None])
def test_daily_agrees_with_dateutil_rrule(every, first, until):
    _check_against_rrule(first, Recurrence.daily(every=every, until=until))


# --- Monthly on a day of the month ----------------------------------------------------------


def test_the_31st_skips_the_shorter_months():
    recurrence = Recurrence.monthly_on_day(31)
    days = occurrence_days(date(2027, 1, 1), recurrence, date(2027, 1, 1), date(2027, 12, 31))
    assert days == [
        date(2027, 1, 31),
        date(2027, 3, 31),
        date(2027, 5, 31),
        date(2027, 7, 31),
        date(2027, 8, 31),
        date(2027, 10, 31),
        date(2027, 12, 31),
    ]
    assert not occurs_on(date(2027, 1, 1), recurrence, date(2027, 4, 30))


def test_monthly_counts_months_from_the_first_day_month():
    # First day 20 January, the 15th every two months: January's 15th is before it.
    recurrence = Recurrence.monthly_on_day(15, every=2, until=date(2027, 7, 15))
    days = occurrence_days(date(2027, 1, 20), recurrence, date(2027, 1, 1), date(2027, 12, 31))
    assert days == [date(2027, 3, 15), date(2027, 5, 15), date(2027, 7, 15)]


@pytest.mark.parametrize("month_day", [1, 15, 29, 30, 31])
@pytest.mark.parametrize("every", [1, 2, 3, 5, 12])
@pytest.mark.parametrize("first", FIRST_DAYS)
def test_monthly_by_day_agrees_with_dateutil_rrule(month_day, every, first):
    _check_against_rrule(first, Recurrence.monthly_on_day(month_day, every=every))


def test_monthly_by_day_with_an_end_agrees_with_dateutil_rrule():
    _check_against_rrule(
        date(2026, 11, 6), Recurrence.monthly_on_day(6, every=1, until=date(2027, 8, 6))
    )


def test_a_day_no_month_of_the_cycle_has_never_occurs():
    # The 31st every twelve months from April: April has 30 days, every year.
    recurrence = Recurrence.monthly_on_day(31, every=12)
    first = date(2027, 4, 1)
    assert occurrence_days(first, recurrence, first, date(2037, 12, 31)) == []
    assert next_occurrence_on_or_after(first, recurrence, first) is None
    # February's 29th every four years: only the leap years.
    leap = Recurrence.monthly_on_day(29, every=12)
    assert next_occurrence_on_or_after(date(2027, 2, 1), leap, date(2027, 2, 1)) == date(
        2028, 2, 29
    )


# --- Monthly on the nth weekday -------------------------------------------------------------


def test_the_second_tuesday_of_every_month():
    recurrence = Recurrence.monthly_on_weekday(2, 1)
    days = occurrence_days(MONDAY, recurrence, date(2026, 11, 1), date(2027, 2, 28))
    assert days == [date(2026, 11, 10), date(2026, 12, 8), date(2027, 1, 12), date(2027, 2, 9)]


def test_the_last_friday_every_two_months():
    recurrence = Recurrence.monthly_on_weekday(-1, 4, every=2)
    days = occurrence_days(MONDAY, recurrence, date(2026, 11, 1), date(2027, 5, 31))
    assert days == [date(2026, 11, 27), date(2027, 1, 29), date(2027, 3, 26), date(2027, 5, 28)]


def test_a_fifth_weekday_skips_the_months_without_one():
    recurrence = Recurrence.monthly_on_weekday(5, 3)  # the 5th Thursday
    days = occurrence_days(date(2027, 1, 1), recurrence, date(2027, 1, 1), date(2027, 12, 31))
    assert days == [date(2027, 4, 29), date(2027, 7, 29), date(2027, 9, 30), date(2027, 12, 30)]


@pytest.mark.parametrize("nth", [1, 2, 3, 4, 5, -1])
@pytest.mark.parametrize("weekday_", [0, 1, 4, 6])
@pytest.mark.parametrize("every", [1, 2, 3])
def test_monthly_by_weekday_agrees_with_dateutil_rrule(nth, weekday_, every):
    for first in (date(2026, 11, 2), date(2027, 1, 31)):
        _check_against_rrule(first, Recurrence.monthly_on_weekday(nth, weekday_, every=every))


@pytest.mark.parametrize("first", FIRST_DAYS)
def test_monthly_by_weekday_with_an_end_agrees_with_dateutil_rrule(first):
    _check_against_rrule(
        first, Recurrence.monthly_on_weekday(-1, 2, every=4, until=date(2028, 3, 29))
    )


# --- Next occurrence ------------------------------------------------------------------------


def test_next_occurrence():
    recurrence = Recurrence(2, (1,))
    assert next_occurrence_on_or_after(MONDAY, recurrence, date(2026, 11, 4)) == date(2026, 11, 17)
    assert next_occurrence_on_or_after(MONDAY, None, date(2026, 11, 4)) is None
    assert next_occurrence_on_or_after(date(2027, 1, 5), recurrence, MONDAY) == date(2027, 1, 5)


@pytest.mark.parametrize(
    "recurrence",
    [
        Recurrence.weekly((0,), until=date(2026, 11, 30)),
        Recurrence.daily(every=2, until=date(2026, 11, 30)),
        Recurrence.monthly_on_day(2, until=date(2026, 11, 30)),
        Recurrence.monthly_on_weekday(1, 0, until=date(2026, 11, 30)),
    ],
)
def test_no_next_occurrence_after_the_end(recurrence):
    assert next_occurrence_on_or_after(MONDAY, recurrence, MONDAY) == MONDAY
    assert next_occurrence_on_or_after(MONDAY, recurrence, date(2026, 12, 1)) is None
    assert occurrence_days(MONDAY, recurrence, date(2026, 12, 1), date(2027, 12, 31)) == []


def test_recurrences_are_dictionary_keys():
    # The slot engine caches occurrences by (first day, recurrence, day).
    cache = {Recurrence.monthly_on_weekday(2, 1): "2nd Tuesday"}
    assert cache[Recurrence(1, (1,), None, Frequency.MONTHLY_BY_WEEKDAY, nth=2)] == "2nd Tuesday"
    assert hash(Recurrence(1, [0, 2])) == hash(Recurrence(1, (0, 2)))  # type: ignore[arg-type]
