"""Statistics: the agents' monthly figures of their organisation (by service, motif or
agent), the CSV export of a period's rdvs, and the public département-wide figures.

Every count comes from the counters the write path keeps (one Query per scope over the
months asked, never a Scan). The offered time behind the vacancy rate is computed from
the plages, absences and public holidays as they are stored now (`domain.offered_time`):
a plage deleted since no longer counts in the past months it covered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from chalicelib.domain import statistics as stats
from chalicelib.domain.errors import FieldErrors, NotFound
from chalicelib.domain.models import Organisation, PlageOuverture, Rdv
from chalicelib.domain.offered_time import offered_minutes
from chalicelib.services.availability import tz_of
from chalicelib.services.holidays import holidays_of_organisation, public_holidays
from chalicelib.store import Store

CHART_MONTHS = 12
KINDS = {
    "organisation": "Organisation",
    "service": "Service",
    "motif": "Motif",
    "agent": "Agent",
}
# Rows of one CSV part: a few hundred kilobytes, far under Lambda's 6 MB answer.
EXPORT_PAGE = 2000
EXPORT_MAX_DAYS = 366


@dataclass(frozen=True)
class Figures:
    """The figures of one scope in one month."""

    month: str
    counts: dict[str, int]
    offered_minutes: int | None  # None: the scope has no offered time of its own
    past: bool  # the month is over: `unknown` rdvs were never marked

    def count(self, name: str) -> int:
        return self.counts.get(name, 0)

    @property
    def noshow_rate(self) -> float | None:
        return stats.noshow_rate(self.counts)

    @property
    def vacancy_rate(self) -> float | None:
        if self.offered_minutes is None:
            return None
        return stats.vacancy_rate(self.offered_minutes, self.count("seen_minutes"))

    @property
    def online_share(self) -> float | None:
        return stats.online_share(self.counts)

    @property
    def median_lead_days(self) -> float | None:
        return stats.median_lead_days(self.counts)

    @property
    def reminded_share(self) -> float | None:
        return stats.reminded_share(self.counts)

    @property
    def noshow_rate_reminded(self) -> float | None:
        return stats.noshow_rate_reminded(self.counts)

    @property
    def noshow_rate_not_reminded(self) -> float | None:
        return stats.noshow_rate_not_reminded(self.counts)


@dataclass(frozen=True)
class ScopeRow:
    scope: str
    key: str  # the id in links (?par=agent&id=...)
    label: str
    figures: Figures


@dataclass(frozen=True)
class StatsPage:
    organisation: Organisation
    month: str
    months: list[str]  # the months the picker offers, latest first
    kind: str
    kinds: dict[str, str]
    rows: list[ScopeRow]  # every scope of the kind, in the month
    chart_label: str
    chart_key: str
    history: list[Figures]  # the charted scope, CHART_MONTHS months to `month`
    baseline: float = stats.NOSHOW_BASELINE
    target: float = stats.NOSHOW_TARGET
    export_months: list[tuple[str, date, date]] = field(default_factory=list)


def current_month(store: Store, now: datetime) -> str:
    return now.astimezone(tz_of(store)).strftime("%Y-%m")


def _valid_month(text: str | None, default: str) -> str:
    if not text:
        return default
    try:
        year, number = (int(part) for part in text.split("-"))
        date(year, number, 1)
    except ValueError:
        raise NotFound("Ce mois n’est pas valable. Choisissez-le dans la liste.") from None
    return f"{year:04d}-{number:02d}"


def _scopes(store: Store, organisation_id: str, kind: str) -> list[tuple[str, str, str]]:
    """(scope, key, label) of every scope of a kind in an organisation."""
    if kind == "organisation":
        organisation = store.catalogue.get_organisation(organisation_id)
        name = organisation.name if organisation else organisation_id
        return [(stats.organisation_scope(organisation_id), organisation_id, name)]
    if kind == "motif":
        motifs = sorted(
            store.catalogue.motifs_of_organisation(organisation_id), key=lambda m: m.name
        )
        return [(stats.motif_scope(m.id), m.id, m.name) for m in motifs]
    if kind == "service":
        found = []
        for service_id in sorted(
            {m.service_id for m in store.catalogue.motifs_of_organisation(organisation_id)}
        ):
            service = store.catalogue.get_service(service_id)
            name = service.name if service else service_id
            found.append((stats.service_scope(service_id, organisation_id), service_id, name))
        return sorted(found, key=lambda s: s[2])
    agents = sorted(
        store.agents.agents_of_organisation(organisation_id),
        key=lambda a: (a.last_name, a.first_name),
    )
    return [(stats.agent_scope(a.id, organisation_id), a.id, a.full_name) for a in agents]


def _plage_scopes(store: Store, organisation_id: str):
    services = {m.id: m.service_id for m in store.catalogue.motifs_of_organisation(organisation_id)}

    def scopes(plage: PlageOuverture) -> list[str]:
        found = [
            stats.organisation_scope(organisation_id),
            stats.agent_scope(plage.agent_id, organisation_id),
        ]
        found += [
            stats.service_scope(s, organisation_id)
            for s in sorted({services[m] for m in plage.motif_ids if m in services})
        ]
        return found

    return scopes


def offered_time(
    store: Store, organisation_id: str, first_month: str, last_month: str
) -> dict[tuple[str, str], int]:
    """(scope, month) -> minutes the organisation's agents offered: one Query for the
    plages, one for the absences, and the territoire's holidays."""
    tz = tz_of(store)
    start, _ = stats.month_bounds(first_month)
    _, end = stats.month_bounds(last_month)
    plages = store.planning.plages_of_organisation(organisation_id, start, end)
    absences = store.planning.absences_of_organisation(organisation_id, start, end)
    holidays = holidays_of_organisation(store, organisation_id, start, end)
    return offered_minutes(
        plages, absences, holidays, start, end, tz, _plage_scopes(store, organisation_id)
    )


def _figures(
    counters: dict[str, dict[str, int]],
    offered: dict[tuple[str, str], int],
    scope: str,
    month: str,
    this_month: str,
) -> Figures:
    # A plage's time is shared by its motifs: a motif has no offered time of its own.
    shared = scope.startswith("motif#")
    return Figures(
        month=month,
        counts=counters.get(month, {}),
        offered_minutes=None if shared else offered.get((scope, month), 0),
        past=month < this_month,
    )


def _counters(store: Store, scope: str, first: str, last: str) -> dict[str, dict[str, int]]:
    return {c.month: c.counts for c in store.counters.months(scope, first, last)}


def dashboard(
    store: Store,
    organisation: Organisation,
    month: str | None,
    kind: str | None,
    key: str | None,
    now: datetime,
) -> StatsPage:
    """The statistics page of an organisation: the month's figures of every scope of a
    kind, and the history of one of them (the organisation by default)."""
    this_month = current_month(store, now)
    month = _valid_month(month, this_month)
    kind = kind if kind in KINDS else "organisation"
    first = stats.month_range(month, CHART_MONTHS)[0]
    offered = offered_time(store, organisation.id, first, month)
    rows = [
        ScopeRow(
            scope,
            scope_key,
            label,
            _figures(_counters(store, scope, month, month), offered, scope, month, this_month),
        )
        for scope, scope_key, label in _scopes(store, organisation.id, kind)
    ]
    charted = next((r for r in rows if r.key == key), None)
    if charted is None:
        scope = stats.organisation_scope(organisation.id)
        chart_label, chart_key = organisation.name, ""
    else:
        scope, chart_label, chart_key = charted.scope, charted.label, charted.key
    history_counts = _counters(store, scope, first, month)
    history = [
        _figures(history_counts, offered, scope, m, this_month)
        for m in stats.month_range(month, CHART_MONTHS)
    ]
    picker = stats.month_range(this_month, 24)[::-1]
    export_months = []
    for m in stats.month_range(this_month, CHART_MONTHS)[::-1]:
        start, end = stats.month_bounds(m)
        export_months.append((m, start, end))
    return StatsPage(
        organisation=organisation,
        month=month,
        months=picker if month in picker else [month, *picker],
        kind=kind,
        kinds=KINDS,
        rows=rows,
        chart_label=chart_label,
        chart_key=chart_key,
        history=history,
        export_months=export_months,
    )


# --- the CSV export ----------------------------------------------------------------------

CSV_COLUMNS = (
    "identifiant",
    "date",
    "heure",
    "durée (minutes)",
    "service",
    "motif",
    "lieu",
    "agent",
    "statut",
    "pris",
    "pris le",
    "délai (jours)",
    "rappel envoyé",
)
STATUS_LABELS = {
    "unknown": "non renseigné",
    "seen": "honoré",
    "noshow": "absence non excusée",
    "excused": "annulé par l’usager",
    "revoked": "annulé par la MDS",
}


@dataclass(frozen=True)
class ExportPart:
    rows: list[list[str]]
    next_cursor: str | None
    first: date
    last: date


def export_period(
    store: Store, text_first: str | None, text_last: str | None, now: datetime
) -> tuple[date, date]:
    """The period of an export (`du`, `au`: YYYY-MM-DD), at most a year; the current
    month when neither is given."""
    if not text_first and not text_last:
        return stats.month_bounds(current_month(store, now))
    errors = {}
    days = []
    for name, text in (("du", text_first), ("au", text_last)):
        try:
            days.append(date.fromisoformat((text or "").strip()))
        except ValueError:
            errors[name] = "Indiquez une date (AAAA-MM-JJ)."
    if errors:
        raise FieldErrors(errors)
    first, last = days
    if last < first:
        raise FieldErrors({"au": "La fin de la période est avant son début."})
    if (last - first).days >= EXPORT_MAX_DAYS:
        raise FieldErrors({"au": "Exportez au plus un an à la fois."})
    return first, last


def export_part(
    store: Store,
    organisation_id: str,
    first: date,
    last: date,
    cursor: str | None,
    limit: int | None = None,
) -> ExportPart:
    """One part of the export: the organisation's rdvs starting in [first, last] (local
    days), in start order, `limit` at most, and the cursor of the next part. Only the
    organisation's own rdvs: the Query is by its id."""
    tz = tz_of(store)
    start = datetime.combine(first, time(0), tzinfo=tz)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=tz) - timedelta(microseconds=1)
    page = store.rdvs.page_of_organisation(
        organisation_id, start, end, limit or EXPORT_PAGE, cursor
    )
    names = _names(store, organisation_id)
    rows = [_row(rdv, names, tz) for rdv in page.items if rdv.organisation_id == organisation_id]
    return ExportPart(rows, page.next_cursor, first, last)


def _names(store: Store, organisation_id: str) -> dict[str, str]:
    names: dict[str, str] = {}
    for motif in store.catalogue.motifs_of_organisation(organisation_id):
        names[f"motif:{motif.id}"] = motif.name
        service = store.catalogue.get_service(motif.service_id)
        if service:
            names[f"service:{service.id}"] = service.name
    for lieu in store.catalogue.lieux_of_organisation(organisation_id):
        names[f"lieu:{lieu.id}"] = lieu.name
    for agent in store.agents.agents_of_organisation(organisation_id):
        names[f"agent:{agent.id}"] = agent.full_name
    return names


def _row(rdv: Rdv, names: dict[str, str], tz) -> list[str]:
    local = rdv.starts_at.astimezone(tz)
    return [
        rdv.id,
        local.date().isoformat(),
        local.strftime("%H:%M"),
        str(rdv.duration_minutes),
        names.get(f"service:{rdv.service_id}", rdv.service_id),
        names.get(f"motif:{rdv.motif_id}", rdv.motif_id),
        names.get(f"lieu:{rdv.lieu_id}", "") if rdv.lieu_id else "",
        names.get(f"agent:{rdv.agent_id}", rdv.agent_id),
        STATUS_LABELS[rdv.status.value],
        "en ligne" if rdv.created_by.value == "usager" else "par un agent",
        rdv.created_at.astimezone(tz).date().isoformat(),
        str(max(0, (rdv.starts_at - rdv.created_at).days)),
        "oui" if rdv.reminded_at else "non",
    ]


# --- the public page ---------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMonth:
    month: str
    rdvs: int | None  # None: fewer than 10
    online_share: float | None
    noshow_rate: float | None
    vacancy_rate: float | None


@dataclass(frozen=True)
class PublicStats:
    territoire_name: str
    departement_number: str
    months: list[PublicMonth]
    baseline: float = stats.NOSHOW_BASELINE
    target: float = stats.NOSHOW_TARGET


def public_figures(counts: dict[str, int], offered: int, month: str) -> PublicMonth:
    """A month's public figures: no count under 10, no rate from fewer than 10."""
    created = counts.get("created", 0)
    seen, noshow = counts.get("seen", 0), counts.get("noshow", 0)
    vacancy = None
    if created >= stats.SMALL_COUNT:
        vacancy = stats.vacancy_rate(offered, counts.get("seen_minutes", 0))
    return PublicMonth(
        month=month,
        rdvs=stats.public_count(created),
        online_share=stats.public_rate(counts.get("created_online", 0), created),
        noshow_rate=stats.public_rate(noshow, seen + noshow),
        vacancy_rate=vacancy,
    )


def public_stats(store: Store, territoire_id: str, now: datetime) -> PublicStats:
    """The département's last 12 complete months, summed over its organisations."""
    territoire = store.catalogue.get_territoire(territoire_id)
    if territoire is None:
        raise NotFound("Ces statistiques ne sont pas disponibles.")
    this_month = current_month(store, now)
    months = stats.month_range(this_month, CHART_MONTHS + 1)[:-1]
    first, last = months[0], months[-1]
    totals: dict[str, Counter[str]] = {m: Counter() for m in months}
    offered: Counter[str] = Counter()
    tz = tz_of(store)
    start, _ = stats.month_bounds(first)
    _, end = stats.month_bounds(last)
    holidays = public_holidays(territoire.departement_number, start, end)
    for organisation in store.catalogue.organisations_of_territoire(territoire_id):
        scope = stats.organisation_scope(organisation.id)
        for counter in store.counters.months(scope, first, last):
            totals[counter.month].update(counter.counts)
        plages = store.planning.plages_of_organisation(organisation.id, start, end)
        absences = store.planning.absences_of_organisation(organisation.id, start, end)
        minutes = offered_minutes(plages, absences, holidays, start, end, tz, lambda _p: ("all",))
        for (_, month), value in minutes.items():
            offered[month] += value
    return PublicStats(
        territoire_name=territoire.name,
        departement_number=territoire.departement_number,
        months=[public_figures(dict(totals[m]), offered[m], m) for m in months],
    )
