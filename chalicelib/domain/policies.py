"""Rules of time: cancellation deadline, how long a manage link works."""

from __future__ import annotations

from datetime import datetime, timedelta

from chalicelib.domain.models import Motif, Rdv, RdvStatus

# The CNIL's reference for the social sector: 2 years after the last contact.
DEFAULT_RETENTION_DAYS = 730

# A private manage link stops working this long after the rdv.
MANAGE_LINK_VALIDITY_AFTER_RDV = timedelta(days=30)


def manage_link_expired(rdv: Rdv, now: datetime) -> bool:
    return now > rdv.ends_at + MANAGE_LINK_VALIDITY_AFTER_RDV


def cancellation_deadline(rdv: Rdv, motif: Motif) -> datetime:
    return rdv.starts_at - timedelta(minutes=motif.cancellation_deadline_minutes)


def usager_can_change(rdv: Rdv, motif: Motif, now: datetime) -> bool:
    """An usager may cancel or move an upcoming rdv until the motif's deadline."""
    return rdv.status is RdvStatus.UNKNOWN and now < cancellation_deadline(rdv, motif)


def retention_until(last_contact: datetime, retention_days: int) -> datetime:
    """Personal data is kept this long after the last contact (the CNIL's reference for
    the social sector: 2 years), then DynamoDB's TTL removes it; counters stay."""
    return last_contact + timedelta(days=retention_days)
