"""What the usager's pages and the public API show of a rdv: the view every use case
returns after its write, built from what it already holds (no re-read of the rdv)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import (
    Lieu,
    Motif,
    Organisation,
    Rdv,
    RdvContact,
    Service,
    Usager,
)
from chalicelib.domain.policies import usager_can_change
from chalicelib.store import Store


@dataclass(frozen=True)
class ContactPreferences:
    """Which channels the person told about this rdv receives (never the addresses)."""

    has_phone: bool
    has_email: bool
    sms: bool
    email: bool


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
    on_waiting_list: bool = False  # set by the manage page's reads only


def preferences_of(contact: RdvContact | None) -> ContactPreferences | None:
    if contact is None or not (contact.phone or contact.email):
        return None
    return ContactPreferences(
        has_phone=bool(contact.phone),
        has_email=bool(contact.email) and not contact.email_invalid,
        sms=contact.notify_sms,
        email=contact.notify_email,
    )


def managed_rdv(store: Store, rdv: Rdv, contact: RdvContact | None, now: datetime) -> ManagedRdv:
    """The view of a rdv; its catalogue items come from the catalogue cache."""
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
        preferences=preferences_of(contact),
    )


def contact_of(store: Store, rdv: Rdv) -> RdvContact | None:
    """Who is told about the rdv, and how: the contact typed on its booking. A rdv made
    before rdvs had their own contact uses its usager's record (the responsable's for a
    child), read from the usagers table."""
    if rdv.contact is not None:
        return rdv.contact
    for usager in store.usagers.get_many(list(rdv.usager_ids)):
        holder = usager
        if usager.responsable_id:
            holder = store.usagers.get(usager.responsable_id) or usager
        if holder.phone or holder.email:
            return contact_from_record(holder, child=usager if holder is not usager else None)
    return None


def contact_from_record(holder: Usager, child: Usager | None = None) -> RdvContact:
    """An usager's record as the contact of a rdv (an agent's booking, older rdvs)."""
    return RdvContact(
        phone=holder.phone,
        email=holder.email,
        notify_sms=holder.notify_sms and bool(holder.phone),
        notify_email=holder.notify_email and bool(holder.email),
        email_invalid=holder.email_invalid,
        child_first_name=child.first_name if child else None,
    )
