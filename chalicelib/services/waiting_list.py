"""File d'attente: « Prévenez-moi si un créneau plus tôt se libère ».

An usager joins at booking (or from the private link) for that rdv: one entry per rdv,
keyed by its id. When a change frees upcoming time (a cancellation, a revocation, a
move), the write path's announce step queues a `slot_freed` message; the queue's
consumer finds the entries of that motif and lieu by Query, keeps the eligible ones
(`domain.waiting_list`), and offers the slot to the first few it may message, within the
organisation's limits (`rules_of`: its own, or the settings' defaults): so many usagers
a slot at once, so many offers a day per person, none in the quiet hours (the message
waits for their end). Who has not answered within OFFER_ROUND no longer counts against
the slot: the next sweep offers it to the next ones.
Each offer is a private link (stored hashed, valid until the motif's minimum delay
before the slot); its page shows both times and a GET changes nothing; its POST moves
the rdv on the one write path, if the slot is still free. The rdv's old time is then
freed, and offered in turn."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.changes import BY_USAGER, RdvChange, move
from chalicelib.domain.errors import Busy, LinkExpired, RdvNotChangeable, SlotTaken, UnknownLink
from chalicelib.domain.models import (
    Lieu,
    NotificationReceipt,
    PlageOuverture,
    Rdv,
    RdvStatus,
    WaitingListEntry,
    WaitingListRules,
    WaitingOffer,
)
from chalicelib.domain.waiting_list import (
    Candidate,
    FreedSlot,
    choose,
    first_offers,
    freed_by,
    in_quiet_hours,
    leaves_waiting_list,
    offer_ends_at,
    offer_time,
    round_ends_at,
    still_offerable,
)
from chalicelib.services import manage
from chalicelib.services.availability import horizon, slot_at, slots_between, tz_of
from chalicelib.services.rate_limits import offer_of_the_day
from chalicelib.services.tokens import hash_token, offer_token
from chalicelib.services.views import ManagedRdv, contact_of, managed_rdv
from chalicelib.services.write_path import Committed, Proposal, propose, write
from chalicelib.settings import Settings
from chalicelib.store import Store

log = logging.getLogger(__name__)

SLOT_FREED = "slot_freed"  # the queue message's kind
SWEEP_MARGIN_MS = 20_000  # the sweep stops with this much time left (the next goes on)
TAKEN = "Ce créneau a déjà été pris. Votre rendez-vous n’a pas changé."
EXPIRED = "Cette proposition n’est plus valable : le créneau est trop proche."


class OfferTaken(SlotTaken):
    message = TAKEN


# --- the organisation's limits ------------------------------------------------------------


def default_rules(settings: Settings) -> WaitingListRules:
    """The limits of organisations that have not set their own: the settings'."""
    quiet_from, quiet_until = settings.waiting_list_quiet_times
    return WaitingListRules(
        quiet_from=quiet_from,
        quiet_until=quiet_until,
        offers_per_slot=settings.waiting_list_offers_per_slot,
        min_notice_days=settings.waiting_list_min_notice_days,
        offers_per_person_per_day=settings.waiting_list_offers_per_person_per_day,
    )


def rules_of(store: Store, organisation_id: str) -> WaitingListRules:
    """An organisation's waiting-list limits: its own, or the defaults."""
    organisation = store.catalogue.get_organisation(organisation_id)
    own = organisation.waiting_list_rules if organisation is not None else None
    return own or default_rules(store.settings)


# --- joining and leaving ---------------------------------------------------------------


def join(store: Store, rdv: Rdv, now: datetime, any_lieu: bool = False) -> None:
    """Put the rdv on the waiting list of its motif at its lieu, or at any lieu of the
    MDS (idempotent)."""
    store.waiting_list.save(
        WaitingListEntry(
            id=rdv.id,
            organisation_id=rdv.organisation_id,
            motif_id=rdv.motif_id,
            lieu_id=rdv.lieu_id,
            usager_id=rdv.usager_ids[0] if rdv.usager_ids else "",
            created_at=now,
            expires_at=rdv.expires_at,
            any_lieu=any_lieu and rdv.lieu_id is not None,
        )
    )


def is_waiting(store: Store, rdv_id: str) -> bool:
    return store.waiting_list.get(rdv_id) is not None


def set_waiting(store: Store, token: str, waiting: bool, now: datetime) -> ManagedRdv:
    """Join or leave the waiting list from the private link (one click each)."""
    view = manage.rdv_for_token(store, token, now)
    if waiting and view.rdv.status is RdvStatus.UNKNOWN and now < view.rdv.starts_at:
        join(store, view.rdv, now)
    elif not waiting:
        store.waiting_list.delete(view.rdv.id)
    return manage.rdv_for_token(store, token, now)


# --- what the write path calls after a commit -----------------------------------------------


def after_change(store: Store, change: RdvChange) -> None:
    """Drop the entry of a rdv cancelled or moved earlier; queue the time it frees.
    Failures are logged, not raised: the change is committed."""
    from chalicelib.notify import queue

    try:
        if leaves_waiting_list(change):
            store.waiting_list.delete(change.after.id)
        freed = freed_by(change)
        # No message when nobody waits for that motif there (most changes).
        if freed is not None and store.waiting_list.anyone_waiting(freed.motif_id, freed.lieu_id):
            queue.enqueue(store.settings, [freed_message(freed)])
    except Exception:
        log.exception("waiting list after the change of rdv %s", change.after.id)


def freed_message(freed: FreedSlot) -> dict[str, Any]:
    return {
        "kind": SLOT_FREED,
        "organisation_id": freed.organisation_id,
        "motif_id": freed.motif_id,
        "lieu_id": freed.lieu_id,
        "starts_at": freed.starts_at.isoformat(),
        "freed_by": freed.freed_by_rdv_id,
    }


def _freed(message: dict[str, Any]) -> FreedSlot:
    return FreedSlot(
        organisation_id=message["organisation_id"],
        motif_id=message["motif_id"],
        lieu_id=message.get("lieu_id"),
        starts_at=datetime.fromisoformat(message["starts_at"]),
        freed_by_rdv_id=message.get("freed_by", ""),
    )


# --- the daytime sweep -----------------------------------------------------------------------


@dataclass(frozen=True)
class SweepResult:
    queued: int  # slot_freed messages queued
    finished: bool  # False: the time ran out, the next sweep goes on


def sweep_free_time(store: Store, now: datetime, time_left: Callable[[], int]) -> SweepResult:
    """Time freed by setup changes (a new plage, a shortened absence) frees no rdv, so
    no change queues it: every 15 minutes, for each organisation out of its quiet hours,
    for each motif and lieu its entries wait for (every open lieu of the MDS for those
    who said any lieu), the free slots earlier than the waiting rdvs (from tomorrow on)
    are found by the slot engine and queued as `slot_freed`, the earliest first, no more
    slots than usagers who may take them. The consumer makes each offer once and sends
    each of its messages once (receipts keyed by the slot), within the daily limit: a
    second sweep queues the same slots again and sends nothing twice, until an offer
    has gone unanswered for OFFER_ROUND and the slot goes to the next usagers."""
    from chalicelib.notify import queue

    tz = tz_of(store)
    rules: dict[str, WaitingListRules] = {}
    lieux: dict[str, list[str]] = {}
    groups: dict[tuple[str, str, str | None], list[WaitingListEntry]] = {}
    for entry in store.waiting_list.all_entries():
        org = entry.organisation_id
        if org not in rules:
            rules[org] = rules_of(store, org)
        if in_quiet_hours(now, tz, rules[org]):
            continue
        places = [entry.lieu_id]
        if entry.any_lieu:
            if org not in lieux:
                every = store.catalogue.lieux_of_organisation(org)
                lieux[org] = [lieu.id for lieu in every if not lieu.archived]
            places += [lieu_id for lieu_id in lieux[org] if lieu_id != entry.lieu_id]
        for lieu_id in places:
            groups.setdefault((org, entry.motif_id, lieu_id), []).append(entry)
    queued = 0
    for (org, motif_id, lieu_id), entries in groups.items():
        if time_left() < SWEEP_MARGIN_MS:
            return SweepResult(queued, False)
        messages = _earlier_free_slots(store, motif_id, lieu_id, entries, now, rules[org])
        if messages:
            queue.enqueue(store.settings, messages)
            queued += len(messages)
    return SweepResult(queued, True)


def after_planning_change(
    store: Store, organisation_id: str, plages: list[PlageOuverture], now: datetime
) -> int:
    """A plage saved, an absence edited or removed may free time no rdv held: at once,
    rather than at the next sweep, the earlier free slots of those plages' motifs at
    their lieux are queued for whoever waits there (the sweep would find the same; the
    consumer offers each once). Nothing in the organisation's quiet hours: the sweep
    goes on at their end. Returns the messages queued; failures are logged, not
    raised: the change is saved."""
    from chalicelib.notify import queue

    try:
        rules = rules_of(store, organisation_id)
        if in_quiet_hours(now, tz_of(store), rules):
            return 0
        places = {
            (motif_id, plage.lieu_id)
            for plage in plages
            if plage.organisation_id == organisation_id
            for motif_id in plage.motif_ids
        }
        queued = 0
        for motif_id, lieu_id in sorted(places, key=lambda place: (place[0], place[1] or "")):
            entries = store.waiting_list.waiting_for(motif_id, lieu_id)
            mine = [e for e in entries if e.organisation_id == organisation_id]
            if not mine:
                continue
            messages = _earlier_free_slots(store, motif_id, lieu_id, mine, now, rules)
            if messages:
                queue.enqueue(store.settings, messages)
                queued += len(messages)
        return queued
    except Exception:
        log.exception("waiting list after a planning change in %s", organisation_id)
        return 0


def _earlier_free_slots(
    store: Store,
    motif_id: str,
    lieu_id: str | None,
    entries: list[WaitingListEntry],
    now: datetime,
    rules: WaitingListRules,
) -> list[dict[str, Any]]:
    motif = store.catalogue.get_motif(motif_id)
    lieu = store.catalogue.get_lieu(lieu_id) if lieu_id else None
    if motif is None or motif.archived or (lieu is not None and lieu.archived):
        return []  # no new booking there
    candidates = []
    for entry in entries:
        rdv = store.rdvs.get(entry.id)
        if rdv is not None and rdv.status is RdvStatus.UNKNOWN and rdv.starts_at > now:
            candidates.append(Candidate(entry, rdv))
    if not candidates:
        return []
    tz = tz_of(store)
    latest = max(c.rdv.starts_at for c in candidates)
    # From tomorrow on: today's free time is cut at "now + the minimum delay", so its
    # slots start on a grid that moves with the clock (an offer's slot would be gone a
    # minute later), and it is too close to plan a move for.
    first_day = now.astimezone(tz).date() + timedelta(days=1)
    last_day = min(latest.astimezone(tz).date(), horizon(motif, now, tz))
    messages, waiting = [], len(candidates)
    slots = slots_between(store, motif, lieu, first_day, last_day, now)
    for slot in sorted(slots, key=lambda s: s.starts_at):
        if len(messages) >= waiting:
            break
        freed = FreedSlot(
            organisation_id=motif.organisation_id,
            motif_id=motif.id,
            lieu_id=lieu_id,
            starts_at=slot.starts_at,
            freed_by_rdv_id="",
        )
        if choose(freed, motif, candidates, now, rules):
            messages.append(freed_message(freed))
    return messages


# --- the queue's consumer ----------------------------------------------------------------------


def offer_freed_slot(
    store: Store, message: dict[str, Any], now: datetime, attempt: int, senders: Any
) -> list[NotificationReceipt]:
    """Offer a freed slot to the waiting list, at most the organisation's
    `offers_per_slot` usagers at once, the latest rdvs first. Idempotent: an offer is
    made once (conditional put), each send claimed once (receipts), so a redelivered
    message sends nothing twice."""
    from chalicelib.notify import queue

    freed = _freed(message)
    motif = store.catalogue.get_motif(freed.motif_id)
    if motif is None or not still_offerable(freed, motif, now):
        return []
    tz = tz_of(store)
    rules = rules_of(store, freed.organisation_id)
    morning = offer_time(now, tz, rules)
    if morning > now:
        # Quiet hours: the message comes back (SQS delays 15 minutes at most) until they
        # end, if the slot is still worth offering then.
        if still_offerable(freed, motif, morning) and _first_hold(store, message, now):
            wait = (morning - now).total_seconds()
            queue.enqueue(store.settings, [message], delay_seconds=int(min(wait, 900)) + 1)
        return []
    lieu = store.catalogue.get_lieu(freed.lieu_id) if freed.lieu_id else None
    if slot_at(store, motif, lieu, freed.starts_at, now) is None:
        return []  # taken again meanwhile, or no longer bookable
    entries = store.waiting_list.waiting_for(freed.motif_id, freed.lieu_id)
    candidates = []
    for entry in entries:
        rdv = store.rdvs.get(entry.id)
        if rdv is not None:
            candidates.append(Candidate(entry, rdv))
    receipts: list[NotificationReceipt] = []
    ends_at = offer_ends_at(freed, motif)

    def offer(candidate: Candidate) -> bool:
        sent = _offer_to(store, candidate.rdv, freed, ends_at, now, attempt, senders, rules)
        receipts.extend(sent or [])
        return sent is not None

    first_offers(choose(freed, motif, candidates, now, rules), offer, rules.offers_per_slot)
    return receipts


def _first_hold(store: Store, message: dict[str, Any], now: datetime) -> bool:
    """Whether this delivery is the first to hold the message back in this quarter of an
    hour: a message delivered twice (at least once delivery) comes back once, not twice
    each quarter until the morning."""
    quarter = int(now.timestamp()) // 900
    slot = f"{message['motif_id']}#{message.get('lieu_id') or '-'}#{message['starts_at']}"
    window_end = datetime.fromtimestamp((quarter + 1) * 900, tz=now.tzinfo)
    return store.rate_limits.hit(f"slot-freed-hold#{slot}#{quarter}", window_end) == 1


def offer_slot_key(freed: FreedSlot) -> str:
    """What tells two offered slots apart: the same time at two lieux are two offers."""
    return f"{freed.starts_at.isoformat()}@{freed.lieu_id or '-'}"


def _offer_to(
    store: Store,
    rdv: Rdv,
    freed: FreedSlot,
    ends_at: datetime,
    now: datetime,
    attempt: int,
    senders: Any,
    rules: WaitingListRules,
) -> list[NotificationReceipt] | None:
    """Offer the slot to one rdv; None when it may not be messaged (no contact, or its
    offers of the day were made) or was offered this slot more than OFFER_ROUND ago
    without taking it (the slot goes to the next ones)."""
    from chalicelib.services import notifications

    contact = contact_of(store, rdv)
    if contact is None:
        return None
    phone = contact.phone if contact.notify_sms else None
    email = contact.email if contact.notify_email and not contact.email_invalid else None
    if not (phone or email):
        return None
    token = offer_token(rdv.id, offer_slot_key(freed), store.settings.secret_key)
    token_hash = hash_token(token)
    made = store.waiting_list.offer(token_hash)
    if made is not None and now >= round_ends_at(made.created_at, tz_of(store), rules):
        return None  # had its turn (the link still works while the slot is free)
    if made is None:
        # A new offer: counted against the person's offers of the day first.
        if not offer_of_the_day(store, phone, email, now, rules.offers_per_person_per_day):
            return None
        store.waiting_list.add_offer(
            WaitingOffer(
                token_hash=token_hash,
                rdv_id=rdv.id,
                organisation_id=freed.organisation_id,
                motif_id=freed.motif_id,
                lieu_id=freed.lieu_id,
                starts_at=freed.starts_at,
                created_at=now,
                ends_at=ends_at,
            )
        )
    url = f"{store.settings.base_url.rstrip('/')}/o/{token}"
    lieu = store.catalogue.get_lieu(freed.lieu_id) if freed.lieu_id else None
    return notifications.send_offer(
        store, rdv, freed.starts_at, url, now, attempt, senders, offer_slot_key(freed), lieu
    )


# --- the offer's page -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferView:
    offer: WaitingOffer
    managed: ManagedRdv  # the rdv as it is now
    accepted: bool  # the rdv is already at the offered time
    open: bool  # it may still be accepted
    lieu: Lieu | None = None  # where the slot offered is
    taken: bool = False  # someone else took the slot meanwhile
    moved_now: bool = False  # this acceptance moved the rdv (not an earlier click)


def _offer_of_token(store: Store, token: str) -> WaitingOffer:
    if not token or len(token) > 64:
        raise UnknownLink()
    offer = store.waiting_list.offer(hash_token(token))
    if offer is None:
        raise UnknownLink("Ce lien de proposition n’est pas valable.")
    return offer


def offer_for_token(store: Store, token: str, now: datetime) -> OfferView:
    """The offer beside the rdv as it is now. Reads only: a GET changes nothing."""
    offer = _offer_of_token(store, token)
    rdv = store.rdvs.get(offer.rdv_id)
    if rdv is None:
        raise UnknownLink()
    accepted = rdv.starts_at == offer.starts_at and rdv.status is RdvStatus.UNKNOWN
    open_ = (
        not accepted
        and now < offer.ends_at
        and rdv.status is RdvStatus.UNKNOWN
        and rdv.starts_at > offer.starts_at
    )
    view = managed_rdv(store, rdv, contact_of(store, rdv), now)
    lieu = _lieu(store, offer)
    taken = False
    if open_:
        motif = store.catalogue.get_motif(offer.motif_id)
        free = motif and slot_at(store, motif, lieu, offer.starts_at, now, ignore_rdv_id=rdv.id)
        taken = not free
    return OfferView(offer, view, accepted, open_ and not taken, lieu, taken)


def accept_offer(store: Store, token: str, now: datetime) -> OfferView:
    """Move the rdv to the offered slot if it is still free: the new time taken and the
    old one freed in one transaction (and the old one offered in turn). Accepting
    again changes nothing; a slot taken meanwhile is OfferTaken (409)."""
    offer = _offer_of_token(store, token)
    if now >= offer.ends_at:
        raise LinkExpired(EXPIRED)
    motif = store.catalogue.get_motif(offer.motif_id)
    lieu = store.catalogue.get_lieu(offer.lieu_id) if offer.lieu_id else None
    if motif is None:
        raise UnknownLink()

    def attempt(number: int) -> Proposal | Rdv | None:
        rdv = store.rdvs.get(offer.rdv_id)
        if rdv is None:
            raise UnknownLink()
        if rdv.status is not RdvStatus.UNKNOWN:
            raise RdvNotChangeable()
        if rdv.starts_at <= offer.starts_at:
            return rdv  # accepted already (a second click), or already earlier
        slot = slot_at(store, motif, lieu, offer.starts_at, now, ignore_rdv_id=rdv.id)
        agents = sorted(slot.agent_ids, key=lambda a: a != rdv.agent_id) if slot else []
        for agent_id in agents:
            change = move(
                rdv, offer.starts_at, agent_id, now, BY_USAGER, True, lieu_id=offer.lieu_id
            )
            proposal = propose(store, change, motif.reminder_offsets_minutes)
            if proposal is not None:
                return proposal
        return None

    outcome = write(store, attempt, _busy)
    if outcome is None:
        raise OfferTaken()
    rdv = outcome.rdv if isinstance(outcome, Committed) else outcome
    view = managed_rdv(store, rdv, contact_of(store, rdv), now)
    return OfferView(
        offer,
        view,
        accepted=rdv.starts_at == offer.starts_at,
        open=False,
        lieu=_lieu(store, offer),
        moved_now=isinstance(outcome, Committed),
    )


def _lieu(store: Store, offer: WaitingOffer) -> Lieu | None:
    return store.catalogue.get_lieu(offer.lieu_id) if offer.lieu_id else None


def manage_token_of(store: Store, rdv_id: str) -> str:
    """The rdv's own private link (the offer's page leads to it)."""
    from chalicelib.services.tokens import manage_token

    return manage_token(rdv_id, store.settings.secret_key)


def _busy() -> None:
    raise Busy("La proposition n’a pas pu être acceptée. Réessayez dans un instant.")
