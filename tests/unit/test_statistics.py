"""Statistics rules: rates, the approximate median lead time, the vacancy rate and the
offered time it rests on, the public page's suppression of small counts, French
figures and the server-drawn SVG chart. Pure: no AWS."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.changes import BY_USAGER, mark_reminded, move, set_status
from chalicelib.domain.models import RdvStatus, Recurrence
from chalicelib.domain.offered_time import offered_minutes
from chalicelib.domain.statistics import (
    agent_scope,
    change_deltas,
    creation_deltas,
    lead_bucket,
    median_lead_days,
    month_bounds,
    month_range,
    noshow_rate,
    noshow_rate_not_reminded,
    noshow_rate_reminded,
    online_share,
    public_count,
    public_rate,
    rebuild,
    reminded_share,
    vacancy_rate,
)
from chalicelib.services.statistics import public_figures
from chalicelib.web import charts
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
ORG = "organisation#org-1"


def test_noshow_rate_leaves_out_cancelled_and_unmarked_rdvs():
    counts = {"seen": 40, "noshow": 10, "excused": 7, "revoked": 3, "unknown": 12}
    assert noshow_rate(counts) == 0.2
    assert noshow_rate({"excused": 3}) is None


def test_reminders_split_the_noshow_rate():
    counts = {
        "created": 100,
        "reminded": 60,
        "seen": 70,
        "noshow": 20,
        "seen_reminded": 54,
        "noshow_reminded": 6,
    }
    assert reminded_share(counts) == 0.6
    assert noshow_rate_reminded(counts) == 0.1  # 6 / (54 + 6)
    assert noshow_rate_not_reminded(counts) == 14 / 30  # (20 - 6) / (16 + 14)


def test_online_share_and_median_lead_time_from_the_buckets():
    assert online_share({"created": 8, "created_online": 2}) == 0.25
    assert online_share({}) is None
    # 10 rdvs: 4 booked the same day, 6 booked 7 to 13 days ahead: the median (the 5th)
    # lies in the 7..14 bucket, a sixth of the way in.
    assert median_lead_days({"lead_0": 4, "lead_7": 6}) == 7 + 7 * (5 - 4) / 6
    assert median_lead_days({"lead_90": 3}) == 90
    assert median_lead_days({}) is None


def test_a_rdv_counts_its_lead_time_honoured_minutes_and_reminder():
    booked = f.rdv(
        created_at=datetime(2026, 11, 6, 8, tzinfo=UTC),
        starts_at=datetime(2026, 11, 9, 8, tzinfo=UTC),
        duration_minutes=45,
    )
    assert lead_bucket(booked) == "lead_3"
    seen = replace(booked, status=RdvStatus.SEEN, reminded_at=datetime(2026, 11, 8, tzinfo=UTC))
    assert creation_deltas(seen) == {
        "created": 1,
        "created_online": 1,
        "seen": 1,
        "lead_3": 1,
        "seen_minutes": 45,
        "reminded": 1,
        "seen_reminded": 1,
    }


def test_a_reminder_sent_counts_once_in_every_scope():
    booked = f.rdv()
    change = mark_reminded(booked, datetime(2026, 11, 8, 8, tzinfo=UTC))
    deltas = change_deltas(change.before, change.after, PARIS)
    assert {d.scope: d.deltas for d in deltas} == {
        ORG: {"reminded": 1},
        "service#pmi#org-1": {"reminded": 1},
        "motif#motif-1": {"reminded": 1},
        agent_scope("agent-1", "org-1"): {"reminded": 1},
    }
    again = mark_reminded(change.after, datetime(2026, 11, 8, 9, tzinfo=UTC))
    assert again.after.reminded_at == change.after.reminded_at
    assert change_deltas(again.before, again.after, PARIS) == []


def test_a_slot_taken_from_the_waiting_list_counts_in_the_month_it_refills():
    at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    later = f.rdv(starts_at=datetime(2026, 12, 14, 8, tzinfo=UTC))
    taken = move(later, datetime(2026, 11, 9, 8, tzinfo=UTC), "agent-1", at, BY_USAGER, True)
    deltas = {(d.scope, d.month): d.deltas for d in change_deltas(taken.before, taken.after, PARIS)}
    assert deltas[(ORG, "2026-11")]["refilled_from_waiting_list"] == 1
    assert "refilled_from_waiting_list" not in deltas[(ORG, "2026-12")]
    # A move the usager or an agent chose refills nothing from the waiting list.
    plain = move(later, datetime(2026, 11, 9, 8, tzinfo=UTC), "agent-1", at, BY_USAGER)
    assert all(
        "refilled_from_waiting_list" not in d.deltas
        for d in change_deltas(plain.before, plain.after, PARIS)
    )
    # Cancelled afterwards: its time is freed again, the refill no longer counts.
    cancelled = set_status(taken.after, RdvStatus.EXCUSED, at, BY_USAGER)
    undo = {d.scope: d.deltas for d in change_deltas(cancelled.before, cancelled.after, PARIS)}
    assert undo[ORG]["refilled_from_waiting_list"] == -1
    assert rebuild([taken.after], PARIS)[(ORG, "2026-11")]["refilled_from_waiting_list"] == 1


def test_rebuild_sums_what_each_rdv_counts():
    rdvs = [f.rdv(id="a"), f.rdv(id="b", status=RdvStatus.NOSHOW)]
    counts = rebuild(rdvs, PARIS)[(ORG, "2026-11")]
    assert counts["created"] == 2 and counts["noshow"] == 1 and counts["unknown"] == 1


def test_vacancy_is_offered_time_without_an_honoured_rdv():
    assert vacancy_rate(600, 450) == 0.25
    assert vacancy_rate(600, 700) == 0  # a seen rdv put outside the plages
    assert vacancy_rate(0, 30) is None


def test_offered_time_is_plages_minus_absences_and_holidays_per_scope_and_month():
    scopes = lambda plage: (ORG, agent_scope(plage.agent_id, "org-1"))  # noqa: E731
    # Mondays and Wednesdays 9:00-12:00 in November 2026 (from the 2nd): 9 days.
    plage = f.plage(recurrence=Recurrence.weekly((0, 2), until=date(2026, 11, 30)))
    # Overlapping the first one (10:00-13:00, Mondays): one more hour on Mondays only.
    overlapping = f.plage(
        id="plage-2", start_time=time(10), end_time=time(13), recurrence=Recurrence.weekly((0,))
    )
    other_agent = f.plage(id="plage-3", agent_id="agent-2", first_day=date(2026, 11, 4))
    absence = f.absence()  # 9 November, 10:00-11:00
    holidays = frozenset({date(2026, 11, 11)})  # a Wednesday
    found = offered_minutes(
        [plage, overlapping, other_agent],
        [absence],
        holidays,
        date(2026, 11, 1),
        date(2026, 11, 30),
        PARIS,
        scopes,
    )
    # agent-1: 8 days of 3 hours (not the 11th), 5 Mondays with an hour more, less the
    # absence; agent-2: from the 4th, Mondays 9, 16, 23, 30 and Wednesdays 4, 18, 25
    # (not the 11th) of 3 hours.
    agent_1 = 8 * 180 + 5 * 60 - 60
    assert found[(agent_scope("agent-1", "org-1"), "2026-11")] == agent_1
    assert found[(ORG, "2026-11")] == agent_1 + 7 * 180


def test_public_figures_hide_counts_under_ten_and_rates_from_fewer():
    assert public_count(9) is None and public_count(10) == 10
    assert public_rate(9, 100) is None and public_rate(10, 9) is None
    assert public_rate(10, 40) == 0.25
    month = public_figures(
        {"created": 12, "created_online": 4, "seen": 10, "noshow": 2, "seen_minutes": 300},
        600,
        "2026-10",
    )
    assert month.rdvs == 12
    assert month.online_share is None  # 4 rdvs online
    assert month.noshow_rate is None  # 2 no-shows
    assert month.vacancy_rate == 0.5
    few = public_figures({"created": 7, "seen": 7, "seen_minutes": 210}, 600, "2026-09")
    assert few.rdvs is None and few.vacancy_rate is None


def test_months_run_across_years():
    assert month_range("2026-02", 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert month_bounds("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2026, 12, 31))


def test_figures_are_written_the_french_way():
    assert charts.percent(0.125) == "12,5\u00a0%"
    assert charts.percent(0.2) == "20\u00a0%"
    assert charts.percent(None) == "–"
    assert charts.number(12345) == "12\u202f345"
    assert charts.number(4.25, 1) == "4,2"
    assert charts.month_label("2026-08") == "août 2026"
    assert charts.month_label("2026-02", short=True) == "févr.\u00a026"


def test_the_chart_is_an_accessible_svg_with_its_figures():
    months = month_range("2026-10", 12)
    noshow = [0.3 - 0.01 * i for i in range(12)]
    noshow[4] = None  # a month without figures breaks the line, and has no dot
    svg = str(
        charts.line_chart(
            "c",
            "Absences & vacance",
            months,
            [
                charts.Series("Taux d’absence", noshow, "noshow"),
                charts.Series("Vacance", [0.5] * 12, "vacancy"),
            ],
            [charts.Guide("Objectif", 0.05, "target")],
        )
    )
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="c-titre c-desc"' in svg
    assert '<title id="c-titre">Absences &amp; vacance</title>' in svg
    desc = re.search(r'<desc id="c-desc">(.*?)</desc>', svg).group(1)
    assert "30\u00a0%" in desc and "novembre 2025" in desc and "octobre 2026" in desc
    assert svg.count('class="dot noshow"') == 11 and svg.count('class="line noshow"') == 2
    assert svg.count('class="dot vacancy"') == 12
    assert "Objectif : 5\u00a0%" in svg
    assert "<script" not in svg
    # Every other month is labelled, the last one always: six labels that fit a phone.
    labels = re.findall(r'class="axis month"[^>]*>([^<]+)<', svg)
    assert labels == ["déc.\u00a025", "févr.\u00a026", "avr.\u00a026", "juin\u00a026",
                      "août\u00a026", "oct.\u00a026"]  # fmt: skip


def test_a_week_of_demo_style_plages_offers_its_hours():
    plage = f.plage(
        first_day=date(2026, 3, 23),
        recurrence=Recurrence.weekly((0, 1, 2, 3, 4), until=date(2026, 3, 31)),
    )
    found = offered_minutes(
        [plage], [], frozenset(), date(2026, 3, 1), date(2026, 4, 30), PARIS, lambda p: (ORG,)
    )
    # 23-27 March and 30-31 March: 7 days of 3 hours; the spring-forward Sunday (29th)
    # has no plage, so no hour is lost.
    assert found == {(ORG, "2026-03"): 7 * 180}
    assert timedelta(minutes=found[(ORG, "2026-03")]) == timedelta(hours=21)
