"""A small MDS for the booking tests: two agents with the same weekly plage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import pytest

from chalicelib.domain.models import (
    Agent,
    LocationType,
    Recurrence,
    Role,
    Service,
    Territoire,
)
from tests import factories as f

# Monday 23 November 2026, 09:00 in Paris.
NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
# Tuesday 1 December 2026, 09:00 in Paris (UTC+1 in winter).
TUESDAY_9H = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@dataclass
class Pilot:
    organisation: object
    motif: object
    long_motif: object
    phone_motif: object
    lieu: object
    agents: list


@pytest.fixture
def pilot(store):
    store.catalogue.save_territoire(
        Territoire(id="t-62", name="Pas-de-Calais", departement_number="62")
    )
    store.catalogue.save_service(
        Service(id="pmi", territoire_id="t-62", name="PMI", short_name="PMI")
    )
    organisation = f.organisation()
    store.catalogue.save_organisation(organisation)
    motif = f.motif(
        id="m30", name="Consultation nourrisson", instructions="Apportez le carnet de santé."
    )
    long_motif = f.motif(id="m45", name="Bilan de santé 4 ans", duration_minutes=45)
    phone_motif = f.motif(
        id="mtel", name="Entretien téléphonique", location_type=LocationType.PHONE
    )
    for m in (motif, long_motif, phone_motif):
        store.catalogue.save_motif(m)
    lieu = f.lieu(name="MDS Test – site principal", address="1 rue Test, 62100 Calais")
    store.catalogue.save_lieu(lieu)
    agents = []
    for index in (1, 2):
        agent = Agent(
            id=f"agent-{index}",
            email=f"agent{index}@example.fr",
            first_name="Agent",
            last_name=str(index),
            roles={organisation.id: Role.AGENT},
        )
        store.agents.save(agent)
        store.planning.save_plage(
            f.plage(
                id=f"plage-{index}",
                agent_id=agent.id,
                motif_ids=("m30", "m45", "mtel"),
                first_day=date(2026, 11, 2),
                start_time=time(9),
                end_time=time(12),
                recurrence=Recurrence(1, (0, 1, 2, 3, 4)),
            )
        )
        agents.append(agent)
    return Pilot(organisation, motif, long_motif, phone_motif, lieu, agents)
