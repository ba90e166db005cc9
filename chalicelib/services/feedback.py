"""SES's bounces and complaints (SNS topic): an address that cannot or must not receive
e-mails is marked invalid and no longer used, on the rdvs reached at it and on the
usagers' records that hold it. Idempotent: a redelivered notice marks nothing new."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from chalicelib.domain.changes import set_contact
from chalicelib.domain.errors import RdvNotChangeable
from chalicelib.services.write_path import Committed, Proposal, propose, write
from chalicelib.store import Store

BY_SES = "ses"


def handle_ses_feedback(store: Store, notification: dict[str, Any], now: datetime) -> list[str]:
    """Returns the ids of the rdvs and usagers marked. Transient bounces (a full
    mailbox) are not the address's fault and change nothing."""
    marked = []
    for address in _addresses(notification):
        for rdv_id in store.rdvs.ids_by_contact_email(address):
            if _mark_rdv(store, rdv_id, address, now):
                marked.append(rdv_id)
        for usager_id in store.usagers.ids_by_email(address):
            store.usagers.mark_email_invalid(usager_id)
            marked.append(usager_id)
    return marked


def _addresses(notification: dict[str, Any]) -> list[str]:
    kind = notification.get("notificationType") or notification.get("eventType")
    if kind == "Bounce":
        bounce = notification.get("bounce") or {}
        if bounce.get("bounceType") == "Transient":
            return []
        recipients = bounce.get("bouncedRecipients", [])
    elif kind == "Complaint":
        recipients = (notification.get("complaint") or {}).get("complainedRecipients", [])
    else:
        return []
    return [a for a in (str(r.get("emailAddress") or "").strip() for r in recipients) if a]


def _mark_rdv(store: Store, rdv_id: str, address: str, now: datetime) -> bool:
    def attempt(number: int) -> Proposal | None:
        rdv = store.rdvs.get(rdv_id)
        contact = rdv.contact if rdv else None
        if contact is None or contact.email != address or contact.email_invalid:
            return None  # gone, changed, or already marked
        marked = replace(contact, email_invalid=True)
        return propose(store, set_contact(rdv, marked, now, BY_SES), ())

    def busy() -> None:
        raise RdvNotChangeable()

    return isinstance(write(store, attempt, busy), Committed)
