"""Malformed input and Chalice's own errors: a French answer with a 4xx (or, for a bug of
ours, a French 500), with the pages' security headers, never Chalice's English JSON."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import quote, urlencode

import pytest

from chalicelib.web.templating import HTML_HEADERS
from tests.integration.conftest import NOW

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JSON = {"Content-Type": "application/json"}
BOOK_URL = "/mds/org-1/motifs/m30/lieux/lieu-1/reserver"
BOOKINGS = "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings"
OUT_OF_RANGE = ["9999-12-31T23:59Z", "0001-01-01T00:30+01:00"]
SECURITY = {k: v for k, v in HTML_HEADERS.items() if k != "Content-Type"}


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)


def html(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def booking_form(**overrides) -> str:
    data = {
        "debut": "2026-12-01T08:00Z",
        "pour": "moi",
        "prenom": "Amandine",
        "nom": "Dupont",
        "telephone": "06 12 34 56 78",
        "sms": "oui",
    }
    return urlencode({**data, **overrides})


def api_booking(**overrides) -> str:
    data = {
        "starts_at": "2026-12-01T08:00:00Z",
        "first_name": "Amandine",
        "last_name": "Dupont",
        "phone": "06 12 34 56 78",
    }
    return json.dumps({**data, **overrides})


def booked_token(client) -> str:
    response = client.http.post(BOOKINGS, headers=JSON, body=api_booking())
    assert response.status_code == 201
    return json.loads(response.body)["manage_token"]


def assert_french_page(response, status: int, words: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("text/html")
    for name, value in SECURITY.items():
        assert response.headers[name] == value, name
    page = html(response)
    assert '<html lang="fr">' in page and words in page
    assert "Code" not in page and "Message" not in page


def assert_french_json(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response.headers["Content-Type"].startswith("application/json")
    for name, value in SECURITY.items():
        assert response.headers[name] == value, name
    error = json.loads(response.body)["error"]
    assert error["code"] == code
    assert set(error) >= {"code", "message"}
    return error


# --- dates no calendar can hold ---------------------------------------------------------


@pytest.mark.parametrize("start", OUT_OF_RANGE)
def test_an_out_of_range_slot_on_the_booking_form_is_a_french_404(client, pilot, start):
    response = client.http.get(f"{BOOK_URL}?debut={quote(start)}")
    assert_french_page(response, 404, "Ce créneau n’existe pas")


@pytest.mark.parametrize("start", OUT_OF_RANGE)
def test_an_out_of_range_slot_posted_is_refused_before_any_limit_is_counted(
    client, pilot, monkeypatch, start
):
    from chalicelib.settings import get_settings

    monkeypatch.setattr(get_settings(), "bookings_per_person_per_day", 1)
    monkeypatch.setattr(get_settings(), "bookings_per_address_per_hour", 1)
    for _ in range(3):
        response = client.http.post(BOOK_URL, headers=FORM, body=booking_form(debut=start))
        assert response.status_code in (404, 422)
        assert "Ce créneau n’existe pas" in html(response) or "date" in html(response)
        api = client.http.post(BOOKINGS, headers=JSON, body=api_booking(starts_at=start))
        assert assert_french_json(api, 422, "invalid")["fields"]["starts_at"]
    # Nothing was counted: the one booking allowed today still goes through.
    assert client.http.post(BOOK_URL, headers=FORM, body=booking_form()).status_code == 303


@pytest.mark.parametrize("start", OUT_OF_RANGE)
def test_an_out_of_range_move_is_refused_in_french(client, pilot, store, start):
    token = booked_token(client)
    confirm = client.http.get(f"/r/{token}/deplacer/confirmer?debut={quote(start)}")
    assert_french_page(confirm, 404, "Ce créneau n’existe pas")
    moved = client.http.post(f"/r/{token}/deplacer", headers=FORM, body=urlencode({"debut": start}))
    assert_french_page(moved, 404, "Ce créneau n’existe pas")
    api = client.http.post(
        f"/api/v1/public/rdvs/{token}/move", headers=JSON, body=json.dumps({"starts_at": start})
    )
    assert assert_french_json(api, 422, "invalid")["fields"]["starts_at"]
    [rdv] = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert rdv.starts_at.isoformat() == "2026-12-01T08:00:00+00:00"  # not moved


@pytest.mark.parametrize("week", ["9999-12-31", "0001-01-01"])
def test_a_week_far_away_shows_a_week_that_can_be_booked(client, pilot, week):
    page = client.http.get(f"/mds/org-1/motifs/m30/lieux/lieu-1?semaine={week}")
    assert page.status_code == 200
    api = client.http.get(
        f"/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/slots?week={week}"
    )
    assert api.status_code == 200


# --- deeply nested JSON -----------------------------------------------------------------


@pytest.mark.parametrize("depth", [100, 1_000, 100_000])
@pytest.mark.parametrize("shape", ["[{}]", '{"a":{}}'])
def test_deeply_nested_json_is_a_french_400(client, pilot, depth, shape):
    token = booked_token(client)
    opening, closing = shape.split("{}")
    nested = opening * depth + "1" + closing * depth
    for path in (BOOKINGS, f"/api/v1/public/rdvs/{token}/move"):
        for body in (nested, '{"starts_at": ' + nested + "}"):
            response = client.http.post(path, headers=JSON, body=body)
            assert 400 <= response.status_code < 500, (path, body[:20])
            assert json.loads(response.body)["error"]["message"]


# --- Chalice's own answers --------------------------------------------------------------


def test_a_truncated_private_link_gets_a_french_page(client, pilot):
    for path in ("/r/", "/r"):
        response = client.http.get(path)
        assert_french_page(response, 404, "lien")


def test_reloading_a_posted_page_is_never_chalices_json(client, pilot):
    token = booked_token(client)
    response = client.http.put(f"/r/{token}/deplacer", headers=FORM, body="")
    assert_french_page(response, 405, "Cette page ne s’ouvre pas ainsi")
    assert "GET" in response.headers["Allow"]


def test_a_form_sent_as_json_is_a_french_415(client, pilot):
    response = client.http.post(BOOK_URL, headers=JSON, body=api_booking())
    assert_french_page(response, 415, "formulaire")


def test_the_api_answers_chalices_errors_in_its_own_shape(client, pilot):
    token = booked_token(client)
    wrong_method = client.http.get(f"/api/v1/public/rdvs/{token}/cancel")
    assert "POST" in wrong_method.headers["Allow"]
    assert "méthode" in assert_french_json(wrong_method, 405, "method_not_allowed")["message"]
    as_form = client.http.post(BOOKINGS, headers=FORM, body="a=1")
    assert (
        "application/json" in assert_french_json(as_form, 415, "unsupported_media_type")["message"]
    )


def test_a_bug_of_ours_is_a_french_500_page_and_a_french_500_json(client, pilot, monkeypatch):
    from chalicelib.services import catalogue

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(catalogue, "get_organisation", broken)
    page = client.http.get("/mds/org-1")
    assert_french_page(page, 500, "Une erreur est survenue")
    assert "a bug" not in html(page) and "Traceback" not in html(page)
    api = client.http.get("/api/v1/public/organisations/org-1/services")
    error = assert_french_json(api, 500, "server_error")
    assert "a bug" not in error["message"]


def test_every_api_answer_carries_the_security_headers(client, pilot):
    response = client.http.get("/api/v1/public/organisations?lieu=62100")
    assert response.status_code == 200
    for name, value in SECURITY.items():
        assert response.headers[name] == value, name
