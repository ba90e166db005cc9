"""What an usager does through the private link: read, cancel, move their rdv."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from chalicelib.domain.errors import (
    CancellationTooLate,
    LinkExpired,
    NotFound,
    RdvNotChangeable,
    SlotTaken,
)
from chalicelib.domain.models import (
    Lieu,
    Motif,
    NotificationEvent,
    Organisation,
    Rdv,
    RdvStatus,
    Service,
)
from chalicelib.domain.policies import manage_link_expired, usager_can_change
from chalicelib.services import counting, notifications
from chalicelib.services.availability import slots_between, tz_of
from chalicelib.services.booking import next_slots
from chalicelib.services.tokens import hash_token
from chalicelib.store import Store
from chalicelib.store.booking import BookingConflict, BookingRepository

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class ManagedRdv:
    """A rdv as its private link shows it: no name, phone or e-mail."""

    rdv: Rdv
    motif: Motif
    service: Service | None
    organisation: Organisation
    lieu: Lieu | None
    can_change: bool
    preferences: ContactPreferences | None = None


@dataclass(frozen=True)
class ContactPreferences:
    """Which channels the person told about this rdv receives (never the addresses)."""

    usager_id: str
    has_phone: bool
    has_email: bool
    sms: bool
    email: bool


def rdv_for_token(store: Store, token: str, now: datetime) -> ManagedRdv:
    if not token or len(token) > 64:
        raise NotFound("Ce lien de rendez-vous n’est pas valable.")
    rdv = store.rdvs.get_by_token_hash(hash_token(token))
    if rdv is None:
        raise NotFound("Ce lien de rendez-vous n’est pas valable.")
    if manage_link_expired(rdv, now):
        raise LinkExpired(
            "Ce lien n’est plus valable : le rendez-vous est passé depuis plus de 30 jours."
        )
    motif = store.catalogue.get_motif(rdv.motif_id)
    organisation = store.catalogue.get_organisation(rdv.organisation_id)
    if motif is None or organisation is None:
        raise NotFound("Ce lien de rendez-vous n’est pas valable.")
    return ManagedRdv(
        rdv=rdv,
        motif=motif,
        service=store.catalogue.get_service(rdv.service_id),
        organisation=organisation,
        lieu=store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None,
        can_change=usager_can_change(rdv, motif, now),
        preferences=_preferences(store, rdv),
    )


def _preferences(store: Store, rdv: Rdv) -> ContactPreferences | None:
    contact = notifications.contact_of(store, rdv)
    if contact is None:
        return None
    return ContactPreferences(
        usager_id=contact.id,
        has_phone=bool(contact.phone),
        has_email=bool(contact.email) and not contact.email_invalid,
        sms=contact.notify_sms,
        email=contact.notify_email,
    )


def set_preferences(store: Store, token: str, sms: bool, email: bool, now: datetime) -> ManagedRdv:
    """Opt in or out of SMS and e-mails (checked before every send). France's
    alphanumeric senders cannot receive STOP: this link is the way to stop them."""
    managed = rdv_for_token(store, token, now)
    if managed.preferences is None:
        raise NotFound("Ce rendez-vous n’a pas de coordonnées à modifier.")
    store.usagers.set_notification_preferences(managed.preferences.usager_id, sms=sms, email=email)
    return rdv_for_token(store, token, now)


def cancel_by_usager(store: Store, token: str, now: datetime) -> ManagedRdv:
    """Status `excused`, time recorded, the slot bookable again at once. Cancelling an
    already cancelled rdv is not an error (a double tap, a retried POST)."""
    managed = rdv_for_token(store, token, now)
    rdv = managed.rdv
    if rdv.status is RdvStatus.EXCUSED:
        return managed
    _check_changeable(managed)
    tz = tz_of(store)
    bookings = BookingRepository()
    day = rdv.starts_at.astimezone(tz).date()
    for _attempt in range(MAX_ATTEMPTS):
        agent_day = bookings.read_day(rdv.agent_id, day)
        try:
            bookings.change_status(
                rdv,
                RdvStatus.EXCUSED,
                now,
                agent_day,
                counting.for_status_change(rdv, RdvStatus.EXCUSED, tz),
            )
        except BookingConflict:
            current = store.rdvs.get(rdv.id)
            if current is None or current.status is not RdvStatus.UNKNOWN:
                return rdv_for_token(store, token, now)
            rdv = current
            continue
        notifications.after_cancellation(store, rdv, NotificationEvent.RDV_CANCELLED)
        return rdv_for_token(store, token, now)
    raise RdvNotChangeable("Le rendez-vous n’a pas pu être annulé. Réessayez dans un instant.")


def move_by_usager(store: Store, token: str, new_starts_at: datetime, now: datetime) -> ManagedRdv:
    """Move to another slot of the same motif: the new time is taken and the old one
    freed in one transaction."""
    managed = rdv_for_token(store, token, now)
    _check_changeable(managed)
    rdv, motif, lieu = managed.rdv, managed.motif, managed.lieu
    if new_starts_at == rdv.starts_at:
        return managed
    tz = tz_of(store)
    bookings = BookingRepository()
    old_day = rdv.starts_at.astimezone(tz).date()
    new_day = new_starts_at.astimezone(tz).date()
    for _attempt in range(MAX_ATTEMPTS):
        slot = next(
            (
                s
                for s in slots_between(store, motif, lieu, new_day, new_day, now)
                if s.starts_at == new_starts_at
            ),
            None,
        )
        if slot is None:
            break
        conflict = False
        for agent_id in slot.agent_ids:
            old = bookings.read_day(rdv.agent_id, old_day)
            new = (
                old
                if (agent_id, new_day) == (rdv.agent_id, old_day)
                else bookings.read_day(agent_id, new_day)
            )
            if new.overlaps(slot.starts_at, slot.ends_at, ignore=rdv.id):
                continue
            moved = replace(rdv, starts_at=new_starts_at, agent_id=agent_id)
            try:
                bookings.move(
                    rdv,
                    new_starts_at,
                    agent_id,
                    rdv.lieu_id,
                    old,
                    new,
                    counting.for_move(rdv, moved, tz),
                )
            except BookingConflict:
                current = store.rdvs.get(rdv.id)
                if current is None or current.status is not RdvStatus.UNKNOWN:
                    raise RdvNotChangeable() from None
                rdv = current
                conflict = True
                break
            moved = replace(moved, sequence=rdv.sequence + 1)
            notifications.after_move(store, moved, motif, now)
            return rdv_for_token(store, token, now)
        if not conflict:
            break
    raise SlotTaken(next_slots=next_slots(store, motif, lieu, new_day, now))


def _check_changeable(managed: ManagedRdv) -> None:
    if managed.rdv.status is not RdvStatus.UNKNOWN:
        raise RdvNotChangeable()
    if not managed.can_change:
        raise CancellationTooLate(
            "Il est trop tard pour annuler ou déplacer ce rendez-vous en ligne. Appelez "
            f"{managed.organisation.name} au {managed.organisation.phone}."
        )


def calendar_for_token(store: Store, token: str, manage_url: str, now: datetime) -> bytes:
    """The rdv as an .ics file (a cancelled one as METHOD:CANCEL)."""
    from chalicelib.notify.ics import rdv_calendar

    managed = rdv_for_token(store, token, now)
    return rdv_calendar(
        managed.rdv,
        managed.motif,
        managed.organisation,
        managed.service,
        managed.lieu,
        manage_url,
        now,
        cancelled=not managed.rdv.status.blocks_time,
    )
