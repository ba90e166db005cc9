"""PynamoDB models: one table per entity, each with the indexes its access
patterns need (see README.md beside this file). Only the store package imports
this module; the rest of the app sees domain objects through the repositories.

Table names are `<prefix><name>`; `configure()` (in `connection.py`) sets the
prefix, region and endpoint from the settings before the first request.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.domain.statistics import COUNTER_NAMES


class BaseModel(Model):
    """Every table: on-demand billing; `table_basename` is prefixed per stage."""

    table_basename = ""


def _table_meta() -> type:
    """A Meta of its own for each model: `configure()` sets its table name and host."""

    class Meta:
        billing_mode = "PAY_PER_REQUEST"

    return Meta


def _index_meta(name: str, projection=None) -> type:
    class Meta:
        index_name = name
        billing_mode = "PAY_PER_REQUEST"

    Meta.projection = projection or AllProjection()
    return Meta


# --- Territoire, organisations, sectors ------------------------------------------------


class TerritoireModel(BaseModel):
    table_basename = "territoires"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute()
    departement_number = UnicodeAttribute()
    retention_days = NumberAttribute(default=730)


class OrganisationByTerritoireIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-territoire")
    territoire_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class OrganisationModel(BaseModel):
    table_basename = "organisations"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    territoire_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    address = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    postal_codes = ListAttribute(of=UnicodeAttribute, default=list)
    communes = ListAttribute(of=UnicodeAttribute, default=list)
    # The organisation's own waiting-list limits (absent: the deployment's defaults):
    # quiet_from, quiet_until ("HH:MM"), offers_per_slot, min_notice_days,
    # offers_per_person_per_day.
    waiting_list_rules = MapAttribute(null=True)
    by_territoire = OrganisationByTerritoireIndex()


class SectorModel(BaseModel):
    """Which organisations serve a place: one item per (place key, organisation).

    `place` is `cp#<postal code>` or `commune#<normalised commune name>`."""

    table_basename = "sectors"

    Meta = _table_meta()

    place = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute(range_key=True)
    organisation_name = UnicodeAttribute()


class ServiceByTerritoireIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-territoire")
    territoire_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class ServiceModel(BaseModel):
    table_basename = "services"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    territoire_id = UnicodeAttribute()
    name = UnicodeAttribute()
    short_name = UnicodeAttribute()
    by_territoire = ServiceByTerritoireIndex()


# --- Motifs, lieux, agents ---------------------------------------------------------------


class ByOrganisationIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-organisation")
    organisation_id = UnicodeAttribute(hash_key=True)
    name = UnicodeAttribute(range_key=True)


class MotifModel(BaseModel):
    table_basename = "motifs"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    name = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    location_type = UnicodeAttribute()
    bookable_online = BooleanAttribute()
    min_booking_delay_minutes = NumberAttribute()
    max_booking_delay_days = NumberAttribute(null=True)  # motifs saved before minutes
    max_booking_delay_minutes = NumberAttribute(null=True)  # absent: an open agenda
    cancellation_deadline_minutes = NumberAttribute()
    reminder_offsets_minutes = ListAttribute(of=NumberAttribute, default=list)
    instructions = UnicodeAttribute(default="")
    color = UnicodeAttribute(default="#1e6bb8")
    archived_at = UTCDateTimeAttribute(null=True)  # absent: open to new bookings
    by_organisation = ByOrganisationIndex()


class LieuModel(BaseModel):
    table_basename = "lieux"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute()
    name = UnicodeAttribute()
    address = UnicodeAttribute()
    phone = UnicodeAttribute(default="")
    opening_info = UnicodeAttribute(default="")
    accessibility = UnicodeAttribute(default="")
    archived_at = UTCDateTimeAttribute(null=True)  # absent: open to new bookings
    by_organisation = ByOrganisationIndex()


class AgentByEmailIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-email")
    email = UnicodeAttribute(hash_key=True)


class AgentModel(BaseModel):
    table_basename = "agents"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    service_id = UnicodeAttribute(null=True)
    password_hash = UnicodeAttribute(null=True)
    notify_on_online_booking = BooleanAttribute(default=True)
    roles = MapAttribute(default=dict)  # organisation id -> role
    by_email = AgentByEmailIndex()


class MembershipByAgentIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-agent")
    agent_id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute(range_key=True)


class MembershipModel(BaseModel):
    """An agent's role in an organisation: lists the agents of an organisation."""

    table_basename = "memberships"

    Meta = _table_meta()

    organisation_id = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute(range_key=True)
    role = UnicodeAttribute()
    by_agent = MembershipByAgentIndex()


# --- Plages d'ouverture and absences -------------------------------------------------------


class RecurrenceMap(MapAttribute):
    """A `Recurrence`: its frequency, interval and the fields that frequency needs.

    Items written when every recurrence was weekly hold only `every_weeks`, `weekdays`
    and `until`: no `frequency` means weekly, no `interval` means `every_weeks`.
    """

    frequency = UnicodeAttribute(null=True)  # Frequency value; absent: weekly
    interval = NumberAttribute(null=True)  # absent: every_weeks
    every_weeks = NumberAttribute(null=True)  # read only, from items of before
    weekdays = ListAttribute(of=NumberAttribute, null=True)  # 0 = Monday
    month_day = NumberAttribute(null=True)  # 1..31
    nth = NumberAttribute(null=True)  # 1..5, or -1 for the last
    until = UnicodeAttribute(null=True)  # ISO date, inclusive


class PlageByLieuIndex(GlobalSecondaryIndex):
    """Plages of a lieu still occurring on or after a day: `last_day >= start`."""

    Meta = _index_meta("by-lieu")
    lieu_id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(range_key=True)


class PlageByAgentIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-agent")
    agent_id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(range_key=True)


class PlageByOrganisationIndex(GlobalSecondaryIndex):
    """For motifs by phone or at home, which any plage of the organisation may serve."""

    Meta = _index_meta("by-organisation")
    organisation_id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(range_key=True)


# Open-ended recurrences sort after every real date in a `last_day` range key.
OPEN_ENDED_DAY = "9999-12-31"


class PlageOuvertureModel(BaseModel):
    table_basename = "plages"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute()
    organisation_id = UnicodeAttribute()
    lieu_id = UnicodeAttribute(null=True)  # sparse in by-lieu: none for phone / home
    motif_ids = ListAttribute(of=UnicodeAttribute)
    first_day = UnicodeAttribute()  # ISO date
    last_day = UnicodeAttribute()  # ISO date or OPEN_ENDED_DAY
    start_time = UnicodeAttribute()  # HH:MM local
    end_time = UnicodeAttribute()
    recurrence = RecurrenceMap(null=True)
    title = UnicodeAttribute(default="")
    open_on_holidays = BooleanAttribute(default=False)
    by_lieu = PlageByLieuIndex()
    by_agent = PlageByAgentIndex()
    by_organisation = PlageByOrganisationIndex()


class AbsenceByOrganisationIndex(GlobalSecondaryIndex):
    """Absences of an organisation's agents still occurring on or after a day."""

    Meta = _index_meta("by-organisation")
    organisation_id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(range_key=True)


class AbsenceByAgentIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-agent")
    agent_id = UnicodeAttribute(hash_key=True)
    last_day = UnicodeAttribute(range_key=True)


class AbsenceModel(BaseModel):
    table_basename = "absences"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute()
    organisation_id = UnicodeAttribute()
    first_day = UnicodeAttribute()
    start_time = UnicodeAttribute()
    end_day = UnicodeAttribute()
    end_time = UnicodeAttribute()
    last_day = UnicodeAttribute()
    recurrence = RecurrenceMap(null=True)
    title = UnicodeAttribute(default="")
    by_organisation = AbsenceByOrganisationIndex()
    by_agent = AbsenceByAgentIndex()


# --- Usagers -------------------------------------------------------------------------------


class UsagerByPhoneIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-phone")
    organisation_id = UnicodeAttribute(hash_key=True)
    phone = UnicodeAttribute(range_key=True)


class UsagerByNameIndex(GlobalSecondaryIndex):
    """`search_name` is `<last name> <first name>`, lower case without accents."""

    Meta = _index_meta("by-name")
    organisation_id = UnicodeAttribute(hash_key=True)
    search_name = UnicodeAttribute(range_key=True)


class UsagerByResponsableIndex(GlobalSecondaryIndex):
    """The children (relatives) an usager holds the contact details of. Sparse."""

    Meta = _index_meta("by-responsable")
    responsable_id = UnicodeAttribute(hash_key=True)


class UsagerByEmailIndex(GlobalSecondaryIndex):
    """Usagers with an e-mail address (SES bounces and complaints name the address)."""

    Meta = _index_meta("by-email", KeysOnlyProjection())
    email = UnicodeAttribute(hash_key=True)


class UsagerModel(BaseModel):
    table_basename = "usagers"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute()
    first_name = UnicodeAttribute()
    last_name = UnicodeAttribute()
    search_name = UnicodeAttribute()
    birth_date = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)  # sparse in by-phone
    email = UnicodeAttribute(null=True)
    responsable_id = UnicodeAttribute(null=True)
    notify_sms = BooleanAttribute(default=True)
    notify_email = BooleanAttribute(default=True)
    email_invalid = BooleanAttribute(default=False)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # 2 years (per territoire) after the last rdv
    by_phone = UsagerByPhoneIndex()
    by_name = UsagerByNameIndex()
    by_responsable = UsagerByResponsableIndex()
    by_email = UsagerByEmailIndex()


# --- Rdvs ----------------------------------------------------------------------------------


class StatusChangeMap(MapAttribute):
    status = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute(null=True)  # "usager" or an agent id


class RdvByAgentIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-agent")
    agent_id = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class RdvByLieuIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-lieu")
    lieu_id = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class RdvByOrganisationIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-organisation")
    organisation_id = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class RdvByUsagerIndex(GlobalSecondaryIndex):
    """The rdvs of an usager (the first the rdv concerns), by start: their record."""

    Meta = _index_meta("by-usager")
    usager_id = UnicodeAttribute(hash_key=True)
    starts_at = UTCDateTimeAttribute(range_key=True)


class RdvByContactEmailIndex(GlobalSecondaryIndex):
    """Rdvs reached at an e-mail address (SES bounces and complaints name it). Sparse."""

    Meta = _index_meta("by-contact-email", KeysOnlyProjection())
    contact_email = UnicodeAttribute(hash_key=True)


class RdvContactMap(MapAttribute):
    phone = UnicodeAttribute(null=True)
    email = UnicodeAttribute(null=True)
    notify_sms = BooleanAttribute(default=True)
    notify_email = BooleanAttribute(default=True)
    email_invalid = BooleanAttribute(default=False)
    child_first_name = UnicodeAttribute(null=True)


class MoveMap(MapAttribute):
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    from_starts_at = UTCDateTimeAttribute()
    waiting_list = BooleanAttribute(null=True)


class RdvByTokenIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-token", KeysOnlyProjection())
    manage_token_hash = UnicodeAttribute(hash_key=True)


class RdvModel(BaseModel):
    table_basename = "rdvs"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    motif_id = UnicodeAttribute()
    agent_id = UnicodeAttribute()
    lieu_id = UnicodeAttribute(null=True)  # sparse in by-lieu
    starts_at = UTCDateTimeAttribute()
    duration_minutes = NumberAttribute()
    usager_ids = ListAttribute(of=UnicodeAttribute)
    usager_id = UnicodeAttribute(null=True)  # usager_ids[0], for by-usager
    created_by = UnicodeAttribute()
    created_by_agent_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    status_history = ListAttribute(of=StatusChangeMap, default=list)
    manage_token_hash = UnicodeAttribute(null=True)
    sequence = NumberAttribute(default=0)
    version = NumberAttribute(default=0)  # every write checks the one it was decided on
    reminder_offsets = ListAttribute(of=NumberAttribute, default=list)
    request_fingerprint = UnicodeAttribute(null=True)
    contact = RdvContactMap(null=True)  # who is told about this rdv, and how
    contact_email = UnicodeAttribute(null=True)  # contact.email, for by-contact-email
    home_address = UnicodeAttribute(null=True)
    moves = ListAttribute(of=MoveMap, default=list)
    booked_via = UnicodeAttribute(null=True)  # BookingChannel; absent: online
    reminded_at = UTCDateTimeAttribute(null=True)  # its first reminder sent (receipt)
    expires_at = TTLAttribute(null=True)  # 2 years (per territoire) after the rdv
    by_agent = RdvByAgentIndex()
    by_lieu = RdvByLieuIndex()
    by_organisation = RdvByOrganisationIndex()
    by_token = RdvByTokenIndex()
    by_contact_email = RdvByContactEmailIndex()
    by_usager = RdvByUsagerIndex()


# --- Notifications, reminders, waiting list ------------------------------------------------


class ReceiptModel(BaseModel):
    """One notification send; its key claims the send (conditional put)."""

    table_basename = "receipts"

    Meta = _table_meta()

    rdv_id = UnicodeAttribute(hash_key=True)
    send_key = UnicodeAttribute(range_key=True)  # event#channel#recipient#extra
    event = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    outcome = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    provider_message_id = UnicodeAttribute(null=True)
    error = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)


class ReminderDueIndex(GlobalSecondaryIndex):
    """Pending reminders by due time. Sparse: `pending` is removed once handled."""

    Meta = _index_meta("due")
    pending = UnicodeAttribute(hash_key=True)  # a shard name, "p0".."pN"
    due_at = UTCDateTimeAttribute(range_key=True)


class ReminderModel(BaseModel):
    table_basename = "reminders"

    Meta = _table_meta()

    rdv_id = UnicodeAttribute(hash_key=True)
    offset_minutes = NumberAttribute(range_key=True)
    due_at = UTCDateTimeAttribute()
    pending = UnicodeAttribute(null=True)
    expires_at = TTLAttribute(null=True)  # a day after the rdv
    due = ReminderDueIndex()


class WaitingByMotifLieuIndex(GlobalSecondaryIndex):
    Meta = _index_meta("by-motif-lieu")
    motif_lieu = UnicodeAttribute(hash_key=True)  # "<motif id>#<lieu id or ->"
    created_at = UTCDateTimeAttribute(range_key=True)


class WaitingListedIndex(GlobalSecondaryIndex):
    """Every entry, by organisation: what the daytime sweep goes through (one key)."""

    Meta = _index_meta("by-listed")
    listed = UnicodeAttribute(hash_key=True)  # always LISTED
    organisation_id = UnicodeAttribute(range_key=True)


class WaitingListEntryModel(BaseModel):
    table_basename = "waiting-list"

    Meta = _table_meta()

    id = UnicodeAttribute(hash_key=True)
    organisation_id = UnicodeAttribute()
    motif_id = UnicodeAttribute()
    lieu_id = UnicodeAttribute(null=True)
    motif_lieu = UnicodeAttribute()
    usager_id = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    wanted_before = UnicodeAttribute(null=True)
    by_motif_lieu = WaitingByMotifLieuIndex()
    listed = UnicodeAttribute(default="waiting")  # the by-listed index's one key
    by_listed = WaitingListedIndex()
    expires_at = TTLAttribute(null=True)  # removed some time after its rdv
    any_lieu = BooleanAttribute(null=True)  # its motif_lieu is then "<motif>#*"


class WaitingOfferModel(BaseModel):
    """A freed slot offered to a rdv on the waiting list: only its link's hash."""

    table_basename = "waiting-offers"

    Meta = _table_meta()

    token_hash = UnicodeAttribute(hash_key=True)
    rdv_id = UnicodeAttribute()
    organisation_id = UnicodeAttribute()
    motif_id = UnicodeAttribute()
    lieu_id = UnicodeAttribute(null=True)
    starts_at = UTCDateTimeAttribute()
    created_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()  # the link works until then
    expires_at = TTLAttribute()


# --- Agent sessions, counters, booking locks, rate limits --------------------------------


class SessionByAgentIndex(GlobalSecondaryIndex):
    """The sessions of an agent (signed out everywhere when their password changes)."""

    Meta = _index_meta("by-agent", KeysOnlyProjection())
    agent_id = UnicodeAttribute(hash_key=True)


class AgentSessionModel(BaseModel):
    table_basename = "agent-sessions"

    Meta = _table_meta()

    token_hash = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute()
    organisation_id = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_seen_at = UTCDateTimeAttribute(null=True)
    absolute_expires_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()  # the idle expiry: DynamoDB removes it some time after
    by_agent = SessionByAgentIndex()


class AgentLinkModel(BaseModel):
    """Single-use e-mailed links to set a password (reset, invitation): their hash."""

    table_basename = "agent-links"

    Meta = _table_meta()

    token_hash = UnicodeAttribute(hash_key=True)
    agent_id = UnicodeAttribute()
    purpose = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    used_at = UTCDateTimeAttribute(null=True)
    expires_at = TTLAttribute()


class CounterModel(BaseModel):
    """Monthly statistics, updated with atomic ADD when a rdv is created or changes status."""

    table_basename = "counters"

    Meta = _table_meta()

    scope = UnicodeAttribute(hash_key=True)  # organisation#<id>, service#<id>#<org>, motif#<id>,
    # agent#<id>#<org> (domain/statistics.py)
    month = UnicodeAttribute(range_key=True)  # YYYY-MM#<shard> (see counters.py)
    # One top-level number per count: DynamoDB's ADD works on top-level attributes only.
    created = NumberAttribute(default=0)
    created_online = NumberAttribute(default=0)
    created_by_agent = NumberAttribute(default=0)
    unknown = NumberAttribute(default=0)
    seen = NumberAttribute(default=0)
    noshow = NumberAttribute(default=0)
    excused = NumberAttribute(default=0)
    revoked = NumberAttribute(default=0)
    seen_minutes = NumberAttribute(default=0)  # minutes of the rdvs honoured
    reminded = NumberAttribute(default=0)  # rdvs whose reminder was sent
    seen_reminded = NumberAttribute(default=0)
    noshow_reminded = NumberAttribute(default=0)
    # Lead time buckets (domain.statistics.LEAD_BUCKETS): days from booking to start.
    lead_0 = NumberAttribute(default=0)
    lead_1 = NumberAttribute(default=0)
    lead_2 = NumberAttribute(default=0)
    lead_3 = NumberAttribute(default=0)
    lead_7 = NumberAttribute(default=0)
    lead_14 = NumberAttribute(default=0)
    lead_21 = NumberAttribute(default=0)
    lead_30 = NumberAttribute(default=0)
    lead_60 = NumberAttribute(default=0)
    lead_90 = NumberAttribute(default=0)
    refilled_from_waiting_list = NumberAttribute(default=0)  # slots taken from an offer


# One attribute above per counter the domain moves.
assert all(hasattr(CounterModel, name) for name in COUNTER_NAMES)


class BusyMap(MapAttribute):
    rdv_id = UnicodeAttribute()
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()


class AgentDayModel(BaseModel):
    """One item per agent and local day: the times its rdvs hold, and a version.

    Every change of a rdv that takes or frees a time of the agent that day reads it
    (strongly consistent), checks the new time against `busy`, and writes it back in
    the same transaction as the rdv on condition that `version` did not change: two
    rdvs of one agent never overlap, whatever their durations, and no index lag can
    hide one. See chalicelib/domain/changes.py."""

    table_basename = "agent-days"

    Meta = _table_meta()

    key = UnicodeAttribute(hash_key=True)  # <agent id>#<YYYY-MM-DD>
    version = NumberAttribute(default=0)
    busy = ListAttribute(of=BusyMap, default=list)
    expires_at = TTLAttribute(null=True)  # a month after the day


class RateLimitModel(BaseModel):
    table_basename = "rate-limits"

    Meta = _table_meta()

    key = UnicodeAttribute(hash_key=True)  # <kind>#<subject>#<window>
    hits = NumberAttribute(default=0)
    expires_at = TTLAttribute()


ALL_MODELS: tuple[type[BaseModel], ...] = (
    TerritoireModel,
    OrganisationModel,
    SectorModel,
    ServiceModel,
    MotifModel,
    LieuModel,
    AgentModel,
    MembershipModel,
    PlageOuvertureModel,
    AbsenceModel,
    UsagerModel,
    RdvModel,
    ReceiptModel,
    ReminderModel,
    WaitingListEntryModel,
    WaitingOfferModel,
    AgentSessionModel,
    AgentLinkModel,
    CounterModel,
    AgentDayModel,
    RateLimitModel,
)
