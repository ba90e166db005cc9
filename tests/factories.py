"""Small builders of domain objects for tests, with sensible defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from chalicelib.domain.models import (
    Absence,
    CreatedBy,
    Lieu,
    Motif,
    Organisation,
    PlageOuverture,
    Rdv,
    Recurrence,
    Usager,
)

UTC = UTC


def organisation(**kw) -> Organisation:
    base = dict(
        id="org-1",
        territoire_id="t-62",
        name="MDS Test",
        phone="03 21 00 00 00",
        address="1 rue Test, 62100 Calais",
        postal_codes=("62100",),
        communes=("Calais",),
    )
    return Organisation(**{**base, **kw})


def motif(**kw) -> Motif:
    base = dict(
        id="motif-1",
        organisation_id="org-1",
        service_id="pmi",
        name="Consultation",
        duration_minutes=30,
    )
    return Motif(**{**base, **kw})


def lieu(**kw) -> Lieu:
    base = dict(id="lieu-1", organisation_id="org-1", name="Site principal", address="1 rue Test")
    return Lieu(**{**base, **kw})


def plage(**kw) -> PlageOuverture:
    base = dict(
        id="plage-1",
        agent_id="agent-1",
        organisation_id="org-1",
        lieu_id="lieu-1",
        motif_ids=("motif-1",),
        first_day=date(2026, 11, 2),
        start_time=time(9),
        end_time=time(12),
        recurrence=Recurrence.weekly((0, 2)),
    )
    return PlageOuverture(**{**base, **kw})


def absence(**kw) -> Absence:
    base = dict(
        id="absence-1",
        agent_id="agent-1",
        organisation_id="org-1",
        first_day=date(2026, 11, 9),
        start_time=time(10),
        end_day=date(2026, 11, 9),
        end_time=time(11),
    )
    return Absence(**{**base, **kw})


def usager(**kw) -> Usager:
    base = dict(
        id="usager-1",
        organisation_id="org-1",
        first_name="Amandine",
        last_name="Dupont",
        phone="+33639980001",
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return Usager(**{**base, **kw})


def rdv(**kw) -> Rdv:
    base = dict(
        id="rdv-1",
        organisation_id="org-1",
        service_id="pmi",
        motif_id="motif-1",
        agent_id="agent-1",
        lieu_id="lieu-1",
        starts_at=datetime(2026, 11, 9, 8, 0, tzinfo=UTC),
        duration_minutes=30,
        usager_ids=("usager-1",),
        created_by=CreatedBy.USAGER,
        created_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    return Rdv(**{**base, **kw})
