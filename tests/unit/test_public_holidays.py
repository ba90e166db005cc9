"""Public holidays per territoire, from the `holidays` package."""

from datetime import date

from chalicelib.services.holidays import public_holidays


def test_the_mainland_closes_on_christmas_new_year_easter_monday_and_ascension():
    days = public_holidays("62", date(2026, 1, 1), date(2026, 12, 31))
    for day in (date(2026, 12, 25), date(2026, 1, 1), date(2026, 4, 6), date(2026, 5, 14)):
        assert day in days
    assert date(2026, 4, 3) not in days  # Good Friday: Alsace-Moselle only
    assert date(2026, 12, 26) not in days


def test_alsace_moselle_adds_good_friday_and_saint_stephen():
    for departement in ("57", "67", "68"):
        days = public_holidays(departement, date(2026, 1, 1), date(2026, 12, 31))
        assert {date(2026, 4, 3), date(2026, 12, 26), date(2026, 12, 25)} <= days


def test_overseas_departements_have_their_abolition_of_slavery_day():
    assert date(2026, 5, 27) in public_holidays("971", date(2026, 5, 1), date(2026, 5, 31))
    assert date(2026, 12, 20) in public_holidays("974", date(2026, 12, 1), date(2026, 12, 31))
    assert date(2026, 5, 27) not in public_holidays("62", date(2026, 5, 1), date(2026, 5, 31))


def test_a_range_over_new_year_spans_both_years():
    days = public_holidays("62", date(2026, 12, 20), date(2027, 1, 10))
    assert days == {date(2026, 12, 25), date(2027, 1, 1)}
