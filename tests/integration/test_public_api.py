"""The public JSON API, each response checked against the OpenAPI document."""

from __future__ import annotations

import json
import re

import pytest
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate as validate_spec

from chalicelib.domain.models import RdvStatus
from chalicelib.web.openapi_doc import document
from tests.integration.conftest import NOW, TUESDAY_9H

JSON = {"Content-Type": "application/json"}
BOOKINGS = "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings"
DOC = document()


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)


def template_of(path: str) -> str:
    for template in DOC["paths"]:
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$"
        if re.match(pattern, path.split("?")[0]):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI document")


def checked(method: str, path: str, response) -> dict:
    """The response's JSON, after checking its status and body against the document."""
    operation = DOC["paths"][template_of(path)][method]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method} {path} answered {status}, undocumented"
    assert response.headers["Content-Type"].startswith("application/json")
    body = json.loads(response.body)
    schema = operation["responses"][status]["content"]["application/json"]["schema"]
    Draft202012Validator({**schema, "components": DOC["components"]}).validate(body)
    return body


def get(client, path):
    return checked("get", path, client.http.get(path))


def post(client, path, payload=None, raw=None):
    body = raw if raw is not None else json.dumps(payload or {})
    return checked("post", path, client.http.post(path, headers=JSON, body=body))


def booking(**overrides):
    payload = {
        "starts_at": "2026-12-01T08:00Z",
        "first_name": "Amandine",
        "last_name": "Dupont",
        "phone": "06 12 34 56 78",
        "notify_sms": True,
    }
    payload.update(overrides)
    return payload


def test_the_document_is_valid_openapi(client):
    validate_spec(DOC)
    served = json.loads(client.http.get("/api/v1/openapi.json").body)
    assert served == json.loads(json.dumps(DOC))


def test_browse_organisations_services_lieux_and_slots(client, pilot):
    assert (
        get(client, "/api/v1/public/organisations?lieu=62100")["organisations"][0]["id"] == "org-1"
    )
    assert get(client, "/api/v1/public/organisations?lieu=75001") == {"organisations": []}
    [service] = get(client, "/api/v1/public/organisations/org-1/services")["services"]
    assert [m["id"] for m in service["motifs"]] == ["m45", "m30", "mtel"]
    lieux = get(client, "/api/v1/public/organisations/org-1/motifs/m30/lieux")["lieux"]
    assert [place["address"] for place in lieux] == ["1 rue Test, 62100 Calais"]
    week = get(
        client, "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/slots?week=2026-11-30"
    )
    assert week["week_start"] == "2026-11-30"
    assert week["days"][1]["slots"][0] == {
        "starts_at": "2026-12-01T08:00Z",
        "ends_at": "2026-12-01T08:30Z",
    }
    phone = get(client, "/api/v1/public/organisations/org-1/motifs/mtel/lieux/-/slots")
    assert phone["days"]


def test_book_read_move_and_cancel(client, pilot, store):
    booked = post(client, BOOKINGS, booking())
    assert booked["rdv"]["starts_at"] == "2026-12-01T08:00Z"
    assert booked["manage_url"] == f"https://rdv.example.fr/r/{booked['manage_token']}"
    assert "Amandine" not in json.dumps(booked) and "0612" not in json.dumps(booked)
    token = booked["manage_token"]
    assert get(client, f"/api/v1/public/rdvs/{token}")["rdv"]["can_change"] is True
    moved = post(client, f"/api/v1/public/rdvs/{token}/move", {"starts_at": "2026-12-02T09:00Z"})
    assert moved["rdv"]["starts_at"] == "2026-12-02T09:00Z"
    cancelled = post(client, f"/api/v1/public/rdvs/{token}/cancel")
    assert cancelled["rdv"]["status"] == "excused"
    [rdv] = store.rdvs.of_organisation("org-1", NOW, TUESDAY_9H.replace(month=12, day=31))
    assert rdv.status is RdvStatus.EXCUSED


def test_invalid_fields_are_explained_in_french(client, pilot):
    answer = post(client, BOOKINGS, booking(phone="01 23 45 67 89", first_name=""))
    assert answer["error"]["code"] == "invalid"
    assert "portable français" in answer["error"]["fields"]["phone"]
    assert answer["error"]["fields"]["first_name"] == "Indiquez votre prénom."


def test_unreadable_bodies_are_400(client, pilot):
    assert post(client, BOOKINGS, raw="{not json")["error"]["code"] == "bad_request"
    assert post(client, BOOKINGS, raw="[1, 2]")["error"]["code"] == "bad_request"


def test_a_taken_slot_is_409_with_the_next_slots(client, pilot):
    post(client, BOOKINGS, booking())
    post(client, BOOKINGS, booking(phone="06 12 34 56 79"))
    answer = post(client, BOOKINGS, booking(phone="06 12 34 56 70"))
    assert answer["error"]["code"] == "slot_taken"
    assert answer["error"]["next_slots"][0]["starts_at"] == "2026-12-01T08:30Z"


def test_unknown_things_are_404(client, pilot):
    assert get(client, "/api/v1/public/rdvs/nope")["error"]["code"] == "not_found"
    assert get(client, "/api/v1/public/organisations/nope/services")["error"]["code"] == "not_found"


def test_booking_is_rate_limited_per_phone(client, pilot, monkeypatch):
    from chalicelib.settings import get_settings

    monkeypatch.setattr(get_settings(), "bookings_per_phone_per_day", 1)
    post(client, BOOKINGS, booking())
    answer = post(client, BOOKINGS, booking(starts_at="2026-12-01T09:00Z"))
    assert "Trop de demandes" in answer["error"]["message"]
