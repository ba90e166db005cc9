"""The slot engine's rules, with hand-checked expectations (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from chalicelib.domain.models import LocationType, RdvStatus, Recurrence
from chalicelib.domain.slots import BusyPeriod, busy_from_rdvs, compute_slots, next_available_slot
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
MONDAY = date(2026, 11, 2)  # winter time: Paris = UTC+1


def utc(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=UTC)


def slots(
    plages,
    absences=(),
    busy=(),
    start=MONDAY,
    end=None,
    motif=None,
    now=NOW,
    lieu_id="lieu-1",
    holidays=frozenset(),
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
        holidays=holidays,
    )


def starts(found):
    return [s.starts_at.astimezone(PARIS).strftime("%d %H:%M") for s in found]


def paris_busy(day, start, end, agent_id="agent-1"):
    """A busy time given in Paris wall clock (a day without clock change)."""
    return BusyPeriod(
        agent_id,
        datetime.combine(day, start, tzinfo=PARIS).astimezone(UTC),
        datetime.combine(day, end, tzinfo=PARIS).astimezone(UTC),
    )


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
    # 1:00 summer time to 3:00 winter time lasts three hours: 2:00-3:00 comes twice.
    assert starts(found) == ["25 01:00", "25 01:30", "25 02:00", "25 02:30", "25 02:00", "25 02:30"]
    assert found[-1].starts_at == utc(2026, 10, 25, 1, 30)


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


# --- Issue 14: slots follow each other from each free interval's start. ---


def test_slots_restart_when_an_absence_ends_off_the_grid():
    # The example: plage 8:00-12:00, 45-minute motif, absence 8:00-8:50.
    absence = f.absence(first_day=MONDAY, end_day=MONDAY, start_time=time(8), end_time=time(8, 50))
    motif = f.motif(duration_minutes=45)
    found = slots([f.plage(start_time=time(8))], absences=[absence], motif=motif)
    assert starts(found) == ["02 08:50", "02 09:35", "02 10:20", "02 11:05"]  # not 9:30, …


def test_a_rdv_off_the_grid_and_the_slots_after_it():
    rdv = f.rdv(starts_at=utc(2026, 11, 2, 8, 10), duration_minutes=30)  # 9:10-9:40 in Paris
    found = slots([f.plage()], busy=busy_from_rdvs([rdv]))
    # 9:00-9:10 is too short for a slot; from 9:40 on, one every 30 minutes.
    assert starts(found) == ["02 09:40", "02 10:10", "02 10:40", "02 11:10"]


def test_two_motifs_of_different_durations_share_a_plage():
    short = f.motif(id="short", duration_minutes=30)
    long = f.motif(id="long", duration_minutes=45)
    plage = f.plage(motif_ids=("short", "long"))
    busy = busy_from_rdvs(
        [
            f.rdv(id="a", motif_id="long", starts_at=utc(2026, 11, 2, 8), duration_minutes=45),
            f.rdv(id="b", motif_id="short", starts_at=utc(2026, 11, 2, 9, 15), duration_minutes=30),
        ]
    )  # 9:00-9:45 and 10:15-10:45 in Paris
    assert starts(slots([plage], busy=busy, motif=short)) == ["02 09:45", "02 10:45", "02 11:15"]
    # 9:45-10:15 is too short for 45 minutes; 11:30-12:15 would overflow.
    assert starts(slots([plage], busy=busy, motif=long)) == ["02 10:45"]


def test_each_agent_restarts_on_their_own_free_time():
    plages = [
        f.plage(id="p1", agent_id="a1", end_time=time(10)),
        f.plage(id="p2", agent_id="a2", end_time=time(10)),
    ]
    found = slots(plages, busy=[paris_busy(MONDAY, time(9), time(9, 10), "a1")])
    assert [(s.starts_at, s.agent_ids) for s in found] == [
        (utc(2026, 11, 2, 8), ("a2",)),
        (utc(2026, 11, 2, 8, 10), ("a1",)),
        (utc(2026, 11, 2, 8, 30), ("a2",)),
    ]


# --- Public holidays. ---

ARMISTICE = date(2026, 11, 11)  # a Wednesday
WEEK_OF_ARMISTICE = dict(start=date(2026, 11, 9), end=date(2026, 11, 13))


def test_no_slot_on_a_public_holiday():
    plage = f.plage(end_time=time(10))  # Mondays and Wednesdays
    assert starts(slots([plage], **WEEK_OF_ARMISTICE)) == [
        "09 09:00", "09 09:30", "11 09:00", "11 09:30",
    ]  # fmt: skip
    found = slots([plage], holidays=frozenset({ARMISTICE}), **WEEK_OF_ARMISTICE)
    assert starts(found) == ["09 09:00", "09 09:30"]


def test_a_plage_open_on_holidays_gives_its_slots_on_a_holiday():
    plages = [
        f.plage(id="p1", agent_id="a1", end_time=time(10)),
        f.plage(id="p2", agent_id="a2", end_time=time(10), open_on_holidays=True),
    ]
    found = slots(plages, holidays=frozenset({ARMISTICE}), **WEEK_OF_ARMISTICE)
    assert [(starts([s])[0], s.agent_ids) for s in found] == [
        ("09 09:00", ("a1", "a2")),
        ("09 09:30", ("a1", "a2")),
        ("11 09:00", ("a2",)),  # only the exceptional session
        ("11 09:30", ("a2",)),
    ]


def test_an_absence_that_covers_a_holiday():
    absence = f.absence(
        first_day=date(2026, 11, 10), start_time=time(10), end_day=date(2026, 11, 12),
        end_time=time(10),
    )  # fmt: skip
    every_weekday = Recurrence(1, (0, 1, 2, 3, 4))
    holidays = frozenset({ARMISTICE})
    for open_on_holidays in (False, True):
        plage = f.plage(
            end_time=time(11), recurrence=every_weekday, open_on_holidays=open_on_holidays
        )
        found = slots(
            [plage], absences=[absence], start=date(2026, 11, 10), end=date(2026, 11, 12),
            holidays=holidays,
        )  # fmt: skip
        assert starts(found) == ["10 09:00", "10 09:30", "12 10:00", "12 10:30"]


def test_next_available_slot_skips_a_holiday():
    found = next_available_slot(
        motif=f.motif(), lieu_id="lieu-1", plages=[f.plage()], absences=[], busy=[],
        from_day=ARMISTICE, now=NOW, tz=PARIS, holidays=frozenset({ARMISTICE}),
    )  # fmt: skip
    assert found.starts_at == utc(2026, 11, 16, 8)  # the next Monday, 9:00


# --- Booking delays. ---


def test_now_inside_a_plage_without_minimum_delay_starts_at_the_next_5_minutes():
    motif = f.motif(min_booking_delay_minutes=0)
    found = slots([f.plage()], motif=motif, now=datetime(2026, 11, 2, 8, 7, 20, tzinfo=UTC))
    # 9:07:20 in Paris: the interval starts at 9:10.
    assert starts(found) == ["02 09:10", "02 09:40", "02 10:10", "02 10:40", "02 11:10"]
    on_the_mark = slots([f.plage()], motif=motif, now=utc(2026, 11, 2, 8, 10))
    assert starts(on_the_mark)[0] == "02 09:10"
    just_after = slots([f.plage()], motif=motif, now=datetime(2026, 11, 2, 8, 10, 1, tzinfo=UTC))
    assert starts(just_after)[0] == "02 09:15"  # 9:10 has just gone


def test_now_inside_a_plage_with_a_minimum_delay_rounds_up_to_5_minutes():
    motif = f.motif(min_booking_delay_minutes=45)
    found = slots([f.plage()], motif=motif, now=utc(2026, 11, 2, 8, 7))
    # 9:07 + 45 min = 9:52, rounded up to 9:55.
    assert starts(found) == ["02 09:55", "02 10:25", "02 10:55", "02 11:25"]


def test_the_minimum_delay_is_rounded_only_where_it_cuts_a_free_interval():
    motif = f.motif(min_booking_delay_minutes=30)
    busy = [paris_busy(MONDAY, time(9), time(9, 38))]
    # Now 9:00 + 30 min = 9:30, inside the busy time: the free interval starts at 9:38.
    found = slots([f.plage()], busy=busy, motif=motif, now=utc(2026, 11, 2, 8))
    assert starts(found) == ["02 09:38", "02 10:08", "02 10:38", "02 11:08"]


def test_delays_in_minutes():
    motif = f.motif(min_booking_delay_minutes=20, max_booking_delay_minutes=120)
    found = slots([f.plage()], motif=motif, now=utc(2026, 11, 2, 8))  # 9:00 in Paris
    # From 9:20, starts no later than 11:00.
    assert starts(found) == ["02 09:20", "02 09:50", "02 10:20", "02 10:50"]


def test_a_motif_without_maximum_delay_is_bookable_as_far_as_latest_booking():
    june = date(2027, 6, 7)  # 218 days after NOW
    plage = f.plage(first_day=june, recurrence=None, end_time=time(10))
    assert slots([plage], start=june) == []  # 90 days by default
    open_agenda = f.motif(max_booking_delay_minutes=None)
    assert starts(slots([plage], start=june, motif=open_agenda)) == ["07 09:00", "07 09:30"]
    found = next_available_slot(
        motif=open_agenda, lieu_id="lieu-1", plages=[plage], absences=[], busy=[],
        from_day=MONDAY, now=NOW, tz=PARIS,
    )  # fmt: skip
    assert found.starts_at == utc(2027, 6, 7, 7)  # summer time
    # Still bounded by policies.latest_booking (a year and a day from now).
    far = date(2027, 11, 8)
    far_plage = f.plage(first_day=far, recurrence=None)
    assert slots([far_plage], start=far, motif=open_agenda) == []


# --- One slot per start and lieu; overlapping plages of one agent. ---


def test_overlapping_plages_of_one_agent_give_one_slot():
    plages = [
        f.plage(id="p1", end_time=time(11)),
        f.plage(id="p2", start_time=time(10), end_time=time(12)),
    ]
    found = slots(plages, motif=f.motif(duration_minutes=45))
    # One interval 9:00-12:00, not 9:00, 9:45 (p1) and 10:00, 10:45, 11:15 (p2).
    assert starts(found) == ["02 09:00", "02 09:45", "02 10:30", "02 11:15"]
    assert {(s.agent_ids, s.lieu_id) for s in found} == {(("agent-1",), "lieu-1")}


def test_touching_plages_of_one_agent_join():
    plages = [
        f.plage(id="p1", end_time=time(10)),
        f.plage(id="p2", start_time=time(10), end_time=time(11)),
    ]
    found = slots(plages, motif=f.motif(duration_minutes=45))
    assert starts(found) == ["02 09:00", "02 09:45"]  # 9:45-10:30 spans both


def test_slots_carry_their_lieu_and_are_told_apart_by_it_when_no_lieu_is_asked():
    phone = f.motif(location_type=LocationType.PHONE)
    plages = [
        f.plage(id="p1", agent_id="a1", lieu_id="lieu-1", end_time=time(10)),
        f.plage(id="p2", agent_id="a2", lieu_id=None, end_time=time(10)),
        f.plage(id="p3", agent_id="a3", lieu_id=None, end_time=time(10)),
        f.plage(
            id="p4", agent_id="a4", lieu_id="lieu-2", start_time=time(9, 30), end_time=time(10)
        ),
    ]
    found = slots(plages, motif=phone, lieu_id=None)
    assert [(starts([s])[0], s.lieu_id, s.agent_ids) for s in found] == [
        ("02 09:00", None, ("a2", "a3")),
        ("02 09:00", "lieu-1", ("a1",)),
        ("02 09:30", None, ("a2", "a3")),
        ("02 09:30", "lieu-1", ("a1",)),
        ("02 09:30", "lieu-2", ("a4",)),
    ]
    at_lieu_1 = slots(plages, motif=phone, lieu_id="lieu-1")
    assert [(s.lieu_id, s.agent_ids) for s in at_lieu_1] == [("lieu-1", ("a1",))] * 2


# --- Daylight saving: intervals in UTC minutes from wall-clock bounds. ---


def test_a_dst_week_in_march_with_busy_times_off_the_grid():
    weekdays = f.plage(first_day=date(2027, 3, 22), recurrence=Recurrence(1, (0, 4)))
    sunday = date(2027, 3, 28)  # 2:00 winter time becomes 3:00 summer time
    night = f.plage(
        id="night", first_day=sunday, recurrence=None, start_time=time(1), end_time=time(5)
    )
    busy = [
        paris_busy(date(2027, 3, 26), time(9, 10), time(9, 40)),  # Friday, UTC+1
        paris_busy(sunday, time(3, 10), time(3, 40)),  # after the jump, UTC+2
        paris_busy(date(2027, 3, 29), time(9, 10), time(9, 40)),  # Monday, UTC+2
    ]
    found = slots(
        [weekdays, night], busy=busy, start=date(2027, 3, 26), end=date(2027, 3, 29),
        now=utc(2027, 3, 1, 0),
    )  # fmt: skip
    assert starts(found) == [
        "26 09:40", "26 10:10", "26 10:40", "26 11:10",
        "28 01:00", "28 01:30", "28 03:40", "28 04:10",  # 1:00-5:00 lasts three hours
        "29 09:40", "29 10:10", "29 10:40", "29 11:10",
    ]  # fmt: skip
    assert [s.starts_at for s in found if s.starts_at.day != 28][::4] == [
        utc(2027, 3, 26, 8, 40), utc(2027, 3, 29, 7, 40)
    ]  # fmt: skip


def test_a_dst_week_in_october_with_busy_times_off_the_grid():
    weekdays = f.plage(first_day=date(2026, 10, 19), recurrence=Recurrence(1, (0, 4)))
    sunday = date(2026, 10, 25)  # 3:00 summer time becomes 2:00 winter time
    night = f.plage(
        id="night", first_day=sunday, recurrence=None, start_time=time(1), end_time=time(4)
    )
    busy = [
        paris_busy(date(2026, 10, 23), time(9, 10), time(9, 40)),  # Friday, UTC+2
        BusyPeriod("agent-1", utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 40)),  # 2:10 UTC+1
        paris_busy(date(2026, 10, 26), time(9, 10), time(9, 40)),  # Monday, UTC+1
    ]
    found = slots(
        [weekdays, night], busy=busy, start=date(2026, 10, 23), end=date(2026, 10, 26),
        now=utc(2026, 10, 1, 0),
    )  # fmt: skip
    # 1:00-4:00 lasts four hours: 2:00-3:00 comes twice, the busy time is in the second.
    assert starts(found) == [
        "23 09:40", "23 10:10", "23 10:40", "23 11:10",
        "25 01:00", "25 01:30", "25 02:00", "25 02:30", "25 02:40", "25 03:10",
        "26 09:40", "26 10:10", "26 10:40", "26 11:10",
    ]  # fmt: skip
    night_slots = [s.starts_at for s in found if s.starts_at.astimezone(PARIS).day == 25]
    assert night_slots == [
        utc(2026, 10, 24, 23), utc(2026, 10, 24, 23, 30), utc(2026, 10, 25, 0),
        utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 40), utc(2026, 10, 25, 2, 10),
    ]  # fmt: skip
    assert found[0].starts_at == utc(2026, 10, 23, 7, 40)
    assert found[-4].starts_at == utc(2026, 10, 26, 8, 40)


def test_a_plage_bound_in_the_spring_forward_gap_is_the_jump():
    plage = f.plage(
        first_day=date(2027, 3, 28), recurrence=None, start_time=time(2, 30), end_time=time(4)
    )
    found = slots([plage], start=date(2027, 3, 28), now=utc(2027, 3, 1, 0))
    assert starts(found) == ["28 03:00", "28 03:30"]
    assert found[0].starts_at == utc(2027, 3, 28, 1)
