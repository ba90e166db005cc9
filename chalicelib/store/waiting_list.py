"""File d'attente: usagers who want an earlier slot for a motif (at a lieu), one entry
per rdv (the entry's id is the rdv's), and the freed slots offered to them."""

from __future__ import annotations

from datetime import date

from pynamodb.exceptions import PutError

from chalicelib.domain.models import WaitingListEntry, WaitingOffer
from chalicelib.store.base import parse_day
from chalicelib.store.models import WaitingListEntryModel, WaitingOfferModel

ANY_LIEU = "*"
LISTED = "waiting"  # every entry's key in the by-listed index


def motif_lieu_key(motif_id: str, lieu_id: str | None) -> str:
    return f"{motif_id}#{lieu_id or '-'}"


def entry_key(entry: WaitingListEntry) -> str:
    """Where an entry is found: at its lieu, or with every lieu of the motif."""
    return motif_lieu_key(entry.motif_id, ANY_LIEU if entry.any_lieu else entry.lieu_id)


def _entry(item: WaitingListEntryModel) -> WaitingListEntry:
    return WaitingListEntry(
        id=item.id,
        organisation_id=item.organisation_id,
        motif_id=item.motif_id,
        lieu_id=item.lieu_id,
        usager_id=item.usager_id,
        created_at=item.created_at,
        wanted_before=parse_day(item.wanted_before),
        expires_at=item.expires_at,
        any_lieu=bool(item.any_lieu),
    )


def _offer(item: WaitingOfferModel) -> WaitingOffer:
    return WaitingOffer(
        token_hash=item.token_hash,
        rdv_id=item.rdv_id,
        organisation_id=item.organisation_id,
        motif_id=item.motif_id,
        lieu_id=item.lieu_id,
        starts_at=item.starts_at,
        created_at=item.created_at,
        ends_at=item.ends_at,
    )


class WaitingListRepository:
    def save(self, entry: WaitingListEntry) -> None:
        WaitingListEntryModel(
            id=entry.id,
            organisation_id=entry.organisation_id,
            motif_id=entry.motif_id,
            lieu_id=entry.lieu_id,
            motif_lieu=entry_key(entry),
            usager_id=entry.usager_id,
            created_at=entry.created_at,
            wanted_before=entry.wanted_before.isoformat() if entry.wanted_before else None,
            expires_at=entry.expires_at,
            any_lieu=True if entry.any_lieu else None,
            listed=LISTED,
        ).save()

    def get(self, entry_id: str) -> WaitingListEntry | None:
        try:
            return _entry(WaitingListEntryModel.get(entry_id, consistent_read=True))
        except WaitingListEntryModel.DoesNotExist:
            return None

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

    def all_entries(self) -> list[WaitingListEntry]:
        """Every entry, by organisation (one Query of the by-listed index, paged): what
        the daytime sweep looks for earlier free time for."""
        return [_entry(i) for i in WaitingListEntryModel.by_listed.query(LISTED)]

    def waiting_for(self, motif_id: str, lieu_id: str | None) -> list[WaitingListEntry]:
        """Entries a slot of this motif at this lieu may go to: those at the lieu, and
        those for any lieu of the motif (two Queries)."""
        entries = self.of_motif_lieu(motif_id, lieu_id)
        if lieu_id is not None:
            entries += self.of_motif_lieu(motif_id, ANY_LIEU)
        return entries

    def anyone_waiting(self, motif_id: str, lieu_id: str | None) -> bool:
        """Whether any entry waits for this motif at this lieu (Queries of one item)."""
        keys = [motif_lieu_key(motif_id, lieu_id)]
        if lieu_id is not None:
            keys.append(motif_lieu_key(motif_id, ANY_LIEU))
        return any(
            any(True for _ in WaitingListEntryModel.by_motif_lieu.query(key, limit=1))
            for key in keys
        )

    def add_offer(self, offer: WaitingOffer) -> bool:
        """Record an offer unless it is there already (a redelivered message): True
        when this call made it."""
        item = WaitingOfferModel(
            token_hash=offer.token_hash,
            rdv_id=offer.rdv_id,
            organisation_id=offer.organisation_id,
            motif_id=offer.motif_id,
            lieu_id=offer.lieu_id,
            starts_at=offer.starts_at,
            created_at=offer.created_at,
            ends_at=offer.ends_at,
            expires_at=offer.ends_at,
        )
        try:
            item.save(condition=WaitingOfferModel.token_hash.does_not_exist())
        except PutError as error:
            if error.cause_response_code == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def offer(self, token_hash: str) -> WaitingOffer | None:
        try:
            return _offer(WaitingOfferModel.get(token_hash, consistent_read=True))
        except WaitingOfferModel.DoesNotExist:
            return None
