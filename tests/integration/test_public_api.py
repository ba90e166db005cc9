"""The public JSON API, each response checked against the OpenAPI document."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

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
    validator(schema).validate(body)
    return body


def validator(schema: dict) -> Draft202012Validator:
    """Checks formats too: a `date-time` without seconds is not RFC 3339."""
    return Draft202012Validator(
        {**schema, "components": DOC["components"]},
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def get(client, path):
    return checked("get", path, client.http.get(path))


def post(client, path, payload=None, raw=None):
    body = raw if raw is not None else json.dumps(payload or {})
    return checked("post", path, client.http.post(path, headers=JSON, body=body))


def booking(**overrides):
    payload = {
        "starts_at": "2026-12-01T08:00:00Z",
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
        "starts_at": "2026-12-01T08:00:00Z",
        "ends_at": "2026-12-01T08:30:00Z",
    }
    phone = get(client, "/api/v1/public/organisations/org-1/motifs/mtel/lieux/-/slots")
    assert phone["days"]


def test_book_read_move_and_cancel(client, pilot, store):
    booked = post(client, BOOKINGS, booking())
    assert booked["rdv"]["starts_at"] == "2026-12-01T08:00:00Z"
    assert booked["manage_url"] == f"https://rdv.example.fr/r/{booked['manage_token']}"
    assert "Amandine" not in json.dumps(booked) and "0612" not in json.dumps(booked)
    token = booked["manage_token"]
    assert get(client, f"/api/v1/public/rdvs/{token}")["rdv"]["can_change"] is True
    moved = post(client, f"/api/v1/public/rdvs/{token}/move", {"starts_at": "2026-12-02T09:00:00Z"})
    assert moved["rdv"]["starts_at"] == "2026-12-02T09:00:00Z"
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
    token = post(client, BOOKINGS, booking())["manage_token"]
    for path in (BOOKINGS, f"/api/v1/public/rdvs/{token}/move"):
        for raw in ("{not json", "[1, 2]", "null", '"2026-12-01T08:00:00Z"', ""):
            error = post(client, path, raw=raw)["error"]
            assert error["code"] == "bad_request", (path, raw)
            assert error["fields"] == {"body": "Le corps de la requête doit être un objet JSON."}


def test_a_taken_slot_is_409_with_the_next_slots(client, pilot):
    post(client, BOOKINGS, booking())
    post(client, BOOKINGS, booking(phone="06 12 34 56 79"))
    answer = post(client, BOOKINGS, booking(phone="06 12 34 56 70"))
    assert answer["error"]["code"] == "slot_taken"
    assert answer["error"]["next_slots"][0]["starts_at"] == "2026-12-01T08:30:00Z"


def test_unknown_things_are_404(client, pilot):
    assert get(client, "/api/v1/public/rdvs/nope")["error"]["code"] == "not_found"
    assert get(client, "/api/v1/public/organisations/nope/services")["error"]["code"] == "not_found"


def test_booking_is_rate_limited_per_phone(client, pilot, monkeypatch):
    from chalicelib.settings import get_settings

    monkeypatch.setattr(get_settings(), "bookings_per_person_per_day", 1)
    post(client, BOOKINGS, booking())
    answer = post(client, BOOKINGS, booking(starts_at="2026-12-01T09:00:00Z"))
    assert "Réessayez demain" in answer["error"]["message"]


def stored_rdvs(store):
    return store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))


def test_a_start_with_or_without_seconds_or_with_an_offset_books_the_same_slot(client, pilot):
    for starts_at, phone in [
        ("2026-12-01T08:00Z", "06 12 34 56 78"),
        ("2026-12-01T09:00:00+01:00", "06 12 34 56 79"),
    ]:
        booked = post(client, BOOKINGS, booking(starts_at=starts_at, phone=phone))
        assert booked["rdv"]["starts_at"] == "2026-12-01T08:00:00Z"


def test_a_start_must_carry_a_time_zone(client, pilot, store):
    answer = post(client, BOOKINGS, booking(starts_at="2026-12-01T08:00:00"))
    assert answer["error"]["fields"] == {
        "starts_at": "Indiquez le fuseau horaire de l’heure, par exemple 2026-12-01T08:00:00Z "
        "(UTC) ou 2026-12-01T09:00:00+01:00."
    }
    token = post(client, BOOKINGS, booking())["manage_token"]
    moved = post(client, f"/api/v1/public/rdvs/{token}/move", {"starts_at": "2026-12-02T09:00"})
    assert "fuseau horaire" in moved["error"]["fields"]["starts_at"]
    [rdv] = stored_rdvs(store)
    assert rdv.starts_at == TUESDAY_9H  # not moved


def test_pydantic_errors_are_french_and_named_by_their_path_in_the_json(client, pilot, store):
    payload = booking(notify_sms="oui", nickname="Mimi", starts_at="demain 9h")
    del payload["last_name"]
    payload["child"] = {"first_name": 7, "last_name": "Dupont", "birth_date": "14/03/2022"}
    payload["for_child"] = True
    answer = post(client, BOOKINGS, payload)
    assert answer["error"] == {
        "code": "invalid",
        "message": "Certaines informations sont à corriger.",
        "fields": {
            "starts_at": "Indiquez une date et une heure au format RFC 3339, par exemple "
            "2026-12-01T08:00:00Z.",
            "last_name": "Indiquez votre nom.",
            "child.first_name": "Indiquez du texte.",
            "child.birth_date": "Indiquez une date au format AAAA-MM-JJ, par exemple 2022-03-14.",
            "notify_sms": "Indiquez true ou false.",
            "nickname": "Ce champ n’est pas attendu.",
        },
    }
    assert stored_rdvs(store) == []


def test_the_booking_rules_are_explained_field_by_field(client, pilot, store):
    child = {"first_name": "Lina", "last_name": "Dupont 2", "birth_date": "2027-01-01"}
    answer = post(
        client,
        BOOKINGS,
        booking(for_child=True, child=child, phone=None, email="", idempotency_key="court"),
    )
    assert answer["error"]["fields"] == {
        "child.last_name": "Indiquez le nom de l’enfant en lettres (60 caractères au plus).",
        "child.birth_date": "La date de naissance ne peut pas être dans le futur.",
        "phone": "Indiquez un numéro de portable ou une adresse e-mail (au moins l’un des deux) "
        "pour recevoir la confirmation.",
        "idempotency_key": "Indiquez au moins 16 caractères.",
    }
    too_old = dict(child, last_name="Dupont", birth_date="1990-05-02")
    fields = post(client, BOOKINGS, booking(for_child=True, child=too_old))["error"]["fields"]
    assert fields == {"child.birth_date": "Vérifiez l’année de naissance de l’enfant."}
    fields = post(client, BOOKINGS, booking(for_child=True))["error"]["fields"]
    assert fields == {"child": "Indiquez le prénom, le nom et la date de naissance de l’enfant."}
    fields = post(client, BOOKINGS, booking(email="amandine@"))["error"]["fields"]
    assert fields == {"email": "Cette adresse e-mail n’est pas valide (exemple : nom@exemple.fr)."}
    assert stored_rdvs(store) == []


def test_a_booking_for_a_child_stores_the_child_and_the_parent(client, pilot, store):
    child = {"first_name": "Lina", "last_name": "Dupont", "birth_date": "2022-03-14"}
    booked = post(
        client, BOOKINGS, booking(for_child=True, child=child, email="Amandine@Example.FR")
    )
    assert booked["rdv"]["starts_at"] == "2026-12-01T08:00:00Z"
    [rdv] = stored_rdvs(store)
    [lina] = store.usagers.get_many(list(rdv.usager_ids))
    parent = store.usagers.get(lina.responsable_id)
    assert (lina.first_name, lina.last_name, lina.birth_date) == (
        "Lina",
        "Dupont",
        date(2022, 3, 14),
    )
    assert (parent.first_name, parent.phone, parent.email) == (
        "Amandine",
        "+33612345678",
        "Amandine@example.fr",
    )


def test_a_replayed_booking_with_the_same_key_gives_the_same_rdv(client, pilot, store):
    key = "a-client-key-0123456789"
    first = post(client, BOOKINGS, booking(idempotency_key=key))
    second = post(client, BOOKINGS, booking(idempotency_key=key))
    assert first["manage_token"] == second["manage_token"]
    assert len(stored_rdvs(store)) == 1


# --- the document comes from the models ------------------------------------------------


def test_the_schemas_are_the_models_json_schemas():
    from chalicelib.web import api_models

    schemas = DOC["components"]["schemas"]
    for model in api_models.REQUESTS:
        generated = model.model_json_schema(ref_template="#/components/schemas/{model}")
        assert set(schemas[model.__name__]["properties"]) == set(generated["properties"])
        assert schemas[model.__name__]["required"] == generated["required"]
    for model in api_models.ANSWERS:
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields)
    body = DOC["paths"][template_of(BOOKINGS)]["post"]["requestBody"]
    assert body["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookingRequest"
    }


@pytest.mark.parametrize("name", ["BookingRequest", "MoveRequest"])
def test_the_documented_examples_match_the_schema_and_the_model(name):
    from chalicelib.web import api_models

    [example] = DOC["components"]["schemas"][name]["examples"]
    validator({"$ref": f"#/components/schemas/{name}"}).validate(example)
    model = getattr(api_models, name)
    parsed = api_models.parse_json(model, json.dumps(example).encode(), today=NOW.date())
    assert parsed.starts_at == TUESDAY_9H


def test_the_documented_booking_example_books_a_rdv(client, pilot, store):
    [example] = DOC["components"]["schemas"]["BookingRequest"]["examples"]
    booked = post(client, BOOKINGS, example)
    assert booked["rdv"]["starts_at"] == example["starts_at"]
    [rdv] = stored_rdvs(store)
    [amandine] = store.usagers.get_many(list(rdv.usager_ids))
    assert (amandine.phone, amandine.email) == ("+33612345678", example["email"])
    assert (amandine.notify_sms, amandine.notify_email) == (True, False)


def test_what_the_model_refuses_the_document_refuses_too():
    wrong = booking(nickname="Mimi", notify_sms="oui")
    errors = list(validator({"$ref": "#/components/schemas/BookingRequest"}).iter_errors(wrong))
    assert len(errors) == 2


@pytest.mark.parametrize(
    "address",
    [
        "undisclosed:a;@example.org",
        '"><svg/onload=alert(1)>@evil.example',
        "x<victim@evil.example>",
    ],
)
def test_an_address_that_can_never_be_delivered_is_refused(client, pilot, store, address):
    answer = post(client, BOOKINGS, booking(phone=None, email=address))
    assert answer["error"]["fields"] == {
        "email": "Cette adresse e-mail n’est pas valide (exemple : nom@exemple.fr)."
    }
    assert stored_rdvs(store) == []


def test_a_phone_motif_needs_the_mobile(client, pilot, store):
    path = "/api/v1/public/organisations/org-1/motifs/mtel/lieux/-/bookings"
    answer = post(client, path, booking(phone=None, email="amandine@example.fr"))
    assert answer["error"]["fields"] == {
        "phone": "Indiquez votre numéro de portable : pour un entretien par téléphone, c’est à "
        "ce numéro que nous vous appelons."
    }
    assert stored_rdvs(store) == []


def test_a_home_visit_needs_its_address(client, pilot, store):
    from chalicelib.domain.models import LocationType
    from tests import factories as f

    store.catalogue.save_motif(f.motif(id="mdom", name="Visite", location_type=LocationType.HOME))
    for plage in ("plage-1", "plage-2"):
        store.planning.delete_plage(plage)
    store.planning.save_plage(f.plage(id="p-home", motif_ids=("mdom",)))  # Mon, Wed 9-12
    path = "/api/v1/public/organisations/org-1/motifs/mdom/lieux/-/bookings"
    wednesday = "2026-12-02T08:00:00Z"
    answer = post(client, path, booking(starts_at=wednesday))
    assert answer["error"]["fields"] == {
        "home_address": "Indiquez l’adresse du rendez-vous à domicile (numéro, rue, code postal "
        "et commune)."
    }
    booked = post(
        client, path, booking(starts_at=wednesday, home_address="12 rue des Fleurs, Lens")
    )
    assert booked["rdv"]["location_type"] == "home"
    assert "12 rue" not in json.dumps(booked)  # the private link shows no address
    [rdv] = stored_rdvs(store)
    assert rdv.home_address == "12 rue des Fleurs, Lens"


def test_a_motif_by_phone_has_no_lieu_and_books_with_a_dash(client, pilot):
    """One way to say "no lieu": `/lieux` lists none, `/slots` and `/bookings` take `-`."""
    base = "/api/v1/public/organisations/org-1/motifs/mtel"
    assert get(client, base + "/lieux") == {"lieux": []}
    assert get(client, base + "/lieux/-/slots?week=2026-11-30")["days"][1]["slots"]
    booked = post(client, base + "/lieux/-/bookings", booking(phone="06 12 34 56 71"))
    assert booked["rdv"]["lieu"] is None and booked["rdv"]["location_type"] == "phone"
    assert get(client, base + "/lieux/lieu-1/slots")["error"]["code"] == "not_found"
