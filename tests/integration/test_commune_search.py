"""Finding one's MDS the way people type: postal codes with a space, communes in any
case, with or without accents or the œ ligature, and only their first letters."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from tests import factories as f


@pytest.fixture
def sectors(store):
    store.catalogue.save_organisation(f.organisation())  # 62100, Calais
    store.catalogue.save_organisation(
        f.organisation(
            id="org-2",
            name="MDS Nœux-les-Mines",
            postal_codes=("62290",),
            communes=("Nœux-les-Mines", "Mazingarbe"),
        )
    )
    store.catalogue.save_organisation(
        f.organisation(
            id="org-3", name="MDS Lens", postal_codes=("62300",), communes=("Noyelles-sous-Lens",)
        )
    )


def html(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


@pytest.fixture
def no_scan(monkeypatch):
    """Request paths never Scan: a Scan of the sectors fails the test."""
    from chalicelib.store.models import SectorModel

    def scan(*args, **kwargs):
        raise AssertionError("Scan on a request path")

    monkeypatch.setattr(SectorModel, "scan", scan)


@pytest.mark.parametrize("typed", ["62 100", " 62100 ", "62  100"])
def test_a_postal_code_with_spaces_is_read(client, sectors, typed):
    page = client.http.get(f"/recherche?{urlencode({'lieu': typed})}")
    assert page.status_code == 200
    assert "/mds/org-1" in html(page)
    answer = json.loads(
        client.http.get(f"/api/v1/public/organisations?{urlencode({'lieu': typed})}").body
    )
    assert [o["id"] for o in answer["organisations"]] == ["org-1"]


@pytest.mark.parametrize(
    "typed", ["NOEUX", "Nœux", "noeux", "Noeux-les", "nœux les mines", "NŒUX-LES-MINES"]
)
def test_a_commune_is_found_by_its_first_letters_in_any_case_and_spelling(
    client, sectors, no_scan, typed
):
    page = html(client.http.get(f"/recherche?{urlencode({'lieu': typed})}"))
    assert "MDS Nœux-les-Mines" in page and "/mds/org-2" in page
    assert "/mds/org-3" not in page and "/mds/org-1" not in page


def test_a_short_prefix_lists_every_mds_serving_a_matching_commune(store, sectors, no_scan):
    found = [o.id for o in store.catalogue.organisations_serving("No")]
    assert found == ["org-3", "org-2"]  # by name: MDS Lens, MDS Nœux-les-Mines
    assert [o.id for o in store.catalogue.organisations_serving("maz")] == ["org-2"]
    assert store.catalogue.organisations_serving("Noeux-les-Mines-Nord") == []


def test_a_commune_of_one_letter_is_found_by_its_name(store, sectors):
    store.catalogue.save_organisation(
        f.organisation(id="org-80", name="MDS Ham", postal_codes=("80400",), communes=("Y",))
    )
    assert [o.id for o in store.catalogue.organisations_serving("y")] == ["org-80"]
    assert store.catalogue.organisations_serving("É") == []


def test_a_commune_removed_from_a_sector_is_no_longer_found(store, sectors):
    store.catalogue.save_organisation(
        f.organisation(
            id="org-2", name="MDS Nœux-les-Mines", postal_codes=("62290",), communes=("Mazingarbe",)
        )
    )
    assert store.catalogue.organisations_serving("noeux") == []
    assert [o.id for o in store.catalogue.organisations_serving("mazingarbe")] == ["org-2"]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("621", "Un code postal compte 5 chiffres, par exemple 62100."),
        ("62 10", "Un code postal compte 5 chiffres, par exemple 62100."),
        ("-Calais", "Indiquez un code postal (5 chiffres) ou un nom de commune."),
    ],
)
def test_what_cannot_be_searched_is_explained(client, sectors, typed, message):
    page = client.http.get(f"/recherche?{urlencode({'lieu': typed})}")
    assert page.status_code == 422
    assert message in html(page)
