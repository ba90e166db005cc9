"""Territoires, organisations and their sectors, services, motifs and lieux."""

from __future__ import annotations

from collections.abc import Iterable

from chalicelib.domain.models import (
    Lieu,
    LocationType,
    Motif,
    Organisation,
    Service,
    Territoire,
)
from chalicelib.domain.text import fold
from chalicelib.store.models import (
    LieuModel,
    MotifModel,
    OrganisationModel,
    SectorModel,
    ServiceModel,
    TerritoireModel,
)


def postal_code_place(postal_code: str) -> str:
    return f"cp#{postal_code.strip()}"


def commune_place(commune: str) -> str:
    return f"commune#{fold(commune)}"


# --- conversions -----------------------------------------------------------------------


def _territoire(item: TerritoireModel) -> Territoire:
    return Territoire(
        id=item.id,
        name=item.name,
        departement_number=item.departement_number,
        retention_days=int(item.retention_days),
    )


def _organisation(item: OrganisationModel) -> Organisation:
    return Organisation(
        id=item.id,
        territoire_id=item.territoire_id,
        name=item.name,
        phone=item.phone,
        address=item.address,
        email=item.email,
        postal_codes=tuple(item.postal_codes or ()),
        communes=tuple(item.communes or ()),
    )


def _service(item: ServiceModel) -> Service:
    return Service(
        id=item.id, territoire_id=item.territoire_id, name=item.name, short_name=item.short_name
    )


def _motif(item: MotifModel) -> Motif:
    return Motif(
        id=item.id,
        organisation_id=item.organisation_id,
        service_id=item.service_id,
        name=item.name,
        duration_minutes=int(item.duration_minutes),
        location_type=LocationType(item.location_type),
        bookable_online=bool(item.bookable_online),
        min_booking_delay_minutes=int(item.min_booking_delay_minutes),
        max_booking_delay_days=int(item.max_booking_delay_days),
        cancellation_deadline_minutes=int(item.cancellation_deadline_minutes),
        reminder_offsets_minutes=tuple(int(m) for m in item.reminder_offsets_minutes or ()),
        instructions=item.instructions or "",
        color=item.color,
    )


def _lieu(item: LieuModel) -> Lieu:
    return Lieu(
        id=item.id,
        organisation_id=item.organisation_id,
        name=item.name,
        address=item.address,
        phone=item.phone or "",
        opening_info=item.opening_info or "",
    )


# --- repository --------------------------------------------------------------------------


class CatalogueRepository:
    """What an organisation offers: who serves a place, with which services, motifs, lieux."""

    def save_territoire(self, territoire: Territoire) -> None:
        TerritoireModel(
            id=territoire.id,
            name=territoire.name,
            departement_number=territoire.departement_number,
            retention_days=territoire.retention_days,
        ).save()

    def get_territoire(self, territoire_id: str) -> Territoire | None:
        try:
            return _territoire(TerritoireModel.get(territoire_id))
        except TerritoireModel.DoesNotExist:
            return None

    def save_organisation(self, organisation: Organisation) -> None:
        """Save the organisation and its sector items (one per postal code and commune)."""
        previous = self.get_organisation(organisation.id)
        OrganisationModel(
            id=organisation.id,
            territoire_id=organisation.territoire_id,
            name=organisation.name,
            phone=organisation.phone,
            address=organisation.address,
            email=organisation.email,
            postal_codes=list(organisation.postal_codes),
            communes=list(organisation.communes),
        ).save()
        places = _places(organisation.postal_codes, organisation.communes)
        with SectorModel.batch_write() as batch:
            if previous is not None:
                for stale in _places(previous.postal_codes, previous.communes) - places:
                    batch.delete(SectorModel(stale, organisation.id))
            for place in places:
                batch.save(
                    SectorModel(
                        place=place,
                        organisation_id=organisation.id,
                        organisation_name=organisation.name,
                    )
                )

    def get_organisation(self, organisation_id: str) -> Organisation | None:
        try:
            return _organisation(OrganisationModel.get(organisation_id))
        except OrganisationModel.DoesNotExist:
            return None

    def organisations_of_territoire(self, territoire_id: str) -> list[Organisation]:
        return [_organisation(i) for i in OrganisationModel.by_territoire.query(territoire_id)]

    def organisations_serving(self, place: str) -> list[Organisation]:
        """Organisations whose sector covers a postal code (5 digits) or a commune name."""
        place = place.strip()
        key = postal_code_place(place) if place.isdigit() else commune_place(place)
        ids = [item.organisation_id for item in SectorModel.query(key)]
        if not ids:
            return []
        found = {o.id: _organisation(o) for o in OrganisationModel.batch_get(ids)}
        return sorted((found[i] for i in ids if i in found), key=lambda o: o.name)

    def save_service(self, service: Service) -> None:
        ServiceModel(
            id=service.id,
            territoire_id=service.territoire_id,
            name=service.name,
            short_name=service.short_name,
        ).save()

    def get_service(self, service_id: str) -> Service | None:
        try:
            return _service(ServiceModel.get(service_id))
        except ServiceModel.DoesNotExist:
            return None

    def services_of_territoire(self, territoire_id: str) -> list[Service]:
        return [_service(i) for i in ServiceModel.by_territoire.query(territoire_id)]

    def save_motif(self, motif: Motif) -> None:
        MotifModel(
            id=motif.id,
            organisation_id=motif.organisation_id,
            service_id=motif.service_id,
            name=motif.name,
            duration_minutes=motif.duration_minutes,
            location_type=motif.location_type.value,
            bookable_online=motif.bookable_online,
            min_booking_delay_minutes=motif.min_booking_delay_minutes,
            max_booking_delay_days=motif.max_booking_delay_days,
            cancellation_deadline_minutes=motif.cancellation_deadline_minutes,
            reminder_offsets_minutes=list(motif.reminder_offsets_minutes),
            instructions=motif.instructions,
            color=motif.color,
        ).save()

    def get_motif(self, motif_id: str) -> Motif | None:
        try:
            return _motif(MotifModel.get(motif_id))
        except MotifModel.DoesNotExist:
            return None

    def motifs_of_organisation(self, organisation_id: str) -> list[Motif]:
        return [_motif(i) for i in MotifModel.by_organisation.query(organisation_id)]

    def save_lieu(self, lieu: Lieu) -> None:
        LieuModel(
            id=lieu.id,
            organisation_id=lieu.organisation_id,
            name=lieu.name,
            address=lieu.address,
            phone=lieu.phone,
            opening_info=lieu.opening_info,
        ).save()

    def get_lieu(self, lieu_id: str) -> Lieu | None:
        try:
            return _lieu(LieuModel.get(lieu_id))
        except LieuModel.DoesNotExist:
            return None

    def lieux_of_organisation(self, organisation_id: str) -> list[Lieu]:
        return [_lieu(i) for i in LieuModel.by_organisation.query(organisation_id)]


def _places(postal_codes: Iterable[str], communes: Iterable[str]) -> set[str]:
    return {postal_code_place(c) for c in postal_codes} | {commune_place(c) for c in communes}
