"""The slot engine's rules, with hand-checked expectations (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.domain.models import RdvStatus, Recurrence
from chalicelib.domain.slots import BusyPeriod, busy_from_rdvs, compute_slots, next_available_slot
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 2)  # winter time: Paris = UTC+1


def utc(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def slots(
    plages, absences=(), busy=(), start=MONDAY, end=None, motif=None, now=NOW, lieu_id="lieu-1"
):
    return compute_slots(
        motif=motif or f.motif(),
        lieu_id=lieu_id,
        plages=plages,
        absences=absences,
        busy=busy,
        start_day=start,
        end_day=end or start,
        now=now,
        tz=PARIS,
    )


def starts(found):
    return [s.starts_at.astimezone(PARIS).strftime("%d %H:%M") for s in found]


def test_slots_start_at_the_plage_start_and_step_by_the_duration():
    found = slots([f.plage(start_time=time(9), end_time=time(10, 30))])
    assert starts(found) == ["02 09:00", "02 09:30", "02 10:00"]
    assert found[0].starts_at == utc(2026, 11, 2, 8)
    assert found[0].ends_at == utc(2026, 11, 2, 8, 30)


def test_slot_must_fit_entirely_inside_the_plage():
    found = slots([f.plage(end_time=time(10, 20))], motif=f.motif(duration_minutes=45))
    assert starts(found) == ["02 09:00"]  # 9:45-10:30 would overflow


def test_a_plage_without_the_motif_or_at_another_lieu_gives_nothing():
    assert slots([f.plage(motif_ids=("other",))]) == []
    assert slots([f.plage(lieu_id="lieu-2")]) == []
    assert slots([f.plage(lieu_id="lieu-2")], lieu_id=None)  # by phone: any lieu


def test_every_two_weeks_until_a_date():
    plage = f.plage(end_time=time(9, 30), recurrence=Recurrence(2, (0,), until=date(2026, 11, 30)))
    found = slots([plage], end=date(2026, 12, 31))
    assert starts(found) == ["02 09:00", "16 09:00", "30 09:00"]


def test_an_absence_partly_over_a_plage_removes_only_the_slots_it_touches():
    found = slots(
        [f.plage()],
        absences=[
            f.absence(first_day=MONDAY, end_day=MONDAY, start_time=time(10), end_time=time(10, 45))
        ],
    )
    # Slots restart when the absence ends (10:45), not at the next grid point (11:00).
    assert starts(found) == ["02 09:00", "02 09:30", "02 10:45", "02 11:15"]


def test_a_recurring_absence_removes_every_occurrence():
    absence = f.absence(
        first_day=MONDAY, end_day=MONDAY, start_time=time(9), end_time=time(10),
        recurrence=Recurrence(1, (0,)),
    )  # fmt: skip
    found = slots([f.plage(end_time=time(10, 30))], absences=[absence], end=date(2026, 11, 9))
    assert starts(found) == ["02 10:00", "04 09:00", "04 09:30", "04 10:00", "09 10:00"]


def test_a_multi_day_absence_covers_the_days_between():
    absence = f.absence(
        first_day=MONDAY, start_time=time(12), end_day=date(2026, 11, 4), end_time=time(9, 30)
    )
    found = slots([f.plage(end_time=time(10))], absences=[absence], end=date(2026, 11, 4))
    assert starts(found) == ["02 09:00", "02 09:30", "04 09:30"]


def test_existing_rdvs_block_unless_cancelled():
    base = dict(starts_at=utc(2026, 11, 2, 8), duration_minutes=45)
    rdvs = [
        f.rdv(id="a", **base, status=RdvStatus.SEEN),
        f.rdv(
            id="b", starts_at=utc(2026, 11, 2, 10), duration_minutes=30, status=RdvStatus.EXCUSED
        ),
        f.rdv(
            id="c",
            starts_at=utc(2026, 11, 2, 10, 30),
            duration_minutes=30,
            status=RdvStatus.REVOKED,
        ),
    ]
    found = slots([f.plage()], busy=busy_from_rdvs(rdvs))
    # 9:00-9:45 held: slots restart at 9:45; the cancelled ones free 10:00 to 11:00.
    assert starts(found) == ["02 09:45", "02 10:15", "02 10:45", "02 11:15"]


def test_two_free_agents_give_one_slot_and_a_busy_one_leaves_the_other():
    plages = [
        f.plage(id="p1", agent_id="a1", end_time=time(10)),
        f.plage(id="p2", agent_id="a2", end_time=time(10)),
    ]
    busy = [BusyPeriod("a1", utc(2026, 11, 2, 8), utc(2026, 11, 2, 8, 30))]
    found = slots(plages, busy=busy)
    assert [s.agent_ids for s in found] == [("a2",), ("a1", "a2")]


def test_min_and_max_booking_delays_count_from_now():
    now = utc(2026, 11, 2, 8, 10)  # 9:10 in Paris
    motif = f.motif(min_booking_delay_minutes=60, max_booking_delay_minutes=(7) * 24 * 60)
    found = slots([f.plage()], now=now, motif=motif, end=date(2026, 11, 16))
    assert starts(found)[0] == "02 10:10"  # the plage restarts at 10:10, not at 10:30
    assert starts(found)[-1] == "09 09:00"  # 7 days after 9:10


def test_daylight_saving_in_october_and_march():
    plage = f.plage(
        end_time=time(9, 30), recurrence=Recurrence(1, (0, 4)), first_day=date(2026, 10, 19)
    )
    october = slots(
        [plage], start=date(2026, 10, 23), end=date(2026, 10, 26), now=utc(2026, 10, 1, 0)
    )
    # Friday 23 October: summer time (UTC+2); Monday 26: winter time (UTC+1).
    assert [s.starts_at for s in october] == [utc(2026, 10, 23, 7), utc(2026, 10, 26, 8)]
    plage = f.plage(
        end_time=time(9, 30), recurrence=Recurrence(1, (0, 4)), first_day=date(2027, 3, 22)
    )
    march = slots([plage], start=date(2027, 3, 26), end=date(2027, 3, 29), now=utc(2027, 3, 1, 0))
    assert [s.starts_at for s in march] == [utc(2027, 3, 26, 8), utc(2027, 3, 29, 7)]


def test_a_plage_across_the_spring_forward_gap_skips_the_missing_hour():
    plage = f.plage(
        first_day=date(2027, 3, 28), recurrence=None, start_time=time(1), end_time=time(4)
    )
    found = slots([plage], start=date(2027, 3, 28), now=utc(2027, 3, 1, 0))
    assert starts(found) == ["28 01:00", "28 01:30", "28 03:00", "28 03:30"]
    assert [s.starts_at for s in found] == [
        utc(2027, 3, 28, 0), utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 1), utc(2027, 3, 28, 1, 30)
    ]  # fmt: skip


def test_a_plage_across_the_fall_back_hour_uses_the_first_occurrence():
    plage = f.plage(
        first_day=date(2026, 10, 25), recurrence=None, start_time=time(1), end_time=time(3)
    )
    found = slots([plage], start=date(2026, 10, 25), now=utc(2026, 10, 1, 0))
    assert starts(found)[:2] == ["25 01:00", "25 01:30"]
    assert found[2].starts_at == utc(2026, 10, 25, 0)  # 02:00 summer time (fold 0)


def test_next_available_slot_ten_weeks_ahead_and_none_past_the_horizon():
    later = f.plage(first_day=date(2027, 1, 11), recurrence=Recurrence(1, (0,)))
    motif = f.motif(max_booking_delay_minutes=(120) * 24 * 60)
    found = next_available_slot(
        motif=motif, lieu_id="lieu-1", plages=[later], absences=[], busy=[],
        from_day=MONDAY, now=NOW, tz=PARIS,
    )  # fmt: skip
    assert found.starts_at == utc(2027, 1, 11, 8)
    assert next_available_slot(
        motif=motif, lieu_id="lieu-1", plages=[later], absences=[], busy=[],
        from_day=MONDAY, now=NOW, tz=PARIS, horizon_day=date(2027, 1, 10),
    ) is None  # fmt: skip
    assert next_available_slot(
        motif=motif, lieu_id="lieu-1", plages=[later], absences=[], busy=[],
        from_day=date(2027, 1, 12), now=NOW, tz=PARIS,
    ).starts_at == utc(2027, 1, 18, 8)  # fmt: skip


def test_busy_periods_are_per_agent():
    busy = [BusyPeriod("someone-else", utc(2026, 11, 2, 8), utc(2026, 11, 2, 11))]
    assert starts(slots([f.plage(end_time=time(10))], busy=busy)) == ["02 09:00", "02 09:30"]
