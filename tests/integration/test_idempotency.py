"""The idempotency key of a booking belongs to one request: replayed with the same
request it gives the same rdv; with another request (another person, motif or slot) it
is refused, and never hands over someone else's rdv or private link."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.errors import IdempotencyKeyReused
from chalicelib.services import booking
from chalicelib.services.booking import Person
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_booking import request_for

KEY = "k3y-of-one-request-000"
BOOKINGS = "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings"


def test_the_same_key_and_request_give_the_same_rdv(store, pilot):
    first = booking.book_rdv(store, request_for(pilot, idempotency_key=KEY), NOW)
    again = booking.book_rdv(store, request_for(pilot, idempotency_key=KEY), NOW)
    assert again.rdv.id == first.rdv.id and again.manage_token == first.manage_token


@pytest.mark.parametrize(
    "other",
    [
        {"contact": Person("Karim", "Benali"), "phone": "+33698765432", "email": None},
        {"starts_at": TUESDAY_9H + timedelta(hours=1)},
        {"motif_name": "long"},
    ],
    ids=["another person", "another slot", "another motif"],
)
def test_the_same_key_with_another_request_is_refused(store, pilot, other):
    first = booking.book_rdv(store, request_for(pilot, idempotency_key=KEY), NOW)
    if other.pop("motif_name", None):
        other["motif"] = pilot.long_motif
    with pytest.raises(IdempotencyKeyReused) as refused:
        booking.book_rdv(store, request_for(pilot, idempotency_key=KEY, **other), NOW)
    assert refused.value.status_code == 422
    assert refused.value.message == "Cette clé a déjà servi pour une autre demande."
    # The first booking is untouched, and nothing else was booked.
    assert store.rdvs.get(first.rdv.id).starts_at == TUESDAY_9H
    rdvs = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert [r.id for r in rdvs] == [first.rdv.id]


def test_the_api_refuses_a_reused_key_without_giving_the_first_rdv(client, pilot, monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    body = {
        "starts_at": "2026-12-01T08:00:00Z",
        "first_name": "Amandine",
        "last_name": "Dupont",
        "phone": "06 12 34 56 78",
        "idempotency_key": KEY,
    }
    headers = {"Content-Type": "application/json"}
    first = client.http.post(BOOKINGS, headers=headers, body=json.dumps(body))
    assert first.status_code == 201
    token = json.loads(first.body)["manage_token"]
    replay = client.http.post(BOOKINGS, headers=headers, body=json.dumps(body))
    assert replay.status_code == 201 and json.loads(replay.body)["manage_token"] == token
    stranger = {**body, "first_name": "Karim", "last_name": "Benali", "phone": "06 98 76 54 32",
                "starts_at": "2026-12-01T09:00:00Z"}  # fmt: skip
    refused = client.http.post(BOOKINGS, headers=headers, body=json.dumps(stranger))
    assert refused.status_code == 422
    answer = json.loads(refused.body)
    assert answer["error"]["message"] == "Cette clé a déjà servi pour une autre demande."
    assert token not in refused.body.decode()


def test_a_form_reused_after_the_back_button_asks_to_check_and_confirm_again(
    client, pilot, monkeypatch
):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    path = "/mds/org-1/motifs/m30/lieux/lieu-1/reserver"
    form = {
        "debut": "2026-12-01T08:00Z",
        "pour": "moi",
        "prenom": "Amandine",
        "nom": "Dupont",
        "telephone": "06 12 34 56 78",
        "sms": "oui",
        "cle": KEY,
    }
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    first = client.http.post(path, headers=headers, body=urlencode(form))
    assert first.status_code == 303
    changed = {**form, "debut": "2026-12-01T09:00Z", "telephone": "06 98 76 54 32"}
    again = client.http.post(path, headers=headers, body=urlencode(changed))
    page = again.body.decode()
    assert again.status_code == 422
    assert "Ce formulaire a déjà servi pour un autre rendez-vous" in page
    assert first.headers["Location"].split("?")[0] not in page  # not the first rdv's link
    assert f'value="{KEY}"' not in page  # a new key: confirming again books
    new_key = re.search(r'name="cle" value="([^"]+)"', page).group(1)
    confirmed = client.http.post(path, headers=headers, body=urlencode({**changed, "cle": new_key}))
    assert confirmed.status_code == 303
    assert confirmed.headers["Location"] != first.headers["Location"]
