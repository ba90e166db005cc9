"""A year of demo history: past rdvs whose no-show rate falls month after month (more
of them reminded, and reminded rdvs are missed less), so that the statistics pages
show something real.

A thousand rdvs through the write path would add a minute to `make run`: these are
written in bulk instead, the rdvs with BatchWriteItem and their counters as the
write path would have left them (`domain.statistics.rebuild`, the very rule the write
path applies) on a shard of their own that no write-path change uses (`BULK_SHARD`),
so loading again only rewrites the same values. The consistency test
(tests/integration/test_statistics_consistency.py) rebuilds every counter from the
stored rdvs and compares. These rdvs are older than an agent-day item lives
(AGENT_DAY_KEPT), so they hold no agent-day, as the write path's would no longer."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import (
    BookingChannel,
    CreatedBy,
    LocationType,
    Motif,
    PlageOuverture,
    Rdv,
    RdvStatus,
    StatusChange,
    Usager,
)
from chalicelib.domain.recurrence import occurrence_days
from chalicelib.domain.statistics import rebuild
from chalicelib.services.holidays import public_holidays
from chalicelib.store import Store
from chalicelib.store.counters import SHARDS
from chalicelib.store.models import CounterModel, RdvModel
from chalicelib.store.rdvs import rdv_to_item

PARIS = ZoneInfo("Europe/Paris")
# The counters' shard of the bulk-loaded history: beyond the write path's 0..SHARDS-1.
BULK_SHARD = SHARDS


def history_rdvs(
    motifs: dict[str, Motif],
    plages: list[PlageOuverture],
    usagers: list[Usager],
    today: date,
    seed: int,
    first_weeks_back: int = 52,
    last_weeks_back: int = 8,
) -> list[Rdv]:
    """Rdvs from `first_weeks_back` weeks before the week of `today` to the week before
    `last_weeks_back` (the write path's demo rdvs start there), with their outcomes."""
    rng = random.Random(seed)
    monday = today - timedelta(days=today.weekday())
    start_day = monday - timedelta(weeks=first_weeks_back)
    end_day = monday - timedelta(weeks=last_weeks_back) - timedelta(days=1)
    holidays = public_holidays("62", start_day, end_day)
    by_id = {m.id: m for m in motifs.values()}
    adults = [u for u in usagers if u.responsable_id is None]
    children = [u for u in usagers if u.responsable_id is not None]
    drafts: dict[str, list[Rdv]] = {}
    for plage in plages:
        for day in occurrence_days(plage.first_day, plage.recurrence, start_day, end_day):
            if day in holidays or rng.random() < 0.35:
                continue
            motif = by_id[rng.choice(plage.motif_ids)]
            starts = datetime.combine(day, plage.start_time, tzinfo=PARIS)
            starts += timedelta(minutes=motif.duration_minutes * rng.randrange(3))
            if (starts + motif.duration).time() > plage.end_time:
                continue
            starts_utc = starts.astimezone(UTC)
            online = rng.random() < 0.3 + 0.2 * (day - start_day).days / 365
            child = motif.service_id == "pmi" and children
            usager = rng.choice(children if child else adults)
            drafts.setdefault(day.strftime("%Y-%m"), []).append(
                plage_rdv(
                    _rdv_id(plage.id, day, starts.time()),
                    plage,
                    motif,
                    starts_utc,
                    usager,
                    online,
                    created_at=starts_utc
                    - timedelta(days=rng.choice((0, 1, 3, 5, 8, 12, 16, 25, 40))),
                    version=2,
                )
            )
    rdvs = []
    months = sorted(drafts)
    for index, month in enumerate(months):
        age = 1 - index / max(1, len(months) - 1)  # 1: the oldest month, 0: the latest
        rdvs += _outcomes(drafts[month], age, rng)
    return rdvs


def plage_rdv(
    rdv_id: str,
    plage: PlageOuverture,
    motif: Motif,
    starts_at: datetime,
    usager: Usager,
    online: bool,
    **details,
) -> Rdv:
    """A demo rdv on a plage: booked online by the usager, or by phone by the plage's
    agent (the demo's rdvs and its history alike)."""
    return Rdv(
        id=rdv_id,
        organisation_id=plage.organisation_id,
        service_id=motif.service_id,
        motif_id=motif.id,
        agent_id=plage.agent_id,
        lieu_id=plage.lieu_id if motif.location_type is LocationType.PUBLIC_OFFICE else None,
        starts_at=starts_at,
        duration_minutes=motif.duration_minutes,
        usager_ids=(usager.id,),
        created_by=CreatedBy.USAGER if online else CreatedBy.AGENT,
        created_by_agent_id=None if online else plage.agent_id,
        booked_via=BookingChannel.ONLINE if online else BookingChannel.PHONE,
        **details,
    )


def _outcomes(group: list[Rdv], age: float, rng: random.Random) -> list[Rdv]:
    """Each month's outcomes by quota, so that its rates are the intended ones: 9 %
    excused, 4 % revoked, a no-show rate from 30 % (a year ago) down to 15 %, more
    rdvs reminded with time, and the no-shows found among the not reminded first."""
    group = sorted(group, key=lambda r: r.id)
    rng.shuffle(group)
    count = len(group)
    excused, revoked = round(0.09 * count), round(0.04 * count)
    due = count - excused - revoked
    noshows = round((0.15 + 0.15 * age) * due)
    reminded_quota = round((0.85 - 0.45 * age) * count)
    reminded = set()
    for rdv in group:
        if len(reminded) < reminded_quota and rdv.created_at <= rdv.starts_at - timedelta(days=2):
            reminded.add(rdv.id)
    statuses = [RdvStatus.EXCUSED] * excused + [RdvStatus.REVOKED] * revoked
    ranked = sorted(group, key=lambda r: rng.random() * (2.0 if r.id in reminded else 1.0))
    outcome = {r.id: s for r, s in zip(ranked, statuses, strict=False)}
    rest = [r for r in ranked if r.id not in outcome]
    for position, rdv in enumerate(rest):
        outcome[rdv.id] = RdvStatus.NOSHOW if position < noshows else RdvStatus.SEEN
    finished = []
    for rdv in group:
        status = outcome[rdv.id]
        ends = rdv.starts_at + timedelta(minutes=rdv.duration_minutes)
        finished.append(
            replace(
                rdv,
                status=status,
                status_history=(StatusChange(status, ends, rdv.agent_id),),
                reminded_at=rdv.starts_at - timedelta(days=1) if rdv.id in reminded else None,
            )
        )
    return finished


def _rdv_id(plage_id: str, day: date, at: time) -> str:
    from devtools.demo_data import demo_id

    return demo_id("rdv", plage_id, day.isoformat(), at.isoformat())


def load_history(store: Store, rdvs: list[Rdv], tz: ZoneInfo) -> None:
    """Write the rdvs and the counters they make, unless they are there already."""
    if not rdvs or store.rdvs.get(rdvs[0].id) is not None:
        return
    with RdvModel.batch_write() as batch:
        for rdv in rdvs:
            batch.save(rdv_to_item(rdv))
    with CounterModel.batch_write() as batch:
        for (scope, month), counts in rebuild(rdvs, tz).items():
            batch.save(CounterModel(scope=scope, month=f"{month}#{BULK_SHARD}", **counts))
