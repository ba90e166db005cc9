"""Reminder planning: offsets, quiet hours, short lead times, daylight saving."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from chalicelib.domain.reminders import out_of_quiet_hours, plan_reminders
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
DAY = 24 * 60


def paris(y, m, d, h, minute=0):
    return datetime(y, m, d, h, minute, tzinfo=PARIS).astimezone(UTC)


def dues(reminders):
    return [r.due_at.astimezone(PARIS).strftime("%d %H:%M") for r in reminders]


def test_default_plan_is_two_days_and_one_day_before():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 10))
    planned = plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 1, 12), PARIS)
    assert dues(planned) == ["08 10:00", "09 10:00"]
    assert [r.offset_minutes for r in planned] == [2 * DAY, DAY]


def test_a_reminder_due_at_night_moves_to_8_if_still_before_the_rdv():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 9))
    planned = plan_reminders(rdv, (3 * 60,), paris(2026, 12, 1, 12), PARIS)  # due 6:00
    assert dues(planned) == ["10 08:00"]


def test_a_reminder_due_late_evening_goes_the_evening_before_when_closer():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 9))
    planned = plan_reminders(rdv, (12 * 60,), paris(2026, 12, 1, 12), PARIS)  # due 21:00
    assert dues(planned) == ["09 19:30"]


def test_an_early_rdv_keeps_its_reminder_before_it():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 7, 45))
    planned = plan_reminders(rdv, (60,), paris(2026, 12, 1, 12), PARIS)  # due 6:45
    assert dues(planned) == ["09 19:30"]  # 8:00 would be after the rdv


def test_a_rdv_booked_shortly_before_skips_the_reminders_it_is_too_close_for():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 10))
    assert plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 10, 9), PARIS) == []
    assert dues(plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 8, 18), PARIS)) == ["09 10:00"]


def test_quiet_hours_follow_paris_time_across_daylight_saving():
    # Sunday 29 March 2027 00:30 UTC is 2:30 summer time... which is a quiet hour either way:
    moved = out_of_quiet_hours(paris(2027, 3, 28, 6), paris(2027, 3, 29, 9), PARIS)
    assert moved == datetime(2027, 3, 28, 6, 0, tzinfo=UTC)  # 8:00 in summer time = 6:00 UTC
    moved = out_of_quiet_hours(paris(2026, 10, 25, 6), paris(2026, 10, 26, 9), PARIS)
    assert moved == datetime(2026, 10, 25, 7, 0, tzinfo=UTC)  # 8:00 in winter time = 7:00 UTC
    rdv = f.rdv(starts_at=paris(2027, 3, 29, 9))  # Monday after the spring change
    planned = plan_reminders(rdv, (DAY,), paris(2027, 3, 20, 12), PARIS)
    assert planned[0].due_at == datetime(2027, 3, 28, 7, 0, tzinfo=UTC)  # 9:00 summer time


def test_two_offsets_landing_on_the_same_time_send_one_reminder():
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 9))
    planned = plan_reminders(rdv, (2 * 60, 3 * 60), paris(2026, 12, 1, 12), PARIS)
    assert dues(planned) == ["10 08:00"]


def test_no_reminder_is_due_less_than_12_hours_after_the_booking():
    # Booked 24 h 05 ahead: the day-before reminder would follow the confirmation by
    # 5 minutes.
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 10))
    assert plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 9, 9, 55), PARIS) == []
    # Booked 48 h 05 ahead: only the day-before reminder, a day after the confirmation
    # (not the two-day one 5 minutes after it).
    planned = plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 8, 9, 55), PARIS)
    assert dues(planned) == ["09 10:00"]
    # 12 hours exactly is enough.
    planned = plan_reminders(rdv, (2 * DAY, DAY), paris(2026, 12, 8, 22), PARIS)
    assert dues(planned) == ["09 10:00"]


def test_the_12_hours_count_from_when_the_reminder_really_goes_out():
    # Due 21:00 (12 h before a 9:00 rdv), it goes at 19:30: 10 h 30 after a booking made
    # at 9:00 that day, too close.
    rdv = f.rdv(starts_at=paris(2026, 12, 10, 9))
    assert plan_reminders(rdv, (12 * 60,), paris(2026, 12, 9, 9), PARIS) == []
    assert dues(plan_reminders(rdv, (12 * 60,), paris(2026, 12, 9, 7), PARIS)) == ["09 19:30"]


def test_after_a_move_only_the_day_before_reminder_is_kept():
    from chalicelib.domain.reminders import reminders_after_move

    rdv = f.rdv(starts_at=paris(2026, 12, 10, 10))
    moved_at = paris(2026, 12, 3, 15)
    planned = plan_reminders(rdv, (2 * DAY, DAY), moved_at, PARIS)
    assert dues(reminders_after_move(planned, moved_at)) == ["09 10:00"]


def test_a_move_within_a_day_of_the_last_reminder_stands_for_it():
    from chalicelib.domain.reminders import reminders_after_move

    rdv = f.rdv(starts_at=paris(2026, 12, 10, 10))
    moved_at = paris(2026, 12, 8, 16)  # the day-before reminder is due in 18 hours
    planned = plan_reminders(rdv, (2 * DAY, DAY), moved_at, PARIS)
    assert dues(planned) == ["09 10:00"]
    assert reminders_after_move(planned, moved_at) == []
    assert reminders_after_move([], moved_at) == []
