"""Plages d'ouverture and absences: what the slot engine reads."""

from __future__ import annotations

from datetime import date

from chalicelib.domain.models import Absence, PlageOuverture
from chalicelib.store.base import (
    day_str,
    last_day_key,
    parse_day,
    parse_time,
    recurrence_from_map,
    recurrence_to_map,
    time_str,
)
from chalicelib.store.models import AbsenceModel, PlageOuvertureModel


def _plage(item: PlageOuvertureModel) -> PlageOuverture:
    return PlageOuverture(
        id=item.id,
        agent_id=item.agent_id,
        organisation_id=item.organisation_id,
        lieu_id=item.lieu_id,
        motif_ids=tuple(item.motif_ids),
        first_day=date.fromisoformat(item.first_day),
        start_time=parse_time(item.start_time),
        end_time=parse_time(item.end_time),
        recurrence=recurrence_from_map(item.recurrence),
        title=item.title or "",
        open_on_holidays=bool(item.open_on_holidays),
    )


def _absence(item: AbsenceModel) -> Absence:
    return Absence(
        id=item.id,
        agent_id=item.agent_id,
        organisation_id=item.organisation_id,
        first_day=date.fromisoformat(item.first_day),
        start_time=parse_time(item.start_time),
        end_day=parse_day(item.end_day) or date.fromisoformat(item.first_day),
        end_time=parse_time(item.end_time),
        recurrence=recurrence_from_map(item.recurrence),
        title=item.title or "",
    )


class PlanningRepository:
    def save_plage(self, plage: PlageOuverture) -> None:
        PlageOuvertureModel(
            id=plage.id,
            agent_id=plage.agent_id,
            organisation_id=plage.organisation_id,
            lieu_id=plage.lieu_id,
            motif_ids=list(plage.motif_ids),
            first_day=day_str(plage.first_day),
            last_day=last_day_key(plage.last_day),
            start_time=time_str(plage.start_time),
            end_time=time_str(plage.end_time),
            recurrence=recurrence_to_map(plage.recurrence),
            title=plage.title,
            open_on_holidays=plage.open_on_holidays,
        ).save()

    def get_plage(self, plage_id: str) -> PlageOuverture | None:
        try:
            return _plage(PlageOuvertureModel.get(plage_id, consistent_read=True))
        except PlageOuvertureModel.DoesNotExist:
            return None

    def delete_plage(self, plage_id: str) -> None:
        PlageOuvertureModel(id=plage_id).delete()

    def plages_of_lieu(self, lieu_id: str, start: date, end: date) -> list[PlageOuverture]:
        """Plages at a lieu that may occur between two days (inclusive): one Query on
        `last_day >= start`, first_day checked by a filter."""
        results = PlageOuvertureModel.by_lieu.query(
            lieu_id,
            PlageOuvertureModel.last_day >= day_str(start),
            filter_condition=PlageOuvertureModel.first_day <= day_str(end),
        )
        return [_plage(i) for i in results]

    def plages_of_organisation(
        self, organisation_id: str, start: date, end: date
    ) -> list[PlageOuverture]:
        results = PlageOuvertureModel.by_organisation.query(
            organisation_id,
            PlageOuvertureModel.last_day >= day_str(start),
            filter_condition=PlageOuvertureModel.first_day <= day_str(end),
        )
        return [_plage(i) for i in results]

    def plages_of_agent(self, agent_id: str, start: date, end: date) -> list[PlageOuverture]:
        results = PlageOuvertureModel.by_agent.query(
            agent_id,
            PlageOuvertureModel.last_day >= day_str(start),
            filter_condition=PlageOuvertureModel.first_day <= day_str(end),
        )
        return [_plage(i) for i in results]

    def save_absence(self, absence: Absence) -> None:
        AbsenceModel(
            id=absence.id,
            agent_id=absence.agent_id,
            organisation_id=absence.organisation_id,
            first_day=day_str(absence.first_day),
            start_time=time_str(absence.start_time),
            end_day=day_str(absence.end_day),
            end_time=time_str(absence.end_time),
            last_day=last_day_key(absence.last_day),
            recurrence=recurrence_to_map(absence.recurrence),
            title=absence.title,
        ).save()

    def get_absence(self, absence_id: str) -> Absence | None:
        try:
            return _absence(AbsenceModel.get(absence_id, consistent_read=True))
        except AbsenceModel.DoesNotExist:
            return None

    def delete_absence(self, absence_id: str) -> None:
        AbsenceModel(id=absence_id).delete()

    def absences_of_organisation(
        self, organisation_id: str, start: date, end: date, agent_ids: set[str] | None = None
    ) -> list[Absence]:
        """Absences of an organisation's agents that may overlap the days: one Query.
        `agent_ids` keeps only those agents' (e.g. the agents of a lieu's plages)."""
        results = AbsenceModel.by_organisation.query(
            organisation_id,
            AbsenceModel.last_day >= day_str(start),
            filter_condition=AbsenceModel.first_day <= day_str(end),
        )
        absences = [_absence(i) for i in results]
        if agent_ids is not None:
            absences = [a for a in absences if a.agent_id in agent_ids]
        return absences

    def absences_of_agent(self, agent_id: str, start: date, end: date) -> list[Absence]:
        results = AbsenceModel.by_agent.query(
            agent_id,
            AbsenceModel.last_day >= day_str(start),
            filter_condition=AbsenceModel.first_day <= day_str(end),
        )
        return [_absence(i) for i in results]
