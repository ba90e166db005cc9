"""File d'attente: who is offered a freed slot, when, and until when.

When time frees up (a cancellation, a move, a revocation), the usagers on the waiting
list of that motif (at that lieu) whose rdv is later than the freed slot may be offered
it. These rules are pure: the store finds the entries by query, the service reads
their rdvs and the organisation's limits (`WaitingListRules`), and these functions
decide. Time is a parameter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.changes import ChangeKind, RdvChange
from chalicelib.domain.models import Motif, Rdv, RdvStatus, WaitingListEntry, WaitingListRules

# The limits of an organisation that has not set its own, unless the deployment's
# settings say otherwise: no offer from 20:00 to 8:00, 3 usagers offered a slot at once,
# only rdvs at least 2 days away (a rdv in two days is soon enough, and moving it would
# leave its own time too close to be offered in turn), one offer a day per person.
DEFAULT_RULES = WaitingListRules()
# An offer not taken within this time (out of the quiet hours: `round_ends_at`) no longer
# holds its place among the usagers a slot is offered to at once: the next sweep offers
# the slot to the next ones.
OFFER_ROUND = timedelta(hours=2)


@dataclass(frozen=True, slots=True)
class FreedSlot:
    """A time a rdv no longer holds (its motif, lieu and start)."""

    organisation_id: str
    motif_id: str
    lieu_id: str | None
    starts_at: datetime  # UTC
    freed_by_rdv_id: str  # the rdv that held it (never offered its own old time)


@dataclass(frozen=True, slots=True)
class Candidate:
    entry: WaitingListEntry
    rdv: Rdv


def offer_ends_at(freed: FreedSlot, motif: Motif) -> datetime:
    """The last moment the slot may be offered or accepted: the motif's minimum
    booking delay before it."""
    return freed.starts_at - timedelta(minutes=motif.min_booking_delay_minutes)


def still_offerable(freed: FreedSlot, motif: Motif, now: datetime) -> bool:
    return now < offer_ends_at(freed, motif)


def is_eligible(
    freed: FreedSlot,
    motif: Motif,
    entry: WaitingListEntry,
    rdv: Rdv,
    now: datetime,
    rules: WaitingListRules = DEFAULT_RULES,
) -> bool:
    """Whether the rdv on the waiting list may be offered the freed slot now: the same
    motif, an upcoming rdv still on, later than the slot and at least the rules'
    `min_notice_days` away, the slot still far enough (the motif's minimum delay), and
    at that lieu (or any lieu of the MDS when the usager said so)."""
    if rdv.id == freed.freed_by_rdv_id or entry.id != rdv.id:
        return False
    if rdv.motif_id != freed.motif_id or rdv.organisation_id != freed.organisation_id:
        return False
    if not entry.any_lieu and entry.lieu_id != freed.lieu_id:
        return False
    if rdv.lieu_id is not None and freed.lieu_id is None:
        return False
    if rdv.status is not RdvStatus.UNKNOWN:
        return False
    if rdv.starts_at <= freed.starts_at:
        return False
    if rdv.starts_at - now < timedelta(days=rules.min_notice_days):
        return False
    if entry.wanted_before is not None and freed.starts_at.date() > entry.wanted_before:
        return False
    return still_offerable(freed, motif, now)


def choose(
    freed: FreedSlot,
    motif: Motif,
    candidates: list[Candidate],
    now: datetime,
    rules: WaitingListRules = DEFAULT_RULES,
) -> list[Candidate]:
    """The eligible candidates, the latest rdv first (who waits longest gains most),
    then first come first served. The caller offers the first `offers_per_slot` it may
    message (some may have had their offers of the day)."""
    eligible = [c for c in candidates if is_eligible(freed, motif, c.entry, c.rdv, now, rules)]
    return sorted(eligible, key=lambda c: (-c.rdv.starts_at.timestamp(), c.entry.created_at))


def first_offers(
    chosen: list[Candidate], offer: Callable[[Candidate], bool], limit: int
) -> list[Candidate]:
    """Offer to the chosen candidates in their order until `limit` got it: `offer`
    says whether one was offered (False: it may not be messaged, e.g. it had its
    offer of the day), and then the next one is tried."""
    offered: list[Candidate] = []
    for candidate in chosen:
        if len(offered) >= limit:
            break
        if offer(candidate):
            offered.append(candidate)
    return offered


def in_quiet_hours(at: datetime, tz: ZoneInfo, rules: WaitingListRules = DEFAULT_RULES) -> bool:
    """Whether `at` is in the rules' quiet hours (local time; they may span midnight)."""
    start, end = rules.quiet_from, rules.quiet_until
    local = at.astimezone(tz).time()
    if start == end:
        return False
    if start < end:
        return start <= local < end
    return local >= start or local < end


def offer_time(now: datetime, tz: ZoneInfo, rules: WaitingListRules = DEFAULT_RULES) -> datetime:
    """When an offer may go: now, or the end of the quiet hours (local time) when now
    is in them, in `now`'s zone."""
    if not in_quiet_hours(now, tz, rules):
        return now
    local = now.astimezone(tz)
    day = local.date() if local.time() < rules.quiet_until else local.date() + timedelta(days=1)
    return datetime.combine(day, rules.quiet_until, tzinfo=tz).astimezone(now.tzinfo)


def round_ends_at(
    made_at: datetime, tz: ZoneInfo, rules: WaitingListRules = DEFAULT_RULES
) -> datetime:
    """When an offer made at `made_at` has had OFFER_ROUND of waking time (the quiet
    hours do not count: an offer made at 19:50 holds until 9:50 the next morning)."""
    left, at = OFFER_ROUND, offer_time(made_at, tz, rules)
    for _ in range(48):  # each turn crosses one quiet period: a few at most
        if rules.quiet_from == rules.quiet_until:
            break
        local = at.astimezone(tz)
        start = datetime.combine(local.date(), rules.quiet_from, tzinfo=tz)
        if start <= local:
            start = datetime.combine(local.date() + timedelta(days=1), rules.quiet_from, tzinfo=tz)
        if at + left <= start:
            break
        left -= start - at
        at = offer_time(start, tz, rules)
    return (at + left).astimezone(made_at.tzinfo)


def offer_day(now: datetime, tz: ZoneInfo) -> date:
    """The local day an offer counts for (one offer message per usager a day)."""
    return now.astimezone(tz).date()


def day_end(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def freed_by(change: RdvChange) -> FreedSlot | None:
    """The upcoming time a change frees (a cancellation, a revocation, a no-show mark
    before the time, a move), or None."""
    before, after = change.before, change.after
    if before is None or not before.status.blocks_time or before.starts_at <= change.at:
        return None
    if after.status.blocks_time and after.starts_at == before.starts_at:
        return None  # still held (another agent at the same time frees nothing offered)
    return FreedSlot(
        organisation_id=before.organisation_id,
        motif_id=before.motif_id,
        lieu_id=before.lieu_id,
        starts_at=before.starts_at,
        freed_by_rdv_id=before.id,
    )


def leaves_waiting_list(change: RdvChange) -> bool:
    """A rdv leaves the waiting list once cancelled or moved earlier."""
    before, after = change.before, change.after
    if before is None:
        return False
    if not after.status.blocks_time:
        # Once, when cancelled (a later change of a cancelled rdv, an e-mail bounce say,
        # has nothing to remove).
        return before.status.blocks_time
    return change.kind is ChangeKind.MOVED and after.starts_at < before.starts_at
