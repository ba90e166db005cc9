"""Rdvs: agendas of agents, lieux and organisations, and the manage-token look-up."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.models import (
    BookingChannel,
    CreatedBy,
    MoveRecord,
    Rdv,
    RdvContact,
    RdvStatus,
    StatusChange,
)
from chalicelib.store.base import Page, decode_cursor, read_page
from chalicelib.store.models import MoveMap, RdvContactMap, RdvModel, StatusChangeMap


def rdv_to_item(rdv: Rdv) -> RdvModel:
    return RdvModel(
        id=rdv.id,
        organisation_id=rdv.organisation_id,
        service_id=rdv.service_id,
        motif_id=rdv.motif_id,
        agent_id=rdv.agent_id,
        lieu_id=rdv.lieu_id,
        starts_at=rdv.starts_at,
        duration_minutes=rdv.duration_minutes,
        usager_ids=list(rdv.usager_ids),
        usager_id=rdv.usager_ids[0] if rdv.usager_ids else None,
        created_by=rdv.created_by.value,
        created_by_agent_id=rdv.created_by_agent_id,
        created_at=rdv.created_at,
        status=rdv.status.value,
        status_history=[
            StatusChangeMap(status=c.status.value, at=c.at, by=c.by) for c in rdv.status_history
        ],
        manage_token_hash=rdv.manage_token_hash,
        sequence=rdv.sequence,
        version=rdv.version,
        reminder_offsets=list(rdv.reminder_offsets),
        request_fingerprint=rdv.request_fingerprint,
        contact=_contact_map(rdv.contact),
        contact_email=rdv.contact.email if rdv.contact else None,
        home_address=rdv.home_address,
        moves=[
            MoveMap(
                at=m.at,
                by=m.by,
                from_starts_at=m.from_starts_at,
                waiting_list=True if m.waiting_list else None,
            )
            for m in rdv.moves
        ],
        booked_via=rdv.booked_via.value,
        reminded_at=rdv.reminded_at,
        expires_at=rdv.expires_at,
    )


def rdv_from_item(item: RdvModel) -> Rdv:
    return Rdv(
        id=item.id,
        organisation_id=item.organisation_id,
        service_id=item.service_id,
        motif_id=item.motif_id,
        agent_id=item.agent_id,
        lieu_id=item.lieu_id,
        starts_at=item.starts_at,
        duration_minutes=int(item.duration_minutes),
        usager_ids=tuple(item.usager_ids),
        created_by=CreatedBy(item.created_by),
        created_by_agent_id=item.created_by_agent_id,
        created_at=item.created_at,
        status=RdvStatus(item.status),
        status_history=tuple(
            StatusChange(status=RdvStatus(c.status), at=c.at, by=c.by)
            for c in item.status_history or ()
        ),
        manage_token_hash=item.manage_token_hash,
        sequence=int(item.sequence or 0),
        version=int(item.version or 0),
        reminder_offsets=tuple(int(m) for m in item.reminder_offsets or ()),
        request_fingerprint=item.request_fingerprint,
        contact=_contact(item.contact),
        home_address=item.home_address,
        moves=tuple(
            MoveRecord(m.at, m.by, m.from_starts_at, bool(m.waiting_list)) for m in item.moves or ()
        ),
        booked_via=BookingChannel(item.booked_via or BookingChannel.ONLINE.value),
        reminded_at=item.reminded_at,
        expires_at=item.expires_at,
    )


def _contact_map(contact: RdvContact | None) -> RdvContactMap | None:
    if contact is None:
        return None
    return RdvContactMap(
        phone=contact.phone,
        email=contact.email,
        notify_sms=contact.notify_sms,
        notify_email=contact.notify_email,
        email_invalid=contact.email_invalid,
        child_first_name=contact.child_first_name,
    )


def _contact(item: RdvContactMap | None) -> RdvContact | None:
    if item is None:
        return None
    return RdvContact(
        phone=item.phone,
        email=item.email,
        notify_sms=bool(item.notify_sms),
        notify_email=bool(item.notify_email),
        email_invalid=bool(item.email_invalid),
        child_first_name=item.child_first_name,
    )


# A rdv never lasts longer than this: queries by start time look this far back so
# that a rdv which started before a range but runs into it is found.
MAX_RDV_DURATION = timedelta(hours=12)


class RdvRepository:
    def save(self, rdv: Rdv) -> None:
        """Store a rdv as it is, outside the write path (no agent-day, no counters):
        for tests of the queries only. Use cases change rdvs through the write path."""
        rdv_to_item(rdv).save()

    def get(self, rdv_id: str) -> Rdv | None:
        try:
            return rdv_from_item(RdvModel.get(rdv_id, consistent_read=True))
        except RdvModel.DoesNotExist:
            return None

    def ids_by_contact_email(self, email: str) -> list[str]:
        """Rdvs whose contact e-mail is this address (any organisation)."""
        return [i.id for i in RdvModel.by_contact_email.query(email)]

    def get_by_token_hash(self, token_hash: str) -> Rdv | None:
        """The rdv of a private manage link (only the token's hash is stored)."""
        for key in RdvModel.by_token.query(token_hash, limit=1):
            return self.get(key.id)
        return None

    def of_agent(self, agent_id: str, start: datetime, end: datetime) -> list[Rdv]:
        """Rdvs of an agent overlapping [start, end)."""
        results = RdvModel.by_agent.query(
            agent_id, RdvModel.starts_at.between(start - MAX_RDV_DURATION, end)
        )
        return _overlapping((rdv_from_item(i) for i in results), start, end)

    def of_usager(self, usager_id: str, limit: int = 100) -> list[Rdv]:
        """The rdvs of an usager, latest first (the first usager each rdv concerns)."""
        results = RdvModel.by_usager.query(usager_id, scan_index_forward=False, limit=limit)
        return [rdv_from_item(i) for i in results]

    def of_lieu(self, lieu_id: str, start: datetime, end: datetime) -> list[Rdv]:
        results = RdvModel.by_lieu.query(
            lieu_id, RdvModel.starts_at.between(start - MAX_RDV_DURATION, end)
        )
        return _overlapping((rdv_from_item(i) for i in results), start, end)

    def of_organisation(self, organisation_id: str, start: datetime, end: datetime) -> list[Rdv]:
        """Every rdv of an organisation overlapping [start, end): one Query, paginated
        by DynamoDB transparently (what the slot engine needs for all agents at once)."""
        results = RdvModel.by_organisation.query(
            organisation_id, RdvModel.starts_at.between(start - MAX_RDV_DURATION, end)
        )
        return _overlapping((rdv_from_item(i) for i in results), start, end)

    def page_of_organisation(
        self,
        organisation_id: str,
        start: datetime,
        end: datetime,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page[Rdv]:
        low, high = RdvModel.starts_at.serialize(start), RdvModel.starts_at.serialize(end)
        start_key = decode_cursor(
            cursor,
            partition=("organisation_id", organisation_id),
            keys=("id", "organisation_id", "starts_at"),
            sort=("starts_at", lambda at: low <= at <= high),
        )
        results = RdvModel.by_organisation.query(
            organisation_id,
            RdvModel.starts_at.between(start, end),
            limit=limit,
            last_evaluated_key=start_key,
        )
        return read_page(results, rdv_from_item, limit)


def _overlapping(rdvs, start: datetime, end: datetime) -> list[Rdv]:
    return [r for r in rdvs if r.starts_at < end and r.ends_at > start]
