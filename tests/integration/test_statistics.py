"""Statistics on moto: the counters every change moves (organisation, service, motif,
agent), a reminder sent counted once, the agents' page within their organisation, the
CSV export (BOM, own rows only, parts) and the public /stats without small counts."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.changes import BY_USAGER, create
from chalicelib.domain.models import RdvStatus
from chalicelib.domain.statistics import (
    agent_scope,
    motif_scope,
    organisation_scope,
    service_scope,
)
from chalicelib.services import agent_auth, agent_rdvs, booking, notifications
from chalicelib.services import statistics as stats_service
from chalicelib.services.write_path import propose, write
from chalicelib.store.base import encode_cursor
from tests import factories as f
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for
from tests.integration.test_notifications import deliver_all, drain

PASSWORD = "un mot de passe long"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def counts(store, scope, month="2026-12"):
    [counter] = store.counters.months(scope, month, month) or [None]
    return {k: v for k, v in counter.counts.items() if v} if counter else {}


def commit(store, rdv):
    """A rdv made through the write path, as it ended up (status included)."""
    committed = write(
        store, lambda _n: propose(store, create(rdv, BY_USAGER), (), force=True), None
    )
    return committed.rdv


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    state = {"now": NOW}
    monkeypatch.setattr(context, "now", lambda: state["now"])
    return state


def sign_in(client, store, agent) -> str:
    store.agents.save(replace(agent, password_hash=agent_auth.hash_password(PASSWORD)))
    answer = client.http.post(
        "/agents/connexion",
        headers=FORM,
        body=urlencode({"email": agent.email, "mot_de_passe": PASSWORD}),
    )
    assert answer.status_code == 303
    return answer.headers["Set-Cookie"].split(";")[0]


def test_a_booking_and_its_marks_move_every_scope_including_the_agents(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    rdv = booked.rdv
    scopes = (
        organisation_scope("org-1"),
        service_scope("pmi", "org-1"),
        motif_scope(rdv.motif_id),
        agent_scope(rdv.agent_id, "org-1"),
    )
    for scope in scopes:
        assert counts(store, scope) == {
            "created": 1,
            "created_online": 1,
            "unknown": 1,
            "lead_7": 1,  # 23 November for 1 December
        }
    after = TUESDAY_9H + timedelta(hours=1)
    agent_rdvs.set_status_by_agent(store, "org-1", rdv.id, RdvStatus.NOSHOW, rdv.agent_id, after)
    agent_rdvs.set_status_by_agent(store, "org-1", rdv.id, RdvStatus.SEEN, rdv.agent_id, after)
    for scope in scopes:
        assert counts(store, scope) == {
            "created": 1,
            "created_online": 1,
            "seen": 1,
            "seen_minutes": 30,
            "lead_7": 1,
        }
    other_agent = agent_scope(next(a.id for a in pilot.agents if a.id != rdv.agent_id), "org-1")
    assert counts(store, other_agent) == {}


def test_a_reminder_sent_is_recorded_once_through_the_write_path(store, pilot):
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    deliver_all(store, drain(store))
    due = TUESDAY_9H - timedelta(days=2)
    notifications.send_due_reminders(store, due, lambda: 60_000)
    reminders = drain(store)
    assert reminders
    deliver_all(store, reminders + reminders, now=due)  # delivered twice
    rdv = store.rdvs.get(booked.rdv.id)
    assert rdv.reminded_at == due
    assert counts(store, organisation_scope("org-1"))["reminded"] == 1
    # The day-before reminder goes too: the rdv was reminded already, no new count.
    day_before = TUESDAY_9H - timedelta(days=1)
    notifications.send_due_reminders(store, day_before, lambda: 60_000)
    deliver_all(store, drain(store), now=day_before)
    assert counts(store, agent_scope(rdv.agent_id, "org-1"))["reminded"] == 1
    assert notifications.record_reminded(store, rdv.id, day_before) is False
    agent_rdvs.set_status_by_agent(
        store, "org-1", rdv.id, RdvStatus.NOSHOW, rdv.agent_id, TUESDAY_9H + timedelta(hours=1)
    )
    assert counts(store, motif_scope(rdv.motif_id))["noshow_reminded"] == 1


@pytest.fixture
def two_mds(store, pilot):
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Deux"))
    start = datetime(2026, 11, 2, 8, tzinfo=UTC)
    ids = []
    for day in range(5):
        rdv = f.rdv(
            id=f"rdv-{day}",
            motif_id=pilot.motif.id,
            agent_id=pilot.agents[day % 2].id,
            starts_at=start + timedelta(days=day),
            created_at=start - timedelta(days=3),
            status=RdvStatus.SEEN if day < 4 else RdvStatus.NOSHOW,
        )
        ids.append(commit(store, rdv).id)
    commit(
        store,
        f.rdv(
            id="rdv-other",
            organisation_id="org-2",
            motif_id="motif-2",
            agent_id="agent-9",
            starts_at=start,
            created_at=start - timedelta(days=3),
        ),
    )
    return ids


def test_the_statistics_page_shows_the_agents_organisation_only(
    client, store, pilot, clock, two_mds
):
    cookie = sign_in(client, store, pilot.agents[0])
    answer = client.http.get("/agents/statistiques?mois=2026-11", headers={"Cookie": cookie})
    assert answer.status_code == 200
    page = answer.body.decode()
    assert "MDS Test" in page and "MDS Deux" not in page
    assert re.search(r'<span class="value">5</span><span class="label">rendez-vous pris', page)
    assert "20\u00a0%" in page  # 1 no-show for 4 seen
    assert '<svg class="chart"' in page and "<table" in page
    by_agent = client.http.get(
        "/agents/statistiques?mois=2026-11&par=agent&id=agent-2", headers={"Cookie": cookie}
    ).body.decode()
    assert "Agent 1" in by_agent and "Agent 2" in by_agent
    assert "Sur 12 mois : Agent 2" in by_agent


def parse(answer):
    text = answer.body.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0] == list(stats_service.CSV_COLUMNS)
    return rows[1:]


def test_the_csv_export_has_a_bom_own_rows_only_and_comes_in_parts(
    client, store, pilot, clock, two_mds, monkeypatch
):
    monkeypatch.setattr(stats_service, "EXPORT_PAGE", 2)
    cookie = sign_in(client, store, pilot.agents[0])
    url = "/agents/statistiques/export.csv?" + urlencode({"du": "2026-11-01", "au": "2026-11-30"})
    seen_ids, parts = [], 0
    while url:
        answer = client.http.get(url, headers={"Cookie": cookie})
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in answer.headers["Content-Disposition"]
        rows = parse(answer)
        seen_ids += [row[0] for row in rows]
        parts += 1
        link = answer.headers.get("Link")
        url = re.match(r"<([^>]+)>; rel=\"next\"", link).group(1) if link else None
    assert parts >= 3
    assert seen_ids == two_mds  # in start order, each once, none of the other MDS
    first = parse(
        client.http.get(
            "/agents/statistiques/export.csv?du=2026-11-02&au=2026-11-02",
            headers={"Cookie": cookie},
        )
    )
    assert first == [
        [
            "rdv-0",
            "2026-11-02",
            "09:00",
            "30",
            "PMI",
            "Consultation nourrisson",
            "MDS Test – site principal",
            "Agent 1",
            "honoré",
            "en ligne",
            "2026-10-30",
            "3",
            "non",
        ]
    ]
    # A cursor of another organisation's export starts from the first row, never there.
    forged = encode_cursor(
        {
            "id": {"S": "rdv-other"},
            "organisation_id": {"S": "org-2"},
            "starts_at": {"S": "2026-11-02T08:00:00.000000+0000"},
        }
    )
    answer = client.http.get(
        "/agents/statistiques/export.csv?"
        + urlencode({"du": "2026-11-01", "au": "2026-11-30", "suite": forged}),
        headers={"Cookie": cookie},
    )
    assert answer.status_code == 200
    assert [row[0] for row in parse(answer)] == two_mds[:2]
    refused = client.http.get(
        "/agents/statistiques/export.csv?du=2026-11-30&au=2026-11-01", headers={"Cookie": cookie}
    )
    assert refused.status_code == 422


def test_public_stats_hide_small_counts(client, store, pilot, clock, monkeypatch):
    from chalicelib.settings import get_settings

    store.catalogue.save_territoire(
        replace(store.catalogue.get_territoire("t-62"), name="Pas-de-Calais")
    )
    monkeypatch.setattr(get_settings(), "public_stats_territoire", "t-62")
    october = datetime(2026, 10, 5, 8, tzinfo=UTC)
    for number in range(24):  # 12 seen, 12 no-shows in October
        commit(
            store,
            f.rdv(
                id=f"oct-{number}",
                motif_id=pilot.motif.id,
                starts_at=october + timedelta(days=number // 8, minutes=30 * (number % 8)),
                created_at=october - timedelta(days=5),
                status=RdvStatus.SEEN if number % 2 else RdvStatus.NOSHOW,
            ),
        )
    for number in range(4):  # 4 in September: too few to show
        commit(
            store,
            f.rdv(
                id=f"sep-{number}",
                motif_id=pilot.motif.id,
                starts_at=datetime(2026, 9, 7, 8, tzinfo=UTC) + timedelta(hours=number),
                created_at=datetime(2026, 9, 1, tzinfo=UTC),
                status=RdvStatus.SEEN,
            ),
        )
    answer = client.http.get("/stats")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    page = answer.body.decode()
    assert "Pas-de-Calais" in page and "MDS Test" not in page
    assert '<svg class="chart"' in page and "<desc" in page
    page = page.split("<h2>Chiffres par mois</h2>")[1]
    october_row = re.search(r"octobre 2026</th>(.*?)</tr>", page, re.S).group(1)
    assert "24" in october_row and "50\u00a0%" in october_row
    september_row = re.search(r"septembre 2026</th>(.*?)</tr>", page, re.S).group(1)
    assert "moins de 10" in september_row and "%" not in september_row
    assert "novembre 2026" not in page  # not a complete month yet


def test_an_odd_part_number_is_the_first_part_not_an_error(client, store, pilot, clock):
    cookie = sign_in(client, store, pilot.agents[0])
    answer = client.http.get(
        "/agents/statistiques/export.csv?du=2026-11-01&au=2026-11-30&partie=%C2%B2",
        headers={"Cookie": cookie},
    )
    assert answer.status_code == 200  # "²" is a digit to str.isdigit(), not to int()
