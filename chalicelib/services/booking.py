"""Book a rdv online: the usager's own choice of slot, written on the one write path.

Two people (or fifty) submitting the same slot: each attempt reads the chosen agent's
day afresh and the write is conditioned on its version, so exactly one wins per agent;
when two agents were free, the second booker gets the other one; the rest are told the
slot is taken, with the next free slots."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.changes import BY_USAGER, create
from chalicelib.domain.errors import (
    Busy,
    FieldErrors,
    IdempotencyKeyReused,
    SlotTaken,
)
from chalicelib.domain.models import (
    CreatedBy,
    Lieu,
    LocationType,
    Motif,
    Organisation,
    Rdv,
    RdvContact,
    RdvStatus,
    Usager,
)
from chalicelib.domain.policies import DEFAULT_RETENTION_DAYS, retention_until
from chalicelib.domain.text import fold
from chalicelib.services.availability import next_slots, slot_at, tz_of
from chalicelib.services.rate_limits import person_limit_reached, person_limits
from chalicelib.services.tokens import hash_token, manage_token
from chalicelib.services.views import ManagedRdv, managed_rdv
from chalicelib.services.write_path import Committed, Proposal, announce, propose, write
from chalicelib.store import Store
from chalicelib.store.errors import LimitReached


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    birth_date: date | None = None


@dataclass(frozen=True)
class BookingRequest:
    """What the usager typed, already validated by the web layer."""

    organisation: Organisation
    motif: Motif
    lieu: Lieu | None
    starts_at: datetime  # UTC
    contact: Person  # the person holding the contact details (the parent for a child)
    child: Person | None
    phone: str | None  # E.164
    email: str | None
    notify_sms: bool
    notify_email: bool
    # The booking form's one-time key: the same request submitted twice (a double tap on
    # a slow connection, a client's retry) gives the same rdv, not a second one or a
    # "slot taken"; the same key with another request is refused.
    idempotency_key: str | None = None
    home_address: str | None = None  # required for a motif that takes place at home
    # Private links this browser was given by its recent bookings (a cookie): the same
    # person booking the same time again (the form sent again after Back, with a new
    # one-time key) is shown that rdv instead of getting a second one.
    known_tokens: tuple[str, ...] = ()
    # « Prévenez-moi si un créneau plus tôt se libère »: the rdv joins the waiting list.
    waiting_list: bool = False
    waiting_any_lieu: bool = False  # …at any lieu of the MDS


# Rdv ids derived from an idempotency key live in this namespace.
IDEMPOTENT_RDV_IDS = uuid.UUID("0c1c7d1e-62b5-4c1a-9d2e-5ad1b0a6c0de")


@dataclass(frozen=True)
class Booked:
    rdv: Rdv
    manage_token: str  # only ever shown to the usager; the store keeps its hash
    view: ManagedRdv  # what the confirmation page and the API answer show


def book_rdv(store: Store, request: BookingRequest, now: datetime) -> Booked:
    if not (request.phone or request.email):
        raise FieldErrors(
            {"phone": "Indiquez au moins un numéro de portable ou une adresse e-mail."}
        )
    if request.motif.location_type is LocationType.PHONE and not request.phone:
        raise FieldErrors({"phone": "Indiquez le numéro de portable où l’on vous appellera."})
    if (
        request.motif.location_type is LocationType.HOME
        and not (request.home_address or "").strip()
    ):
        raise FieldErrors({"home_address": "Indiquez l’adresse où aura lieu le rendez-vous."})
    territoire = store.catalogue.get_territoire(request.organisation.territoire_id)
    keep_until = retention_until(
        request.starts_at + request.motif.duration,
        territoire.retention_days if territoire else DEFAULT_RETENTION_DAYS,
    )
    secret = store.settings.secret_key
    rdv_id = _rdv_id(request)
    token = manage_token(rdv_id, secret)
    fingerprint = request_fingerprint(request, secret) if request.idempotency_key else None
    # The details typed are this rdv's: its confirmation, reminders and changes go to
    # them. An usager's record found again is never changed by a public booking (else
    # anyone knowing a name and a phone could redirect someone's reminders).
    contact = RdvContact(
        phone=request.phone,
        email=request.email,
        notify_sms=request.notify_sms and bool(request.phone),
        notify_email=request.notify_email and bool(request.email),
        child_first_name=request.child.first_name if request.child else None,
    )
    tz = tz_of(store)
    day = request.starts_at.astimezone(tz).date()

    def attempt(number: int) -> Proposal | Rdv | None:
        if number:
            # After a conflict: did this request's twin (a double tap, or our own commit
            # whose answer was lost) make the rdv meanwhile?
            twin = _booked_by(store, rdv_id, fingerprint)
            if twin is not None:
                return twin
        slot = slot_at(store, request.motif, request.lieu, request.starts_at, now)
        usagers = _usagers_for(store, request, now, keep_until) if slot else None
        if usagers and number == 0 and request.known_tokens:
            already = _already_there(store, request, usagers)
            if already is not None:
                return already
        for agent_id in slot.agent_ids if slot and usagers else ():
            rdv = Rdv(
                id=rdv_id,
                organisation_id=request.organisation.id,
                service_id=request.motif.service_id,
                motif_id=request.motif.id,
                agent_id=agent_id,
                lieu_id=request.lieu.id if request.lieu else None,
                starts_at=request.starts_at,
                duration_minutes=request.motif.duration_minutes,
                usager_ids=tuple(u.id for u in usagers.concerned),
                created_by=CreatedBy.USAGER,
                created_at=now,
                status=RdvStatus.UNKNOWN,
                manage_token_hash=hash_token(token),
                expires_at=keep_until,
                request_fingerprint=fingerprint,
                contact=contact,
                home_address=request.home_address,
            )
            proposal = propose(
                store,
                create(rdv, BY_USAGER),
                request.motif.reminder_offsets_minutes,
                new_usagers=tuple(usagers.new),
                kept_usagers=tuple(usagers.kept),
                limits=person_limits(
                    store,
                    contact.phone if contact.notify_sms else None,
                    contact.email if contact.notify_email else None,
                    now,
                ),
            )
            if proposal is not None:
                return proposal
        return None  # no agent free at that time (any more)

    try:
        outcome = write(store, attempt, _busy)
    except LimitReached as reached:
        raise person_limit_reached(reached.limit) from None
    if isinstance(outcome, Committed):
        rdv = outcome.rdv
    elif isinstance(outcome, Rdv) and outcome.id != rdv_id:
        rdv = outcome  # this browser's own rdv at that time, booked a moment ago
        token = next(t for t in request.known_tokens if hash_token(t) == rdv.manage_token_hash)
    elif isinstance(outcome, Rdv):
        rdv = outcome
        announce(store, create(rdv, BY_USAGER), rdv)  # a second send is skipped by receipts
    else:
        twin = _booked_by(store, rdv_id, fingerprint)
        if twin is None:
            raise SlotTaken(next_slots=next_slots(store, request.motif, request.lieu, day, now))
        rdv = twin
    if request.waiting_list and rdv.id == rdv_id:
        from chalicelib.services import waiting_list

        waiting_list.join(store, rdv, now, any_lieu=request.waiting_any_lieu)
    view = managed_rdv(store, rdv, rdv.contact, now)
    return Booked(rdv=rdv, manage_token=token, view=view)


def _rdv_id(request: BookingRequest) -> str:
    if request.idempotency_key:
        return str(uuid.uuid5(IDEMPOTENT_RDV_IDS, request.idempotency_key))
    return str(uuid.uuid4())


def request_fingerprint(request: BookingRequest, secret_key: str) -> str:
    """A keyed hash of what makes a booking request this one (who, what, where, when):
    stored with the rdv, it holds no readable personal data."""
    child = request.child
    facts = [
        request.organisation.id,
        request.motif.id,
        request.lieu.id if request.lieu else None,
        request.starts_at.isoformat(),
        fold(request.contact.first_name),
        fold(request.contact.last_name),
        [fold(child.first_name), fold(child.last_name), str(child.birth_date)] if child else None,
        request.phone,
        (request.email or "").lower() or None,
    ]
    text = json.dumps(facts, separators=(",", ":"))
    return hmac.new(secret_key.encode(), f"booking:{text}".encode(), hashlib.sha256).hexdigest()


def _booked_by(store: Store, rdv_id: str, fingerprint: str | None) -> Rdv | None:
    """The rdv this request already made (with an idempotency key, or a random id that
    only this request knows); None when there is none. IdempotencyKeyReused when the
    key made one for another request."""
    rdv = store.rdvs.get(rdv_id)
    if rdv is None or fingerprint is None:
        return rdv
    if rdv.request_fingerprint is None or not hmac.compare_digest(
        rdv.request_fingerprint, fingerprint
    ):
        raise IdempotencyKeyReused()
    return rdv


def _busy() -> None:
    raise Busy()


def _already_there(store: Store, request: BookingRequest, usagers: UsagerChanges) -> Rdv | None:
    """The live rdv this browser booked a moment ago for the same person at that very
    time, if any (see `BookingRequest.known_tokens`). Only a rdv whose private link
    the browser holds is considered: telling anyone else that someone has a rdv then
    would tell an abuser where to find them."""
    new_ids = {u.id for u in usagers.new}
    known = {u.id for u in usagers.concerned if u.id not in new_ids}
    if not known:
        return None
    held = {hash_token(t) for t in request.known_tokens}
    ends_at = request.starts_at + request.motif.duration
    for rdv in store.rdvs.of_organisation(request.organisation.id, request.starts_at, ends_at):
        if (
            rdv.status.blocks_time
            and rdv.starts_at == request.starts_at
            and rdv.manage_token_hash in held
            and known & set(rdv.usager_ids)
        ):
            return rdv
    return None
    ends_at = request.starts_at + request.motif.duration
    for rdv in store.rdvs.of_organisation(request.organisation.id, request.starts_at, ends_at):
        if (
            rdv.status.blocks_time
            and rdv.starts_at == request.starts_at
            and (known & set(rdv.usager_ids))
        ):
            return rdv
    return None


@dataclass(frozen=True)
class UsagerChanges:
    concerned: list[Usager]  # whom the rdv is for
    new: list[Usager]  # to create
    kept: list[tuple[str, datetime]]  # records found again: kept until (retention)


def _usagers_for(
    store: Store, request: BookingRequest, now: datetime, keep_until: datetime
) -> UsagerChanges:
    """The usagers the rdv concerns: the person with the contact details is found again
    by phone (or e-mail) and name, a child among their relatives; the others are new.
    A record found again keeps its contact details: only its retention restarts from
    this last contact (`keep_until`)."""
    organisation_id = request.organisation.id
    contact = None
    if request.phone:
        contact = _same_person(
            store.usagers.by_phone(organisation_id, request.phone), request.contact
        )
    elif request.email:
        known = store.usagers.get_many(store.usagers.ids_by_email(request.email))
        contact = _same_person(
            [u for u in known if u.organisation_id == organisation_id], request.contact
        )
    new: list[Usager] = []
    found: list[Usager] = []
    if contact is None:
        contact = Usager(
            id=str(uuid.uuid4()),
            organisation_id=organisation_id,
            first_name=request.contact.first_name,
            last_name=request.contact.last_name,
            phone=request.phone,
            email=request.email,
            notify_sms=request.notify_sms and bool(request.phone),
            notify_email=request.notify_email and bool(request.email),
            created_at=now,
            expires_at=keep_until,
        )
        new.append(contact)
    else:
        found.append(contact)
    concerned = contact
    if request.child is not None:
        child = None
        if not new:
            child = _same_person(store.usagers.relatives_of(contact.id), request.child)
        if child is None:
            child = Usager(
                id=str(uuid.uuid4()),
                organisation_id=organisation_id,
                first_name=request.child.first_name,
                last_name=request.child.last_name,
                birth_date=request.child.birth_date,
                responsable_id=contact.id,
                created_at=now,
                expires_at=keep_until,
            )
            new.append(child)
        else:
            found.append(child)
        concerned = child
    kept = [(u.id, keep_until) for u in found if u.expires_at is None or u.expires_at < keep_until]
    return UsagerChanges([concerned], new, kept)


def _same_person(candidates: list[Usager], person: Person) -> Usager | None:
    for usager in candidates:
        same_name = fold(usager.first_name) == fold(person.first_name) and fold(
            usager.last_name
        ) == fold(person.last_name)
        if same_name and (
            person.birth_date is None or usager.birth_date in (None, person.birth_date)
        ):
            return usager
    return None
