"""Usagers: the people appointments are for, and their contact details."""

from __future__ import annotations

from chalicelib.domain.models import Usager
from chalicelib.domain.text import fold
from chalicelib.store.base import Page, decode_cursor, parse_day, read_page
from chalicelib.store.models import UsagerModel


def search_name(last_name: str, first_name: str) -> str:
    return fold(f"{last_name} {first_name}")


def _usager(item: UsagerModel) -> Usager:
    return Usager(
        id=item.id,
        organisation_id=item.organisation_id,
        first_name=item.first_name,
        last_name=item.last_name,
        birth_date=parse_day(item.birth_date),
        phone=item.phone,
        email=item.email,
        responsable_id=item.responsable_id,
        notify_sms=bool(item.notify_sms),
        notify_email=bool(item.notify_email),
        email_invalid=bool(item.email_invalid),
        created_at=item.created_at,
        expires_at=item.expires_at,
    )


def usager_to_item(usager: Usager) -> UsagerModel:
    if usager.created_at is None:
        raise ValueError("an usager is saved with its creation time")
    return UsagerModel(
        id=usager.id,
        organisation_id=usager.organisation_id,
        first_name=usager.first_name,
        last_name=usager.last_name,
        search_name=search_name(usager.last_name, usager.first_name),
        birth_date=usager.birth_date.isoformat() if usager.birth_date else None,
        phone=usager.phone,
        email=usager.email,
        responsable_id=usager.responsable_id,
        notify_sms=usager.notify_sms,
        notify_email=usager.notify_email,
        email_invalid=usager.email_invalid,
        created_at=usager.created_at,
        expires_at=usager.expires_at,
    )


class UsagerRepository:
    def save(self, usager: Usager) -> None:
        usager_to_item(usager).save()

    def get(self, usager_id: str) -> Usager | None:
        try:
            return _usager(UsagerModel.get(usager_id))
        except UsagerModel.DoesNotExist:
            return None

    def get_many(self, usager_ids: list[str]) -> list[Usager]:
        if not usager_ids:
            return []
        found = {u.id: _usager(u) for u in UsagerModel.batch_get(usager_ids)}
        return [found[i] for i in usager_ids if i in found]

    def by_phone(self, organisation_id: str, phone: str) -> list[Usager]:
        """Usagers of an organisation with this phone (E.164): a family may share one."""
        results = UsagerModel.by_phone.query(organisation_id, UsagerModel.phone == phone)
        return [_usager(i) for i in results]

    def relatives_of(self, responsable_id: str) -> list[Usager]:
        """The usagers (children) whose contact details this usager holds."""
        return [_usager(i) for i in UsagerModel.by_responsable.query(responsable_id)]

    def by_name_prefix(
        self, organisation_id: str, prefix: str, limit: int = 20, cursor: str | None = None
    ) -> Page[Usager]:
        """Usagers whose "last name first name" starts with the prefix (accents ignored)."""
        folded = fold(prefix)
        start = decode_cursor(
            cursor,
            partition=("organisation_id", organisation_id),
            keys=("id", "organisation_id", "search_name"),
            sort=("search_name", lambda name: name.startswith(folded)),
        )
        results = UsagerModel.by_name.query(
            organisation_id,
            UsagerModel.search_name.startswith(folded),
            limit=limit,
            last_evaluated_key=start,
        )
        return read_page(results, _usager, limit)

    def ids_by_email(self, email: str) -> list[str]:
        """Usagers (of any organisation) with this e-mail address."""
        return [i.id for i in UsagerModel.by_email.query(email)]

    def mark_email_invalid(self, usager_id: str) -> None:
        UsagerModel(id=usager_id).update(
            actions=[UsagerModel.email_invalid.set(True)], condition=UsagerModel.id.exists()
        )
