"""Domain entities, statistics rules and text folding: pure, no AWS."""

from dataclasses import replace
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from chalicelib.domain.models import Absence, CreatedBy, RdvStatus, Recurrence
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
    "kwargs", [{"every_weeks": 0, "weekdays": (0,)}, {"weekdays": ()}, {"weekdays": (7,)}]
)
def test_a_recurrence_needs_a_positive_period_and_real_weekdays(kwargs):
    with pytest.raises(ValueError):
        Recurrence(**kwargs)


def test_a_plage_last_day_is_its_day_or_its_recurrence_end():
    assert f.plage(recurrence=None).last_day == date(2026, 11, 2)
    assert f.plage(recurrence=Recurrence(1, (0,))).last_day is None
    assert f.plage(recurrence=Recurrence(1, (0,), until=date(2026, 12, 1))).last_day == date(
        2026, 12, 1
    )


def test_a_recurring_absence_lasts_until_its_last_occurrence_ends():
    absence = Absence(
        id="a",
        agent_id="x",
        organisation_id="o",
        first_day=date(2026, 11, 2),
        start_time=time(18),
        end_day=date(2026, 11, 3),
        end_time=time(8),
        recurrence=Recurrence(1, (0,), until=date(2026, 11, 30)),
    )
    assert absence.last_day == date(2026, 12, 1)


def test_a_rdv_counts_in_the_local_month_of_its_start():
    # 23:30 UTC on 31 October is already 1 November in Paris (UTC+1 in winter).
    rdv = f.rdv(starts_at=datetime(2026, 10, 31, 23, 30, tzinfo=UTC))
    assert month_of(rdv, PARIS) == "2026-11"


def test_counters_moved_by_a_creation_and_a_status_change():
    assert creation_deltas(f.rdv(created_by=CreatedBy.AGENT)) == {
        "created": 1,
        "created_by_agent": 1,
        "unknown": 1,
    }
    booked = f.rdv(created_by=CreatedBy.AGENT)
    noshow = replace(booked, status=RdvStatus.NOSHOW)
    [delta, *_] = change_deltas(booked, noshow, PARIS)
    assert delta.deltas == {"unknown": -1, "noshow": 1}
    assert change_deltas(noshow, noshow, PARIS) == []


def test_noshow_rate_is_among_rdvs_with_a_known_outcome():
    assert noshow_rate({"seen": 15, "noshow": 4, "excused": 1, "unknown": 30}) == 0.2
    assert noshow_rate({"unknown": 3}) is None


def test_folding_ignores_case_accents_and_hyphens():
    assert fold("Nœux-les-Mines") == "noeux les mines"
    assert fold("  L’Île   d'Yeu ") == "l ile d yeu"
