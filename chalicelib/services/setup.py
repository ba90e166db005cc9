"""An organisation's admins set it up themselves: lieux, motifs, agents, sectors and the
waiting list's limits.

Every read and write is scoped by the admin's organisation: an id of another
organisation is "not found". Lieux and motifs are archived, never deleted: the rdvs
made with them keep naming them, while archived ones leave the public pages and new
bookings. Reads here go past the catalogue cache (`fresh=True`): an admin sees what
they just saved whichever Lambda answers; the public pages of other warm Lambdas see
it within the cache's 60 s. Input is checked here, with one French message per field
(keyed by the form's field names), and the form shows again with what was typed."""

from __future__ import annotations

import re
import secrets
import unicodedata
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import DomainError, FieldErrors, NotFound
from chalicelib.domain.models import (
    Agent,
    Lieu,
    LocationType,
    Motif,
    Organisation,
    Rdv,
    RdvStatus,
    Role,
    WaitingListRules,
)
from chalicelib.domain.palette import MIN_CONTRAST, is_accessible, is_hex_colour
from chalicelib.domain.text import fold, wall_time, whole_number
from chalicelib.services import agent_auth, waiting_list
from chalicelib.services.agent_auth import AgentContext
from chalicelib.store import Store

PARIS = ZoneInfo("Europe/Paris")
NAME_MAX = 80
ADDRESS_MAX = 200
TEXT_MAX = 500
KEY = re.compile(r"^[A-Za-z0-9_-]{16,40}$")


def new_form_key() -> str:
    """The id-to-be of what a creation form makes: the same form sent twice makes one."""
    return secrets.token_urlsafe(12)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _multiline(text: str | None) -> str:
    lines = [_clean(line) for line in (text or "").replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line)


def _name_taken(name: str, others: list, own_id: str | None) -> bool:
    return any(fold(o.name) == fold(name) and o.id != own_id for o in others)


def _new_id(prefix: str, key: str) -> str:
    return f"{prefix}-{key if KEY.match(key or '') else new_form_key()}"


# --- lieux --------------------------------------------------------------------------------


@dataclass(frozen=True)
class LieuForm:
    name: str = ""
    address: str = ""
    phone: str = ""
    opening_info: str = ""
    accessibility: str = ""


_PHONE = re.compile(r"^(?:0|\+33|0033)([1-9]\d{8})$")
_POSTAL_CODE_IN_ADDRESS = re.compile(r"(?<!\d)\d{5}(?!\d)")


def phone_display(text: str) -> str | None:
    """A French phone number as `03 21 00 00 00`; None when it is not one."""
    digits = re.sub(r"[\s.\-()]", "", text or "")
    match = _PHONE.match(digits)
    if not match:
        return None
    national = "0" + match.group(1)
    return " ".join(national[i : i + 2] for i in range(0, 10, 2))


def sorted_by_name(items: list) -> list:
    return sorted(items, key=lambda item: fold(item.name))


def lieux(store: Store, organisation_id: str) -> tuple[list[Lieu], list[Lieu]]:
    """The organisation's lieux: (open, archived), by name."""
    every = sorted_by_name(store.catalogue.lieux_of_organisation(organisation_id, fresh=True))
    return [x for x in every if not x.archived], [x for x in every if x.archived]


def get_lieu(store: Store, organisation_id: str, lieu_id: str) -> Lieu:
    lieu = store.catalogue.get_lieu(lieu_id, fresh=True)
    if lieu is None or lieu.organisation_id != organisation_id:
        raise NotFound("Ce lieu n’existe pas dans votre organisation.")
    return lieu


def save_lieu(
    store: Store, organisation_id: str, form: LieuForm, lieu_id: str | None = None, key: str = ""
) -> Lieu:
    """Create (`lieu_id` None: its id comes from the form's key) or change a lieu."""
    current = get_lieu(store, organisation_id, lieu_id) if lieu_id else None
    new_id = lieu_id or _new_id("lieu", key)
    if current is None:  # the same creation form sent again: the lieu it made
        existing = store.catalogue.get_lieu(new_id, fresh=True)
        if existing is not None and existing.organisation_id != organisation_id:
            new_id = _new_id("lieu", "")
    name, address = _clean(form.name), _clean(form.address)
    errors = {}
    if not name:
        errors["nom"] = "Indiquez le nom du lieu, par exemple « MDS Calais – site Fort Nieulay »."
    elif len(name) > NAME_MAX:
        errors["nom"] = f"Le nom du lieu compte {NAME_MAX} caractères au plus."
    elif _name_taken(name, store.catalogue.lieux_of_organisation(organisation_id, True), new_id):
        errors["nom"] = "Un autre lieu de votre organisation porte déjà ce nom."
    if not address:
        errors["adresse"] = "Indiquez l’adresse du lieu, avec son code postal et sa commune."
    elif len(address) > ADDRESS_MAX:
        errors["adresse"] = f"L’adresse compte {ADDRESS_MAX} caractères au plus."
    elif not _POSTAL_CODE_IN_ADDRESS.search(address):
        errors["adresse"] = (
            "Indiquez l’adresse complète, avec le code postal à 5 chiffres et la commune, "
            "par exemple « 12 rue de la Paix, 62100 Calais »."
        )
    phone = ""
    if form.phone.strip():
        phone = phone_display(form.phone) or ""
        if not phone:
            errors["telephone"] = (
                "Indiquez un numéro de téléphone à 10 chiffres, par exemple 03 21 00 00 00."
            )
    opening_info, accessibility = _multiline(form.opening_info), _multiline(form.accessibility)
    for field, value in (("horaires", opening_info), ("accessibilite", accessibility)):
        if len(value) > TEXT_MAX:
            errors[field] = f"Ce texte compte {TEXT_MAX} caractères au plus."
    if errors:
        raise FieldErrors(errors)
    lieu = Lieu(
        id=new_id,
        organisation_id=organisation_id,
        name=name,
        address=address,
        phone=phone,
        opening_info=opening_info,
        accessibility=accessibility,
        archived_at=current.archived_at if current else None,
    )
    store.catalogue.save_lieu(lieu)
    return lieu


@dataclass(frozen=True)
class Usage:
    """What still refers to a lieu or a motif: shown before archiving it."""

    plages: int  # plages d'ouverture still occurring
    rdvs_to_come: int | None = None  # None: not counted (no index of rdvs by motif)


FAR = timedelta(days=10 * 365)


def lieu_usage(store: Store, organisation_id: str, lieu: Lieu, now: datetime) -> Usage:
    today = now.astimezone(PARIS).date()
    plages = store.planning.plages_of_lieu(lieu.id, today, today + FAR)
    rdvs = store.rdvs.of_lieu(lieu.id, now, now + timedelta(days=2 * 365))
    return Usage(
        plages=sum(1 for p in plages if p.organisation_id == organisation_id),
        rdvs_to_come=sum(1 for r in rdvs if r.status is RdvStatus.UNKNOWN and r.starts_at >= now),
    )


def motif_usage(store: Store, organisation_id: str, motif: Motif, now: datetime) -> Usage:
    today = now.astimezone(PARIS).date()
    plages = store.planning.plages_of_organisation(organisation_id, today, today + FAR)
    return Usage(plages=sum(1 for p in plages if motif.id in p.motif_ids))


def archive_lieu(store: Store, organisation_id: str, lieu_id: str, now: datetime) -> Lieu:
    """Out of the public pages and new bookings; its rdvs keep it."""
    lieu = get_lieu(store, organisation_id, lieu_id)
    if not lieu.archived:
        lieu = replace(lieu, archived_at=now)
        store.catalogue.save_lieu(lieu)
    return lieu


def restore_lieu(store: Store, organisation_id: str, lieu_id: str) -> Lieu:
    lieu = replace(get_lieu(store, organisation_id, lieu_id), archived_at=None)
    store.catalogue.save_lieu(lieu)
    return lieu


# --- motifs -------------------------------------------------------------------------------

UNITS = {"minutes": 1, "heures": 60, "jours": 24 * 60}
UNIT_NAMES = {"minutes": "minutes", "heures": "heures", "jours": "jours"}
DURATION_MIN, DURATION_MAX = 5, 8 * 60
MAX_BOOKING_DELAY = 365 * 24 * 60
MAX_NOTICE = 30 * 24 * 60  # minimum delay, cancellation deadline, reminders
REMINDERS = 3


@dataclass(frozen=True)
class Delay:
    """A delay as typed: a number and a unit (`minutes`, `heures`, `jours`)."""

    amount: str = ""
    unit: str = "heures"

    @classmethod
    def of_minutes(cls, minutes: int | None) -> Delay:
        """The largest unit that says it exactly (`2 jours`, `90 minutes`)."""
        if minutes is None:
            return cls("", "jours")
        for unit in ("jours", "heures"):
            if minutes and minutes % UNITS[unit] == 0:
                return cls(str(minutes // UNITS[unit]), unit)
        return cls(str(minutes), "minutes")


def delay_text(minutes: int) -> str:
    delay = Delay.of_minutes(minutes)
    amount = int(delay.amount)
    unit = delay.unit if amount > 1 else delay.unit.rstrip("s")
    return f"{amount} {unit}"


@dataclass(frozen=True)
class MotifForm:
    name: str = ""
    service_id: str = ""
    duration: str = ""
    location_type: str = ""
    bookable_online: bool = False
    min_delay: Delay = Delay()
    max_delay: Delay = Delay()
    cancellation: Delay = Delay()
    reminders: tuple[Delay, ...] = ()
    instructions: str = ""
    colour: str = ""


def _minutes(delay: Delay, field: str, errors: dict[str, str], label: str) -> int | None:
    """The delay in minutes; None when empty. A message in `errors` when unreadable."""
    amount = delay.amount.strip().replace(" ", "")
    if not amount:
        return None
    if delay.unit not in UNITS:
        errors[field] = f"Choisissez l’unité {label} : minutes, heures ou jours."
        return None
    if not re.fullmatch(r"-?\d{1,6}", amount):
        errors[field] = f"Indiquez {label} en nombre entier de {UNIT_NAMES[delay.unit]}."
        return None
    value = int(amount)
    if value < 0:
        errors[field] = f"{label[0].upper()}{label[1:]} ne peut pas être négatif."
        return None
    return value * UNITS[delay.unit]


def motifs(store: Store, organisation_id: str) -> tuple[list[Motif], list[Motif]]:
    """The organisation's motifs: (open, archived), by name."""
    every = sorted_by_name(store.catalogue.motifs_of_organisation(organisation_id, fresh=True))
    return [m for m in every if not m.archived], [m for m in every if m.archived]


def get_motif(store: Store, organisation_id: str, motif_id: str) -> Motif:
    motif = store.catalogue.get_motif(motif_id, fresh=True)
    if motif is None or motif.organisation_id != organisation_id:
        raise NotFound("Ce motif n’existe pas dans votre organisation.")
    return motif


def services_of(store: Store, organisation: Organisation) -> list:
    return store.catalogue.services_of_territoire(organisation.territoire_id)


def save_motif(
    store: Store,
    organisation: Organisation,
    form: MotifForm,
    motif_id: str | None = None,
    key: str = "",
) -> Motif:
    """Create (`motif_id` None) or change a motif, after checking every rule."""
    organisation_id = organisation.id
    current = get_motif(store, organisation_id, motif_id) if motif_id else None
    new_id = motif_id or _new_id("motif", key)
    if current is None:
        existing = store.catalogue.get_motif(new_id, fresh=True)
        if existing is not None and existing.organisation_id != organisation_id:
            new_id = _new_id("motif", "")
    errors: dict[str, str] = {}
    name = _clean(form.name)
    if not name:
        errors["nom"] = "Indiquez le nom du motif, tel que les usagers le liront."
    elif len(name) > NAME_MAX:
        errors["nom"] = f"Le nom du motif compte {NAME_MAX} caractères au plus."
    elif _name_taken(name, store.catalogue.motifs_of_organisation(organisation_id, True), new_id):
        errors["nom"] = "Un autre motif de votre organisation porte déjà ce nom."
    if form.service_id not in {s.id for s in services_of(store, organisation)}:
        errors["service"] = "Choisissez le service du motif."
    duration = None
    typed = form.duration.strip()
    if not re.fullmatch(r"-?\d{1,4}", typed):
        errors["duree"] = "Indiquez la durée du rendez-vous en minutes, par exemple 30."
    else:
        duration = int(typed)
        if duration <= 0:
            errors["duree"] = "La durée doit être positive : au moins 5 minutes."
        elif duration < DURATION_MIN or duration > DURATION_MAX:
            errors["duree"] = "La durée va de 5 minutes à 8 heures (480 minutes)."
        elif duration % 5:
            errors["duree"] = "La durée se compte par tranches de 5 minutes (25, 30, 45…)."
    try:
        location_type = LocationType(form.location_type)
    except ValueError:
        location_type = LocationType.PUBLIC_OFFICE
        errors["lieu_type"] = "Indiquez où se passe le rendez-vous."
    minimum = _minutes(form.min_delay, "delai_min", errors, "le délai minimum")
    if minimum is None and "delai_min" not in errors:
        minimum = 0
    maximum = _minutes(form.max_delay, "delai_max", errors, "le délai maximum")
    if minimum is not None and minimum > MAX_NOTICE:
        errors["delai_min"] = "Le délai minimum est de 30 jours au plus."
    if maximum is not None:
        if maximum == 0:
            errors["delai_max"] = (
                "Le délai maximum doit être positif ; laissez-le vide pour ne pas en fixer."
            )
        elif maximum > MAX_BOOKING_DELAY:
            errors["delai_max"] = "Le délai maximum est d’un an (365 jours) au plus."
        elif minimum is not None and maximum <= minimum:
            errors["delai_max"] = (
                "Le délai maximum doit être plus long que le délai minimum "
                f"({delay_text(minimum) if minimum else 'aucun'}) : sinon, aucun créneau "
                "ne serait proposé."
            )
    deadline = _minutes(form.cancellation, "annulation", errors, "le délai d’annulation")
    if deadline is None and "annulation" not in errors:
        deadline = 0
    if deadline is not None and deadline > MAX_NOTICE:
        errors["annulation"] = "Le délai d’annulation est de 30 jours au plus."
    offsets: list[int] = []
    for number, delay in enumerate(form.reminders[:REMINDERS], start=1):
        field = f"rappel_{number}"
        offset = _minutes(delay, field, errors, "le délai du rappel")
        if offset is None:
            continue
        if offset == 0:
            errors[field] = "Un rappel part avant le rendez-vous : indiquez un délai positif."
        elif offset > MAX_NOTICE:
            errors[field] = "Un rappel part 30 jours avant le rendez-vous au plus."
        elif offset in offsets:
            errors[field] = (
                f"Le rappel {number} est déjà prévu : indiquez un autre délai ou videz-le."
            )
        elif deadline and offset < deadline:
            errors[field] = (
                f"Le rappel {number} partirait après la limite d’annulation "
                f"({delay_text(deadline)} avant) et proposerait d’annuler trop tard : "
                f"choisissez au moins {delay_text(deadline)}, ou un délai d’annulation plus "
                "court."
            )
        else:
            offsets.append(offset)
    instructions = _multiline(form.instructions)
    if len(instructions) > TEXT_MAX:
        errors["consignes"] = f"Les consignes comptent {TEXT_MAX} caractères au plus."
    colour = form.colour.strip().lower()
    if not is_hex_colour(colour):
        errors["couleur"] = "Choisissez une couleur dans la palette."
    elif not is_accessible(colour):
        errors["couleur"] = (
            f"Cette couleur n’est pas assez contrastée (au moins {MIN_CONTRAST}:1 sur "
            "blanc) : choisissez-en une dans la palette."
        )
    if errors:
        raise FieldErrors(errors)
    motif = Motif(
        id=new_id,
        organisation_id=organisation_id,
        service_id=form.service_id,
        name=name,
        duration_minutes=duration,
        location_type=location_type,
        bookable_online=form.bookable_online,
        min_booking_delay_minutes=minimum,
        max_booking_delay_minutes=maximum,
        cancellation_deadline_minutes=deadline,
        reminder_offsets_minutes=tuple(sorted(offsets, reverse=True)),
        instructions=instructions,
        color=colour,
        archived_at=current.archived_at if current else None,
    )
    store.catalogue.save_motif(motif)
    return motif


def archive_motif(store: Store, organisation_id: str, motif_id: str, now: datetime) -> Motif:
    """Out of the public pages and new bookings; its rdvs keep it."""
    motif = get_motif(store, organisation_id, motif_id)
    if not motif.archived:
        motif = replace(motif, archived_at=now)
        store.catalogue.save_motif(motif)
    return motif


def restore_motif(store: Store, organisation_id: str, motif_id: str) -> Motif:
    motif = replace(get_motif(store, organisation_id, motif_id), archived_at=None)
    store.catalogue.save_motif(motif)
    return motif


# --- agents -------------------------------------------------------------------------------

ROLE_LABELS = {Role.AGENT: "Agent", Role.ADMIN: "Administrateur"}


@dataclass(frozen=True)
class Member:
    agent: Agent
    role: Role


def members(store: Store, organisation_id: str) -> list[Member]:
    return [
        Member(agent, agent.roles[organisation_id])
        for agent in store.agents.agents_of_organisation(organisation_id)
        if organisation_id in agent.roles
    ]


def member(store: Store, organisation_id: str, agent_id: str) -> Member:
    agent = store.agents.get(agent_id)
    if agent is None or organisation_id not in agent.roles:
        raise NotFound("Cet agent ne fait pas partie de votre organisation.")
    return Member(agent, agent.roles[organisation_id])


def _role(text: str, errors: dict[str, str]) -> Role:
    try:
        return Role(text)
    except ValueError:
        errors["role"] = "Choisissez le rôle de l’agent : agent ou administrateur."
        return Role.AGENT


def invite(
    store: Store,
    me: AgentContext,
    email: str,
    first_name: str,
    last_name: str,
    role_text: str,
    now: datetime,
) -> tuple[Agent, bool]:
    """Add an agent to the admin's organisation: (the agent, whether an invitation to
    choose a password was e-mailed; an agent who already has an account gets the role)."""
    errors: dict[str, str] = {}
    role = _role(role_text, errors)
    typed = (email or "").strip().lower()
    existing = None
    if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", typed) is None:
        errors["email"] = "Indiquez l’adresse e-mail professionnelle de l’agent."
    else:
        existing = store.agents.get_by_email(typed)
        if existing is not None and me.organisation.id in existing.roles:
            errors["email"] = "Cet agent fait déjà partie de votre organisation."
    for field, value, label in (("prenom", first_name, "le prénom"), ("nom", last_name, "le nom")):
        if not _clean(value):
            errors[field] = f"Indiquez {label} de l’agent."
        elif len(_clean(value)) > NAME_MAX:
            errors[field] = f"{label[3:].capitalize()} compte {NAME_MAX} caractères au plus."
    if errors:
        raise FieldErrors(errors)
    link = agent_auth.invite_agent(
        store, me, typed, _clean(first_name), _clean(last_name), role, now
    )
    if link is None:  # an account already: read it back by id (no index lag)
        return store.agents.get(existing.id), False
    agent_auth.send_link(store, link)
    return link.agent, True


class AlreadyActive(DomainError):
    status_code = 409
    message = (
        "Cet agent a déjà choisi son mot de passe : s’il l’a oublié, il le réinitialise "
        "depuis la page de connexion (« Mot de passe oublié »)."
    )


def invite_again(store: Store, me: AgentContext, agent_id: str, now: datetime) -> Agent:
    """E-mail a new invitation to an agent of the organisation who has no password yet."""
    agent = member(store, me.organisation.id, agent_id).agent
    if agent.password_hash:
        raise AlreadyActive()
    agent_auth.send_link(store, agent_auth.new_invitation(store, agent, now))
    return agent


class LastAdmin(DomainError):
    status_code = 409
    message = "Votre organisation garde au moins un administrateur : nommez-en un autre avant."


class StillBooked(DomainError):
    status_code = 409
    message = (
        "Cet agent a encore des rendez-vous à venir : déplacez-les vers un autre agent ou "
        "annulez-les avant de le retirer de l’organisation."
    )


def _other_admins(store: Store, organisation_id: str, agent_id: str) -> int:
    return sum(
        1
        for m in members(store, organisation_id)
        if m.role is Role.ADMIN and m.agent.id != agent_id
    )


def change_role(store: Store, me: AgentContext, agent_id: str, role_text: str) -> Member:
    organisation_id = me.organisation.id
    current = member(store, organisation_id, agent_id)
    errors: dict[str, str] = {}
    role = _role(role_text, errors)
    if errors:
        raise FieldErrors(errors)
    demoted = current.role is Role.ADMIN and role is not Role.ADMIN
    if demoted and not _other_admins(store, organisation_id, agent_id):
        raise LastAdmin()
    agent = replace(current.agent, roles={**current.agent.roles, organisation_id: role})
    store.agents.save(agent)
    return Member(agent, role)


def future_rdvs(store: Store, organisation_id: str, agent_id: str, now: datetime) -> list[Rdv]:
    """The agent's rdvs still to come in the organisation (not cancelled), by start."""
    rdvs = store.rdvs.of_agent(agent_id, now, now + timedelta(days=2 * 365))
    return sorted(
        (
            r
            for r in rdvs
            if r.organisation_id == organisation_id
            and r.status is RdvStatus.UNKNOWN
            and r.starts_at >= now
        ),
        key=lambda r: r.starts_at,
    )


def remove(store: Store, me: AgentContext, agent_id: str, now: datetime) -> Agent:
    """Take the agent out of the admin's organisation: refused while they still have
    rdvs to come there (the page lists them first). Their plages there end yesterday,
    so that no slot is offered with them; their sessions lose this organisation."""
    organisation_id = me.organisation.id
    current = member(store, organisation_id, agent_id)
    if agent_id == me.agent.id:
        raise LastAdmin("Vous ne pouvez pas vous retirer vous-même de l’organisation.")
    if current.role is Role.ADMIN and not _other_admins(store, organisation_id, agent_id):
        raise LastAdmin()
    if future_rdvs(store, organisation_id, agent_id, now):
        raise StillBooked()
    today = now.astimezone(PARIS).date()
    for plage in store.planning.plages_of_agent(agent_id, today, today + timedelta(days=3650)):
        if plage.organisation_id != organisation_id:
            continue
        if plage.first_day >= today or plage.recurrence is None:
            store.planning.delete_plage(plage.id)
        else:
            until = today - timedelta(days=1)
            store.planning.save_plage(
                replace(plage, recurrence=replace(plage.recurrence, until=until))
            )
    roles = {org: role for org, role in current.agent.roles.items() if org != organisation_id}
    agent = replace(current.agent, roles=roles)
    store.agents.save(agent)
    return agent


# --- sectors ------------------------------------------------------------------------------

_COMMUNE = re.compile(r"^[^\W\d_][\w’' -]{0,79}$")


def _split(text: str, separators: str) -> list[str]:
    return [part.strip() for part in re.split(separators, text or "") if part.strip()]


def save_sectors(
    store: Store, organisation_id: str, postal_codes_text: str, communes_text: str
) -> Organisation:
    """The postal codes and communes the organisation serves (the home page's search
    finds it by them). At least one of them: without, nobody finds the MDS."""
    organisation = store.catalogue.get_organisation(organisation_id, fresh=True)
    if organisation is None:
        raise NotFound()
    errors: dict[str, str] = {}
    codes: list[str] = []
    wrong = []
    for typed in _split(postal_codes_text, r"[\s,;]+"):
        if re.fullmatch(r"\d{5}", typed):
            codes.append(typed)
        else:
            wrong.append(typed)
    if wrong:
        errors["codes_postaux"] = (
            f"{', '.join('« ' + w + ' »' for w in wrong[:5])} : un code postal compte "
            "5 chiffres, par exemple 62100."
        )
    communes: list[str] = []
    wrong = []
    for typed in _split(communes_text, r"[\n,;]+"):
        name = unicodedata.normalize("NFC", _clean(typed))
        if _COMMUNE.match(name):
            communes.append(name)
        else:
            wrong.append(name)
    if wrong:
        errors["communes"] = (
            f"{', '.join('« ' + w + ' »' for w in wrong[:5])} : indiquez des noms de "
            "communes, un par ligne, sans chiffres (par exemple Nœux-les-Mines)."
        )
    if not errors and not codes and not communes:
        errors["codes_postaux"] = (
            "Indiquez au moins un code postal ou une commune : sans secteur, les usagers "
            "ne trouvent pas la MDS."
        )
    if errors:
        raise FieldErrors(errors)
    unique_communes: dict[str, str] = {}
    for commune in communes:  # the first spelling typed of each
        unique_communes.setdefault(fold(commune), commune)
    organisation = replace(
        organisation,
        postal_codes=tuple(sorted(set(codes))),
        communes=tuple(sorted(unique_communes.values(), key=fold)),
    )
    store.catalogue.save_organisation(organisation)
    return organisation


# --- the waiting list's limits ----------------------------------------------------------------

# What an admin may choose (the settings' defaults are checked only to be at least 1).
# The quiet hours always cover the night: an offer never wakes anyone.
NIGHT_FROM, NIGHT_UNTIL = time(22, 0), time(7, 0)
OFFERS_PER_SLOT_MAX = 10
MIN_NOTICE_DAYS_MAX = 60
OFFERS_PER_DAY_MAX = 5


@dataclass(frozen=True)
class WaitingListForm:
    quiet_from: str = ""
    quiet_until: str = ""
    offers_per_slot: str = ""
    min_notice_days: str = ""
    offers_per_person_per_day: str = ""


@dataclass(frozen=True)
class WaitingListSetup:
    rules: WaitingListRules  # those that apply
    defaults: WaitingListRules  # the deployment's
    own: bool  # the organisation has set its own


def waiting_list_setup(store: Store, organisation_id: str) -> WaitingListSetup:
    organisation = store.catalogue.get_organisation(organisation_id, fresh=True)
    if organisation is None:
        raise NotFound()
    defaults = waiting_list.default_rules(store.settings)
    own = organisation.waiting_list_rules
    return WaitingListSetup(own or defaults, defaults, own is not None)


def _whole(text: str, low: int, high: int) -> int | None:
    number = whole_number(_clean(text))
    return number if number is not None and low <= number <= high else None


def save_waiting_list_rules(
    store: Store, organisation_id: str, form: WaitingListForm
) -> WaitingListRules:
    """The organisation's own limits, each checked with a message for its field."""
    waiting_list_setup(store, organisation_id)  # NotFound for an unknown organisation
    errors: dict[str, str] = {}
    quiet_from, quiet_until = wall_time(form.quiet_from), wall_time(form.quiet_until)
    if quiet_from is None:
        errors["silence_debut"] = "Indiquez une heure, par exemple 20:00."
    if quiet_until is None:
        errors["silence_fin"] = "Indiquez une heure, par exemple 08:00."
    # Quiet hours span midnight and hold at least 22:00-07:00.
    if quiet_from and quiet_until and not quiet_until < quiet_from <= NIGHT_FROM:
        errors["silence_debut"] = (
            "Aucune proposition ne part la nuit : les heures sans proposition commencent le "
            "soir, au plus tard à 22:00 (par exemple 20:00)."
        )
    if quiet_until and quiet_until < NIGHT_UNTIL:
        errors["silence_fin"] = (
            "Aucune proposition ne part la nuit : les heures sans proposition finissent au "
            "plus tôt à 07:00 (par exemple 08:00)."
        )
    per_slot = _whole(form.offers_per_slot, 1, OFFERS_PER_SLOT_MAX)
    if per_slot is None:
        errors["offres_par_creneau"] = (
            f"Indiquez un nombre d’usagers entre 1 et {OFFERS_PER_SLOT_MAX}."
        )
    notice = _whole(form.min_notice_days, 1, MIN_NOTICE_DAYS_MAX)
    if notice is None:
        errors["delai_jours"] = f"Indiquez un nombre de jours entre 1 et {MIN_NOTICE_DAYS_MAX}."
    per_day = _whole(form.offers_per_person_per_day, 1, OFFERS_PER_DAY_MAX)
    if per_day is None:
        errors["offres_par_jour"] = (
            f"Indiquez un nombre de propositions entre 1 et {OFFERS_PER_DAY_MAX}."
        )
    if errors:
        raise FieldErrors(errors)
    assert quiet_from and quiet_until and per_slot and notice and per_day  # checked above
    rules = WaitingListRules(
        quiet_from=quiet_from,
        quiet_until=quiet_until,
        offers_per_slot=per_slot,
        min_notice_days=notice,
        offers_per_person_per_day=per_day,
    )
    store.catalogue.save_waiting_list_rules(organisation_id, rules)
    return rules


def reset_waiting_list_rules(store: Store, organisation_id: str) -> None:
    """Back to the deployment's defaults."""
    waiting_list_setup(store, organisation_id)
    store.catalogue.save_waiting_list_rules(organisation_id, None)
