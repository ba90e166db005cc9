"""What a usager browses before booking: MDS of a place, their services, motifs, lieux."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chalicelib.domain.errors import FieldErrors, MotifClosed, NotFound
from chalicelib.domain.models import Lieu, LocationType, Motif, Organisation, Service
from chalicelib.store import Store

_POSTAL_CODE = re.compile(r"^\d{5}$")
_COMMUNE = re.compile(r"^[^\W\d_][\w’' -]{1,79}$")


def find_organisations(store: Store, place: str) -> list[Organisation]:
    """MDS whose sector covers a postal code (`62100`, `62 100`) or a commune whose name
    starts with what was typed, in any case, with or without accents (`NOEUX`, `Nœux`).
    An empty list is an answer (shown as "no MDS there"); an unreadable query is a
    field error."""
    place = " ".join((place or "").split())
    if not place:
        raise FieldErrors({"lieu": "Indiquez votre code postal ou votre commune."})
    digits = place.replace(" ", "")
    if digits.isdigit():
        if not _POSTAL_CODE.match(digits):
            raise FieldErrors({"lieu": "Un code postal compte 5 chiffres, par exemple 62100."})
        return store.catalogue.organisations_serving(digits)
    if not _COMMUNE.match(place):
        raise FieldErrors({"lieu": "Indiquez un code postal (5 chiffres) ou un nom de commune."})
    return store.catalogue.organisations_serving(place)


def get_organisation(store: Store, organisation_id: str) -> Organisation:
    organisation = store.catalogue.get_organisation(organisation_id)
    if organisation is None:
        raise NotFound("Cette maison départementale des solidarités est introuvable.")
    return organisation


@dataclass(frozen=True)
class ServiceOffer:
    service: Service
    motifs: list[Motif]


def online_offer(store: Store, organisation: Organisation) -> list[ServiceOffer]:
    """The services of an organisation that have motifs open to online booking (an
    archived motif is not)."""
    motifs = [
        m
        for m in store.catalogue.motifs_of_organisation(organisation.id)
        if m.bookable_online and not m.archived
    ]
    offers = []
    for service in store.catalogue.services_of_territoire(organisation.territoire_id):
        of_service = [m for m in motifs if m.service_id == service.id]
        if of_service:
            offers.append(ServiceOffer(service, of_service))
    return offers


def online_motif(store: Store, organisation: Organisation, motif_id: str) -> Motif:
    """A motif of this organisation that usagers may book online (not archived)."""
    motif = store.catalogue.get_motif(motif_id)
    if motif is None or motif.organisation_id != organisation.id:
        raise NotFound("Ce motif de rendez-vous est introuvable.")
    if not motif.bookable_online or motif.archived:
        raise MotifClosed()
    return motif


def lieux_for_motif(store: Store, organisation: Organisation, motif: Motif) -> list[Lieu]:
    """The lieux a motif may be booked at: none for a motif by phone or at home, whose
    slots and bookings take `-` as their lieu (one way to say "no lieu")."""
    if motif.location_type is not LocationType.PUBLIC_OFFICE:
        return []
    return [
        lieu for lieu in store.catalogue.lieux_of_organisation(organisation.id) if not lieu.archived
    ]


def lieu_of(store: Store, organisation: Organisation, motif: Motif, lieu_id: str) -> Lieu | None:
    """The lieu of a new booking: required when the motif takes place at a lieu (and
    not archived), none otherwise (by phone, at home: the path uses `-`)."""
    if motif.location_type is not LocationType.PUBLIC_OFFICE:
        if lieu_id not in ("-", ""):
            raise NotFound("Ce lieu est introuvable.")
        return None
    lieu = store.catalogue.get_lieu(lieu_id)
    if lieu is None or lieu.organisation_id != organisation.id or lieu.archived:
        raise NotFound("Ce lieu est introuvable.")
    return lieu


@dataclass(frozen=True)
class Choice:
    """What an usager has chosen before picking a slot: MDS, motif open online, lieu."""

    organisation: Organisation
    motif: Motif
    lieu: Lieu | None


def booking_choice(store: Store, organisation_id: str, motif_id: str, lieu_id: str) -> Choice:
    organisation = get_organisation(store, organisation_id)
    motif = online_motif(store, organisation, motif_id)
    return Choice(organisation, motif, lieu_of(store, organisation, motif, lieu_id))
