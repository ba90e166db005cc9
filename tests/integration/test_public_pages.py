"""The usager pages through Chalice's test client, on moto: what a person sees."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.models import RdvStatus
from tests.integration.conftest import NOW, TUESDAY_9H

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SLOT = "2026-12-01T08:00Z"  # Tuesday 1 December, 9:00 in Paris
BOOK_URL = "/mds/org-1/motifs/m30/lieux/lieu-1/reserver"


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)


def html(response) -> str:
    return response.body.decode() if isinstance(response.body, bytes) else response.body


def booking_form(**overrides) -> str:
    data = {
        "debut": SLOT,
        "pour": "moi",
        "prenom": "Amandine",
        "nom": "Dupont",
        "telephone": "06 12 34 56 78",
        "email": "",
        "sms": "oui",
    }
    data.update(overrides)
    return urlencode(data)


def book(client, **overrides):
    return client.http.post(BOOK_URL, headers=FORM, body=booking_form(**overrides))


def test_postal_code_search_lists_the_mds_serving_it(client, pilot):
    page = html(client.http.get("/recherche?lieu=62100"))
    assert "MDS Test" in page and "/mds/org-1" in page
    none = client.http.get("/recherche?lieu=75001")
    assert none.status_code == 200
    assert "Aucune maison départementale des solidarités" in html(none)


def test_a_bad_postal_code_is_explained_on_the_same_page(client, pilot):
    response = client.http.get("/recherche?lieu=621")
    assert response.status_code == 422
    assert "5 chiffres" in html(response)
    assert 'value="621"' in html(response)


def test_services_motifs_and_lieux_pages_lead_to_the_slots(client, pilot):
    assert "PMI" in html(client.http.get("/mds/org-1"))
    motifs = html(client.http.get("/mds/org-1/services/pmi"))
    assert "Consultation nourrisson" in motifs and "Par téléphone" in motifs
    lieux = html(client.http.get("/mds/org-1/motifs/m30"))
    assert "1 rue Test, 62100 Calais" in lieux
    phone = client.http.get("/mds/org-1/motifs/mtel")
    assert phone.status_code == 303
    assert phone.headers["Location"] == "/mds/org-1/motifs/mtel/lieux/-"


def test_the_slot_page_shows_a_week_of_times_in_paris_time(client, pilot):
    page = html(client.http.get("/mds/org-1/motifs/m30/lieux/lieu-1?semaine=2026-11-30"))
    assert "Semaine du lundi 30 novembre 2026" in page
    assert "mardi 1er décembre 2026" in page
    assert ">9h00<" in page and ">11h30<" in page and ">12h00<" not in page
    assert "Semaine suivante" in page and "Semaine précédente" in page


def test_an_empty_week_offers_the_next_availability(client, pilot, store):
    store.planning.delete_plage("plage-2")
    from datetime import date

    from chalicelib.domain.models import Recurrence
    from tests import factories as f

    store.planning.delete_plage("plage-1")
    store.planning.save_plage(
        f.plage(id="later", motif_ids=("m30",), first_day=date(2027, 1, 12), recurrence=None)
    )
    page = html(client.http.get("/mds/org-1/motifs/m30/lieux/lieu-1?semaine=2026-11-30"))
    assert "Aucun créneau libre cette semaine" in page
    assert "Prochaine disponibilité : mardi 12 janvier 2027 à 9h00" in page
    assert "?semaine=2027-01-11" in page
    assert Recurrence  # the later plage is a one-off


def test_booking_redirects_to_the_confirmation_with_the_private_link(client, pilot, store):
    response = book(client)
    assert response.status_code == 303
    location = response.headers["Location"]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{22}\?confirme=1", location)
    page = html(client.http.get(location))
    assert "Votre rendez-vous est confirmé" in page
    assert "mardi 1er décembre 2026" in page and "9h00" in page
    assert "1 rue Test, 62100 Calais" in page
    assert "Apportez le carnet de santé." in page
    assert "https://rdv.example.fr/r/" in page
    assert "rdv.ics" in page
    # The page reached through the link shows no personal data.
    assert "Amandine" not in page and "Dupont" not in page and "06 12" not in page


def test_an_invalid_phone_is_explained_and_what_was_typed_is_kept(client, pilot, store):
    response = book(client, telephone="01 23 45 67 89", prenom="Émilie")
    assert response.status_code == 422
    page = html(response)
    assert "portable français" in page
    assert 'value="Émilie"' in page and 'value="01 23 45 67 89"' in page
    assert 'aria-invalid="true"' in page
    assert store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30)) == []


def test_a_child_needs_its_birth_date(client, pilot):
    response = book(client, pour="enfant", enfant_prenom="Lina", enfant_nom="Dupont")
    assert response.status_code == 422
    assert "date de naissance de l’enfant" in html(response)


def test_a_taken_slot_is_told_on_the_form_with_the_next_free_ones(client, pilot):
    assert book(client).status_code == 303
    assert book(client, telephone="06 12 34 56 79").status_code == 303
    response = book(client, telephone="06 12 34 56 70", prenom="Kévin")
    assert response.status_code == 409
    page = html(response)
    assert "Ce créneau vient d’être réservé" in page
    assert 'value="2026-12-01T08:30Z"' in page  # the next free slot, one tap away
    assert 'value="Kévin"' in page


def test_a_closed_motif_cannot_be_booked(client, pilot, store):
    from dataclasses import replace

    store.catalogue.save_motif(replace(pilot.motif, bookable_online=False))
    response = book(client)
    assert response.status_code == 409
    assert "plus ouvert à la réservation en ligne" in html(response)


def test_cancel_through_the_link_is_a_post_and_frees_the_slot(client, pilot, store):
    location = book(client).headers["Location"]
    token_path = location.split("?")[0]
    page = html(client.http.get(token_path))
    assert f'action="{token_path}/annuler"' in page and 'method="post"' in page
    cancelled = client.http.post(f"{token_path}/annuler", headers=FORM, body="")
    assert cancelled.status_code == 200
    assert "Rendez-vous annulé" in html(cancelled)
    [rdv] = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert rdv.status is RdvStatus.EXCUSED


def test_move_through_the_link(client, pilot, store):
    token_path = book(client).headers["Location"].split("?")[0]
    picker = html(client.http.get(f"{token_path}/deplacer?semaine=2026-11-30"))
    assert "deplacer/confirmer?debut=2026-12-01T08%3A30Z" in picker
    confirm = html(client.http.get(f"{token_path}/deplacer/confirmer?debut=2026-12-02T09:00Z"))
    assert "mercredi 2 décembre 2026 à 10h00" in confirm
    moved = client.http.post(
        f"{token_path}/deplacer", headers=FORM, body=urlencode({"debut": "2026-12-02T09:00Z"})
    )
    assert moved.status_code == 303
    page = html(client.http.get(moved.headers["Location"]))
    assert "Votre rendez-vous a bien été déplacé" in page
    assert "mercredi 2 décembre 2026" in page
    [rdv] = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert rdv.starts_at == TUESDAY_9H + timedelta(days=1, hours=1)


def test_an_unknown_link_gets_a_clear_page(client, pilot):
    response = client.http.get("/r/nimportequoi")
    assert response.status_code == 404
    assert "Ce lien de rendez-vous n’est pas valable" in html(response)


def test_a_get_never_cancels(client, pilot, store):
    token_path = book(client).headers["Location"].split("?")[0]
    assert client.http.get(f"{token_path}/annuler").status_code in (403, 404, 405)
    [rdv] = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    assert rdv.status is RdvStatus.UNKNOWN


def test_booking_is_rate_limited_per_phone(client, pilot, monkeypatch):
    from chalicelib.settings import get_settings

    monkeypatch.setattr(get_settings(), "bookings_per_person_per_day", 2)
    times = ["2026-12-01T08:00Z", "2026-12-01T08:30Z", "2026-12-01T09:00Z"]
    statuses = [book(client, debut=t).status_code for t in times]
    assert statuses == [303, 303, 429]
    response = book(client, debut="2026-12-01T10:00Z")
    assert "Réessayez demain" in html(response)


def test_a_malformed_slot_is_a_clear_404(client, pilot):
    response = client.http.get(BOOK_URL + "?debut=demain")
    assert response.status_code == 404
    assert "Ce créneau n’existe pas" in html(response)


def test_a_double_tap_on_confirm_books_once_and_shows_the_same_confirmation(client, pilot, store):
    form = html(client.http.get(BOOK_URL + "?debut=" + SLOT))
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    first = book(client, cle=key)
    second = book(client, cle=key)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))) == 1


def test_the_confirmation_says_how_the_usager_will_be_told(client, pilot):
    by_sms = html(client.http.get(book(client).headers["Location"]))
    assert "Nous vous envoyons une confirmation par SMS, puis un rappel" in by_sms
    silent = book(client, debut="2026-12-01T09:00Z", telephone="06 12 34 56 70", sms="")
    page = html(client.http.get(silent.headers["Location"]))
    assert "Vous ne recevrez ni confirmation ni rappel" in page


def field_error(page: str, name: str) -> str | None:
    """The message shown next to a form field, if any."""
    found = re.search(rf'<span class="field-error" id="{name}-erreur">([^<]*)</span>', page)
    return found.group(1) if found else None


def test_each_mistake_is_shown_next_to_its_field_and_what_was_typed_is_kept(client, pilot, store):
    response = book(
        client,
        pour="enfant",
        enfant_prenom="Lina",
        enfant_nom="",
        enfant_naissance="31/02/2022",
        telephone="",
        email="",
    )
    assert response.status_code == 422
    page = html(response)
    assert field_error(page, "enfant_nom") == "Indiquez le nom de l’enfant."
    assert field_error(page, "enfant_naissance") == (
        "Indiquez la date de naissance au format JJ/MM/AAAA, par exemple 14/03/2022."
    )
    assert field_error(page, "telephone") == (
        "Indiquez un numéro de portable ou une adresse e-mail (au moins l’un des deux) "
        "pour recevoir la confirmation."
    )
    assert field_error(page, "prenom") is None and field_error(page, "enfant_prenom") is None
    assert 'value="Lina"' in page and 'value="31/02/2022"' in page
    assert re.search(r'value="enfant" checked', page)
    summary = re.findall(r'<li><a href="#(\w+)">', page)
    assert summary == ["enfant_nom", "enfant_naissance", "telephone"]  # in the page's order
    assert store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30)) == []


def test_a_birth_date_in_the_future_or_too_old_is_refused(client, pilot):
    child = {"pour": "enfant", "enfant_prenom": "Lina", "enfant_nom": "Dupont"}
    future = html(book(client, enfant_naissance="01/01/2027", **child))
    assert field_error(future, "enfant_naissance") == (
        "La date de naissance ne peut pas être dans le futur."
    )
    old = html(book(client, enfant_naissance="1990-05-02", **child))
    assert field_error(old, "enfant_naissance") == "Vérifiez l’année de naissance de l’enfant."


def test_the_form_asks_for_whom_the_rdv_is(client, pilot):
    response = book(client, pour="")
    assert response.status_code == 422
    assert field_error(html(response), "pour") == "Indiquez pour qui est le rendez-vous."


def test_a_child_booked_through_the_form_is_stored_with_its_birth_date(client, pilot, store):
    response = book(
        client,
        pour="enfant",
        enfant_prenom="Lina",
        enfant_nom="Dupont",
        enfant_naissance="14/03/2022",
    )
    assert response.status_code == 303
    [rdv] = store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))
    [lina] = store.usagers.get_many(list(rdv.usager_ids))
    assert (lina.first_name, lina.birth_date) == ("Lina", date(2022, 3, 14))
    assert store.usagers.get(lina.responsable_id).phone == "+33612345678"


def test_the_form_and_the_api_explain_a_mistake_in_the_same_words(client, pilot):
    page = html(book(client, prenom="Amandine2", email="amandine@"))
    api = client.http.post(
        "/api/v1/public/organisations/org-1/motifs/m30/lieux/lieu-1/bookings",
        headers={"Content-Type": "application/json"},
        body=json.dumps(
            {
                "starts_at": SLOT,
                "first_name": "Amandine2",
                "last_name": "Dupont",
                "email": "amandine@",
                "phone": "06 12 34 56 78",
            }
        ),
    )
    fields = json.loads(api.body)["error"]["fields"]
    assert (
        field_error(page, "prenom")
        == fields["first_name"]
        == ("Indiquez votre prénom en lettres (60 caractères au plus).")
    )
    assert field_error(page, "email") == fields["email"]


def test_a_form_with_a_broken_one_time_key_still_books_once(client, pilot, store):
    assert book(client, cle="x").status_code == 303
    assert len(store.rdvs.of_organisation("org-1", NOW, NOW + timedelta(days=30))) == 1
