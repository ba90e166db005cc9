"""The agents' day: what the home, an agent's day and week, and a lieu's day show.

Read models only (nothing is written here). Every read is scoped by the session's
organisation: a lieu or an agent of another organisation is not found, and plages,
absences and rdvs of an agent's other organisations are left out. A page makes a
constant number of DynamoDB requests, however many rdvs it shows: one Query per kind
(rdvs, plages, absences, members), one BatchGet of the usagers, the catalogue (motifs,
lieux) from its cache.

The agendas are grids: one column per agent (a lieu's day) or per day (an agent's
week), one row per quarter or half hour. `build_grid` lays out the cells: a rdv (or
several that overlap, after an agent forced a time) is one cell over the rows it
covers; the rest of a column is runs of plage (open, free), absence, or nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import (
    Absence,
    Agent,
    Lieu,
    LocationType,
    Motif,
    PlageOuverture,
    Rdv,
    RdvStatus,
    Usager,
)
from chalicelib.domain.recurrence import occurrence_days, occurs_on
from chalicelib.services.agent_auth import AgentContext
from chalicelib.services.availability import tz_of
from chalicelib.services.holidays import holidays_of_organisation
from chalicelib.store import Store

# « À renseigner »: the agent's past rdvs still `unknown` over this many weeks.
TO_MARK_WEEKS = 8
# Days an agenda may show (a date typed by hand outside them is not found).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)
DAY_MINUTES = 24 * 60
WEEKDAYS_SHORT = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")


# --- a rdv as the agendas show it ---------------------------------------------------


@dataclass(frozen=True)
class AgendaRdv:
    """A rdv with what its line shows: the usagers' names, the motif, the lieu."""

    rdv: Rdv
    usagers: tuple[Usager, ...]
    motif: Motif | None
    lieu: Lieu | None
    to_mark: bool  # over and still `unknown`: « À renseigner »

    @property
    def id(self) -> str:
        return self.rdv.id

    @property
    def starts_at(self) -> datetime:
        return self.rdv.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.rdv.ends_at

    @property
    def status(self) -> str:
        return self.rdv.status.value

    @property
    def booked_via(self) -> str:
        return self.rdv.booked_via.value

    @property
    def where(self) -> str:
        """`lieu`, `phone` or `home`: where it takes place."""
        if self.rdv.lieu_id:
            return "lieu"
        if self.motif is not None and self.motif.location_type is LocationType.HOME:
            return "home"
        if self.motif is not None and self.motif.location_type is LocationType.PHONE:
            return "phone"
        return "home" if self.rdv.home_address else "phone"

    @property
    def cancelled(self) -> bool:
        return not self.rdv.status.blocks_time


class _Lines:
    """Turns rdvs into AgendaRdv: the usagers in one BatchGet, the catalogue cached."""

    def __init__(self, store: Store, organisation_id: str, rdvs: Iterable[Rdv], now: datetime):
        self.rdvs = list(rdvs)
        ids = list(dict.fromkeys(u for r in self.rdvs for u in r.usager_ids))
        self.usagers = {u.id: u for u in store.usagers.get_many(ids)}
        self.motifs = {m.id: m for m in store.catalogue.motifs_of_organisation(organisation_id)}
        self.lieux = {
            lieu.id: lieu for lieu in store.catalogue.lieux_of_organisation(organisation_id)
        }
        self.now = now

    def line(self, rdv: Rdv) -> AgendaRdv:
        return AgendaRdv(
            rdv=rdv,
            usagers=tuple(self.usagers[u] for u in rdv.usager_ids if u in self.usagers),
            motif=self.motifs.get(rdv.motif_id),
            lieu=self.lieux.get(rdv.lieu_id) if rdv.lieu_id else None,
            to_mark=rdv.status is RdvStatus.UNKNOWN and rdv.ends_at <= self.now,
        )

    def all(self) -> list[AgendaRdv]:
        return [self.line(r) for r in sorted(self.rdvs, key=_order)]


def _order(rdv: Rdv) -> tuple[datetime, str]:
    return (rdv.starts_at, rdv.id)


# --- the grid -------------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    """Minutes of a local day, [start, end): a plage's or an absence's part of a day."""

    start: int
    end: int
    key: str = ""  # the plage or absence it comes from: its runs are not merged with another's
    label: str = ""  # the lieu of a plage, the title of an absence

    @property
    def start_label(self) -> str:
        return minutes_label(self.start)

    @property
    def end_label(self) -> str:
        return minutes_label(self.end)


@dataclass(frozen=True)
class ColumnInput:
    """What one column of a grid holds: an agent's day (at a lieu, or all of it)."""

    day: date
    agent: Agent | None
    plages: tuple[Span, ...]
    absences: tuple[Span, ...]
    rdvs: tuple[AgendaRdv, ...]  # not cancelled, starting that day
    holiday: bool = False


@dataclass(frozen=True)
class Cell:
    kind: str  # "rdvs", "plage" (open and free), "absence" or "empty"
    rowspan: int
    rdvs: tuple[AgendaRdv, ...] = ()
    label: str = ""
    in_plage: bool = True  # for rdvs: within the agent's plages (else forced outside)


@dataclass(frozen=True)
class GridRow:
    minute: int
    cells: tuple[Cell, ...]  # the cells starting on this row, in column order

    @property
    def label(self) -> str:
        return minutes_label(self.minute)

    @property
    def full_hour(self) -> bool:
        return self.minute % 60 == 0


@dataclass(frozen=True)
class Grid:
    columns: tuple[ColumnInput, ...]
    rows: tuple[GridRow, ...]
    step: int  # minutes per row

    @property
    def is_empty(self) -> bool:
        return not self.rows


def minutes_label(minutes: int) -> str:
    return f"{minutes // 60}h{minutes % 60:02d}"


def build_grid(columns: list[ColumnInput], tz: ZoneInfo) -> Grid:
    """Lay out the columns over the rows of the day's span: from the full hour before
    the first plage or rdv of any column to the end of the last. Half hours when every
    time falls on one, else quarters (a time between two rows is drawn from the row
    it falls in). No plage and no rdv: no rows."""
    rdv_spans = [[_rdv_span(r, c.day, tz) for r in c.rdvs] for c in columns]
    busy = [s for c in columns for s in c.plages] + [s for spans in rdv_spans for s in spans]
    if not busy:
        return Grid(tuple(columns), (), 30)
    first = min(s.start for s in busy) // 60 * 60
    end = max(s.end for s in busy)
    bounds = {b for s in busy for b in (s.start, s.end)}
    bounds |= {
        min(max(b, first), end) for c in columns for s in c.absences for b in (s.start, s.end)
    }
    step = 30 if all(b % 30 == 0 for b in bounds) else 15
    last = min(DAY_MINUTES, -(-end // step) * step)
    count = (last - first) // step
    laid_out = [
        _column_cells(column, spans, first, step, count)
        for column, spans in zip(columns, rdv_spans, strict=True)
    ]
    rows = tuple(
        GridRow(first + index * step, tuple(cells[index] for cells in laid_out if index in cells))
        for index in range(count)
    )
    return Grid(tuple(columns), rows, step)


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(s.start < span.end and span.start < s.end for s in spans)


def _rdv_span(line: AgendaRdv | Rdv, day: date, tz: ZoneInfo) -> Span:
    midnight = datetime.combine(day, time(0), tzinfo=tz)
    start = (line.starts_at.astimezone(tz) - midnight) // timedelta(minutes=1)
    end = -(-(line.ends_at.astimezone(tz) - midnight) // timedelta(minutes=1))
    start = min(max(start, 0), DAY_MINUTES - 1)
    return Span(start, min(max(end, start + 1), DAY_MINUTES), key=line.id)


def _column_cells(
    column: ColumnInput, spans: list[Span], first: int, step: int, count: int
) -> dict[int, Cell]:
    """The cells of one column, by the index of the row each starts on."""

    def row_of(minute: int) -> int:
        return min(max((minute - first) // step, 0), count - 1)

    def row_after(minute: int) -> int:
        return min(max(-(-(minute - first) // step), 1), count)

    # Rdvs whose rows overlap make one cell (a time forced over another rdv).
    clusters: list[tuple[int, int, list[AgendaRdv]]] = []
    for line, span in sorted(zip(column.rdvs, spans, strict=True), key=lambda p: p[1].start):
        top, bottom = row_of(span.start), max(row_after(span.end), row_of(span.start) + 1)
        if clusters and top < clusters[-1][1]:
            previous = clusters[-1]
            clusters[-1] = (previous[0], max(previous[1], bottom), [*previous[2], line])
        else:
            clusters.append((top, bottom, [line]))

    def overlapping(spans: tuple[Span, ...], start: int, end: int) -> Span | None:
        return next((s for s in spans if s.start < end and start < s.end), None)

    def kind_of(index: int) -> tuple[str, str, str]:
        start = first + index * step
        absence = overlapping(column.absences, start, start + step)
        if absence is not None:
            return ("absence", absence.key, absence.label)
        plage = overlapping(column.plages, start, start + step)
        if plage is not None:
            return ("plage", plage.key, plage.label)
        return ("empty", "", "")

    cells: dict[int, Cell] = {}
    starts = {top: (bottom, lines) for top, bottom, lines in clusters}
    index = 0
    while index < count:
        if index in starts:
            bottom, lines = starts[index]
            inside = all(
                any(
                    p.start <= first + i * step and first + (i + 1) * step <= p.end
                    for p in column.plages
                )
                for i in range(index, bottom)
            )
            cells[index] = Cell("rdvs", bottom - index, tuple(lines), in_plage=inside)
            index = bottom
            continue
        kind = kind_of(index)
        end = index + 1
        while end < count and end not in starts and kind_of(end) == kind:
            end += 1
        cells[index] = Cell(kind[0], end - index, label=kind[2])
        index = end
    return cells


# --- plages, absences and days --------------------------------------------------------


def _plage_spans(
    plages: Iterable[PlageOuverture], day: date, holidays: frozenset[date], lieux: dict[str, Lieu]
) -> tuple[Span, ...]:
    """The plages open on a day (closed on a public holiday unless opened for it)."""
    spans = []
    for plage in plages:
        if not occurs_on(plage.first_day, plage.recurrence, day):
            continue
        if day in holidays and not plage.open_on_holidays:
            continue
        lieu = lieux.get(plage.lieu_id) if plage.lieu_id else None
        label = lieu.name if lieu else "Par téléphone ou à domicile"
        start = plage.start_time.hour * 60 + plage.start_time.minute
        end = plage.end_time.hour * 60 + plage.end_time.minute or DAY_MINUTES
        if end > start:
            spans.append(Span(start, end, key=plage.id, label=label))
    return tuple(sorted(spans, key=lambda s: (s.start, s.end)))


def _absence_spans(absences: Iterable[Absence], day: date) -> tuple[Span, ...]:
    """The parts of a day the absences cover (an occurrence may span several days)."""
    spans = []
    for absence in absences:
        length = (absence.end_day - absence.first_day).days
        for first in occurrence_days(
            absence.first_day, absence.recurrence, day - timedelta(days=length), day
        ):
            last = first + timedelta(days=length)
            start = _minutes(absence.start_time) if first == day else 0
            end = _minutes(absence.end_time) if last == day else DAY_MINUTES
            if end > start:
                spans.append(Span(start, end, key=absence.id, label=absence.title or "Absence"))
    return tuple(sorted(spans, key=lambda s: (s.start, s.end)))


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _local_day(rdv: Rdv, tz: ZoneInfo) -> date:
    return rdv.starts_at.astimezone(tz).date()


def _checked(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise NotFound("Ce jour n’est pas dans l’agenda.")
    return day


def today(store: Store, now: datetime) -> date:
    """The local day of `now` (Europe/Paris)."""
    return now.astimezone(tz_of(store)).date()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def short_day(day: date) -> str:
    """ "mar. 01/12" """
    return f"{WEEKDAYS_SHORT[day.weekday()]} {day.day:02d}/{day.month:02d}"


# --- the home -------------------------------------------------------------------------


@dataclass(frozen=True)
class Home:
    today: date
    rdvs: list[AgendaRdv]  # today's, in order (cancelled ones included, with their status)
    to_mark: list[AgendaRdv]  # past rdvs still `unknown`, oldest first
    to_mark_since: date


def home(store: Store, me: AgentContext, now: datetime) -> Home:
    """The signed-in agent's rdvs of today, and their past ones still to mark: one
    Query of their rdvs from 8 weeks ago to tonight."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    since = today - timedelta(weeks=TO_MARK_WEEKS)
    rdvs = [
        r
        for r in store.rdvs.of_agent(
            me.agent.id, _midnight(since, tz), _midnight(today + timedelta(days=1), tz)
        )
        if r.organisation_id == me.organisation.id
    ]
    lines = _Lines(store, me.organisation.id, rdvs, now).all()
    return Home(
        today=today,
        rdvs=[r for r in lines if _local_day(r.rdv, tz) == today],
        to_mark=[r for r in lines if r.to_mark and r.starts_at >= _midnight(since, tz)],
        to_mark_since=since,
    )


# --- an agent's day and week ----------------------------------------------------------


@dataclass(frozen=True)
class AgentAgenda:
    agent: Agent
    agents: list[Agent]  # the organisation's, for the choice of another agenda
    days: list[date]  # the days shown (one, or a week)
    first_day: date
    grid: Grid
    cancelled: list[AgendaRdv]
    absences: list[tuple[date, Span]]  # listed in words under the grid
    holidays: frozenset[date]
    today: date
    week: bool

    @property
    def previous(self) -> date:
        return self.first_day - timedelta(days=7 if self.week else 1)

    @property
    def next(self) -> date:
        return self.first_day + timedelta(days=7 if self.week else 1)

    @property
    def holiday(self) -> bool:
        return any(d in self.holidays for d in self.days)


def agent_agenda(
    store: Store,
    me: AgentContext,
    agent_id: str | None,
    day: date,
    now: datetime,
    week: bool = False,
) -> AgentAgenda:
    """An agent's day, or the week of `day`: the signed-in agent's unless another
    agent of the organisation is asked for."""
    tz = tz_of(store)
    organisation_id = me.organisation.id
    agents = store.agents.agents_of_organisation(organisation_id)
    if agent_id and agent_id != me.agent.id:
        agent = next((a for a in agents if a.id == agent_id), None)
        if agent is None:
            raise NotFound("Cet agent ne fait pas partie de votre organisation.")
    else:
        agent = next((a for a in agents if a.id == me.agent.id), me.agent)
    first = _checked(monday_of(day) if week else day)
    last = _checked(first + timedelta(days=6 if week else 0))
    plages = [
        p
        for p in store.planning.plages_of_agent(agent.id, first, last)
        if p.organisation_id == organisation_id
    ]
    absences = [
        a
        for a in store.planning.absences_of_agent(agent.id, first, last)
        if a.organisation_id == organisation_id
    ]
    rdvs = [
        r
        for r in store.rdvs.of_agent(
            agent.id, _midnight(first, tz), _midnight(last + timedelta(days=1), tz)
        )
        if r.organisation_id == organisation_id and first <= _local_day(r, tz) <= last
    ]
    lines = _Lines(store, organisation_id, rdvs, now)
    every = lines.all()
    holidays = holidays_of_organisation(store, organisation_id, first, last)
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    columns = []
    for current in days:
        column = ColumnInput(
            day=current,
            agent=agent,
            plages=_plage_spans(plages, current, holidays, lines.lieux),
            absences=_absence_spans(absences, current),
            rdvs=tuple(r for r in every if not r.cancelled and _local_day(r.rdv, tz) == current),
            holiday=current in holidays,
        )
        # A week shows the weekend only when something happens on it.
        if week and current.weekday() >= 5 and not (column.plages or column.rdvs):
            continue
        columns.append(column)
    return AgentAgenda(
        agent=agent,
        agents=agents,
        days=days,
        first_day=first,
        grid=build_grid(columns, tz),
        cancelled=[r for r in every if r.cancelled],
        absences=[(c.day, s) for c in columns for s in c.absences],
        holidays=holidays,
        today=now.astimezone(tz).date(),
        week=week,
    )


# --- the lieux and a lieu's day -------------------------------------------------------


def lieux(store: Store, me: AgentContext) -> list[Lieu]:
    """The organisation's open lieux (an archived one's days stay reachable by link)."""
    return sorted(
        (
            lieu
            for lieu in store.catalogue.lieux_of_organisation(me.organisation.id)
            if not lieu.archived
        ),
        key=lambda lieu: lieu.name,
    )


@dataclass(frozen=True)
class DayCount:
    day: date
    rdvs: int  # not cancelled, at the lieu

    @property
    def label(self) -> str:
        return short_day(self.day)


@dataclass(frozen=True)
class LieuDay:
    lieu: Lieu
    day: date
    today: date
    grid: Grid
    cancelled: list[AgendaRdv]
    week: list[DayCount]  # how many rdvs each day of the week shows
    holiday: bool
    rdv_count: int = 0

    @property
    def previous(self) -> date:
        return self.day - timedelta(days=1)

    @property
    def next(self) -> date:
        return self.day + timedelta(days=1)


def lieu_day(store: Store, me: AgentContext, lieu_id: str, day: date, now: datetime) -> LieuDay:
    """A lieu's day, all its agents side by side: the agents with a plage there that
    day or a rdv there, with their rdvs at the lieu and those by phone or at home
    during their plages there (not those at another lieu). One Query of the
    organisation's rdvs over the week gives the day and the count of each day."""
    tz = tz_of(store)
    organisation_id = me.organisation.id
    lieu = store.catalogue.get_lieu(lieu_id)
    if lieu is None or lieu.organisation_id != organisation_id:
        raise NotFound("Ce lieu n’existe pas dans votre organisation.")
    day = _checked(day)
    monday = _checked(monday_of(day))
    sunday = _checked(monday + timedelta(days=6))
    plages = [
        p
        for p in store.planning.plages_of_lieu(lieu.id, monday, sunday)
        if p.organisation_id == organisation_id
    ]
    holidays = holidays_of_organisation(store, organisation_id, monday, sunday)
    week_rdvs = [
        r
        for r in store.rdvs.of_organisation(
            organisation_id, _midnight(monday, tz), _midnight(sunday + timedelta(days=1), tz)
        )
        if monday <= _local_day(r, tz) <= sunday
    ]
    by_agent_plages: dict[str, list[PlageOuverture]] = {}
    for plage in plages:
        by_agent_plages.setdefault(plage.agent_id, []).append(plage)

    def of_day(current: date) -> tuple[dict[str, tuple[Span, ...]], list[Rdv]]:
        """The agents' plages at the lieu on a day, and the rdvs its day shows: those
        at the lieu, and those by phone or at home during the agent's plage here (the
        agent is busy then; during a permanence elsewhere, they belong to that lieu)."""
        spans = {
            agent_id: found
            for agent_id, own in by_agent_plages.items()
            if (found := _plage_spans(own, current, holidays, {lieu.id: lieu}))
        }
        rdvs = [r for r in week_rdvs if _local_day(r, tz) == current]
        shown = [
            r
            for r in rdvs
            if r.lieu_id == lieu.id
            or (
                r.lieu_id is None
                and _overlaps(_rdv_span(r, current, tz), spans.get(r.agent_id, ()))
            )
        ]
        return spans, shown

    counts = [
        DayCount(d, sum(1 for r in of_day(d)[1] if r.status.blocks_time))
        for d in (monday + timedelta(days=n) for n in range(7))
    ]
    plage_spans, shown = of_day(day)
    agent_ids = set(plage_spans) | {r.agent_id for r in shown}
    lines = _Lines(store, organisation_id, shown, now)
    every = lines.all()
    members = {a.id: a for a in store.agents.agents_of_organisation(organisation_id)}
    absences = (
        store.planning.absences_of_organisation(organisation_id, day, day, agent_ids=agent_ids)
        if agent_ids
        else []
    )
    columns = []
    for agent_id in sorted(agent_ids, key=lambda i: _agent_order(members.get(i), i)):
        agent = members.get(agent_id) or Agent(agent_id, "", "Agent", "(hors de la MDS)")
        columns.append(
            ColumnInput(
                day=day,
                agent=agent,
                plages=plage_spans.get(agent_id, ()),
                absences=_absence_spans((a for a in absences if a.agent_id == agent_id), day),
                rdvs=tuple(r for r in every if r.rdv.agent_id == agent_id and not r.cancelled),
                holiday=day in holidays,
            )
        )
    return LieuDay(
        lieu=lieu,
        day=day,
        today=now.astimezone(tz).date(),
        grid=build_grid(columns, tz),
        cancelled=[r for r in every if r.cancelled],
        week=counts,
        holiday=day in holidays,
        rdv_count=sum(1 for r in every if not r.cancelled),
    )


def _agent_order(agent: Agent | None, agent_id: str) -> tuple[str, str, str]:
    if agent is None:
        return ("~", "", agent_id)
    return (agent.last_name.lower(), agent.first_name.lower(), agent_id)
