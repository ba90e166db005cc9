"""Domain entities, statistics rules and text folding: pure, no AWS."""

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.models import Absence, CreatedBy, Frequency, RdvStatus, Recurrence
from chalicelib.domain.recurrence import occurrence_days
from chalicelib.domain.statistics import (
    change_deltas,
    creation_deltas,
    month_of,
    noshow_rate,
)
from chalicelib.domain.text import fold
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")


def test_only_cancelled_rdvs_free_their_time():
    assert [s.value for s in RdvStatus if s.blocks_time] == ["unknown", "seen", "noshow"]


def test_a_rdv_ends_after_its_duration():
    rdv = f.rdv(starts_at=datetime(2026, 11, 9, 8, 0, tzinfo=UTC), duration_minutes=45)
    assert rdv.ends_at == datetime(2026, 11, 9, 8, 45, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval": 0, "weekdays": (0,)}, "interval must be at least 1"),
        ({"interval": -2, "frequency": Frequency.DAILY}, "interval must be at least 1"),
        ({"interval": 1.5, "weekdays": (0,)}, "interval must be an integer"),
        ({"weekdays": ()}, "a weekly recurrence needs weekdays"),
        ({"weekdays": (7,)}, "a weekly recurrence needs weekdays"),
        ({"weekdays": (-1, 2)}, "a weekly recurrence needs weekdays"),
        ({"weekdays": (0,), "month_day": 3}, "a weekly recurrence takes no month_day"),
        ({"weekdays": (0,), "nth": 2}, "a weekly recurrence takes no nth"),
        ({"weekdays": (0,), "until": "2027-01-01"}, "until must be a date"),
        ({"weekdays": (0,), "until": datetime(2027, 1, 1)}, "until must be a date"),
        ({"weekdays": ("1",)}, "weekdays must be integers"),
        ({"frequency": Frequency.MONTHLY_BY_DAY, "month_day": "5"}, "month_day must be an integer"),
        ({"frequency": Frequency.DAILY, "weekdays": (0,)}, "a daily recurrence takes no weekdays"),
        ({"frequency": "fortnightly"}, "is not a valid Frequency"),
        ({"frequency": Frequency.MONTHLY_BY_DAY}, "needs month_day in 1..31"),
        ({"frequency": Frequency.MONTHLY_BY_DAY, "month_day": 0}, "needs month_day in 1..31"),
        ({"frequency": Frequency.MONTHLY_BY_DAY, "month_day": 32}, "needs month_day in 1..31"),
        (
            {"frequency": Frequency.MONTHLY_BY_DAY, "month_day": 5, "nth": 1},
            "a monthly_by_day recurrence takes no nth",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1,)},
            "needs nth in 1..5, or -1 for the last",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1,), "nth": 0},
            "needs nth in 1..5, or -1 for the last",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1,), "nth": 6},
            "needs nth in 1..5, or -1 for the last",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1,), "nth": -2},
            "needs nth in 1..5, or -1 for the last",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1, 3), "nth": 2},
            "needs exactly one weekday in 0..6",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (), "nth": 2},
            "needs exactly one weekday in 0..6",
        ),
        (
            {"frequency": Frequency.MONTHLY_BY_WEEKDAY, "weekdays": (1,), "nth": 2, "month_day": 9},
            "a monthly_by_weekday recurrence takes no month_day",
        ),
    ],
)
def test_a_recurrence_says_what_is_wrong(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        Recurrence(**kwargs)


def test_each_frequency_builds_with_its_own_fields():
    assert Recurrence.weekly((0, 3), every=2).weekdays == (0, 3)
    assert Recurrence.daily(every=3).interval == 3
    assert Recurrence.monthly_on_day(31).month_day == 31
    last_friday = Recurrence.monthly_on_weekday(-1, 4, every=2, until=date(2027, 6, 30))
    assert (last_friday.frequency, last_friday.nth, last_friday.weekdays) == (
        Frequency.MONTHLY_BY_WEEKDAY,
        -1,
        (4,),
    )
    # A frequency given as its stored string is the enum.
    assert Recurrence(frequency="daily").frequency is Frequency.DAILY  # type: ignore[arg-type]


EVERY_KIND = [
    Recurrence.weekly((0,)),
    Recurrence.daily(every=2),
    Recurrence.monthly_on_day(30),
    Recurrence.monthly_on_weekday(-1, 4),
]


@pytest.mark.parametrize("recurrence", EVERY_KIND)
def test_a_plage_last_day_is_its_day_or_its_recurrence_end(recurrence):
    assert f.plage(recurrence=None).last_day == date(2026, 11, 2)
    assert f.plage(recurrence=recurrence).last_day is None
    ending = replace(recurrence, until=date(2026, 12, 1))
    assert f.plage(recurrence=ending).last_day == date(2026, 12, 1)
    # No occurrence starts after it (the slot queries ask `last_day >= start`).
    assert occurrence_days(date(2026, 11, 2), ending, date(2026, 12, 2), date(2028, 1, 1)) == []


@pytest.mark.parametrize("recurrence", EVERY_KIND)
def test_a_recurring_absence_lasts_until_its_last_occurrence_ends(recurrence):
    absence = Absence(
        id="a",
        agent_id="x",
        organisation_id="o",
        first_day=date(2026, 11, 2),
        start_time=time(18),
        end_day=date(2026, 11, 3),
        end_time=time(8),
        recurrence=replace(recurrence, until=date(2026, 11, 30)),
    )
    assert absence.last_day == date(2026, 12, 1)
    starts = occurrence_days(
        absence.first_day, absence.recurrence, date(2026, 11, 1), date(2027, 1, 1)
    )
    assert starts and max(starts) + (absence.end_day - absence.first_day) <= absence.last_day
    assert replace(absence, recurrence=recurrence).last_day is None


def test_a_rdv_counts_in_the_local_month_of_its_start():
    # 23:30 UTC on 31 October is already 1 November in Paris (UTC+1 in winter).
    rdv = f.rdv(starts_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    assert month_of(rdv, PARIS) == "2026-11"


def test_counters_moved_by_a_creation_and_a_status_change():
    assert creation_deltas(f.rdv(created_by=CreatedBy.AGENT)) == {
        "created": 1,
        "created_by_agent": 1,
        "unknown": 1,
        "lead_7": 1,  # booked 7 to 13 days ahead
    }
    booked = f.rdv(created_by=CreatedBy.AGENT)
    noshow = replace(booked, status=RdvStatus.NOSHOW)
    [delta, *_] = change_deltas(booked, noshow, PARIS)
    assert delta.deltas == {"unknown": -1, "noshow": 1}
    assert change_deltas(noshow, noshow, PARIS) == []


def test_noshow_rate_is_noshows_among_the_rdvs_seen_or_missed():
    # noshow / (seen + noshow): excused, revoked and unknown rdvs are left out.
    assert noshow_rate({"seen": 16, "noshow": 4, "excused": 1, "unknown": 30}) == 0.2
    assert noshow_rate({"unknown": 3}) is None


def test_folding_ignores_case_accents_and_hyphens():
    assert fold("Nœux-les-Mines") == "noeux les mines"
    assert fold("  L’Île   d'Yeu ") == "l ile d yeu"
