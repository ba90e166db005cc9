"""Waiting-list rules: who is offered a freed slot, in which order, and when. Pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.changes import BY_USAGER, move, set_status
from chalicelib.domain.models import RdvStatus, WaitingListEntry
from chalicelib.domain.waiting_list import (
    DEFAULT_RULES,
    Candidate,
    FreedSlot,
    choose,
    first_offers,
    freed_by,
    is_eligible,
    leaves_waiting_list,
    offer_day,
    offer_time,
    round_ends_at,
)
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 9:00 in Paris
FREED_AT = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a week later
MOTIF = f.motif(id="m30", min_booking_delay_minutes=30)
FREED = FreedSlot("org-1", "m30", "lieu-1", FREED_AT, "rdv-freed")


def candidate(rdv_id="rdv-a", weeks=5, lieu_id="lieu-1", entry_lieu="lieu-1", any_lieu=False, **kw):
    rdv = f.rdv(
        id=rdv_id,
        motif_id="m30",
        lieu_id=lieu_id,
        starts_at=NOW + timedelta(weeks=weeks),
        created_at=NOW,
        **kw,
    )
    entry = WaitingListEntry(
        id=rdv_id,
        organisation_id="org-1",
        motif_id="m30",
        lieu_id=entry_lieu,
        usager_id="u-1",
        created_at=NOW,
        any_lieu=any_lieu,
    )
    return Candidate(entry, rdv)


def eligible(c, freed=FREED, now=NOW):
    return is_eligible(freed, MOTIF, c.entry, c.rdv, now)


def test_a_later_rdv_of_the_same_motif_and_lieu_is_eligible():
    assert eligible(candidate())


def test_a_rdv_earlier_than_the_freed_slot_is_not():
    assert not eligible(candidate(weeks=0.5))


def test_another_motif_or_lieu_is_not_eligible_unless_any_lieu_was_chosen():
    assert not eligible(candidate(lieu_id="lieu-2", entry_lieu="lieu-2"))
    assert eligible(candidate(lieu_id="lieu-2", entry_lieu="lieu-2", any_lieu=True))
    other = candidate()
    assert not eligible(replace(other, rdv=replace(other.rdv, motif_id="m45")))


def test_a_cancelled_rdv_or_the_freeing_rdv_itself_is_not_eligible():
    assert not eligible(candidate(status=RdvStatus.EXCUSED))
    assert not eligible(candidate(rdv_id="rdv-freed"))


def test_only_rdvs_at_least_two_days_away_are_candidates():
    soon = FREED_AT + timedelta(days=1)
    c = candidate()
    c = replace(c, rdv=replace(c.rdv, starts_at=soon))
    assert not eligible(c, now=FREED_AT - timedelta(hours=2))
    assert eligible(c, now=soon - timedelta(days=2, hours=1))


def test_the_slot_must_still_respect_the_motifs_minimum_delay():
    assert eligible(candidate(), now=FREED_AT - timedelta(minutes=31))
    assert not eligible(candidate(), now=FREED_AT - timedelta(minutes=29))


def test_the_latest_rdvs_come_first_then_first_come():
    early = candidate("rdv-3w", weeks=3)
    latest = candidate("rdv-6w", weeks=6)
    also_5w_later_entry = candidate("rdv-5w-b", weeks=5)
    also_5w_later_entry = replace(
        also_5w_later_entry,
        entry=replace(also_5w_later_entry.entry, created_at=NOW + timedelta(hours=1)),
    )
    five = candidate("rdv-5w", weeks=5)
    too_early = candidate("rdv-0", weeks=0.5)
    chosen = choose(FREED, MOTIF, [early, too_early, also_5w_later_entry, five, latest], NOW)
    assert [c.rdv.id for c in chosen] == ["rdv-6w", "rdv-5w", "rdv-5w-b", "rdv-3w"]
    assert DEFAULT_RULES.offers_per_slot == 3


def test_offers_wait_for_eight_in_the_quiet_hours():
    evening = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 21:30 in Paris
    assert offer_time(evening, PARIS) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    assert offer_time(NOW, PARIS) == NOW
    early = datetime(2026, 11, 24, 6, 59, tzinfo=UTC)  # 7:59 in Paris
    assert offer_time(early, PARIS) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)


def test_quiet_hours_follow_paris_time_across_daylight_saving():
    summer_evening = datetime(2027, 3, 28, 18, 30, tzinfo=UTC)  # 20:30 in Paris (UTC+2)
    assert offer_time(summer_evening, PARIS) == datetime(2027, 3, 29, 6, 0, tzinfo=UTC)


def test_the_daily_limit_counts_paris_days():
    assert offer_day(datetime(2026, 11, 23, 23, 30, tzinfo=UTC), PARIS) == date(2026, 11, 24)
    assert offer_day(NOW, PARIS) == date(2026, 11, 23)


def test_a_cancellation_or_a_move_frees_its_old_time():
    rdv = candidate("rdv-b", weeks=1).rdv
    cancelled = set_status(rdv, RdvStatus.EXCUSED, NOW, BY_USAGER)
    assert freed_by(cancelled) == FreedSlot("org-1", "m30", "lieu-1", rdv.starts_at, "rdv-b")
    moved = move(rdv, rdv.starts_at - timedelta(days=3), rdv.agent_id, NOW, BY_USAGER)
    assert freed_by(moved).starts_at == rdv.starts_at
    assert leaves_waiting_list(cancelled) and leaves_waiting_list(moved)
    later = move(rdv, rdv.starts_at + timedelta(days=3), rdv.agent_id, NOW, BY_USAGER)
    assert not leaves_waiting_list(later)


def test_a_past_rdv_or_a_seen_mark_frees_nothing_offered():
    rdv = candidate("rdv-b", weeks=1).rdv
    assert freed_by(set_status(rdv, RdvStatus.SEEN, NOW, "agent-1")) is None
    assert freed_by(set_status(rdv, RdvStatus.EXCUSED, rdv.starts_at, BY_USAGER)) is None


def test_three_usagers_at_most_and_one_who_had_their_offer_of_the_day_is_skipped():
    chosen = [candidate(f"rdv-{n}", weeks=6 - n * 0.1) for n in range(5)]
    had_one_today = {"rdv-1"}
    asked = []

    def offer(c):
        asked.append(c.rdv.id)
        return c.rdv.id not in had_one_today

    offered = first_offers(chosen, offer, DEFAULT_RULES.offers_per_slot)
    assert [c.rdv.id for c in offered] == ["rdv-0", "rdv-2", "rdv-3"]
    assert asked == ["rdv-0", "rdv-1", "rdv-2", "rdv-3"]  # rdv-4 is not even asked


def test_the_sweep_runs_every_quarter_of_an_hour_day_and_night():
    """Each organisation sets its own quiet hours: the schedule cannot know them, the
    sweep skips an organisation in them."""
    from app import app
    from devtools.scheduler import cron_matches, schedules_of

    [sweep] = [s for s in schedules_of(app) if s.name == "waiting_list_sweep"]
    fields = sweep.expression[len("cron(") : -1]
    for hour in (0, 3, 8, 12, 19, 21, 23):
        for minute in (0, 15, 30, 45):
            assert cron_matches(fields, datetime(2026, 11, 23, hour, minute, tzinfo=UTC))
    assert not cron_matches(fields, datetime(2026, 11, 23, 8, 5, tzinfo=UTC))


def test_quiet_hours_are_the_organisations_and_may_end_the_same_day_or_not_exist():
    late = replace(DEFAULT_RULES, quiet_from=time(21, 0), quiet_until=time(7, 0))
    evening = datetime(2026, 11, 23, 19, 30, tzinfo=UTC)  # 20:30 in Paris
    assert offer_time(evening, PARIS, late) == evening
    assert offer_time(evening, PARIS) == datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
    lunch = replace(DEFAULT_RULES, quiet_from=time(12, 0), quiet_until=time(14, 0))
    noon = datetime(2026, 11, 23, 11, 30, tzinfo=UTC)  # 12:30 in Paris
    assert offer_time(noon, PARIS, lunch) == datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    assert offer_time(evening, PARIS, lunch) == evening
    never = replace(DEFAULT_RULES, quiet_from=time(0, 0), quiet_until=time(0, 0))
    assert offer_time(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), PARIS, never).hour == 2


def test_the_minimum_notice_is_the_organisations():
    c = candidate()
    in_three_days = replace(c, rdv=replace(c.rdv, starts_at=FREED_AT + timedelta(days=3)))
    now = FREED_AT - timedelta(days=1)  # the rdv is 4 days away
    assert is_eligible(FREED, MOTIF, in_three_days.entry, in_three_days.rdv, now)
    five_days = replace(DEFAULT_RULES, min_notice_days=5)
    assert not is_eligible(FREED, MOTIF, in_three_days.entry, in_three_days.rdv, now, five_days)


def test_an_offers_round_counts_waking_hours_only():
    morning = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 10:00 in Paris
    assert round_ends_at(morning, PARIS) == morning + timedelta(hours=2)
    evening = datetime(2026, 11, 23, 18, 50, tzinfo=UTC)  # 19:50 in Paris
    # 10 minutes that evening, then 1 h 50 from 8:00: 9:50 the next morning.
    assert round_ends_at(evening, PARIS) == datetime(2026, 11, 24, 8, 50, tzinfo=UTC)
    never = replace(DEFAULT_RULES, quiet_from=time(0, 0), quiet_until=time(0, 0))
    assert round_ends_at(evening, PARIS, never) == evening + timedelta(hours=2)
    # Across the change to summer time (29 March 2027: 8:00 Paris is 6:00 UTC).
    spring = datetime(2027, 3, 28, 18, 30, tzinfo=UTC)  # 20:30 Paris, in the quiet hours
    assert round_ends_at(spring, PARIS) == datetime(2027, 3, 29, 8, 0, tzinfo=UTC)
