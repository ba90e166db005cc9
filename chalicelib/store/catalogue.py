"""Territoires, organisations and their sectors, services, motifs and lieux."""

from __future__ import annotations

from datetime import time

from pynamodb.attributes import MapAttribute

from chalicelib.domain.models import (
    Lieu,
    LocationType,
    Motif,
    Organisation,
    Service,
    Territoire,
    WaitingListRules,
)
from chalicelib.domain.text import fold
from chalicelib.store.cache import CATALOGUE
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


# A commune is found by the first letters of its folded name: one `sectors` item per
# (commune, organisation) in the partition of the name's first two letters, its range
# key the folded name then the organisation id, so that a Query with `begins_with`
# finds every commune starting with what was typed ("noeux" → "noeux les mines#org-2").
# The range attribute is `organisation_id`, as for postal codes: no schema change.
PREFIX_LENGTH = 2


def commune_item(commune: str, organisation_id: str) -> tuple[str, str]:
    """The (place, range key) of the sector item of a commune served by an organisation."""
    folded = fold(commune)
    return commune_partition(folded), f"{folded}#{organisation_id}"


def commune_partition(folded: str) -> str:
    return f"commune-prefix#{folded[:PREFIX_LENGTH]}"


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
        waiting_list_rules=_rules(item.waiting_list_rules),
    )


def _rules(raw: MapAttribute | None) -> WaitingListRules | None:
    if raw is None:
        return None
    values, default = raw.as_dict(), WaitingListRules()
    # A field missing (added after the item was saved) takes the domain's default.
    return WaitingListRules(
        quiet_from=time.fromisoformat(values.get("quiet_from") or "20:00"),
        quiet_until=time.fromisoformat(values.get("quiet_until") or "08:00"),
        offers_per_slot=int(values.get("offers_per_slot") or default.offers_per_slot),
        min_notice_days=int(values.get("min_notice_days") or default.min_notice_days),
        offers_per_person_per_day=int(
            values.get("offers_per_person_per_day") or default.offers_per_person_per_day
        ),
    )


def _rules_item(rules: WaitingListRules | None) -> dict[str, str | int] | None:
    if rules is None:
        return None
    return {
        "quiet_from": rules.quiet_from.strftime("%H:%M"),
        "quiet_until": rules.quiet_until.strftime("%H:%M"),
        "offers_per_slot": rules.offers_per_slot,
        "min_notice_days": rules.min_notice_days,
        "offers_per_person_per_day": rules.offers_per_person_per_day,
    }


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
        max_booking_delay_minutes=_max_delay(item),
        cancellation_deadline_minutes=int(item.cancellation_deadline_minutes),
        reminder_offsets_minutes=tuple(int(m) for m in item.reminder_offsets_minutes or ()),
        instructions=item.instructions or "",
        color=item.color,
        archived_at=item.archived_at,
    )


def _max_delay(item: MotifModel) -> int | None:
    if item.max_booking_delay_minutes is not None:
        return int(item.max_booking_delay_minutes)
    if item.max_booking_delay_days is not None:  # saved before delays were in minutes
        return int(item.max_booking_delay_days) * 24 * 60
    return None


def _lieu(item: LieuModel) -> Lieu:
    return Lieu(
        id=item.id,
        organisation_id=item.organisation_id,
        name=item.name,
        address=item.address,
        phone=item.phone or "",
        opening_info=item.opening_info or "",
        accessibility=item.accessibility or "",
        archived_at=item.archived_at,
    )


# --- repository --------------------------------------------------------------------------


class CatalogueRepository:
    """What an organisation offers: who serves a place, with which services, motifs, lieux.

    Reads go through the catalogue cache (`store/cache.py`, 60 s): these items change
    rarely and every page needs them. Every save here clears it (in this process only:
    other warm Lambdas see a change within the cache's 60 s). `fresh=True` reads past
    the cache: the admins' setup pages, which must show what was just saved even when
    the next request lands on another Lambda."""

    def save_territoire(self, territoire: Territoire) -> None:
        CATALOGUE.clear()
        TerritoireModel(
            id=territoire.id,
            name=territoire.name,
            departement_number=territoire.departement_number,
            retention_days=territoire.retention_days,
        ).save()
        CATALOGUE.clear()  # again once written: a read meanwhile cached the old

    def get_territoire(self, territoire_id: str) -> Territoire | None:
        return CATALOGUE.get(
            ("territoire", territoire_id), lambda: _get(TerritoireModel, territoire_id, _territoire)
        )

    def save_organisation(self, organisation: Organisation) -> None:
        """Save the organisation and its sector items (one per postal code and commune).
        Its waiting-list limits are left as they are: `save_waiting_list_rules` sets them
        (a sectors' save racing an admin's limits, or a demo reload, keeps them)."""
        CATALOGUE.clear()
        previous = _get(OrganisationModel, organisation.id, _organisation)  # not cached
        model = OrganisationModel
        OrganisationModel(id=organisation.id).update(
            actions=[
                model.territoire_id.set(organisation.territoire_id),
                model.name.set(organisation.name),
                model.phone.set(organisation.phone),
                model.address.set(organisation.address),
                model.email.set(organisation.email) if organisation.email else model.email.remove(),
                model.postal_codes.set(list(organisation.postal_codes)),
                model.communes.set(list(organisation.communes)),
            ]
        )
        items = _sector_items(organisation)
        with SectorModel.batch_write() as batch:
            if previous is not None:
                for place, range_key in _sector_items(previous) - items:
                    batch.delete(SectorModel(place, range_key))
            for place, range_key in items:
                batch.save(
                    SectorModel(
                        place=place,
                        organisation_id=range_key,
                        organisation_name=organisation.name,
                    )
                )
        CATALOGUE.clear()  # again once written: a read meanwhile cached the old

    def save_waiting_list_rules(
        self, organisation_id: str, rules: WaitingListRules | None
    ) -> Organisation:
        """Set (None: remove) an organisation's own waiting-list limits; nothing else
        of the organisation is written."""
        item = OrganisationModel(id=organisation_id)
        attribute = OrganisationModel.waiting_list_rules
        action = attribute.remove() if rules is None else attribute.set(_rules_item(rules))
        item.update(actions=[action], condition=OrganisationModel.id.exists())
        CATALOGUE.clear()
        return _organisation(item)

    def get_organisation(self, organisation_id: str, fresh: bool = False) -> Organisation | None:
        if fresh:
            return _get(OrganisationModel, organisation_id, _organisation)
        return CATALOGUE.get(
            ("organisation", organisation_id),
            lambda: _get(OrganisationModel, organisation_id, _organisation),
        )

    def organisations_of_territoire(self, territoire_id: str) -> list[Organisation]:
        return _listed(
            ("organisations_of", territoire_id),
            lambda: [
                _organisation(i) for i in OrganisationModel.by_territoire.query(territoire_id)
            ],
        )

    def organisations_serving(self, place: str) -> list[Organisation]:
        """Organisations whose sector covers a postal code (5 digits), or a commune whose
        folded name starts with the folded `place`, by name. (One letter finds only a
        commune of one letter: Y, in the Somme.)"""
        place = place.strip()
        if place.isdigit():
            key = postal_code_place(place)
            return _listed(("serving", key), lambda: _organisations_serving(key))
        prefix = fold(place)
        return _listed(("serving-commune", prefix), lambda: _organisations_serving_commune(prefix))

    def save_service(self, service: Service) -> None:
        CATALOGUE.clear()
        ServiceModel(
            id=service.id,
            territoire_id=service.territoire_id,
            name=service.name,
            short_name=service.short_name,
        ).save()
        CATALOGUE.clear()  # again once written: a read meanwhile cached the old

    def get_service(self, service_id: str) -> Service | None:
        return CATALOGUE.get(
            ("service", service_id), lambda: _get(ServiceModel, service_id, _service)
        )

    def services_of_territoire(self, territoire_id: str) -> list[Service]:
        return _listed(
            ("services_of", territoire_id),
            lambda: [_service(i) for i in ServiceModel.by_territoire.query(territoire_id)],
        )

    def save_motif(self, motif: Motif) -> None:
        CATALOGUE.clear()
        MotifModel(
            id=motif.id,
            organisation_id=motif.organisation_id,
            service_id=motif.service_id,
            name=motif.name,
            duration_minutes=motif.duration_minutes,
            location_type=motif.location_type.value,
            bookable_online=motif.bookable_online,
            min_booking_delay_minutes=motif.min_booking_delay_minutes,
            max_booking_delay_minutes=motif.max_booking_delay_minutes,
            cancellation_deadline_minutes=motif.cancellation_deadline_minutes,
            reminder_offsets_minutes=list(motif.reminder_offsets_minutes),
            instructions=motif.instructions,
            color=motif.color,
            archived_at=motif.archived_at,
        ).save()
        CATALOGUE.clear()  # again once written: a read meanwhile cached the old

    def get_motif(self, motif_id: str, fresh: bool = False) -> Motif | None:
        if fresh:
            return _get(MotifModel, motif_id, _motif)
        return CATALOGUE.get(("motif", motif_id), lambda: _get(MotifModel, motif_id, _motif))

    def motifs_of_organisation(self, organisation_id: str, fresh: bool = False) -> list[Motif]:
        """Every motif, archived ones included (they name the rdvs made with them)."""

        def load() -> list[Motif]:
            return [_motif(i) for i in MotifModel.by_organisation.query(organisation_id)]

        return load() if fresh else _listed(("motifs_of", organisation_id), load)

    def save_lieu(self, lieu: Lieu) -> None:
        CATALOGUE.clear()
        LieuModel(
            id=lieu.id,
            organisation_id=lieu.organisation_id,
            name=lieu.name,
            address=lieu.address,
            phone=lieu.phone,
            opening_info=lieu.opening_info,
            accessibility=lieu.accessibility,
            archived_at=lieu.archived_at,
        ).save()
        CATALOGUE.clear()  # again once written: a read meanwhile cached the old

    def get_lieu(self, lieu_id: str, fresh: bool = False) -> Lieu | None:
        if fresh:
            return _get(LieuModel, lieu_id, _lieu)
        return CATALOGUE.get(("lieu", lieu_id), lambda: _get(LieuModel, lieu_id, _lieu))

    def lieux_of_organisation(self, organisation_id: str, fresh: bool = False) -> list[Lieu]:
        """Every lieu, archived ones included (they name the rdvs made there)."""

        def load() -> list[Lieu]:
            return [_lieu(i) for i in LieuModel.by_organisation.query(organisation_id)]

        return load() if fresh else _listed(("lieux_of", organisation_id), load)


def _get(model, key: str, convert):
    try:
        return convert(model.get(key))
    except model.DoesNotExist:
        return None


def _listed(key: tuple[str, str], load) -> list:
    """A cached list (kept as a tuple, so no caller can change the cached value)."""
    return list(CATALOGUE.get(key, lambda: tuple(load())))


def _organisations_serving(key: str) -> list[Organisation]:
    return _organisations([item.organisation_id for item in SectorModel.query(key)])


def _organisations_serving_commune(prefix: str) -> list[Organisation]:
    if not prefix:
        return []
    items = SectorModel.query(
        commune_partition(prefix), SectorModel.organisation_id.startswith(prefix)
    )
    return _organisations([item.organisation_id.rpartition("#")[2] for item in items])


def _organisations(ids: list[str]) -> list[Organisation]:
    ids = list(dict.fromkeys(ids))  # once each, in the order found
    if not ids:
        return []
    found = {o.id: _organisation(o) for o in OrganisationModel.batch_get(ids)}
    return sorted((found[i] for i in ids if i in found), key=lambda o: o.name)


def _sector_items(organisation: Organisation) -> set[tuple[str, str]]:
    """The (place, range key) of every sector item of an organisation."""
    return {(postal_code_place(c), organisation.id) for c in organisation.postal_codes} | {
        commune_item(c, organisation.id) for c in organisation.communes
    }
