"""Which monthly counters a rdv moves, the month it counts in, and the figures the
statistics pages compute from the counters.

A rdv counts once in the local month of its start, in the scopes it belongs to (its
organisation, its service in that organisation, its motif, its agent in that
organisation): `created`, how it was created, its current status, the minutes it was
honoured (`seen_minutes`, for the vacancy rate), its lead time's bucket (booking to
start, for an approximate median), whether its reminder was sent (`reminded`,
`seen_reminded`, `noshow_reminded`) and the freed slots it took from the waiting list
(`refilled_from_waiting_list`: its moves accepted from an offer, while it holds time).
A change of the rdv moves the counters by the difference between what the rdv counts
after and before it, so a status change, a move to another month, a reminder sent and a
creation are one rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from chalicelib.domain.models import CreatedBy, Rdv, RdvStatus

# The no-show rates the project measures itself against (the figures).
NOSHOW_BASELINE = 0.20
NOSHOW_TARGET = 0.05

# Lead time (booking to start) buckets, in whole days: bucket `lead_N` holds the rdvs
# booked N days or more (and less than the next bucket's N) before their start.
LEAD_BUCKETS = (0, 1, 2, 3, 7, 14, 21, 30, 60, 90)
LEAD_NAMES = tuple(f"lead_{days}" for days in LEAD_BUCKETS)

STATUS_NAMES = tuple(s.value for s in RdvStatus)
# Every counter a rdv change may move (the store keeps one attribute per name).
COUNTER_NAMES = (
    "created",
    "created_online",
    "created_by_agent",
    *STATUS_NAMES,
    "seen_minutes",
    "reminded",
    "seen_reminded",
    "noshow_reminded",
    *LEAD_NAMES,
    "refilled_from_waiting_list",
)

# Public figures: no count under this is shown, and no rate computed from one.
SMALL_COUNT = 10


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


def agent_scope(agent_id: str, organisation_id: str) -> str:
    return f"agent#{agent_id}#{organisation_id}"


def scopes_of(rdv: Rdv) -> tuple[str, ...]:
    return (
        organisation_scope(rdv.organisation_id),
        service_scope(rdv.service_id, rdv.organisation_id),
        motif_scope(rdv.motif_id),
        agent_scope(rdv.agent_id, rdv.organisation_id),
    )


def month_of(rdv: Rdv, tz: ZoneInfo) -> str:
    """The rdv counts in the local month of its start ("YYYY-MM")."""
    return rdv.starts_at.astimezone(tz).strftime("%Y-%m")


def lead_bucket(rdv: Rdv) -> str:
    """The lead-time bucket of a rdv: whole days from its booking to its start."""
    days = max(0, (rdv.starts_at - rdv.created_at).days)
    name = LEAD_NAMES[0]
    for bound, bucket in zip(LEAD_BUCKETS, LEAD_NAMES, strict=True):
        if days >= bound:
            name = bucket
    return name


def creation_deltas(rdv: Rdv) -> dict[str, int]:
    """What one rdv counts in its month."""
    origin = "created_online" if rdv.created_by is CreatedBy.USAGER else "created_by_agent"
    counts = {"created": 1, origin: 1, rdv.status.value: 1, lead_bucket(rdv): 1}
    if rdv.status is RdvStatus.SEEN:
        counts["seen_minutes"] = rdv.duration_minutes
    refills = sum(1 for m in rdv.moves if m.waiting_list)
    if refills and rdv.status.blocks_time:
        # Each accepted offer refilled a freed slot; counted in the month the rdv now
        # holds, and no longer once it is cancelled (its time is freed again).
        counts["refilled_from_waiting_list"] = refills
    if rdv.reminded_at is not None:
        counts["reminded"] = 1
        if rdv.status is RdvStatus.SEEN:
            counts["seen_reminded"] = 1
        elif rdv.status is RdvStatus.NOSHOW:
            counts["noshow_reminded"] = 1
    return counts


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


def rebuild(rdvs, tz: ZoneInfo) -> dict[tuple[str, str], dict[str, int]]:
    """What the counters should hold for these rdvs (scope, month) -> counts: what the
    consistency check compares with the stored ones, and what a bulk load writes."""
    totals: dict[tuple[str, str], Counter[str]] = {}
    for rdv in rdvs:
        for delta in change_deltas(None, rdv, tz):
            totals.setdefault((delta.scope, delta.month), Counter()).update(delta.deltas)
    return {key: {n: v for n, v in counts.items() if v} for key, counts in totals.items()}


# --- figures -----------------------------------------------------------------------------


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator > 0 else None


def noshow_rate(counts: Mapping[str, int]) -> float | None:
    """noshow / (seen + noshow): the share of no-shows among the rdvs that were due to
    take place and were marked (None when there are none yet). Cancelled rdvs (excused,
    revoked) and those still `unknown` are left out."""
    noshow = counts.get("noshow", 0)
    return _ratio(noshow, counts.get("seen", 0) + noshow)


def online_share(counts: Mapping[str, int]) -> float | None:
    return _ratio(counts.get("created_online", 0), counts.get("created", 0))


def reminded_share(counts: Mapping[str, int]) -> float | None:
    """The share of the month's rdvs whose reminder was sent (a receipt says so)."""
    return _ratio(counts.get("reminded", 0), counts.get("created", 0))


def noshow_rate_reminded(counts: Mapping[str, int]) -> float | None:
    noshow = counts.get("noshow_reminded", 0)
    return _ratio(noshow, counts.get("seen_reminded", 0) + noshow)


def noshow_rate_not_reminded(counts: Mapping[str, int]) -> float | None:
    noshow = counts.get("noshow", 0) - counts.get("noshow_reminded", 0)
    seen = counts.get("seen", 0) - counts.get("seen_reminded", 0)
    return _ratio(noshow, seen + noshow)


def median_lead_days(counts: Mapping[str, int]) -> float | None:
    """The median lead time in days, approximated from the buckets: the bucket where
    half the rdvs are reached, interpolated linearly inside it (the last, open bucket
    answers its lower bound)."""
    sizes = [counts.get(name, 0) for name in LEAD_NAMES]
    total = sum(sizes)
    if total == 0:
        return None
    half, below = total / 2, 0
    for index, size in enumerate(sizes):
        if size and below + size >= half:
            low = LEAD_BUCKETS[index]
            if index + 1 == len(LEAD_BUCKETS):
                return float(low)
            high = LEAD_BUCKETS[index + 1]
            return low + (high - low) * (half - below) / size
        below += size
    return float(LEAD_BUCKETS[-1])  # pragma: no cover - sizes sum to total


def vacancy_rate(offered_minutes: int, seen_minutes: int) -> float | None:
    """The share of offered time that ended with no honoured rdv: offered minutes (plages
    minus absences and holidays) less the minutes of the rdvs marked `seen`, over the
    offered minutes. A slot freed by a cancellation and never refilled counts as vacant;
    a seen rdv put outside the plages cannot make it negative."""
    if offered_minutes <= 0:
        return None
    return max(0, offered_minutes - seen_minutes) / offered_minutes


def public_count(count: int) -> int | None:
    """A count fit for a public page: None (shown « moins de 10 ») under SMALL_COUNT."""
    return count if count >= SMALL_COUNT else None


def public_rate(numerator: int, denominator: int) -> float | None:
    """A rate fit for a public page: only from counts of SMALL_COUNT or more each, so
    that nobody's outcome can be told from it (None otherwise)."""
    if numerator < SMALL_COUNT or denominator < SMALL_COUNT:
        return None
    return numerator / denominator


def month_range(last: str, count: int) -> list[str]:
    """`count` months ("YYYY-MM") ending with `last`, oldest first."""
    year, month = (int(part) for part in last.split("-"))
    months = []
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_bounds(month: str) -> tuple[date, date]:
    """The first and last local days of a month ("YYYY-MM")."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + (number == 12), number % 12 + 1, 1)
    return first, date.fromordinal(following.toordinal() - 1)
