"""Who may open what on the dashboard: every /agents route, found in the app itself, ×
(anonymous, an agent of another MDS, an agent, an admin). Anonymous visitors are sent
to the sign-in page; an agent of another MDS never sees this MDS's rdvs, lieux or
usagers (404 or 403); the MDS's agents and admins get the page (admin-only pages: 403
for an agent). A new route is in the matrix by itself."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.models import Agent, Role
from chalicelib.filters import slot_param
from chalicelib.services import agent_auth, booking
from tests import factories as f
from tests.integration.conftest import NOW
from tests.integration.test_booking import request_for

PASSWORD = "un mot de passe long"
# Reached without a session: signing in, and the password links.
OPEN = {"/agents/connexion", "/agents/mot-de-passe-oublie", "/agents/mot-de-passe/{token}"}
# Only the MDS's admins: the setup pages (« Paramètres »).
ADMIN_ONLY: set[str] = {
    "/agents/parametres",
    "/agents/parametres/lieux",
    "/agents/parametres/lieux/nouveau",
    "/agents/parametres/lieux/{lieu_id}",
    "/agents/parametres/motifs",
    "/agents/parametres/motifs/nouveau",
    "/agents/parametres/motifs/{motif_id}",
    "/agents/parametres/agents",
    "/agents/parametres/agents/nouveau",
    "/agents/parametres/agents/{agent_id}",
    "/agents/parametres/secteurs",
    "/agents/parametres/liste-attente",
}
# Pages that need a query string to show anything (the ids of this MDS's records).
QUERIES = {
    "/agents/prendre-rdv/confirmer": (
        "?usager={usager_id}&motif={motif_id}&lieu={lieu_id}&debut={debut}"
    ),
}


def agent_routes(method: str) -> list[str]:
    from app import app

    return sorted(
        path
        for path, methods in app.routes.items()
        if path.startswith("/agents") and method in methods and path not in OPEN
    )


@pytest.fixture
def site(client, store, pilot, monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Deux"))
    people = {
        "agent": replace(pilot.agents[0], roles={"org-1": Role.AGENT}),
        "admin": replace(pilot.agents[1], roles={"org-1": Role.ADMIN}),
        "other": Agent("agent-9", "autre@example.fr", "Autre", "MDS", {"org-2": Role.ADMIN}),
    }
    for person in people.values():
        store.agents.save(replace(person, password_hash=agent_auth.hash_password(PASSWORD)))
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    store.planning.save_absence(f.absence(id="absence-1", agent_id=pilot.agents[0].id))
    ids = {
        "plage_id": "plage-1",  # the pilot's plage of the agent
        "absence_id": "absence-1",
        "rdv_id": booked.rdv.id,
        "lieu_id": pilot.lieu.id,
        "usager_id": booked.rdv.usager_ids[0],
        "agent_id": pilot.agents[0].id,
        "motif_id": booked.rdv.motif_id,
        "debut": slot_param(booked.rdv.starts_at + timedelta(days=7)),
    }
    cookies = {}
    for name, person in people.items():
        answer = client.http.post(
            "/agents/connexion",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=urlencode({"email": person.email, "mot_de_passe": PASSWORD}),
        )
        assert answer.status_code == 303, name
        cookies[name] = answer.headers["Set-Cookie"].split(";")[0]
    return ids, cookies


def fill(path: str, ids: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path + QUERIES.get(path, ""))


def test_the_matrix_covers_the_dashboard():
    assert "/agents" in agent_routes("GET")
    assert len(agent_routes("GET")) >= 5


@pytest.mark.parametrize("path", agent_routes("GET"))
def test_every_page_is_scoped_to_the_signed_in_agents_organisation(client, site, path):
    ids, cookies = site
    url = fill(path, ids)
    anonymous = client.http.get(url)
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"].startswith("/agents/connexion")
    other = client.http.get(url, headers={"Cookie": cookies["other"]})
    own_resource = path in QUERIES or any(f"{{{key}}}" in path for key in ids)
    if own_resource:
        assert other.status_code in (403, 404), f"another MDS's agent opened {url}"
    else:
        assert other.status_code == 200, url  # their own MDS's version of the page
    agent = client.http.get(url, headers={"Cookie": cookies["agent"]})
    assert agent.status_code == (403 if path in ADMIN_ONLY else 200), url
    admin = client.http.get(url, headers={"Cookie": cookies["admin"]})
    assert admin.status_code == 200, url
    for answer in (other, agent, admin):
        assert answer.headers["X-Frame-Options"] == "DENY"
    for answer in (agent, admin):  # not no-referrer: Chromium would post `Origin: null`
        assert answer.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", agent_routes("POST"))
def test_every_form_needs_a_session_and_its_token(client, site, path):
    ids, cookies = site
    url = fill(path, ids)
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    anonymous = client.http.post(url, headers=headers, body="")
    assert anonymous.status_code == 303
    assert anonymous.headers["Location"].startswith("/agents/connexion")
    forged = client.http.post(
        url, headers={**headers, "Cookie": cookies["admin"]}, body=urlencode({"csrf": "x" * 64})
    )
    assert forged.status_code == 403, url
