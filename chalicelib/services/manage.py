"""What an usager does through the private link: read, cancel, move their rdv, and
choose how they are told. Each change is one attempt on the one write path."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.domain.changes import BY_USAGER, move, set_contact, set_status
from chalicelib.domain.errors import (
    Busy,
    CancellationTooLate,
    LinkExpired,
    NotFound,
    RateLimited,
    RdvNotChangeable,
    SlotTaken,
    UnknownLink,
)
from chalicelib.domain.models import Motif, Organisation, Rdv, RdvStatus
from chalicelib.domain.policies import manage_link_expired, moves_by_within, usager_can_change
from chalicelib.services.availability import next_slots, slot_at, tz_of
from chalicelib.services.rate_limits import person_limit_reached, person_limits
from chalicelib.services.tokens import hash_token
from chalicelib.services.views import (
    ManagedRdv,
    contact_of,
    managed_rdv,
)
from chalicelib.services.write_path import Committed, Proposal, propose, write
from chalicelib.store import Store
from chalicelib.store.errors import LimitReached

BUSY = "Le rendez-vous n’a pas pu être modifié. Réessayez dans un instant."


def _rdv_of_token(store: Store, token: str, now: datetime) -> Rdv:
    if not token or len(token) > 64:
        raise UnknownLink()
    rdv = store.rdvs.get_by_token_hash(hash_token(token))
    if rdv is None:
        raise UnknownLink()
    if manage_link_expired(rdv, now):
        raise LinkExpired(
            "Ce lien n’est plus valable : le rendez-vous est passé depuis plus de 30 jours."
        )
    return rdv


def rdv_for_token(store: Store, token: str, now: datetime) -> ManagedRdv:
    rdv = _rdv_of_token(store, token, now)
    view = managed_rdv(store, rdv, contact_of(store, rdv), now)
    return replace(view, on_waiting_list=store.waiting_list.get(rdv.id) is not None)


def set_preferences(store: Store, token: str, sms: bool, email: bool, now: datetime) -> ManagedRdv:
    """Opt in or out of SMS and e-mails about this rdv (checked before every send).
    France's alphanumeric senders cannot receive STOP: this link is the way to stop
    them. It changes this rdv's contact only, never an usager's record."""
    read = _rdv_of_token(store, token, now)

    def attempt(number: int) -> Proposal:
        rdv = _fresh(store, read, number)
        contact = contact_of(store, rdv)
        if contact is None:
            raise NotFound("Ce rendez-vous n’a pas de coordonnées à modifier.")
        chosen = replace(contact, notify_sms=sms, notify_email=email)
        proposal = propose(store, set_contact(rdv, chosen, now, BY_USAGER), ())
        assert proposal is not None  # no time taken
        return proposal

    outcome = write(store, attempt, _busy)
    return managed_rdv(store, outcome.rdv, outcome.rdv.contact, now)


def cancel_by_usager(store: Store, token: str, now: datetime) -> ManagedRdv:
    """Status `excused`, time recorded, the slot bookable again at once. Cancelling an
    already cancelled rdv is not an error (a double tap, a retried POST)."""
    read = _rdv_of_token(store, token, now)
    contact = contact_of(store, read)

    def attempt(number: int) -> Proposal | Rdv:
        rdv = _fresh(store, read, number)
        if rdv.status is RdvStatus.EXCUSED:
            return rdv
        motif = _changeable(store, rdv, now)
        change = set_status(rdv, RdvStatus.EXCUSED, now, BY_USAGER)
        proposal = propose(store, change, motif.reminder_offsets_minutes)
        assert proposal is not None  # freeing a time always fits
        return proposal

    outcome = write(store, attempt, _busy)
    rdv = outcome.rdv if isinstance(outcome, Committed) else outcome
    return managed_rdv(store, rdv, contact, now)


def move_by_usager(store: Store, token: str, new_starts_at: datetime, now: datetime) -> ManagedRdv:
    """Move to another slot of the same motif (and lieu): the new time is taken and
    the old one freed in one transaction."""
    read = _rdv_of_token(store, token, now)
    contact = contact_of(store, read)
    lieu = store.catalogue.get_lieu(read.lieu_id) if read.lieu_id else None

    def attempt(number: int) -> Proposal | Rdv | None:
        rdv = _fresh(store, read, number)
        motif = _changeable(store, rdv, now)
        if rdv.starts_at == new_starts_at:
            return rdv  # already there (a double tap)
        if moves_by_within(rdv, BY_USAGER, now, timedelta(days=1)) >= moves_a_day:
            raise _too_many_moves(store, rdv, moves_a_day)
        slot = slot_at(store, motif, lieu, new_starts_at, now, ignore_rdv_id=rdv.id)
        agents = sorted(slot.agent_ids, key=lambda a: a != rdv.agent_id) if slot else []
        contact = contact_of(store, rdv)
        limits = ()
        if contact is not None:
            phone = contact.phone if contact.notify_sms else None
            email = contact.email if contact.notify_email else None
            limits = person_limits(store, phone, email, now)
        for agent_id in agents:  # the same agent first
            change = move(rdv, new_starts_at, agent_id, now, BY_USAGER)
            proposal = propose(store, change, motif.reminder_offsets_minutes, limits=limits)
            if proposal is not None:
                return proposal
        return None

    moves_a_day = store.settings.moves_per_rdv_per_day
    try:
        outcome = write(store, attempt, _busy)
    except LimitReached as reached:
        raise person_limit_reached(reached.limit) from None
    if outcome is None:
        motif = store.catalogue.get_motif(read.motif_id)
        day = new_starts_at.astimezone(tz_of(store)).date()
        raise SlotTaken(next_slots=next_slots(store, motif, lieu, day, now) if motif else [])
    rdv = outcome.rdv if isinstance(outcome, Committed) else outcome
    return managed_rdv(store, rdv, contact, now)


def _fresh(store: Store, read: Rdv, number: int) -> Rdv:
    """The rdv as the attempt decides on it: as just read on the first attempt, read
    again after a conflict."""
    if number == 0:
        return read
    rdv = store.rdvs.get(read.id)
    if rdv is None:
        raise UnknownLink()
    return rdv


def _changeable(store: Store, rdv: Rdv, now: datetime) -> Motif:
    """The rdv's motif, if the usager may still cancel or move the rdv online."""
    motif = store.catalogue.get_motif(rdv.motif_id)
    organisation = store.catalogue.get_organisation(rdv.organisation_id)
    if motif is None or organisation is None:
        raise UnknownLink()
    if rdv.status is not RdvStatus.UNKNOWN:
        raise RdvNotChangeable()
    if not usager_can_change(rdv, motif, now):
        raise _too_late(organisation)
    return motif


def _too_late(organisation: Organisation) -> CancellationTooLate:
    return CancellationTooLate(
        "Il est trop tard pour annuler ou déplacer ce rendez-vous en ligne. Appelez "
        f"{organisation.name} au {organisation.phone}."
    )


def _too_many_moves(store: Store, rdv: Rdv, moves: int) -> RateLimited:
    organisation = store.catalogue.get_organisation(rdv.organisation_id)
    call = f"appelez {organisation.name} au {organisation.phone}" if organisation else "appelez"
    return RateLimited(
        f"Ce rendez-vous a déjà été déplacé {moves} fois en 24 heures. Pour le déplacer "
        f"encore, {call}."
    )


def _busy() -> None:
    raise Busy(BUSY)


def calendar_for_token(store: Store, token: str, now: datetime) -> bytes:
    """The rdv as an .ics file (a cancelled one as METHOD:CANCEL). It names the site,
    never the private link: calendars are shared and synced."""
    from chalicelib.notify.email import mailbox
    from chalicelib.notify.ics import rdv_calendar

    managed = rdv_for_token(store, token, now)
    return rdv_calendar(
        managed.rdv,
        managed.motif,
        managed.organisation,
        managed.service,
        managed.lieu,
        store.settings.base_url,
        now,
        cancelled=not managed.rdv.status.blocks_time,
        organizer_email=mailbox(store.settings.email_sender).addr_spec,
    )
