"""SMS parts a rdv costs over its life: the confirmation, its reminders and one move.

The life is played with the domain's rules and the real texts (each rendered when it
is sent, as the queue's consumer does): the reminder plan at booking, the reminders sent
before the move, the move's SMS, the plan made again after the move. Typical rdv: booked
10 days ahead, reminders 48 h and 24 h before, moved once, 3 days after booking, to a
week later. Run with `-s` (or `bench/bench_sms_parts.py`) to see the figures."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from chalicelib.domain.models import NotificationEvent, Rdv
from chalicelib.domain.policies import usager_can_change
from chalicelib.domain.reminders import plan_reminders, reminders_after_move
from chalicelib.domain.sms import sms_parts
from chalicelib.notify.messages import RdvFacts, sms_text
from tests import factories as f

PARIS = ZoneInfo("Europe/Paris")
DAY = 24 * 60
OFFSETS = (2 * DAY, DAY)
BOOKED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 9:00 Paris
STARTS_AT = BOOKED_AT + timedelta(days=10)  # Thursday 3 December, 9:00 Paris
BASE = "https://rdv-solidarites.pasdecalais.fr"


@dataclass(frozen=True)
class Move:
    at: datetime
    to: datetime


def sms_of_a_life(
    move: Move | None,
    *,
    move_rule: bool,
    base: str = BASE,
    booked_at: datetime = BOOKED_AT,
    starts_at: datetime = STARTS_AT,
) -> list[tuple[datetime, str]]:
    """(when, text) of every SMS the rdv's contact gets, in order."""
    motif = f.motif(reminder_offsets_minutes=OFFSETS)
    rdv = f.rdv(starts_at=starts_at, created_at=booked_at)
    sent = [(booked_at, _text(NotificationEvent.RDV_CREATED, rdv, motif, booked_at, base))]
    plan = plan_reminders(rdv, OFFSETS, booked_at, PARIS)
    if move is not None:
        for reminder in plan:
            if reminder.due_at <= move.at:
                sent.append((reminder.due_at, _reminder(rdv, motif, reminder.due_at, base)))
        rdv = replace(rdv, starts_at=move.to, sequence=rdv.sequence + 1)
        sent.append((move.at, _text(NotificationEvent.RDV_DATE_UPDATED, rdv, motif, move.at, base)))
        plan = plan_reminders(rdv, OFFSETS, move.at, PARIS)
        if move_rule:
            plan = reminders_after_move(plan, move.at)
    for reminder in plan:
        sent.append((reminder.due_at, _reminder(rdv, motif, reminder.due_at, base)))
    return sent


def parts(life: list[tuple[datetime, str]]) -> int:
    return sum(sms_parts(text) for _, text in life)


def _reminder(rdv: Rdv, motif, at: datetime, base: str) -> str:
    return _text(NotificationEvent.RDV_UPCOMING_REMINDER, rdv, motif, at, base)


def _text(event: NotificationEvent, rdv: Rdv, motif, at: datetime, base: str) -> str:
    facts = RdvFacts(
        service="PMI",
        organisation="MDS Calais II",
        organisation_phone="03 21 00 62 10",
        starts_at=rdv.starts_at,
        duration=rdv.duration_minutes,
        where="MDS Calais II – site principal",
        where_full="MDS Calais II – site principal, 4 rue de la Solidarité, 62100 Calais",
        manage_url=f"{base}/r/AbCdEfGhIjKlMnOpQrStUv",
        rebook_url=f"{base}/mds/mds-calais-2",
        can_cancel_online=usager_can_change(rdv, motif, at),
        sent_at=at,
    )
    return sms_text(event, facts)


TYPICAL_MOVE = Move(at=BOOKED_AT + timedelta(days=3), to=STARTS_AT + timedelta(days=7))


def test_a_typical_rdv_moved_once_costs_3_sms_parts_instead_of_4():
    before = sms_of_a_life(TYPICAL_MOVE, move_rule=False)
    after = sms_of_a_life(TYPICAL_MOVE, move_rule=True)
    print(f"\nSMS parts, rdv booked 10 days ahead, reminders 48 h and 24 h, one move: "
          f"{parts(before)} without the move rule, {parts(after)} with it")  # fmt: skip
    assert parts(before) == 4
    assert parts(after) == 3
    texts = [text for _, text in after]
    assert texts[0].startswith("RDV PMI confirmé le jeu. 03/12 à 9h00")
    assert texts[1].startswith("RDV PMI déplacé au jeu. 10/12 à 9h00")
    assert texts[2].startswith("Rappel : RDV PMI demain jeu. 10/12 à 9h00")


def test_without_a_move_a_rdv_costs_3_parts_and_with_a_60_character_base_url_too():
    for base in (BASE, "https://rendez-vous-solidarites.departement-pas-de-calais.fr"):
        assert parts(sms_of_a_life(None, move_rule=True, base=base)) == 3
        assert parts(sms_of_a_life(TYPICAL_MOVE, move_rule=True, base=base)) == 3


def test_a_move_at_any_time_before_the_first_reminder_costs_at_most_3_parts():
    """Moved any hour from the booking to the first reminder, to 1 to 14 days later."""
    worst = 0
    first_reminder = STARTS_AT - timedelta(days=2)
    at = BOOKED_AT + timedelta(hours=1)
    while at < first_reminder:
        for days in range(1, 15):
            life = sms_of_a_life(Move(at, STARTS_AT + timedelta(days=days)), move_rule=True)
            worst = max(worst, parts(life))
        at += timedelta(hours=5)
    assert worst == 3


def test_a_move_made_after_the_first_reminder_costs_4_parts_not_5():
    """The reminder two days before prompts the move (an hour later, to a week later):
    that reminder was already sent, and the new date still gets its day-before one."""
    move = Move(STARTS_AT - timedelta(days=2, hours=-1), STARTS_AT + timedelta(days=7))
    assert parts(sms_of_a_life(move, move_rule=False)) == 5
    assert parts(sms_of_a_life(move, move_rule=True)) == 4


def test_the_sms_of_a_typical_life_are_at_least_12_hours_apart():
    life = sms_of_a_life(TYPICAL_MOVE, move_rule=True)
    times = sorted(at for at, _ in life)
    assert all(b - a >= timedelta(hours=12) for a, b in pairwise(times))
