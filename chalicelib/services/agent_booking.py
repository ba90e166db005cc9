"""Book a rdv for a caller (on the phone, at the front desk): an agent chooses the
usager, the motif, the lieu and a free slot — the same slot engine as online — or
forces a time (outside the plages, over another rdv) after an explicit confirmation.

Written on the one write path: the agent-day records the rdv even when forced, so the
usagers' side never offers that time; the usager gets the same confirmation and
reminders as online, at the contact details of their record (their responsable's for
a child). The form's one-time key makes a double submit book once.

The motif's booking delays are the online booking's rules: an agent books any free
slot from now on, as far ahead as the plages go."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.changes import create
from chalicelib.domain.errors import (
    Busy,
    DomainError,
    FieldErrors,
    IdempotencyKeyReused,
    NotFound,
)
from chalicelib.domain.models import (
    Agent,
    BookingChannel,
    CreatedBy,
    Lieu,
    LocationType,
    Motif,
    Organisation,
    Rdv,
    RdvStatus,
    Usager,
)
from chalicelib.domain.policies import DEFAULT_RETENTION_DAYS, retention_until
from chalicelib.domain.slots import Slot
from chalicelib.filters import time_fr
from chalicelib.services.availability import (
    WeekOfSlots,
    slot_at,
    slots_between,
    tz_of,
    week_of_slots,
)
from chalicelib.services.tokens import hash_token, manage_token
from chalicelib.services.usagers import get_usager, holder_of
from chalicelib.services.views import contact_from_record
from chalicelib.services.write_path import Committed, Proposal, propose, write
from chalicelib.store import Store

# Rdvs booked by agents get ids derived from the form's one-time key, in this namespace.
AGENT_RDV_IDS = uuid.UUID("9a4f3c2e-6d1b-4f8a-b7e5-2c0d9e8f1a34")
KEY_MIN, KEY_MAX = 16, 100
# How far ahead an agent-filtered week looks for the agent's next free slot.
NEXT_FREE_WEEKS = 8


def for_agents(motif: Motif) -> Motif:
    """The motif as the agents' slot search sees it: no minimum delay, no maximum."""
    return replace(motif, min_booking_delay_minutes=0, max_booking_delay_minutes=None)


class NeedsConfirmation(DomainError):
    """The time chosen is not a free slot of that agent: booked only once the agent
    confirms it (`reasons`: what is wrong with it, in French)."""

    status_code = 409
    message = "Cet horaire n’est pas un créneau libre. Confirmez-le pour réserver quand même."

    def __init__(self, reasons: list[str]) -> None:
        super().__init__()
        self.reasons = reasons


# --- what the booking page offers ------------------------------------------------------


@dataclass(frozen=True)
class Catalogue:
    motifs: list[Motif]  # every motif of the organisation, bookable online or not
    lieux: list[Lieu]
    agents: list[Agent]

    def motif(self, motif_id: str) -> Motif:
        for motif in self.motifs:
            if motif.id == motif_id:
                return motif
        raise NotFound("Ce motif n’existe pas dans votre organisation.")

    def lieu(self, lieu_id: str) -> Lieu:
        for lieu in self.lieux:
            if lieu.id == lieu_id:
                return lieu
        raise NotFound("Ce lieu n’existe pas dans votre organisation.")

    def agent(self, agent_id: str) -> Agent:
        for agent in self.agents:
            if agent.id == agent_id:
                return agent
        raise NotFound("Cet agent ne fait pas partie de votre organisation.")


def catalogue(store: Store, organisation_id: str) -> Catalogue:
    """What a new rdv may be booked with: archived motifs and lieux are left out."""
    return Catalogue(
        motifs=sorted(
            (m for m in store.catalogue.motifs_of_organisation(organisation_id) if not m.archived),
            key=lambda m: m.name.lower(),
        ),
        lieux=sorted(
            (x for x in store.catalogue.lieux_of_organisation(organisation_id) if not x.archived),
            key=lambda x: x.name.lower(),
        ),
        agents=sorted(
            store.agents.agents_of_organisation(organisation_id),
            key=lambda a: (a.last_name.lower(), a.first_name.lower()),
        ),
    )


@dataclass(frozen=True)
class Choice:
    """What the agent chose on the booking page, checked within the organisation."""

    usager: Usager
    holder: Usager  # who holds the contact details
    motif: Motif | None = None
    lieu: Lieu | None = None  # None: the motif takes place by phone or at home
    agent: Agent | None = None  # a filter on the slots, or the forced time's agent
    errors: dict[str, str] | None = None  # a lieu missing for a motif at a lieu

    @property
    def complete(self) -> bool:
        return self.motif is not None and not self.errors


def choice(
    store: Store,
    organisation_id: str,
    cat: Catalogue,
    usager_id: str,
    motif_id: str = "",
    lieu_id: str = "",
    agent_id: str = "",
) -> Choice:
    """The usager (NotFound outside the organisation) and, when given, the motif, lieu
    and agent (NotFound when they are not the organisation's)."""
    usager = get_usager(store, organisation_id, usager_id)
    holder = holder_of(store, usager)
    motif = cat.motif(motif_id) if motif_id else None
    agent = cat.agent(agent_id) if agent_id else None
    lieu, errors = None, {}
    if motif is not None and motif.location_type is LocationType.PUBLIC_OFFICE:
        if lieu_id:
            lieu = cat.lieu(lieu_id)
        else:
            errors["lieu"] = "Choisissez le lieu du rendez-vous."
    return Choice(usager, holder, motif, lieu, agent, errors or None)


def week(store: Store, chosen: Choice, wanted: date | None, now: datetime) -> WeekOfSlots:
    """A week of free slots of the chosen motif (and lieu), of the chosen agent only
    when one is chosen."""
    assert chosen.motif is not None
    motif = for_agents(chosen.motif)
    shown = week_of_slots(store, motif, chosen.lieu, wanted, now)
    if chosen.agent is None:
        return shown
    agent_id = chosen.agent.id
    days = [(day, _of_agent(slots, agent_id)) for day, slots in shown.days]
    next_available = None
    if not any(slots for _, slots in days):
        start = shown.monday + timedelta(days=7)
        later = slots_between(
            store, motif, chosen.lieu, start, start + timedelta(weeks=NEXT_FREE_WEEKS), now
        )
        next_available = next(iter(_of_agent(later, agent_id)), None)
    return replace(shown, days=days, next_available=next_available)


def _of_agent(slots: list[Slot], agent_id: str) -> list[Slot]:
    return [replace(s, agent_ids=(agent_id,)) for s in slots if agent_id in s.agent_ids]


# --- a time chosen, before the booking -------------------------------------------------


@dataclass(frozen=True)
class Proposed:
    """The confirmation page: a slot's free agents, or what a forced time overrides."""

    starts_at: datetime
    free_agent_ids: tuple[str, ...]  # agents free then (empty: not a free slot)
    reasons: list[str]  # why the time is not free for the chosen agent (a forced time)


def proposed(store: Store, chosen: Choice, starts_at: datetime, now: datetime) -> Proposed:
    """What the confirmation page says about a time: the agents free then, and, for the
    chosen agent when they are not free, why."""
    assert chosen.motif is not None
    slot = slot_at(store, for_agents(chosen.motif), chosen.lieu, starts_at, now)
    free = slot.agent_ids if slot else ()
    reasons = []
    if chosen.agent is not None and chosen.agent.id not in free:
        reasons = _why_not_free(store, chosen.motif, chosen.agent.id, starts_at)
    elif chosen.agent is None and not free:
        reasons = ["Aucun agent n’est libre à cet horaire pour ce motif."]
    return Proposed(starts_at, free, reasons)


def _why_not_free(store: Store, motif: Motif, agent_id: str, starts_at: datetime) -> list[str]:
    ends_at = starts_at + motif.duration
    overlapping = [
        r for r in store.rdvs.of_agent(agent_id, starts_at, ends_at) if r.status.blocks_time
    ]
    if overlapping:
        return [
            f"Il chevauche un autre rendez-vous de cet agent ({time_fr(r.starts_at)} – "
            f"{time_fr(r.ends_at)})."
            for r in sorted(overlapping, key=lambda r: r.starts_at)
        ]
    return [
        "Ce n’est pas un créneau proposé pour cet agent : il est en dehors des plages "
        "d’ouverture de l’agent pour ce motif, pendant une absence ou un jour férié, "
        "ou hors de la suite des créneaux."
    ]


def forced_start(day: date | None, at: time | None, store: Store) -> datetime:
    """A forced time typed as a local day and time, as a UTC instant."""
    errors = {}
    if day is None:
        errors["jour"] = "Indiquez le jour, par exemple 24/11/2026."
    if at is None:
        errors["heure"] = "Indiquez l’heure, par exemple 14:30."
    if errors:
        raise FieldErrors(errors)
    return datetime.combine(day, at, tzinfo=tz_of(store)).astimezone(UTC)


# --- the booking -----------------------------------------------------------------------


@dataclass(frozen=True)
class AgentBookingRequest:
    organisation: Organisation  # the one the agent works in
    booked_by: str  # the agent's id
    usager_id: str
    motif_id: str
    lieu_id: str  # "" for a motif by phone or at home
    starts_at: datetime  # UTC
    agent_id: str  # whose rdv it is
    channel: BookingChannel | None  # PHONE or DESK
    key: str  # the form's one-time key
    home_address: str = ""
    force: bool = False  # the agent confirmed a time that is not a free slot
    waiting_list: bool = False  # the caller wants an earlier slot if one frees up


@dataclass(frozen=True)
class AgentBooked:
    rdv: Rdv
    again: bool  # the same form sent again: the rdv it had booked


def book_for_caller(store: Store, request: AgentBookingRequest, now: datetime) -> AgentBooked:
    organisation_id = request.organisation.id
    cat = catalogue(store, organisation_id)
    chosen = choice(
        store,
        organisation_id,
        cat,
        request.usager_id,
        request.motif_id,
        request.lieu_id,
        request.agent_id,
    )
    motif = chosen.motif
    errors = dict(chosen.errors or {})
    if not KEY_MIN <= len(request.key) <= KEY_MAX:
        raise FieldErrors(message="Ce formulaire a expiré. Rechargez la page et recommencez.")
    if motif is None:
        errors["motif"] = "Choisissez le motif du rendez-vous."
    if chosen.agent is None:
        errors["agent"] = "Choisissez l’agent du rendez-vous."
    if request.channel not in (BookingChannel.PHONE, BookingChannel.DESK):
        errors["canal"] = "Indiquez si le rendez-vous est pris par téléphone ou à l’accueil."
    home_address = " ".join(request.home_address.split())
    if motif is not None and motif.location_type is LocationType.HOME:
        if not home_address:
            errors["adresse"] = "Indiquez l’adresse où aura lieu le rendez-vous."
        elif len(home_address) > 200:
            errors["adresse"] = "Cette adresse est trop longue (200 caractères au plus)."
    if request.starts_at <= now:
        errors["heure"] = "Cet horaire est déjà passé."
    if errors:
        raise FieldErrors(errors)
    assert motif is not None and chosen.agent is not None and request.channel is not None
    agent_id = chosen.agent.id

    secret = store.settings.secret_key
    rdv_id = str(uuid.uuid5(AGENT_RDV_IDS, f"{organisation_id}:{request.key}"))
    fingerprint = _fingerprint(request, secret)
    territoire = store.catalogue.get_territoire(request.organisation.territoire_id)
    keep_until = retention_until(
        request.starts_at + motif.duration,
        territoire.retention_days if territoire else DEFAULT_RETENTION_DAYS,
    )
    usager, holder = chosen.usager, chosen.holder
    rdv = Rdv(
        id=rdv_id,
        organisation_id=organisation_id,
        service_id=motif.service_id,
        motif_id=motif.id,
        agent_id=agent_id,
        lieu_id=chosen.lieu.id if chosen.lieu else None,
        starts_at=request.starts_at,
        duration_minutes=motif.duration_minutes,
        usager_ids=(usager.id,),
        created_by=CreatedBy.AGENT,
        created_by_agent_id=request.booked_by,
        created_at=now,
        status=RdvStatus.UNKNOWN,
        manage_token_hash=hash_token(manage_token(rdv_id, secret)),
        expires_at=keep_until,
        request_fingerprint=fingerprint,
        contact=contact_from_record(holder, child=usager if holder.id != usager.id else None),
        home_address=home_address if motif.location_type is LocationType.HOME else None,
        booked_via=request.channel,
    )
    kept = tuple(
        (u.id, keep_until)
        for u in {usager.id: usager, holder.id: holder}.values()
        if u.expires_at is None or u.expires_at < keep_until
    )
    agents_motif = for_agents(motif)

    def attempt(number: int) -> Proposal | Rdv | NeedsConfirmation:
        twin = store.rdvs.get(rdv_id)
        if twin is not None:
            if twin.request_fingerprint != fingerprint:
                raise IdempotencyKeyReused()
            return twin
        slot = slot_at(store, agents_motif, chosen.lieu, request.starts_at, now)
        free = slot is not None and agent_id in slot.agent_ids
        if not free and not request.force:
            return NeedsConfirmation(_why_not_free(store, motif, agent_id, request.starts_at))
        proposal = propose(
            store,
            create(rdv, by=request.booked_by),
            motif.reminder_offsets_minutes,
            kept_usagers=kept,
            force=request.force,
        )
        if proposal is None:  # the agent's day holds another rdv then (just booked)
            return NeedsConfirmation(_why_not_free(store, motif, agent_id, request.starts_at))
        return proposal

    outcome = write(store, attempt, _busy)
    if isinstance(outcome, NeedsConfirmation):
        raise outcome
    booked = outcome.rdv if isinstance(outcome, Committed) else outcome
    if request.waiting_list:
        from chalicelib.services import waiting_list

        waiting_list.join(store, booked, now)
    return AgentBooked(booked, again=not isinstance(outcome, Committed))


def _fingerprint(request: AgentBookingRequest, secret_key: str) -> str:
    """What makes a booking this one (who, what, where, when, with whom); keyed, so it
    holds no readable personal data."""
    facts = [
        request.organisation.id,
        request.usager_id,
        request.motif_id,
        request.lieu_id or None,
        request.starts_at.isoformat(),
        request.agent_id,
    ]
    text = json.dumps(facts, separators=(",", ":"))
    digest = hmac.new(secret_key.encode(), f"agent-booking:{text}".encode(), hashlib.sha256)
    return digest.hexdigest()


def _busy() -> None:
    raise Busy()
