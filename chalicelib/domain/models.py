"""Domain entities and value objects (see the glossary in ARCHITECTURE.md).

Pure Python: frozen dataclasses, no AWS, no Chalice, no store. Times that are
instants (a rdv's start, a status change) are timezone-aware UTC datetimes;
wall-clock times of plages and absences are naive local times in the
organisation's time zone (Europe/Paris), with calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum


class RdvStatus(StrEnum):
    UNKNOWN = "unknown"
    SEEN = "seen"
    NOSHOW = "noshow"
    EXCUSED = "excused"
    REVOKED = "revoked"

    @property
    def blocks_time(self) -> bool:
        """A cancelled rdv frees its time; every other status keeps it."""
        return self not in (RdvStatus.EXCUSED, RdvStatus.REVOKED)


class LocationType(StrEnum):
    PUBLIC_OFFICE = "public_office"  # at a lieu
    PHONE = "phone"
    HOME = "home"


class CreatedBy(StrEnum):
    USAGER = "usager"  # online, by the usager
    AGENT = "agent"  # by an agent (on the phone, at the desk)


class BookingChannel(StrEnum):
    """How a rdv was booked: shown on the agents' agendas."""

    ONLINE = "online"  # by the usager, on the site or through the API
    PHONE = "phone"  # by an agent, on the phone with the usager
    DESK = "desk"  # by an agent, at the front desk


class Role(StrEnum):
    AGENT = "agent"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Territoire:
    id: str
    name: str
    departement_number: str
    retention_days: int = 730  # CNIL reference for the social sector: 2 years


@dataclass(frozen=True, slots=True)
class WaitingListRules:
    """An organisation's limits on waiting-list offers (`domain.waiting_list`). An
    organisation without its own has the deployment's (the settings')."""

    # No offer goes from quiet_from to quiet_until (local time; held until then). The
    # same time twice: offers go at any hour.
    quiet_from: time = time(20, 0)
    quiet_until: time = time(8, 0)
    # At most this many usagers are offered the same slot at once.
    offers_per_slot: int = 3
    # Only rdvs at least this many days away are moved earlier.
    min_notice_days: int = 2
    # At most this many offer messages to one person (phone or e-mail) a day.
    offers_per_person_per_day: int = 1


@dataclass(frozen=True, slots=True)
class Organisation:
    id: str
    territoire_id: str
    name: str
    phone: str
    address: str
    email: str | None = None
    postal_codes: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    # None: the deployment's defaults.
    waiting_list_rules: WaitingListRules | None = None


@dataclass(frozen=True, slots=True)
class Service:
    id: str
    territoire_id: str
    name: str
    short_name: str


@dataclass(frozen=True, slots=True)
class Motif:
    id: str
    organisation_id: str
    service_id: str
    name: str
    duration_minutes: int
    location_type: LocationType = LocationType.PUBLIC_OFFICE
    bookable_online: bool = True
    min_booking_delay_minutes: int = 30
    # How far ahead it may be booked; None: an open agenda, as far as plages go.
    max_booking_delay_minutes: int | None = 90 * 24 * 60
    cancellation_deadline_minutes: int = 24 * 60
    reminder_offsets_minutes: tuple[int, ...] = (2 * 24 * 60, 24 * 60)
    instructions: str = ""  # what to bring, shown on the confirmation page
    color: str = "#1e6bb8"
    # Archived by an admin: no new booking; the rdvs already made keep showing it.
    archived_at: datetime | None = None

    @property
    def duration(self) -> timedelta:
        return timedelta(minutes=self.duration_minutes)

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True, slots=True)
class Lieu:
    id: str
    organisation_id: str
    name: str
    address: str
    phone: str = ""
    opening_info: str = ""
    accessibility: str = ""  # step-free access, lift, parking… shown to usagers
    # Archived by an admin: no new booking; the rdvs already made keep showing it.
    archived_at: datetime | None = None

    @property
    def archived(self) -> bool:
        return self.archived_at is not None


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    email: str
    first_name: str
    last_name: str
    roles: dict[str, Role] = field(default_factory=dict)  # organisation id -> role
    service_id: str | None = None
    password_hash: str | None = None
    notify_on_online_booking: bool = True

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Frequency(StrEnum):
    """How a recurrence repeats (with its `interval`)."""

    WEEKLY = "weekly"  # every N weeks, on some weekdays
    DAILY = "daily"  # every N days
    MONTHLY_BY_DAY = "monthly_by_day"  # every N months, on a day of the month (the 15th)
    MONTHLY_BY_WEEKDAY = "monthly_by_weekday"  # every N months, the 2nd Tuesday, the last Friday


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, slots=True)
class Recurrence:
    """How a plage d'ouverture or an absence repeats after its first day.

    Every `interval` periods of `frequency`, counted from the period of the first day,
    never before the first day and never after `until` (inclusive; None: open-ended).
    Each frequency needs its own fields, and only those:
    - WEEKLY: `weekdays` (0 = Monday … 6 = Sunday), weeks counted Monday to Sunday;
    - DAILY: nothing more;
    - MONTHLY_BY_DAY: `month_day` (1..31); a month too short for it is skipped, as
      dateutil's rrule does (the 31st every month: January, March, May, …);
    - MONTHLY_BY_WEEKDAY: `nth` (1..5, or -1 for the last) and one weekday in
      `weekdays`; a month without a 5th such weekday is skipped.
    The first three fields keep the order of the weekly-only version:
    `Recurrence(2, (0,))` is every two weeks on Monday. The classmethods read better.
    `chalicelib.domain.recurrence` computes the occurrences.
    """

    interval: int = 1
    weekdays: tuple[int, ...] = ()
    until: date | None = None
    frequency: Frequency = Frequency.WEEKLY
    month_day: int | None = None
    nth: int | None = None

    def __post_init__(self) -> None:
        # A parsed value may come as a string or a list: keep the enum, and a tuple
        # (the slot engine uses recurrences as dictionary keys).
        object.__setattr__(self, "frequency", Frequency(self.frequency))
        object.__setattr__(self, "weekdays", tuple(self.weekdays))
        if not _is_int(self.interval):
            raise ValueError("interval must be an integer")
        if self.interval < 1:
            raise ValueError("interval must be at least 1")
        if self.until is not None and (
            not isinstance(self.until, date) or isinstance(self.until, datetime)
        ):
            raise ValueError("until must be a date (not a datetime) or None")
        if not all(_is_int(d) for d in self.weekdays):
            raise ValueError("weekdays must be integers (0 = Monday … 6 = Sunday)")
        for name in ("month_day", "nth"):
            value = getattr(self, name)
            if value is not None and not _is_int(value):
                raise ValueError(f"{name} must be an integer or None")
        frequency = self.frequency
        if frequency is Frequency.WEEKLY:
            if not self.weekdays or any(not 0 <= d <= 6 for d in self.weekdays):
                raise ValueError("a weekly recurrence needs weekdays: a non-empty subset of 0..6")
        elif frequency is Frequency.MONTHLY_BY_WEEKDAY:
            if len(self.weekdays) != 1 or not 0 <= self.weekdays[0] <= 6:
                raise ValueError(
                    "a monthly recurrence by weekday needs exactly one weekday in 0..6"
                )
        elif self.weekdays:
            raise ValueError(f"a {frequency.value} recurrence takes no weekdays")
        if frequency is Frequency.MONTHLY_BY_DAY:
            if self.month_day is None or not 1 <= self.month_day <= 31:
                raise ValueError("a monthly recurrence by day needs month_day in 1..31")
        elif self.month_day is not None:
            raise ValueError(f"a {frequency.value} recurrence takes no month_day")
        if frequency is Frequency.MONTHLY_BY_WEEKDAY:
            if self.nth is None or not (1 <= self.nth <= 5 or self.nth == -1):
                raise ValueError(
                    "a monthly recurrence by weekday needs nth in 1..5, or -1 for the last"
                )
        elif self.nth is not None:
            raise ValueError(f"a {frequency.value} recurrence takes no nth")

    @classmethod
    def weekly(
        cls, weekdays: tuple[int, ...], *, every: int = 1, until: date | None = None
    ) -> Recurrence:
        return cls(every, tuple(weekdays), until)

    @classmethod
    def daily(cls, *, every: int = 1, until: date | None = None) -> Recurrence:
        return cls(every, (), until, Frequency.DAILY)

    @classmethod
    def monthly_on_day(
        cls, month_day: int, *, every: int = 1, until: date | None = None
    ) -> Recurrence:
        """On the `month_day`th of every `every` months (the 31st skips shorter months)."""
        return cls(every, (), until, Frequency.MONTHLY_BY_DAY, month_day=month_day)

    @classmethod
    def monthly_on_weekday(
        cls, nth: int, weekday: int, *, every: int = 1, until: date | None = None
    ) -> Recurrence:
        """On the `nth` `weekday` of every `every` months: (2, 1) is the 2nd Tuesday,
        (-1, 4) the last Friday."""
        return cls(every, (weekday,), until, Frequency.MONTHLY_BY_WEEKDAY, nth=nth)


@dataclass(frozen=True, slots=True)
class PlageOuverture:
    id: str
    agent_id: str
    organisation_id: str
    lieu_id: str | None  # None: for motifs by phone or at home only
    motif_ids: tuple[str, ...]
    first_day: date
    start_time: time
    end_time: time
    recurrence: Recurrence | None = None
    title: str = ""
    # Open on public holidays too (an exceptional session); closed on them otherwise.
    open_on_holidays: bool = False

    @property
    def last_day(self) -> date | None:
        """Last day it can occur on; None when it recurs without end."""
        if self.recurrence is None:
            return self.first_day
        return self.recurrence.until


@dataclass(frozen=True, slots=True)
class Absence:
    """An agent's unavailability, from first_day start_time to end_day end_time
    (local wall clock); when recurring, each occurrence spans the same days."""

    id: str
    agent_id: str
    organisation_id: str
    first_day: date
    start_time: time
    end_day: date
    end_time: time
    recurrence: Recurrence | None = None
    title: str = ""

    @property
    def last_day(self) -> date | None:
        if self.recurrence is None:
            return self.end_day
        if self.recurrence.until is None:
            return None
        return self.recurrence.until + (self.end_day - self.first_day)


@dataclass(frozen=True, slots=True)
class Usager:
    id: str
    organisation_id: str
    first_name: str
    last_name: str
    birth_date: date | None = None
    phone: str | None = None  # E.164
    email: str | None = None
    responsable_id: str | None = None  # the parent who holds the contact details
    notify_sms: bool = True
    notify_email: bool = True
    email_invalid: bool = False
    created_at: datetime | None = None
    expires_at: datetime | None = None  # retention: removed by DynamoDB's TTL after this

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: RdvStatus
    at: datetime
    by: str | None = None  # "usager", or the id of the agent who set it


@dataclass(frozen=True, slots=True)
class MoveRecord:
    """One move of a rdv: when, by whom ("usager" or an agent id), and from when."""

    at: datetime
    by: str
    from_starts_at: datetime
    waiting_list: bool = False  # an earlier slot accepted from the waiting list


@dataclass(frozen=True, slots=True)
class RdvContact:
    """How the person told about one rdv is reached for it: the details typed on its
    booking (or, for an agent's booking, taken from the usager's record). A public
    booking never changes an usager's record; its confirmation, reminders and changes
    go to these."""

    phone: str | None = None  # E.164
    email: str | None = None
    notify_sms: bool = True
    notify_email: bool = True
    email_invalid: bool = False  # SES reported a bounce or a complaint
    child_first_name: str | None = None  # named in messages to a parent of several


@dataclass(frozen=True, slots=True)
class Rdv:
    id: str
    organisation_id: str
    service_id: str
    motif_id: str
    agent_id: str
    starts_at: datetime  # UTC
    duration_minutes: int
    usager_ids: tuple[str, ...]
    created_by: CreatedBy
    created_at: datetime
    lieu_id: str | None = None  # None for a rdv by phone or at home
    created_by_agent_id: str | None = None
    status: RdvStatus = RdvStatus.UNKNOWN
    status_history: tuple[StatusChange, ...] = ()
    manage_token_hash: str | None = None
    sequence: int = 0  # bumped on each move: the ICS SEQUENCE calendars follow
    expires_at: datetime | None = None  # retention: removed by DynamoDB's TTL after this
    # Bumped by every change: a write is conditioned on the version it was decided on.
    version: int = 0
    # Offsets (minutes before the start) of the reminders planned for the rdv.
    reminder_offsets: tuple[int, ...] = ()
    # Keyed hash of the booking request that made it with an idempotency key: the key
    # replayed with another request is refused (see services/booking.py).
    request_fingerprint: str | None = None
    contact: RdvContact | None = None  # None: the usager records' (rdvs made before)
    home_address: str | None = None  # where a home visit takes place (never in an SMS)
    moves: tuple[MoveRecord, ...] = ()
    booked_via: BookingChannel = BookingChannel.ONLINE
    # When its first reminder reached the usager (a receipt of a send): the statistics
    # count the rdvs reminded and their no-shows apart.
    reminded_at: datetime | None = None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class NotificationEvent(StrEnum):
    RDV_CREATED = "rdv_created"
    RDV_DATE_UPDATED = "rdv_date_updated"
    RDV_CANCELLED = "rdv_cancelled"
    RDV_REVOKED = "rdv_revoked"
    RDV_UPCOMING_REMINDER = "rdv_upcoming_reminder"
    WAITING_LIST_OFFER = "waiting_list_offer"  # an earlier slot offered (file d'attente)


class ReceiptOutcome(StrEnum):
    CLAIMED = "claimed"  # about to be sent
    SENT = "sent"
    RETRY = "retry"  # the provider failed; the next delivery of the message tries again
    FAILED = "failed"  # the last try failed
    SKIPPED = "skipped"  # opted out, invalid address


@dataclass(frozen=True, slots=True)
class NotificationReceipt:
    rdv_id: str
    event: NotificationEvent
    channel: Channel
    recipient: str
    outcome: ReceiptOutcome
    at: datetime
    send_key: str = ""  # distinguishes several sends of one event (a reminder's offset)
    provider_message_id: str | None = None
    error: str | None = None


def receipt_key(event: NotificationEvent, channel: Channel, recipient: str, extra: str = "") -> str:
    """The key of one send: a second send with the same key is not made."""
    return "#".join((event.value, channel.value, recipient, extra))


@dataclass(frozen=True, slots=True)
class WaitingListEntry:
    id: str
    organisation_id: str
    motif_id: str
    lieu_id: str | None
    usager_id: str
    created_at: datetime
    wanted_before: date | None = None
    expires_at: datetime | None = None  # removed then (its rdv's retention)
    any_lieu: bool = False  # a slot at any lieu of the MDS will do


@dataclass(frozen=True, slots=True)
class WaitingOffer:
    """A freed slot offered to a rdv on the waiting list, through a private link whose
    hash only is stored. Accepting it moves the rdv there, if the slot is still free."""

    token_hash: str
    rdv_id: str
    organisation_id: str
    motif_id: str
    lieu_id: str | None
    starts_at: datetime  # the slot offered
    created_at: datetime
    ends_at: datetime  # the link works until then (the motif's minimum delay before)


@dataclass(frozen=True, slots=True)
class AgentSession:
    """A signed-in agent's session: only the hash of its random id is stored."""

    token_hash: str
    agent_id: str
    organisation_id: str  # the organisation the agent is working in (switchable)
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime  # idle expiry, moved on by use, never after absolute_expires_at
    absolute_expires_at: datetime


class AgentLinkPurpose(StrEnum):
    RESET = "reset"  # « mot de passe oublié »
    INVITE = "invite"  # an admin invited a new agent


@dataclass(frozen=True, slots=True)
class AgentLink:
    """A single-use e-mailed link to set an agent's password (its hash is stored)."""

    token_hash: str
    agent_id: str
    purpose: AgentLinkPurpose
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Reminder:
    """A planned reminder of a rdv, due at an instant (UTC)."""

    rdv_id: str
    offset_minutes: int
    due_at: datetime
    sent: bool = False


@dataclass(frozen=True, slots=True)
class MonthlyCounter:
    """Counts of one scope (organisation, service, motif or agent) over one month."""

    scope: str  # "organisation#<id>", "service#<id>#<org id>", "motif#<id>", "agent#<id>#<org>"
    month: str  # "YYYY-MM" (Europe/Paris month of the rdv)
    counts: dict[str, int] = field(default_factory=dict)
