"""Unknown private links: a handful per client address, then a French 429 (pages) or
the API's error (JSON), for every page and operation of a private link."""

from __future__ import annotations

import json
import secrets

import pytest

from tests.integration.conftest import NOW

LIMIT = 10
JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    now = {"value": NOW}
    monkeypatch.setattr(context, "now", lambda: now["value"])
    return now


def html(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def random_token() -> str:
    return secrets.token_urlsafe(16)


def booked_token(client) -> str:
    response = client.http.post(
        "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings",
        headers=JSON,
        body=json.dumps(
            {
                "starts_at": "2026-12-01T08:00:00Z",
                "first_name": "Amandine",
                "last_name": "Dupont",
                "phone": "06 12 34 56 78",
            }
        ),
    )
    assert response.status_code == 201
    return json.loads(response.body)["manage_token"]


def test_after_a_handful_of_unknown_links_an_address_is_told_to_wait(client, pilot, clock):
    for _ in range(LIMIT):
        assert client.http.get(f"/r/{random_token()}").status_code == 404
    response = client.http.get(f"/r/{random_token()}")
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("text/html")
    assert int(response.headers["Retry-After"]) > 0
    page = html(response)
    assert "Trop de liens de rendez-vous inconnus" in page and "réessayez dans 10 minutes" in page
    # The API's private-link operations are throttled for that address too.
    api = client.http.get(f"/api/v1/public/rdvs/{random_token()}")
    assert api.status_code == 429
    assert json.loads(api.body)["error"]["code"] == "too_many_unknown_links"


def test_every_private_link_page_and_operation_counts(client, pilot, clock):
    paths = [
        ("get", "/r/{t}"),
        ("get", "/r/{t}/annuler"),
        ("post", "/r/{t}/annuler"),
        ("post", "/r/{t}/preferences"),
        ("get", "/r/{t}/deplacer"),
        ("get", "/r/{t}/deplacer/confirmer?debut=2026-12-02T09:00Z"),
        ("post", "/r/{t}/deplacer"),
        ("get", "/r/{t}/rdv.ics"),
        ("get", "/api/v1/public/rdvs/{t}"),
        ("post", "/api/v1/public/rdvs/{t}/cancel"),
    ]
    statuses = []
    for method, path in paths:
        url = path.format(t=random_token())
        if method == "get":
            response = client.http.get(url)
        else:
            body = "debut=2026-12-02T09%3A00Z" if url.startswith("/r/") else "{}"
            response = client.http.post(
                url, headers=FORM if url.startswith("/r/") else JSON, body=body
            )
        statuses.append(response.status_code)
    assert statuses == [404] * len(paths)
    for _ in range(LIMIT - len(paths)):
        assert client.http.get(f"/r/{random_token()}").status_code == 404
    move = client.http.post(
        f"/api/v1/public/rdvs/{random_token()}/move",
        headers=JSON,
        body=json.dumps({"starts_at": "2026-12-02T09:00:00Z"}),
    )
    assert move.status_code == 429


def test_the_limit_is_per_address_and_per_window(client, pilot, clock, monkeypatch):
    from datetime import timedelta

    from chalicelib.web import ratelimit

    address = {"value": "203.0.113.7"}
    monkeypatch.setattr(ratelimit, "client_address", lambda request: address["value"])
    for _ in range(LIMIT + 1):
        client.http.get(f"/r/{random_token()}")
    assert client.http.get(f"/r/{random_token()}").status_code == 429
    address["value"] = "198.51.100.20"  # a neighbour is not punished
    assert client.http.get(f"/r/{random_token()}").status_code == 404
    address["value"] = "203.0.113.7"
    clock["value"] = NOW + timedelta(minutes=10)
    assert client.http.get(f"/r/{random_token()}").status_code == 404


def test_a_known_link_keeps_working_and_is_never_counted(client, pilot, clock):
    token = booked_token(client)
    for _ in range(3 * LIMIT):
        assert client.http.get(f"/r/{token}").status_code == 200
    assert client.http.get(f"/r/{random_token()}").status_code == 404
