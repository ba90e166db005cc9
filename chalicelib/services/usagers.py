"""Usagers as agents see them: found by name or phone within their organisation,
created (a child with their responsable), their record (contact, preferences, relatives,
rdvs, no-shows), and their contact details corrected.

Every function takes the organisation the agent works in: an usager of another
organisation is not found (NotFound, the same as an unknown id)."""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain.changes import set_contact
from chalicelib.domain.errors import Busy, FieldErrors, NotFound
from chalicelib.domain.models import (
    Agent,
    Lieu,
    Motif,
    Rdv,
    RdvContact,
    RdvStatus,
    Usager,
)
from chalicelib.domain.policies import DEFAULT_RETENTION_DAYS, retention_until
from chalicelib.domain.text import fold
from chalicelib.services.write_path import Proposal, propose, write
from chalicelib.store import Store

NOT_FOUND = "Cet usager n’existe pas ou n’est pas suivi par votre organisation."
NAME_MAX = 60
SEARCH_MIN = 2
PAGE_SIZE = 20
# Usagers created from one form (its one-time key) get ids in this namespace: the form
# sent twice creates them once.
FORM_USAGER_IDS = uuid.UUID("5b0e5c8e-3f0a-4a57-9d4e-8f1c0a2b7e11")
# A search that looks like a phone number: digits, spaces, dots, dashes, a leading +.
_PHONE_LIKE = re.compile(r"^\+?[\d\s.\-()]{6,}$")


def new_form_key() -> str:
    """A form's one-time key (128 random bits): sent twice, it does its work once."""
    return secrets.token_urlsafe(16)


def get_usager(store: Store, organisation_id: str, usager_id: str) -> Usager:
    usager = store.usagers.get(usager_id) if usager_id else None
    if usager is None or usager.organisation_id != organisation_id:
        raise NotFound(NOT_FOUND)
    return usager


def holder_of(store: Store, usager: Usager) -> Usager:
    """Who holds the usager's contact details: their responsable for a child."""
    if usager.responsable_id:
        responsable = store.usagers.get(usager.responsable_id)
        if responsable is not None and responsable.organisation_id == usager.organisation_id:
            return responsable
    return usager


# --- search ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    usager: Usager
    responsable: Usager | None  # a child's, named next to them


@dataclass(frozen=True)
class Search:
    text: str
    by_phone: bool
    results: list[Found]
    next_cursor: str | None = None


def search(store: Store, organisation_id: str, text: str, cursor: str | None = None) -> Search:
    """By phone (the whole number: the holders, then their children) or by the start of
    « nom prénom » (accents and case ignored; « prénom nom » is tried when that finds
    nobody), a page at a time."""
    text = " ".join(text.split())[:100]
    if _PHONE_LIKE.match(text):
        from chalicelib.domain.contact import normalise_mobile  # phonenumbers: when used

        try:
            phone = normalise_mobile(text)
        except ValueError as error:
            raise FieldErrors({"q": str(error)}) from None
        holders = store.usagers.by_phone(organisation_id, phone)
        results = []
        for holder in sorted(holders, key=_by_name):
            results.append(Found(holder, None))
            children = store.usagers.relatives_of(holder.id)
            results += [Found(c, holder) for c in sorted(children, key=_by_name)]
        return Search(text, True, results)
    if len(fold(text)) < SEARCH_MIN:
        raise FieldErrors(
            {"q": "Tapez au moins deux lettres du nom, ou un numéro de portable entier."}
        )
    page = store.usagers.by_name_prefix(organisation_id, text, PAGE_SIZE, cursor)
    words = text.split(" ")
    if not page.items and not cursor and len(words) > 1:
        # « Marie Dupont » typed for « Dupont Marie »
        swapped = " ".join([*words[1:], words[0]])
        page = store.usagers.by_name_prefix(organisation_id, swapped, PAGE_SIZE)
    return Search(text, False, _with_responsables(store, page.items), page.next_cursor)


def _with_responsables(store: Store, usagers: list[Usager]) -> list[Found]:
    wanted = sorted({u.responsable_id for u in usagers if u.responsable_id})
    responsables = {r.id: r for r in store.usagers.get_many(wanted)}
    return [
        Found(u, responsables.get(u.responsable_id) if u.responsable_id else None) for u in usagers
    ]


def _by_name(usager: Usager) -> str:
    return fold(f"{usager.last_name} {usager.first_name}")


# --- what an agent types ---------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    first_name: str
    last_name: str
    birth_date: date | None = None
    birth_date_typed: str = ""  # what was typed, when it could not be read as a date


@dataclass(frozen=True)
class ContactInput:
    phone: str = ""  # as typed: normalised here
    email: str = ""
    notify_sms: bool = True
    notify_email: bool = True


def _identity_errors(identity: Identity, prefix: str, today: date) -> dict[str, str]:
    errors = {}
    for name, value, label in (
        ("prenom", identity.first_name, "le prénom"),
        ("nom", identity.last_name, "le nom"),
    ):
        if not value.strip():
            errors[prefix + name] = f"Indiquez {label}."
        elif len(value.strip()) > NAME_MAX:
            errors[prefix + name] = (
                f"{label.capitalize()} est trop long ({NAME_MAX} caractères au plus)."
            )
    if identity.birth_date is None and identity.birth_date_typed.strip():
        errors[prefix + "naissance"] = (
            "Indiquez la date de naissance au format JJ/MM/AAAA, par exemple 14/03/2022."
        )
    elif identity.birth_date is not None and not (date(1900, 1, 1) <= identity.birth_date <= today):
        errors[prefix + "naissance"] = "Cette date de naissance n’est pas possible."
    return errors


def _contact_values(contact: ContactInput) -> tuple[dict[str, str | None], dict[str, str]]:
    from chalicelib.domain.contact import normalise_email, normalise_mobile  # when used

    values: dict[str, str | None] = {"phone": None, "email": None}
    errors = {}
    if contact.phone.strip():
        try:
            values["phone"] = normalise_mobile(contact.phone)
        except ValueError as error:
            errors["telephone"] = str(error)
    if contact.email.strip():
        try:
            values["email"] = normalise_email(contact.email)
        except ValueError as error:
            errors["email"] = str(error)
    return values, errors


def _clean(identity: Identity) -> dict[str, object]:
    return {
        "first_name": " ".join(identity.first_name.split()),
        "last_name": " ".join(identity.last_name.split()),
        "birth_date": identity.birth_date,
    }


# --- creation --------------------------------------------------------------------------


@dataclass(frozen=True)
class NewUsager:
    """An usager to create: a person with their contact details, and possibly their
    child; or (`responsable_id`) a child of a person already known."""

    key: str  # the form's one-time key
    person: Identity
    contact: ContactInput = ContactInput()
    child: Identity | None = None
    responsable_id: str | None = None


def create(store: Store, organisation_id: str, new: NewUsager, now: datetime) -> Usager:
    """The usager the rest of the work is about: the child when there is one. The same
    form sent twice (same key) gives the same usager, created once."""
    if not 16 <= len(new.key) <= 100:
        raise FieldErrors(message="Ce formulaire a expiré. Rechargez la page et recommencez.")
    today = now.date()
    responsable = (
        get_usager(store, organisation_id, new.responsable_id) if new.responsable_id else None
    )
    errors = _identity_errors(new.person, "", today)
    values: dict[str, str | None] = {"phone": None, "email": None}
    if responsable is None:
        values, contact_errors = _contact_values(new.contact)
        errors.update(contact_errors)
    if new.child is not None:
        errors.update(_identity_errors(new.child, "enfant_", today))
    if errors:
        raise FieldErrors(errors)
    person_id = _form_id(organisation_id, new.key, "person")
    child_id = _form_id(organisation_id, new.key, "child")
    done = store.usagers.get(child_id if new.child else person_id)
    if done is not None and done.organisation_id == organisation_id:
        return done  # this form was sent already
    territoire_days = _retention_days(store, organisation_id)
    keep_until = retention_until(now, territoire_days)

    def child_of(responsable_id: str, child_id: str, identity: Identity) -> Usager:
        """A child: no contact of their own, their responsable's is used."""
        child = Usager(
            id=child_id,
            organisation_id=organisation_id,
            responsable_id=responsable_id,
            notify_sms=False,
            notify_email=False,
            created_at=now,
            expires_at=keep_until,
            **_clean(identity),
        )
        store.usagers.save(child)
        return child

    if responsable is not None:  # a child of a known person
        return child_of(responsable.id, person_id, new.person)
    person = Usager(
        id=person_id,
        organisation_id=organisation_id,
        phone=values["phone"],
        email=values["email"],
        notify_sms=new.contact.notify_sms and bool(values["phone"]),
        notify_email=new.contact.notify_email and bool(values["email"]),
        created_at=now,
        expires_at=keep_until,
        **_clean(new.person),
    )
    store.usagers.save(person)
    if new.child is None:
        return person
    return child_of(person.id, child_id, new.child)


def _form_id(organisation_id: str, key: str, role: str) -> str:
    return str(uuid.uuid5(FORM_USAGER_IDS, f"{organisation_id}:{key}:{role}"))


def _retention_days(store: Store, organisation_id: str) -> int:
    organisation = store.catalogue.get_organisation(organisation_id)
    if organisation is None:
        return DEFAULT_RETENTION_DAYS
    territoire = store.catalogue.get_territoire(organisation.territoire_id)
    return territoire.retention_days if territoire else DEFAULT_RETENTION_DAYS


# --- the record ------------------------------------------------------------------------


@dataclass(frozen=True)
class RdvLine:
    rdv: Rdv
    motif: Motif | None
    lieu: Lieu | None
    agent: Agent | None


@dataclass(frozen=True)
class Record:
    usager: Usager
    holder: Usager  # who holds the contact details (the responsable of a child)
    responsable: Usager | None
    relatives: list[Usager]  # children whose contact details this usager holds
    upcoming: list[RdvLine]  # soonest first
    past: list[RdvLine]  # latest first
    noshow_count: int  # this usager's own rdvs marked noshow


def record(store: Store, organisation_id: str, usager_id: str, now: datetime) -> Record:
    usager = get_usager(store, organisation_id, usager_id)
    holder = holder_of(store, usager)
    relatives = sorted(
        (r for r in store.usagers.relatives_of(usager.id) if r.organisation_id == organisation_id),
        key=_by_name,
    )
    rdvs = [r for r in store.rdvs.of_usager(usager.id) if r.organisation_id == organisation_id]
    lines = _lines(store, organisation_id, rdvs)
    upcoming = [line for line in lines if line.rdv.ends_at > now]
    upcoming.sort(key=lambda line: line.rdv.starts_at)
    past = [line for line in lines if line.rdv.ends_at <= now]
    past.sort(key=lambda line: line.rdv.starts_at, reverse=True)
    return Record(
        usager=usager,
        holder=holder,
        responsable=holder if holder.id != usager.id else None,
        relatives=relatives,
        upcoming=upcoming,
        past=past,
        noshow_count=sum(1 for r in rdvs if r.status is RdvStatus.NOSHOW),
    )


def _lines(store: Store, organisation_id: str, rdvs: list[Rdv]) -> list[RdvLine]:
    if not rdvs:
        return []
    motifs = {m.id: m for m in store.catalogue.motifs_of_organisation(organisation_id)}
    lieux = {lieu.id: lieu for lieu in store.catalogue.lieux_of_organisation(organisation_id)}
    agents = {a.id: a for a in store.agents.agents_of_organisation(organisation_id)}
    return [
        RdvLine(
            rdv,
            motifs.get(rdv.motif_id),
            lieux.get(rdv.lieu_id) if rdv.lieu_id else None,
            agents.get(rdv.agent_id),
        )
        for rdv in rdvs
    ]


# --- corrections -----------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    identity: Identity
    contact: ContactInput | None  # None for a child: their responsable holds it


@dataclass(frozen=True)
class Corrected:
    usager: Usager
    rdvs_updated: int  # upcoming rdvs whose contact followed the correction


def correct(
    store: Store,
    organisation_id: str,
    usager_id: str,
    correction: Correction,
    by_agent_id: str,
    now: datetime,
) -> Corrected:
    """Save the corrected identity and contact details. The upcoming rdvs that were
    reaching the usager at the old phone or e-mail (theirs and their children's) reach
    them at the new one: each rdv's contact changes on the write path."""
    old = get_usager(store, organisation_id, usager_id)
    errors = _identity_errors(correction.identity, "", now.date())
    values: dict[str, str | None] = {"phone": old.phone, "email": old.email}
    if correction.contact is not None:
        values, contact_errors = _contact_values(correction.contact)
        errors.update(contact_errors)
    if errors:
        raise FieldErrors(errors)
    new = replace(old, **_clean(correction.identity))
    if correction.contact is not None:
        new = replace(
            new,
            phone=values["phone"],
            email=values["email"],
            notify_sms=correction.contact.notify_sms and bool(values["phone"]),
            notify_email=correction.contact.notify_email and bool(values["email"]),
            # A new address has not bounced (yet); the same one keeps its flag.
            email_invalid=old.email_invalid and values["email"] == old.email,
        )
    if new == old:
        return Corrected(old, 0)
    if new.created_at is None:
        new = replace(new, created_at=now)
    store.usagers.save(new)
    updated = 0
    if _contact_fields(old) != _contact_fields(new):
        updated = _follow(store, organisation_id, old, new, by_agent_id, now)
    return Corrected(new, updated)


def _contact_fields(usager: Usager) -> tuple:
    return (
        usager.phone,
        usager.email,
        usager.notify_sms,
        usager.notify_email,
        usager.email_invalid,
    )


def followed_contact(contact: RdvContact, old: Usager, new: Usager) -> RdvContact:
    """A rdv's contact after its usager's record changed from `old` to `new`: the phone
    (and its SMS preference) follow the record where the rdv had the record's old phone,
    the e-mail likewise; details typed for that one rdv stay as they are."""
    if contact.phone == old.phone:
        contact = replace(contact, phone=new.phone, notify_sms=new.notify_sms and bool(new.phone))
    if contact.email == old.email:
        contact = replace(
            contact,
            email=new.email,
            notify_email=new.notify_email and bool(new.email),
            email_invalid=new.email_invalid,
        )
    return contact


def _follow(
    store: Store, organisation_id: str, old: Usager, new: Usager, by: str, now: datetime
) -> int:
    """Change the contact of the upcoming rdvs of the usager and of their children."""
    concerned = [old.id] + [r.id for r in store.usagers.relatives_of(old.id)]
    updated = 0
    for usager_id in concerned:
        for rdv in store.rdvs.of_usager(usager_id):
            if (
                rdv.organisation_id != organisation_id
                or rdv.status is not RdvStatus.UNKNOWN
                or rdv.starts_at <= now
                or rdv.contact is None  # reads the record at each send
            ):
                continue
            if _set_contact(store, rdv, old, new, by, now):
                updated += 1
    return updated


def _set_contact(store: Store, read: Rdv, old: Usager, new: Usager, by: str, now: datetime) -> bool:
    def attempt(number: int) -> Proposal | None:
        rdv = read if number == 0 else store.rdvs.get(read.id)
        if rdv is None or rdv.contact is None:
            return None
        contact = followed_contact(rdv.contact, old, new)
        if contact == rdv.contact:
            return None
        return propose(store, set_contact(rdv, contact, now, by), ())

    def busy() -> None:
        raise Busy()

    return write(store, attempt, busy) is not None


def phone_display(e164: str | None) -> str:
    """+33612345678 → 06 12 34 56 78 (the way agents read a number out)."""
    if not e164:
        return ""
    import phonenumbers

    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
