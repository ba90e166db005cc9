"""The statistics counters a rdv change moves: the same deltas for its organisation,
its service in that organisation, and its motif, in the rdv's local month."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chalicelib.domain.models import Rdv, RdvStatus
from chalicelib.domain.statistics import creation_deltas, month_of, status_change_deltas
from chalicelib.store.booking import CounterUpdate
from chalicelib.store.counters import motif_scope, organisation_scope, service_scope


def counter_updates(rdv: Rdv, deltas: dict[str, int], tz: ZoneInfo) -> list[CounterUpdate]:
    if not deltas:
        return []
    month = month_of(rdv, tz)
    scopes = (
        organisation_scope(rdv.organisation_id),
        service_scope(rdv.service_id, rdv.organisation_id),
        motif_scope(rdv.motif_id),
    )
    return [CounterUpdate(scope, month, deltas) for scope in scopes]


def for_creation(rdv: Rdv, tz: ZoneInfo) -> list[CounterUpdate]:
    return counter_updates(rdv, creation_deltas(rdv), tz)


def for_status_change(rdv: Rdv, new_status: RdvStatus, tz: ZoneInfo) -> list[CounterUpdate]:
    return counter_updates(rdv, status_change_deltas(rdv.status, new_status), tz)


def for_move(old: Rdv, new: Rdv, tz: ZoneInfo) -> list[CounterUpdate]:
    """A rdv moved to another month counts in that month from then on."""
    if month_of(old, tz) == month_of(new, tz):
        return []
    removed = {name: -value for name, value in creation_deltas(old).items()}
    return counter_updates(old, removed, tz) + for_creation(new, tz)
