"""What the usager's pages and the public API show of a rdv: the view every use case
returns after its write, built from what it already holds (no re-read of the rdv)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import Lieu, Motif, Organisation, Rdv, Service, Usager
from chalicelib.domain.policies import usager_can_change
from chalicelib.store import Store


@dataclass(frozen=True)
class ContactPreferences:
    """Which channels the person told about this rdv receives (never the addresses)."""

    usager_id: str
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


def preferences_of(contact: Usager | None) -> ContactPreferences | None:
    if contact is None:
        return None
    return ContactPreferences(
        usager_id=contact.id,
        has_phone=bool(contact.phone),
        has_email=bool(contact.email) and not contact.email_invalid,
        sms=contact.notify_sms,
        email=contact.notify_email,
    )


def managed_rdv(store: Store, rdv: Rdv, contact: Usager | None, now: datetime) -> ManagedRdv:
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


def contact_of(store: Store, rdv: Rdv) -> Usager | None:
    """Who is told: the usager, or for a child the responsable holding the contact."""
    for usager in store.usagers.get_many(list(rdv.usager_ids)):
        if usager.responsable_id:
            responsable = store.usagers.get(usager.responsable_id)
            if responsable is not None:
                return responsable
        if usager.phone or usager.email:
            return usager
    return None
