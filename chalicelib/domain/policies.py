"""Rules of time: cancellation deadline, how long a manage link works."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Motif, Rdv, RdvStatus
from chalicelib.domain.reminders import QUIET_UNTIL

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


def moves_by_within(rdv: Rdv, by: str, now: datetime, within: timedelta) -> int:
    """How many times `by` moved the rdv in the `within` before now."""
    return sum(1 for m in rdv.moves if m.by == by and now - m.at < within)


@dataclass(frozen=True, slots=True)
class CountedLimit:
    """At most `limit` of something per window, counted on the item `key` (written in
    the same transaction as what it counts, so only what is made counts)."""

    key: str
    limit: int
    window_end: datetime  # when the count starts again


def quiet_hours_end(at: datetime, tz: ZoneInfo) -> datetime:
    """The first moment after `at` when SMS may go again (8:00 Paris), in `at`'s zone."""
    local = at.astimezone(tz)
    day = local.date() if local.time() < QUIET_UNTIL else local.date() + timedelta(days=1)
    return datetime.combine(day, QUIET_UNTIL, tzinfo=tz).astimezone(at.tzinfo)


# An open agenda (a motif without a maximum booking delay) is still shown a year ahead
# at most: plages rarely go further, and a page must end somewhere.
OPEN_AGENDA_HORIZON = timedelta(days=366)


def latest_booking(motif: Motif, now: datetime) -> datetime:
    """The latest start a motif may be booked for from now."""
    if motif.max_booking_delay_minutes is None:
        return now + OPEN_AGENDA_HORIZON
    return now + timedelta(minutes=motif.max_booking_delay_minutes)


# Agents' sessions: signed out after 2 hours without use, and 12 hours after sign-in
# whatever happens (a shared computer at the front desk).
SESSION_IDLE = timedelta(hours=2)
SESSION_ABSOLUTE = timedelta(hours=12)
# Use moves the idle expiry on at most this often (one write per few minutes).
SESSION_TOUCH_EVERY = timedelta(minutes=5)
# E-mailed links to set a password: a reset lasts an hour, an invitation a week.
RESET_LINK_VALIDITY = timedelta(hours=1)
INVITE_LINK_VALIDITY = timedelta(days=7)
# Agents' passwords: at least this long (argon2id hashes them).
PASSWORD_MIN_LENGTH = 12


def session_expiry(created_at: datetime, last_seen_at: datetime) -> datetime:
    return min(last_seen_at + SESSION_IDLE, created_at + SESSION_ABSOLUTE)
