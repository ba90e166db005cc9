"""File d'attente: usagers who want an earlier slot for a motif (at a lieu)."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.models import WaitingListEntry
from chalicelib.store.base import parse_day
from chalicelib.store.models import WaitingListEntryModel


def motif_lieu_key(motif_id: str, lieu_id: str | None) -> str:
    return f"{motif_id}#{lieu_id or '-'}"


def _entry(item: WaitingListEntryModel) -> WaitingListEntry:
    return WaitingListEntry(
        id=item.id,
        organisation_id=item.organisation_id,
        motif_id=item.motif_id,
        lieu_id=item.lieu_id,
        usager_id=item.usager_id,
        created_at=item.created_at,
        wanted_before=parse_day(item.wanted_before),
    )


class WaitingListRepository:
    def save(self, entry: WaitingListEntry) -> None:
        WaitingListEntryModel(
            id=entry.id,
            organisation_id=entry.organisation_id,
            motif_id=entry.motif_id,
            lieu_id=entry.lieu_id,
            motif_lieu=motif_lieu_key(entry.motif_id, entry.lieu_id),
            usager_id=entry.usager_id,
            created_at=entry.created_at,
            wanted_before=entry.wanted_before.isoformat() if entry.wanted_before else None,
        ).save()

    def delete(self, entry_id: str) -> None:
        WaitingListEntryModel(id=entry_id).delete()

    def of_motif_lieu(
        self, motif_id: str, lieu_id: str | None, wanted_on: date | None = None
    ) -> list[WaitingListEntry]:
        """Entries for a motif at a lieu, first come first served; `wanted_on` keeps
        those still interested in a slot that day."""
        results = WaitingListEntryModel.by_motif_lieu.query(motif_lieu_key(motif_id, lieu_id))
        entries = [_entry(i) for i in results]
        if wanted_on is not None:
            entries = [
                e for e in entries if e.wanted_before is None or wanted_on <= e.wanted_before
            ]
        return entries
