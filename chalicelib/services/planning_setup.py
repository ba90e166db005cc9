"""Plages d'ouverture and absences on the dashboard: list, create, edit, delete, the
preview of a plage's next occurrences, and the rdvs a change leaves to deal with.

An organisation's admins manage every agent's; an agent manages their own only (another
agent's plage or absence is not found for them). Everything is scoped by the session's
organisation. Saving or deleting a plage never touches a rdv: the rdvs of the agent left
outside their plages are listed (`rdvs_outside_plages`), as are the rdvs a new absence
covers (`rdvs_in_absence`), each with a slot the engine proposes; moving or cancelling
one of them is `agent_rdvs`' use case, on the one write path.

Times are typed as Europe/Paris wall clock and stored so (see `models.PlageOuverture`);
rdvs are UTC instants, compared with a plage's bounds on the rdv's local day."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from chalicelib.domain.errors import DomainError, FieldErrors, NotFound
from chalicelib.domain.models import (
    Absence,
    Agent,
    Frequency,
    Lieu,
    LocationType,
    Motif,
    PlageOuverture,
    Rdv,
    RdvStatus,
    Recurrence,
)
from chalicelib.domain.recurrence import next_occurrence_on_or_after, occurrence_days, occurs_on
from chalicelib.domain.slots import Slot
from chalicelib.domain.text import wall_time, whole_number
from chalicelib.services import waiting_list
from chalicelib.services.availability import first_available, slots_between, tz_of
from chalicelib.services.holidays import holidays_of_organisation
from chalicelib.store import Store

PLAGE_NOT_FOUND = "Cette plage d’ouverture n’existe pas ou ne fait pas partie de vos plages."
ABSENCE_NOT_FOUND = "Cette absence n’existe pas ou ne fait pas partie de vos absences."
# How far ahead the lists of rdvs to deal with look, and two plages are compared.
LOOKAHEAD = timedelta(days=366)
PREVIEW_COUNT = 8
TITLE_MAX = 100
INTERVAL_MAX = 52

# The form's choices of repetition, in the order shown.
REPETITIONS = {
    "aucune": "Une seule fois",
    "hebdomadaire": "Toutes les semaines",
    "quotidienne": "Tous les jours",
    "mensuelle_jour": "Tous les mois, à une date",
    "mensuelle_semaine": "Tous les mois, un jour de semaine",
}
WEEKDAY_NAMES = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
RANKS = {"1": "1er", "2": "2e", "3": "3e", "4": "4e", "5": "5e", "-1": "dernier"}


class NotYours(DomainError):
    status_code = 403
    message = "Vous ne pouvez gérer que vos propres plages et absences."


@dataclass(frozen=True)
class Actor:
    """Who manages: an admin manages every agent of the organisation, an agent their own."""

    agent_id: str
    organisation_id: str
    is_admin: bool

    def may_manage(self, agent_id: str) -> bool:
        return self.is_admin or agent_id == self.agent_id


@dataclass(frozen=True)
class Typed:
    """What the form sent: single values, and the lists of its checkboxes."""

    values: dict[str, str]
    lists: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str) -> str:
        return (self.values.get(name) or "").strip()

    def many(self, name: str) -> list[str]:
        return [v.strip() for v in self.lists.get(name, []) if v.strip()]


# --- reading the forms --------------------------------------------------------------------


def _day(typed: Typed, name: str, errors: dict[str, str], label: str) -> date | None:
    text = typed.get(name)
    if not text:
        errors[name] = f"Indiquez {label} (JJ/MM/AAAA)."
        return None
    day = _parse_day(text)
    if day is None:
        errors[name] = f"{label[0].upper()}{label[1:]} n’est pas une date valide (JJ/MM/AAAA)."
    return day


def _parse_day(text: str) -> date | None:
    text = text.strip()
    try:
        if "/" in text:
            day, month, year = (int(p) for p in text.split("/"))
            return date(year, month, day) if year >= 2000 else None
        value = date.fromisoformat(text)
        return value if value.year >= 2000 else None
    except ValueError:
        return None


def _time(typed: Typed, name: str, errors: dict[str, str], label: str) -> time | None:
    text = typed.get(name)
    value = wall_time(text) if text else None
    if not text:
        errors[name] = f"Indiquez {label} (HH:MM)."
    elif value is None:
        errors[name] = f"{label[0].upper()}{label[1:]} n’est pas une heure valide (HH:MM)."
    return value


def _int(text: str) -> int | None:
    return whole_number(text) if len(text) <= 3 else None


def _recurrence(typed: Typed, first_day: date | None, errors: dict[str, str]) -> Recurrence | None:
    kind = typed.get("repetition") or "aucune"
    if kind not in REPETITIONS:
        errors["repetition"] = "Choisissez une répétition dans la liste."
        return None
    if kind == "aucune":
        return None
    interval = _int(typed.get("intervalle") or "1")
    if interval is None or not 1 <= interval <= INTERVAL_MAX:
        errors["intervalle"] = f"Indiquez un intervalle entre 1 et {INTERVAL_MAX}."
        interval = 1
    until = None
    if typed.get("jusqu_au"):
        until = _parse_day(typed.get("jusqu_au"))
        if until is None:
            errors["jusqu_au"] = "La date de fin de répétition n’est pas valide (JJ/MM/AAAA)."
        elif first_day is not None and until < first_day:
            errors["jusqu_au"] = "La répétition doit finir après le premier jour."
    try:
        if kind == "hebdomadaire":
            days = sorted({d for d in (_int(v) for v in typed.many("jours")) if d is not None})
            if not days or any(not 0 <= d <= 6 for d in days):
                errors["jours"] = "Cochez au moins un jour de la semaine."
                return None
            return Recurrence.weekly(tuple(days), every=interval, until=until)
        if kind == "quotidienne":
            return Recurrence.daily(every=interval, until=until)
        if kind == "mensuelle_jour":
            month_day = _int(typed.get("jour_du_mois"))
            if month_day is None or not 1 <= month_day <= 31:
                errors["jour_du_mois"] = "Indiquez un jour du mois entre 1 et 31."
                return None
            return Recurrence.monthly_on_day(month_day, every=interval, until=until)
        nth, weekday = _int(typed.get("rang")), _int(typed.get("jour_semaine"))
        if nth not in (1, 2, 3, 4, 5, -1):
            errors["rang"] = "Choisissez le rang du jour dans le mois (1er… dernier)."
            return None
        if weekday is None or not 0 <= weekday <= 6:
            errors["jour_semaine"] = "Choisissez un jour de la semaine."
            return None
        return Recurrence.monthly_on_weekday(nth, weekday, every=interval, until=until)
    except ValueError:  # the model's own checks: already said above
        errors.setdefault("repetition", "Cette répétition n’est pas valide.")
        return None


def _agent(store: Store, actor: Actor, typed: Typed, errors: dict[str, str]) -> Agent | None:
    agent_id = typed.get("agent") or actor.agent_id
    if not actor.may_manage(agent_id):
        raise NotYours()
    agent = next(
        (a for a in store.agents.agents_of_organisation(actor.organisation_id) if a.id == agent_id),
        None,
    )
    if agent is None:
        errors["agent"] = "Choisissez un agent de la MDS."
    return agent


def _title(typed: Typed, errors: dict[str, str]) -> str:
    title = typed.get("titre")
    if len(title) > TITLE_MAX:
        errors["titre"] = f"Le libellé fait au plus {TITLE_MAX} caractères."
    return title


def _hours(start: time | None, end: time | None, errors: dict[str, str]) -> None:
    if start is None or end is None:
        return
    if end == start:
        errors["fin"] = (
            "La plage dure zéro minute : l’heure de fin doit être après l’heure de début."
        )
    elif end < start:
        errors["fin"] = "L’heure de fin est avant l’heure de début."


def plage_from_form(
    store: Store, actor: Actor, typed: Typed, plage_id: str | None, today: date
) -> PlageOuverture:
    """The plage the form describes, or FieldErrors (French, one per field)."""
    errors: dict[str, str] = {}
    agent = _agent(store, actor, typed, errors)
    current = store.planning.get_plage(plage_id) if plage_id is not None else None
    offered = form_choices(store, actor, current)
    motifs = {m.id: m for m in offered.motifs}
    lieux = {lieu.id: lieu for lieu in offered.lieux}
    chosen = [motifs[m] for m in dict.fromkeys(typed.many("motifs")) if m in motifs]
    if not chosen:
        errors["motifs"] = "Cochez au moins un motif proposé sur cette plage."
    lieu_id = typed.get("lieu") or None
    if lieu_id is not None and lieu_id not in lieux:
        errors["lieu"] = "Choisissez un lieu de la MDS."
    elif lieu_id is None and any(m.location_type is LocationType.PUBLIC_OFFICE for m in chosen):
        errors["lieu"] = (
            "Choisissez le lieu : un motif sur place ne peut être proposé que sur une plage "
            "à un lieu (sans lieu : motifs par téléphone ou à domicile seulement)."
        )
    first_day = _day(typed, "premier_jour", errors, "le premier jour")
    if first_day is not None and plage_id is None and first_day < today:
        errors["premier_jour"] = (
            "Le premier jour est passé : choisissez aujourd’hui ou un jour à venir."
        )
    start = _time(typed, "debut", errors, "l’heure de début")
    end = _time(typed, "fin", errors, "l’heure de fin")
    _hours(start, end, errors)
    if start and end and start < end and chosen and "fin" not in errors:
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        shortest = min(m.duration_minutes for m in chosen)
        if minutes < shortest:
            errors["fin"] = (
                f"La plage dure {minutes} min : moins que le plus court de ses motifs "
                f"({shortest} min). Allongez-la."
            )
    recurrence = _recurrence(typed, first_day, errors)
    title = _title(typed, errors)
    if errors or agent is None or first_day is None or start is None or end is None:
        raise FieldErrors(errors)
    if next_occurrence_on_or_after(first_day, recurrence, first_day) is None:
        raise FieldErrors({"repetition": "Cette répétition ne tombe sur aucun jour."})
    plage = PlageOuverture(
        id=plage_id or f"plage-{secrets.token_hex(8)}",
        agent_id=agent.id,
        organisation_id=actor.organisation_id,
        lieu_id=lieu_id,
        motif_ids=tuple(m.id for m in chosen),
        first_day=first_day,
        start_time=start,
        end_time=end,
        recurrence=recurrence,
        title=title,
        open_on_holidays=typed.get("feries") in ("oui", "on"),
    )
    clash = _clash_at_another_lieu(store, plage, lieux, today)
    if clash:
        raise FieldErrors({"lieu": clash})
    return plage


def _clash_at_another_lieu(
    store: Store, plage: PlageOuverture, lieux: dict[str, Lieu], today: date
) -> str:
    """A message when the agent has another plage at another lieu at the same time on
    some day to come (open-ended ones: within LOOKAHEAD); empty otherwise. Days gone
    by are history: an old plage is no reason to refuse."""
    start = max(plage.first_day, today)
    end = plage.last_day or start + LOOKAHEAD
    if end < start:
        return ""
    for other in store.planning.plages_of_agent(plage.agent_id, start, end):
        if other.id == plage.id or other.lieu_id == plage.lieu_id:
            continue
        if not (other.start_time < plage.end_time and plage.start_time < other.end_time):
            continue
        window_start = max(start, other.first_day)
        window_end = min(end, other.last_day or window_start + LOOKAHEAD)
        mine = set(occurrence_days(plage.first_day, plage.recurrence, window_start, window_end))
        theirs = occurrence_days(other.first_day, other.recurrence, window_start, window_end)
        common = next((d for d in theirs if d in mine), None)
        if common is not None:
            lieu = lieux.get(other.lieu_id or "")
            where = f"à {lieu.name}" if lieu else "à un autre lieu"
            return (
                f"Cet agent a déjà une plage {where} de {_hm(other.start_time)} à "
                f"{_hm(other.end_time)} le {_day_fr(common)} : on ne peut pas être à deux "
                "lieux à la fois."
            )
    return ""


def absence_from_form(store: Store, actor: Actor, typed: Typed, absence_id: str | None) -> Absence:
    errors: dict[str, str] = {}
    agent = _agent(store, actor, typed, errors)
    first_day = _day(typed, "premier_jour", errors, "le premier jour")
    start = _time(typed, "debut", errors, "l’heure de début")
    end_day = (
        _day(typed, "dernier_jour", errors, "le dernier jour")
        if typed.get("dernier_jour")
        else first_day
    )
    end = _time(typed, "fin", errors, "l’heure de fin")
    if first_day and end_day and start and end:
        if end_day < first_day:
            errors["dernier_jour"] = "Le dernier jour est avant le premier jour."
        elif (end_day, end) == (first_day, start):
            errors["fin"] = "L’absence dure zéro minute : la fin doit être après le début."
        elif (end_day, end) < (first_day, start):
            errors["fin"] = "La fin de l’absence est avant son début."
    recurrence = _recurrence(typed, first_day, errors)
    title = _title(typed, errors)
    if (
        recurrence is not None
        and first_day
        and end_day
        and end_day >= first_day
        and not errors.get("repetition")
    ):
        second = next_occurrence_on_or_after(first_day, recurrence, first_day + timedelta(days=1))
        if second is not None and second <= end_day:
            errors["dernier_jour"] = (
                "Une absence répétée doit finir avant sa prochaine occurrence "
                f"(le {_day_fr(second)})."
            )
    if errors or agent is None or first_day is None or start is None or end is None:
        raise FieldErrors(errors)
    assert end_day is not None
    return Absence(
        id=absence_id or f"absence-{secrets.token_hex(8)}",
        agent_id=agent.id,
        organisation_id=actor.organisation_id,
        first_day=first_day,
        start_time=start,
        end_day=end_day,
        end_time=end,
        recurrence=recurrence,
        title=title,
    )


def _hm(at: time) -> str:
    return f"{at.hour}h{at.minute:02d}"


def _day_fr(day: date) -> str:
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
              "septembre", "octobre", "novembre", "décembre")  # fmt: skip
    number = "1er" if day.day == 1 else str(day.day)
    return f"{WEEKDAY_NAMES[day.weekday()]} {number} {months[day.month - 1]} {day.year}"


# --- the form's values from a stored plage or absence --------------------------------------


def recurrence_values(recurrence: Recurrence | None) -> tuple[dict[str, str], dict[str, list]]:
    if recurrence is None:
        return {"repetition": "aucune", "intervalle": "1"}, {"jours": []}
    values = {
        "intervalle": str(recurrence.interval),
        "jusqu_au": recurrence.until.isoformat() if recurrence.until else "",
    }
    lists: dict[str, list] = {"jours": []}
    if recurrence.frequency is Frequency.WEEKLY:
        values["repetition"] = "hebdomadaire"
        lists["jours"] = [str(d) for d in recurrence.weekdays]
    elif recurrence.frequency is Frequency.DAILY:
        values["repetition"] = "quotidienne"
    elif recurrence.frequency is Frequency.MONTHLY_BY_DAY:
        values.update(repetition="mensuelle_jour", jour_du_mois=str(recurrence.month_day))
    else:
        values.update(
            repetition="mensuelle_semaine",
            rang=str(recurrence.nth),
            jour_semaine=str(recurrence.weekdays[0]),
        )
    return values, lists


def plage_typed(plage: PlageOuverture) -> Typed:
    values, lists = recurrence_values(plage.recurrence)
    values.update(
        agent=plage.agent_id,
        lieu=plage.lieu_id or "",
        premier_jour=plage.first_day.isoformat(),
        debut=plage.start_time.strftime("%H:%M"),
        fin=plage.end_time.strftime("%H:%M"),
        titre=plage.title,
        feries="oui" if plage.open_on_holidays else "",
    )
    return Typed(values, {**lists, "motifs": list(plage.motif_ids)})


def absence_typed(absence: Absence) -> Typed:
    values, lists = recurrence_values(absence.recurrence)
    values.update(
        agent=absence.agent_id,
        premier_jour=absence.first_day.isoformat(),
        debut=absence.start_time.strftime("%H:%M"),
        dernier_jour=absence.end_day.isoformat(),
        fin=absence.end_time.strftime("%H:%M"),
        titre=absence.title,
    )
    return Typed(values, lists)


# --- preview ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Occurrence:
    day: date
    starts_at: datetime  # UTC
    ends_at: datetime
    holiday: bool  # a public holiday: the plage is closed that day (unless opened)
    closed: bool  # skipped: a holiday and the plage is not opened on holidays


def preview(
    store: Store, plage: PlageOuverture, today: date, count: int = PREVIEW_COUNT
) -> list[Occurrence]:
    """The plage's next `count` days from today (or its first day), holidays included
    and marked: an agent sees which ones give no slot."""
    tz = tz_of(store)
    start = max(today, plage.first_day)
    end = start + LOOKAHEAD
    if plage.last_day is not None:
        end = min(end, plage.last_day)
    days = occurrence_days(plage.first_day, plage.recurrence, start, end)[:count]
    if not days:
        return []
    holidays = holidays_of_organisation(store, plage.organisation_id, days[0], days[-1])
    return [
        Occurrence(
            day=day,
            starts_at=_instant(day, plage.start_time, tz),
            ends_at=_instant(day, plage.end_time, tz),
            holiday=day in holidays,
            closed=day in holidays and not plage.open_on_holidays,
        )
        for day in days
    ]


def _instant(day: date, at: time, tz) -> datetime:
    return datetime.combine(day, at, tzinfo=tz)


# --- lists --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A plage or an absence in a list, with what the list says of it."""

    item: PlageOuverture | Absence
    agent: Agent | None
    lieu: Lieu | None = None
    motifs: tuple[Motif, ...] = ()
    repeats: str = ""


@dataclass(frozen=True)
class Listing:
    lines: list[Line]
    agents: list[Agent]  # those the actor manages (the filter)
    agent_filter: Agent | None


def _managed_agents(store: Store, actor: Actor) -> list[Agent]:
    agents = store.agents.agents_of_organisation(actor.organisation_id)
    return sorted(
        (a for a in agents if actor.may_manage(a.id)), key=lambda a: (a.last_name, a.first_name)
    )


def _filtered(store: Store, actor: Actor, agent_id: str | None) -> tuple[list[Agent], Agent | None]:
    agents = _managed_agents(store, actor)
    chosen = next((a for a in agents if a.id == agent_id), None) if agent_id else None
    if not actor.is_admin:
        chosen = next((a for a in agents if a.id == actor.agent_id), None)
    return agents, chosen


def plages_listing(store: Store, actor: Actor, agent_id: str | None, today: date) -> Listing:
    """Plages still to come (or going on), of one agent or, for an admin, of all."""
    agents, chosen = _filtered(store, actor, agent_id)
    far = today + timedelta(days=3650)
    if chosen is not None:
        plages = [
            p
            for p in store.planning.plages_of_agent(chosen.id, today, far)
            if p.organisation_id == actor.organisation_id
        ]
    else:
        plages = store.planning.plages_of_organisation(actor.organisation_id, today, far)
    names = {a.id: a for a in agents}
    motifs = {m.id: m for m in store.catalogue.motifs_of_organisation(actor.organisation_id)}
    lieux = {lieu.id: lieu for lieu in store.catalogue.lieux_of_organisation(actor.organisation_id)}
    lines = [
        Line(
            item=p,
            agent=names.get(p.agent_id),
            lieu=lieux.get(p.lieu_id or ""),
            motifs=tuple(motifs[m] for m in p.motif_ids if m in motifs),
            repeats=describe(p.recurrence, p.first_day),
        )
        for p in plages
        if p.agent_id in names
    ]
    lines.sort(key=lambda line: (_name_key(line.agent), line.item.first_day, line.item.start_time))
    return Listing(lines, agents, chosen)


def absences_listing(store: Store, actor: Actor, agent_id: str | None, today: date) -> Listing:
    agents, chosen = _filtered(store, actor, agent_id)
    far = today + timedelta(days=3650)
    if chosen is not None:
        absences = [
            a
            for a in store.planning.absences_of_agent(chosen.id, today, far)
            if a.organisation_id == actor.organisation_id
        ]
    else:
        absences = store.planning.absences_of_organisation(actor.organisation_id, today, far)
    names = {a.id: a for a in agents}
    lines = [
        Line(item=a, agent=names.get(a.agent_id), repeats=describe(a.recurrence, a.first_day))
        for a in absences
        if a.agent_id in names
    ]
    lines.sort(key=lambda line: (line.item.first_day, line.item.start_time, _name_key(line.agent)))
    return Listing(lines, agents, chosen)


def _name_key(agent: Agent | None) -> tuple[str, str]:
    return (agent.last_name, agent.first_name) if agent else ("", "")


def describe(recurrence: Recurrence | None, first_day: date) -> str:
    """« Toutes les 2 semaines le lundi et le jeudi, jusqu’au … » in French."""
    if recurrence is None:
        return "Une seule fois"
    n = recurrence.interval
    if recurrence.frequency is Frequency.WEEKLY:
        days = [WEEKDAY_NAMES[d] for d in sorted(recurrence.weekdays)]
        listed = days[0] if len(days) == 1 else ", ".join(days[:-1]) + " et " + days[-1]
        text = ("Chaque semaine" if n == 1 else f"Toutes les {n} semaines") + f" : {listed}"
    elif recurrence.frequency is Frequency.DAILY:
        text = "Tous les jours" if n == 1 else f"Tous les {n} jours"
    elif recurrence.frequency is Frequency.MONTHLY_BY_DAY:
        day = "1er" if recurrence.month_day == 1 else str(recurrence.month_day)
        text = ("Chaque mois" if n == 1 else f"Tous les {n} mois") + f", le {day}"
    else:
        rank = RANKS.get(str(recurrence.nth), "")
        weekday = WEEKDAY_NAMES[recurrence.weekdays[0]]
        text = ("Chaque mois" if n == 1 else f"Tous les {n} mois") + f", le {rank} {weekday}"
    if recurrence.until is not None:
        text += f", jusqu’au {recurrence.until.strftime('%d/%m/%Y')}"
    return text


# --- one plage or absence -----------------------------------------------------------------


def get_plage(store: Store, actor: Actor, plage_id: str) -> PlageOuverture:
    plage = store.planning.get_plage(plage_id) if plage_id and len(plage_id) <= 100 else None
    if (
        plage is None
        or plage.organisation_id != actor.organisation_id
        or not actor.may_manage(plage.agent_id)
    ):
        raise NotFound(PLAGE_NOT_FOUND)
    return plage


def get_absence(store: Store, actor: Actor, absence_id: str) -> Absence:
    absence = (
        store.planning.get_absence(absence_id) if absence_id and len(absence_id) <= 100 else None
    )
    if (
        absence is None
        or absence.organisation_id != actor.organisation_id
        or not actor.may_manage(absence.agent_id)
    ):
        raise NotFound(ABSENCE_NOT_FOUND)
    return absence


@dataclass(frozen=True)
class FormChoices:
    agents: list[Agent]
    lieux: list[Lieu]
    motifs: list[Motif]


def form_choices(store: Store, actor: Actor, plage: PlageOuverture | None = None) -> FormChoices:
    """What a plage may be given: the organisation's lieux and motifs not archived, and
    those the edited plage already has (shown, so that the admin can change them)."""
    kept = {plage.lieu_id, *plage.motif_ids} if plage is not None else set()
    lieux = sorted(
        (
            lieu
            for lieu in store.catalogue.lieux_of_organisation(actor.organisation_id)
            if not lieu.archived or lieu.id in kept
        ),
        key=lambda x: x.name,
    )
    motifs = sorted(
        (
            m
            for m in store.catalogue.motifs_of_organisation(actor.organisation_id)
            if not m.archived or m.id in kept
        ),
        key=lambda m: m.name,
    )
    return FormChoices(_managed_agents(store, actor), lieux, motifs)


def save_plage(
    store: Store, actor: Actor, typed: Typed, plage_id: str | None, now: datetime
) -> tuple[PlageOuverture, int]:
    """Create or replace a plage; returns it and how many of its agent's rdvs to come
    are now outside their plages (the page lists them). No rdv is changed."""
    if plage_id is not None:
        before = get_plage(store, actor, plage_id)
        if not actor.may_manage(before.agent_id):
            raise NotFound(PLAGE_NOT_FOUND)
    today = now.astimezone(tz_of(store)).date()
    plage = plage_from_form(store, actor, typed, plage_id, today)
    store.planning.save_plage(plage)
    agents = {plage.agent_id}
    if plage_id is not None:
        agents.add(before.agent_id)
    outside = sum(len(rdvs_outside_plages(store, actor, a, now)) for a in agents)
    waiting_list.after_planning_change(store, plage.organisation_id, [plage], now)
    return plage, outside


def delete_plage(store: Store, actor: Actor, plage_id: str, now: datetime) -> tuple[str, int]:
    plage = get_plage(store, actor, plage_id)
    store.planning.delete_plage(plage.id)
    return plage.agent_id, len(rdvs_outside_plages(store, actor, plage.agent_id, now))


def save_absence(
    store: Store, actor: Actor, typed: Typed, absence_id: str | None, now: datetime
) -> tuple[Absence, int]:
    """Create or replace an absence; returns it and how many rdvs to come it covers
    (the page lists them). No rdv is changed."""
    if absence_id is not None:
        get_absence(store, actor, absence_id)
    absence = absence_from_form(store, actor, typed, absence_id)
    store.planning.save_absence(absence)
    if absence_id is not None:  # an edit may shorten it
        _absence_freed(store, absence, now)
    return absence, len(rdvs_in_absence(store, absence, now))


def delete_absence(store: Store, actor: Actor, absence_id: str, now: datetime) -> Absence:
    absence = get_absence(store, actor, absence_id)
    store.planning.delete_absence(absence.id)
    _absence_freed(store, absence, now)
    return absence


def _absence_freed(store: Store, absence: Absence, now: datetime) -> None:
    """The time an absence gave back is in its agent's plages: offered to who waits."""
    today = now.astimezone(tz_of(store)).date()
    plages = store.planning.plages_of_agent(absence.agent_id, today, today + LOOKAHEAD)
    waiting_list.after_planning_change(store, absence.organisation_id, plages, now)


# --- rdvs to deal with --------------------------------------------------------------------


@dataclass(frozen=True)
class ToDealWith:
    """A rdv to move or cancel, with the slot the engine proposes for it (if any)."""

    rdv: Rdv
    motif: Motif | None
    lieu: Lieu | None
    usager_names: str
    proposed: Slot | None
    proposed_agents: str  # who is free then


@dataclass(frozen=True)
class RdvsPage:
    agent: Agent
    lines: list[ToDealWith]
    absence: Absence | None = None


def _upcoming(store: Store, organisation_id: str, agent_id: str, now: datetime) -> list[Rdv]:
    return [
        r
        for r in store.rdvs.of_agent(agent_id, now, now + LOOKAHEAD)
        if r.organisation_id == organisation_id
        and r.status is RdvStatus.UNKNOWN
        and r.starts_at >= now
    ]


def _inside(store: Store, rdv: Rdv, plages: list[PlageOuverture], holidays, tz) -> bool:
    day = rdv.starts_at.astimezone(tz).date()
    for plage in plages:
        if rdv.motif_id not in plage.motif_ids:
            continue
        if rdv.lieu_id is not None and plage.lieu_id != rdv.lieu_id:
            continue
        if not occurs_on(plage.first_day, plage.recurrence, day):
            continue
        if day in holidays and not plage.open_on_holidays:
            continue
        opens, closes = _instant(day, plage.start_time, tz), _instant(day, plage.end_time, tz)
        if opens <= rdv.starts_at and rdv.ends_at <= closes:
            return True
    return False


def rdvs_outside_plages(store: Store, actor: Actor, agent_id: str, now: datetime) -> list[Rdv]:
    """The agent's rdvs to come (not cancelled, not marked) that no plage of theirs
    holds any more: at its lieu, for its motif, over its whole time, that day."""
    if not actor.may_manage(agent_id):
        raise NotYours()
    rdvs = _upcoming(store, actor.organisation_id, agent_id, now)
    if not rdvs:
        return []
    tz = tz_of(store)
    first = rdvs[0].starts_at.astimezone(tz).date()
    last = max(r.starts_at for r in rdvs).astimezone(tz).date()
    plages = store.planning.plages_of_agent(agent_id, first, last)
    holidays = holidays_of_organisation(store, actor.organisation_id, first, last)
    return [r for r in rdvs if not _inside(store, r, plages, holidays, tz)]


def absence_intervals(
    absence: Absence, start: date, end: date, tz
) -> list[tuple[datetime, datetime]]:
    span = absence.end_day - absence.first_day
    return [
        (_instant(day, absence.start_time, tz), _instant(day + span, absence.end_time, tz))
        for day in occurrence_days(absence.first_day, absence.recurrence, start - span, end)
    ]


def rdvs_in_absence(store: Store, absence: Absence, now: datetime) -> list[Rdv]:
    """The agent's rdvs to come that the absence covers, even partly."""
    tz = tz_of(store)
    today = now.astimezone(tz).date()
    last = min(absence.last_day or today + LOOKAHEAD, today + LOOKAHEAD)
    intervals = absence_intervals(absence, today, last, tz)
    if not intervals:
        return []
    rdvs = _upcoming(store, absence.organisation_id, absence.agent_id, now)
    return [r for r in rdvs if any(s < r.ends_at and r.starts_at < e for s, e in intervals)]


def _propose(
    store: Store,
    rdv: Rdv,
    motif: Motif,
    lieu: Lieu | None,
    now: datetime,
    proposed: dict[datetime, set[str]],
    found: dict[tuple[str, str | None], list[Slot]],
) -> Slot | None:
    """The first free slot of the rdv's motif at its lieu: with its own agent within
    four weeks if there is one, else with any agent (the engine's first). An agent's
    time already proposed for another rdv of the list (`proposed`: start → agents) is
    not proposed twice; the slot names the agents still free then. `found` keeps the
    slots of each motif and lieu computed for the list."""
    today = now.astimezone(tz_of(store)).date()

    def untaken(slots: list[Slot]) -> list[Slot]:
        return [
            replace(s, agent_ids=free)
            for s in slots
            if (free := tuple(a for a in s.agent_ids if a not in proposed.get(s.starts_at, ())))
        ]

    key = (motif.id, lieu.id if lieu else None)
    if key not in found:  # one computation per motif and lieu for the whole list
        found[key] = slots_between(store, motif, lieu, today, today + timedelta(days=27), now)
    candidates = untaken(found[key])
    if not candidates:
        later = first_available(store, motif, lieu, today + timedelta(days=28), now)
        candidates = untaken([later] if later else [])
    slot = next((s for s in candidates if rdv.agent_id in s.agent_ids), None)
    slot = slot or next(iter(candidates), None)
    if slot is not None:
        # Rescheduling takes the rdv's own agent when free, else the first free one.
        chosen = rdv.agent_id if rdv.agent_id in slot.agent_ids else slot.agent_ids[0]
        proposed.setdefault(slot.starts_at, set()).add(chosen)
    return slot


def rdvs_page(
    store: Store,
    actor: Actor,
    agent_id: str,
    rdvs: list[Rdv],
    now: datetime,
    absence: Absence | None = None,
) -> RdvsPage:
    agents = {a.id: a for a in store.agents.agents_of_organisation(actor.organisation_id)}
    agent = agents.get(agent_id)
    if agent is None or not actor.may_manage(agent_id):
        raise NotFound("Cet agent ne fait pas partie de votre organisation.")
    lines = []
    proposed: dict[datetime, set[str]] = {}
    found: dict[tuple[str, str | None], list[Slot]] = {}
    for rdv in sorted(rdvs, key=lambda r: r.starts_at):
        motif = store.catalogue.get_motif(rdv.motif_id)
        lieu = store.catalogue.get_lieu(rdv.lieu_id) if rdv.lieu_id else None
        usagers = store.usagers.get_many(list(rdv.usager_ids))
        names = ", ".join(
            u.full_name for u in usagers if u.organisation_id == actor.organisation_id
        )
        slot = _propose(store, rdv, motif, lieu, now, proposed, found) if motif else None
        free = ""
        if slot is not None:
            free = ", ".join(agents[a].full_name for a in slot.agent_ids if a in agents)
        lines.append(ToDealWith(rdv, motif, lieu, names, slot, free))
    return RdvsPage(agent, lines, absence)


def outside_page(store: Store, actor: Actor, agent_id: str | None, now: datetime) -> RdvsPage:
    agent_id = agent_id if agent_id and actor.is_admin else actor.agent_id
    return rdvs_page(store, actor, agent_id, rdvs_outside_plages(store, actor, agent_id, now), now)


def absence_rdvs_page(store: Store, actor: Actor, absence_id: str, now: datetime) -> RdvsPage:
    absence = get_absence(store, actor, absence_id)
    rdvs = rdvs_in_absence(store, absence, now)
    return rdvs_page(store, actor, absence.agent_id, rdvs, now, absence)
