"""Which monthly counters a rdv moves, and the month it counts in.

A rdv counts once in the local month of its start, in the scopes it belongs to (its
organisation, its service in that organisation, its motif): `created`, how it was
created, and its current status. A change of the rdv moves the counters by the
difference between what the rdv counts after and before it, so a status change, a
move to another month and a creation are one rule."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from chalicelib.domain.models import CreatedBy, Rdv


@dataclass(frozen=True, slots=True)
class CounterDelta:
    """What to add to the counters of one scope and month."""

    scope: str
    month: str  # "YYYY-MM"
    deltas: dict[str, int]


def organisation_scope(organisation_id: str) -> str:
    return f"organisation#{organisation_id}"


def service_scope(service_id: str, organisation_id: str) -> str:
    return f"service#{service_id}#{organisation_id}"


def motif_scope(motif_id: str) -> str:
    return f"motif#{motif_id}"


def scopes_of(rdv: Rdv) -> tuple[str, ...]:
    return (
        organisation_scope(rdv.organisation_id),
        service_scope(rdv.service_id, rdv.organisation_id),
        motif_scope(rdv.motif_id),
    )


def month_of(rdv: Rdv, tz: ZoneInfo) -> str:
    """The rdv counts in the local month of its start ("YYYY-MM")."""
    return rdv.starts_at.astimezone(tz).strftime("%Y-%m")


def creation_deltas(rdv: Rdv) -> dict[str, int]:
    """What one rdv counts in its month: created, its origin and its status."""
    origin = "created_online" if rdv.created_by is CreatedBy.USAGER else "created_by_agent"
    return {"created": 1, origin: 1, rdv.status.value: 1}


def change_deltas(before: Rdv | None, after: Rdv, tz: ZoneInfo) -> list[CounterDelta]:
    """The counter changes that take the statistics from `before` (None: a new rdv) to
    `after`: what `after` counts, minus what `before` counted, zeros left out."""
    totals: dict[tuple[str, str], Counter[str]] = {}
    for rdv, sign in ((before, -1), (after, 1)):
        if rdv is None:
            continue
        month = month_of(rdv, tz)
        for scope in scopes_of(rdv):
            counts = totals.setdefault((scope, month), Counter())
            for name, value in creation_deltas(rdv).items():
                counts[name] += sign * value
    return [
        CounterDelta(scope, month, {name: value for name, value in counts.items() if value})
        for (scope, month), counts in totals.items()
        if any(counts.values())
    ]


def noshow_rate(counts: dict[str, int]) -> float | None:
    """Share of no-shows among the rdvs whose outcome is known (seen, noshow, excused);
    None when there are none yet."""
    known = counts.get("seen", 0) + counts.get("noshow", 0) + counts.get("excused", 0)
    if known == 0:
        return None
    return counts.get("noshow", 0) / known
