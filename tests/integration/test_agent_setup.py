"""An MDS's admins set it up without a developer (moto): lieux, motifs, agents and
sectors, each rule of their forms, archiving (out of the public pages and new bookings,
kept by the rdvs made), and the walls between organisations."""

from __future__ import annotations

import html
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.models import Agent, RdvStatus, Role
from chalicelib.domain.palette import MIN_CONTRAST, MOTIF_COLOURS, contrast_ratio
from chalicelib.services import agent_auth, agent_booking, booking
from tests import factories as f
from tests.integration.conftest import NOW
from tests.integration.test_agent_auth import PASSWORD, cookie_of, csrf_of, post, sign_in
from tests.integration.test_booking import request_for

ROOT = "/agents/parametres"
API = "/api/v1/public/organisations/org-1"


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    return NOW


def signed_in_as(client, store, agent) -> tuple[str, str]:
    store.agents.save(replace(agent, password_hash=agent_auth.hash_password(PASSWORD)))
    cookie = cookie_of(sign_in(client, email=agent.email))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    return cookie, csrf_of(page)


@pytest.fixture
def admin(client, store, pilot, clock):
    """Agent 2 of the pilot MDS, its admin: (cookie, csrf token)."""
    return signed_in_as(client, store, replace(pilot.agents[1], roles={"org-1": Role.ADMIN}))


@pytest.fixture
def elsewhere(store, pilot):
    """Another MDS, with a lieu and a motif of its own."""
    store.catalogue.save_organisation(
        f.organisation(id="org-2", name="MDS Ailleurs", postal_codes=("62400",), communes=())
    )
    store.catalogue.save_lieu(f.lieu(id="lieu-ailleurs", organisation_id="org-2", name="Ailleurs"))
    store.catalogue.save_motif(f.motif(id="motif-ailleurs", organisation_id="org-2"))


def get(client, path, cookie):
    return client.http.get(path, headers={"Cookie": cookie})


def text(answer) -> str:
    return html.unescape(answer.body.decode())


def key_of(page: str) -> str:
    return re.search(r'name="cle" value="([^"]+)"', page).group(1)


LIEU = {
    "nom": "MDS Calais – site Fort Nieulay",
    "adresse": "12 rue de la Paix, 62100 Calais",
    "telephone": "03.21.46.00.00",
    "horaires": "Du lundi au vendredi, 9 h – 12 h",
    "accessibilite": "Accès de plain-pied, ascenseur",
}


def create_lieu(client, admin, **fields):
    cookie, csrf = admin
    key = key_of(text(get(client, f"{ROOT}/lieux/nouveau", cookie)))
    return post(client, f"{ROOT}/lieux", {"csrf": csrf, "cle": key, **LIEU, **fields}, cookie)


def lieu_named(store, name):
    return next(
        x for x in store.catalogue.lieux_of_organisation("org-1", fresh=True) if x.name == name
    )


# --- lieux --------------------------------------------------------------------------------


def test_an_admin_opens_a_lieu_that_usagers_then_see_with_its_accessibility(
    client, store, admin, pilot, caplog
):
    cookie, csrf = admin
    key = key_of(text(get(client, f"{ROOT}/lieux/nouveau", cookie)))
    fields = {"csrf": csrf, "cle": key, **LIEU}
    first = post(client, f"{ROOT}/lieux", fields, cookie)
    again = post(client, f"{ROOT}/lieux", fields, cookie)  # the form sent twice
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == f"{ROOT}/lieux?fait=cree"
    listed = text(get(client, first.headers["Location"], cookie))
    assert "C’est enregistré." in listed and listed.count("site Fort Nieulay") == 1
    lieu = lieu_named(store, LIEU["nom"])
    assert lieu.phone == "03 21 46 00 00" and lieu.accessibility == "Accès de plain-pied, ascenseur"
    # Who changed what, by ids: never a name.
    assert f"setup lieux cree {lieu.id} by agent agent-2 in org-1" in caplog.text
    # Once an agent holds a plage there, usagers are offered it, with its accessibility.
    store.planning.save_plage(
        f.plage(id="plage-nieulay", agent_id="agent-1", lieu_id=lieu.id, motif_ids=("m30",))
    )
    public = text(client.http.get("/mds/org-1/motifs/m30"))
    assert "site Fort Nieulay" in public and "Accessibilité : Accès de plain-pied" in public


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"nom": "  "}, "nom", "Indiquez le nom du lieu"),
        ({"nom": "x" * 81}, "nom", "80 caractères au plus"),
        ({"nom": "mds test – SITE principal"}, "nom", "porte déjà ce nom"),
        ({"adresse": ""}, "adresse", "Indiquez l’adresse du lieu"),
        ({"adresse": "12 rue de la Paix, Calais"}, "adresse", "code postal à 5 chiffres"),
        ({"adresse": "12 rue de la Paix, 6210 Calais"}, "adresse", "code postal à 5 chiffres"),
        ({"telephone": "03 21 46 00"}, "telephone", "10 chiffres"),
        ({"telephone": "00 21 46 00 00"}, "telephone", "10 chiffres"),
        ({"accessibilite": "x" * 501}, "accessibilite", "500 caractères au plus"),
    ],
)
def test_a_wrong_lieu_is_explained_and_the_form_keeps_what_was_typed(
    client, store, admin, fields, field, message
):
    answer = create_lieu(client, admin, **fields)
    assert answer.status_code == 422
    page = text(answer)
    assert message in page
    assert f'id="{field}-erreur"' in page and 'aria-invalid="true"' in page
    assert 'value="12 rue de la Paix' in page or field == "adresse"
    assert LIEU["horaires"] in page  # what was typed stays
    assert [x.name for x in store.catalogue.lieux_of_organisation("org-1", fresh=True)] == [
        "MDS Test – site principal"
    ]


def test_an_admin_corrects_a_lieu(client, store, admin, pilot):
    cookie, csrf = admin
    form = text(get(client, f"{ROOT}/lieux/lieu-1", cookie))
    assert 'value="MDS Test – site principal"' in form
    fields = {**LIEU, "csrf": csrf, "nom": "Site principal", "telephone": "+33 3 21 00 00 00"}
    answer = post(client, f"{ROOT}/lieux/lieu-1", fields, cookie)
    assert answer.status_code == 303
    lieu = store.catalogue.get_lieu("lieu-1")
    assert (lieu.name, lieu.phone, lieu.id) == ("Site principal", "03 21 00 00 00", "lieu-1")


def test_an_archived_lieu_leaves_the_public_pages_and_new_bookings_but_its_rdvs_keep_it(
    client, store, admin, pilot
):
    cookie, csrf = admin
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    assert "MDS Test – site principal" in text(client.http.get("/mds/org-1/motifs/m30"))
    before = text(get(client, f"{ROOT}/lieux/lieu-1", cookie))  # what refers to it
    assert "1 rendez-vous à venir y est prévu" in before
    assert "2 plages d’ouverture à venir y ont lieu" in before
    answer = post(client, f"{ROOT}/lieux/lieu-1/archiver", {"csrf": csrf}, cookie)
    assert answer.status_code == 303
    assert store.catalogue.get_lieu("lieu-1").archived_at == NOW
    listed = text(get(client, f"{ROOT}/lieux?fait=archive", cookie))
    assert "Lieux archivés" in listed and "Archivé" in listed
    # Usagers no longer see it nor book there; agents no longer choose it for a new rdv.
    assert "site principal" not in text(client.http.get("/mds/org-1/motifs/m30"))
    assert client.http.get("/mds/org-1/motifs/m30/lieux/lieu-1").status_code == 404
    assert client.http.get(f"{API}/motifs/m30/lieux").json_body["lieux"] == []
    assert client.http.get(f"{API}/motifs/m30/lieux/lieu-1/slots").status_code == 404
    assert agent_booking.catalogue(store, "org-1").lieux == []
    # The rdv made there keeps it: on the agents' rdv page and on the usager's link.
    assert "MDS Test – site principal" in text(get(client, f"/agents/rdv/{booked.rdv.id}", cookie))
    assert "MDS Test – site principal" in text(client.http.get(f"/r/{booked.manage_token}"))
    assert store.rdvs.get(booked.rdv.id).lieu_id == "lieu-1"
    # Reopened, it is offered again.
    post(client, f"{ROOT}/lieux/lieu-1/restaurer", {"csrf": csrf}, cookie)
    assert "MDS Test – site principal" in text(client.http.get("/mds/org-1/motifs/m30"))


# --- motifs -------------------------------------------------------------------------------

MOTIF = {
    "nom": "Pesée du nourrisson",
    "service": "pmi",
    "duree": "20",
    "lieu_type": "public_office",
    "en_ligne": "oui",
    "delai_min": "2",
    "delai_min_unite": "heures",
    "delai_max": "8",
    "delai_max_unite": "jours",
    "annulation": "1",
    "annulation_unite": "jours",
    "rappel_1": "2",
    "rappel_1_unite": "jours",
    "rappel_2": "24",
    "rappel_2_unite": "heures",
    "rappel_3": "",
    "rappel_3_unite": "heures",
    "consignes": "Apportez le carnet de santé.",
    "couleur": "#18753c",
}


def create_motif(client, admin, **fields):
    cookie, csrf = admin
    key = key_of(text(get(client, f"{ROOT}/motifs/nouveau", cookie)))
    return post(client, f"{ROOT}/motifs", {"csrf": csrf, "cle": key, **MOTIF, **fields}, cookie)


def motif_named(store, name):
    return next(
        m for m in store.catalogue.motifs_of_organisation("org-1", fresh=True) if m.name == name
    )


def test_an_admin_creates_a_motif_that_usagers_can_book_online(client, store, admin, pilot):
    answer = create_motif(client, admin)
    assert answer.status_code == 303
    motif = motif_named(store, "Pesée du nourrisson")
    assert motif.duration_minutes == 20
    assert motif.min_booking_delay_minutes == 120
    assert motif.max_booking_delay_minutes == 8 * 24 * 60
    assert motif.cancellation_deadline_minutes == 24 * 60
    assert motif.reminder_offsets_minutes == (48 * 60, 24 * 60)
    assert (motif.color, motif.instructions) == ("#18753c", "Apportez le carnet de santé.")
    assert "Pesée du nourrisson" in text(client.http.get("/mds/org-1/services/pmi"))
    # Its form shows it back in the largest exact units.
    cookie, _ = admin
    form = text(get(client, f"{ROOT}/motifs/{motif.id}", cookie))
    assert 'name="delai_min" value="2"' in form and 'name="rappel_2" value="1"' in form
    assert 'value="#18753c" checked' in form


def test_a_motif_without_maximum_delay_or_reminders_is_open_as_far_as_plages_go(
    client, store, admin, pilot
):
    fields = {"delai_max": "", "rappel_1": "", "rappel_2": "", "en_ligne": "", "annulation": "0"}
    assert create_motif(client, admin, **fields, lieu_type="phone").status_code == 303
    motif = motif_named(store, "Pesée du nourrisson")
    assert motif.max_booking_delay_minutes is None and motif.reminder_offsets_minutes == ()
    assert motif.cancellation_deadline_minutes == 0 and not motif.bookable_online
    assert motif.location_type.value == "phone"
    assert "Pesée du nourrisson" not in text(client.http.get("/mds/org-1/services/pmi"))


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"nom": ""}, "nom", "Indiquez le nom du motif"),
        ({"nom": "consultation NOURRISSON"}, "nom", "porte déjà ce nom"),
        ({"service": "inconnu"}, "service", "Choisissez le service"),
        ({"duree": "0"}, "duree", "La durée doit être positive"),
        ({"duree": "-15"}, "duree", "La durée doit être positive"),
        ({"duree": "trente"}, "duree", "en minutes"),
        ({"duree": "7"}, "duree", "tranches de 5 minutes"),
        ({"duree": "600"}, "duree", "8 heures"),
        ({"lieu_type": "ailleurs"}, "lieu_type", "Indiquez où se passe"),
        ({"delai_min": "-1"}, "delai_min", "ne peut pas être négatif"),
        ({"delai_min": "2", "delai_min_unite": "mois"}, "delai_min", "minutes, heures ou jours"),
        # The end of the booking window before its start: no slot would ever be offered.
        ({"delai_min": "3", "delai_min_unite": "jours", "delai_max": "2"}, "delai_max",
         "plus long que le délai minimum (3 jours)"),
        ({"delai_min": "2", "delai_min_unite": "jours", "delai_max": "2"}, "delai_max",
         "plus long que le délai minimum"),
        ({"delai_max": "0"}, "delai_max", "doit être positif"),
        ({"delai_max": "400"}, "delai_max", "365 jours"),
        ({"annulation": "-2"}, "annulation", "ne peut pas être négatif"),
        # A reminder after the cancellation deadline would invite to cancel too late.
        ({"annulation": "48", "annulation_unite": "heures"}, "rappel_2",
         "après la limite d’annulation (2 jours avant)"),
        ({"rappel_2": "0"}, "rappel_2", "délai positif"),
        ({"rappel_3": "48", "rappel_3_unite": "heures"}, "rappel_3", "déjà prévu"),
        ({"rappel_1": "1,5"}, "rappel_1", "nombre entier"),
        ({"consignes": "x" * 501}, "consignes", "500 caractères au plus"),
        ({"couleur": ""}, "couleur", "Choisissez une couleur"),
        ({"couleur": "#4b9cd3"}, "couleur", "pas assez contrastée"),
        ({"couleur": "red"}, "couleur", "Choisissez une couleur"),
    ],
)  # fmt: skip
def test_each_motif_rule_is_explained_and_the_form_keeps_what_was_typed(
    client, store, admin, pilot, fields, field, message
):
    answer = create_motif(client, admin, **fields)
    assert answer.status_code == 422
    page = text(answer)
    assert message in page, page[page.find('class="error"') :][:800]
    assert f'id="{field}-erreur"' in page
    assert "Apportez le carnet de santé." in page or field == "consignes"
    names = {m.name for m in store.catalogue.motifs_of_organisation("org-1", fresh=True)}
    assert "Pesée du nourrisson" not in names


def test_an_archived_motif_leaves_the_public_pages_and_new_bookings_but_its_rdvs_keep_it(
    client, store, admin, pilot
):
    cookie, csrf = admin
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    before = text(get(client, f"{ROOT}/motifs/m30", cookie))
    assert "2 plages d’ouverture à venir le proposent" in before
    assert post(client, f"{ROOT}/motifs/m30/archiver", {"csrf": csrf}, cookie).status_code == 303
    assert "Consultation nourrisson" not in text(client.http.get("/mds/org-1/services/pmi"))
    assert client.http.get("/mds/org-1/motifs/m30").status_code in (404, 409)
    assert client.http.get("/mds/org-1/motifs/m30/lieux/lieu-1").status_code in (404, 409)
    services = client.http.get(f"{API}/services").json_body
    assert "m30" not in str(services) and "m45" in str(services)
    assert client.http.get(f"{API}/motifs/m30/lieux/lieu-1/slots").status_code in (404, 409)
    assert "m30" not in {m.id for m in agent_booking.catalogue(store, "org-1").motifs}
    assert "Consultation nourrisson" in text(get(client, f"/agents/rdv/{booked.rdv.id}", cookie))
    assert "Motifs archivés" in text(get(client, f"{ROOT}/motifs", cookie))
    post(client, f"{ROOT}/motifs/m30/restaurer", {"csrf": csrf}, cookie)
    assert "Consultation nourrisson" in text(client.http.get("/mds/org-1/services/pmi"))


def test_editing_a_motif_keeps_its_id_and_an_old_low_contrast_colour_must_be_replaced(
    client, store, admin, pilot
):
    cookie, csrf = admin
    store.catalogue.save_motif(replace(pilot.motif, color="#4b9cd3"))
    form = text(get(client, f"{ROOT}/motifs/m30", cookie))
    assert "n’est pas assez contrastée" in form and "#4b9cd3" in form
    fields = {**MOTIF, "csrf": csrf, "nom": "Consultation nourrisson", "couleur": "#4b9cd3"}
    assert post(client, f"{ROOT}/motifs/m30", fields, cookie).status_code == 422
    fields["couleur"] = "#a10f5b"
    assert post(client, f"{ROOT}/motifs/m30", fields, cookie).status_code == 303
    motif = store.catalogue.get_motif("m30")
    assert (motif.color, motif.duration_minutes, motif.organisation_id) == ("#a10f5b", 20, "org-1")


def test_every_colour_offered_reads_on_white_and_under_white_text():
    for colour, _name in MOTIF_COLOURS:
        assert contrast_ratio(colour) >= MIN_CONTRAST, colour
    assert round(contrast_ratio("#000000"), 1) == 21.0
    assert contrast_ratio("#ffffff") == 1.0


def test_the_demo_motifs_take_colours_of_the_palette():
    from devtools.demo_data import _motifs

    palette = dict(MOTIF_COLOURS)
    assert all(m.color in palette for m in _motifs("org", "pmi", "social").values())


# --- walls ----------------------------------------------------------------------------------


def test_another_organisations_lieux_and_motifs_are_not_found(client, store, admin, elsewhere):
    cookie, csrf = admin
    for path in (f"{ROOT}/lieux/lieu-ailleurs", f"{ROOT}/motifs/motif-ailleurs"):
        assert get(client, path, cookie).status_code == 404
        assert post(client, path, {"csrf": csrf, **LIEU, **MOTIF}, cookie).status_code == 404
        for action in ("archiver", "restaurer"):
            assert post(client, f"{path}/{action}", {"csrf": csrf}, cookie).status_code == 404
    assert store.catalogue.get_lieu("lieu-ailleurs").name == "Ailleurs"
    assert not store.catalogue.get_lieu("lieu-ailleurs").archived
    # A creation form whose key names another MDS's item makes a new one.
    fields = {"csrf": csrf, **LIEU, "cle": "ailleurs" * 2}
    store.catalogue.save_lieu(f.lieu(id="lieu-" + "ailleurs" * 2, organisation_id="org-2"))
    assert post(client, f"{ROOT}/lieux", fields, cookie).status_code == 303
    assert store.catalogue.get_lieu("lieu-" + "ailleurs" * 2).organisation_id == "org-2"
    assert lieu_named(store, LIEU["nom"]).organisation_id == "org-1"
    assert "Ailleurs" not in text(get(client, f"{ROOT}/lieux", cookie))


def test_an_agent_who_is_not_admin_can_change_nothing(client, store, pilot, clock):
    cookie, csrf = signed_in_as(client, store, pilot.agents[0])
    assert "Paramètres" not in text(get(client, "/agents", cookie))
    assert get(client, f"{ROOT}/lieux", cookie).status_code == 403
    answer = post(client, f"{ROOT}/lieux", {"csrf": csrf, "cle": "k" * 16, **LIEU}, cookie)
    assert answer.status_code == 403
    assert post(client, f"{ROOT}/motifs/m30/archiver", {"csrf": csrf}, cookie).status_code == 403
    assert len(store.catalogue.lieux_of_organisation("org-1", fresh=True)) == 1
    assert not store.catalogue.get_motif("m30").archived


def test_setup_pages_read_past_the_catalogue_cache_while_public_pages_use_it(
    client, store, admin, pilot
):
    """What another Lambda saved: the public pages of this one see it once their cache
    (60 s) expires; the admins' pages at once."""
    from chalicelib.store.cache import CATALOGUE
    from chalicelib.store.models import LieuModel

    cookie, _ = admin
    assert "MDS Test – site principal" in text(client.http.get("/mds/org-1/motifs/m30"))
    item = LieuModel.get("lieu-1")
    item.name = "Renommé ailleurs"
    item.save()  # as another Lambda would: this one's cache is not cleared
    assert "MDS Test – site principal" in text(client.http.get("/mds/org-1/motifs/m30"))
    assert "Renommé ailleurs" in text(get(client, f"{ROOT}/lieux", cookie))
    CATALOGUE.clear()  # the 60 seconds have passed
    assert "Renommé ailleurs" in text(client.http.get("/mds/org-1/motifs/m30"))


# --- agents ---------------------------------------------------------------------------------


def test_an_admin_invites_an_agent_who_gets_an_e_mail_to_choose_a_password(
    client, store, admin, pilot
):
    from tests.integration.test_notifications import sent_emails

    cookie, csrf = admin
    fields = {"csrf": csrf, "prenom": " Léa ", "nom": "Roux", "email": "Lea.Roux@Example.fr",
              "role": "agent"}  # fmt: skip
    answer = post(client, f"{ROOT}/agents", fields, cookie)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("fait=invite")
    agent = store.agents.get_by_email("lea.roux@example.fr")
    assert agent.roles == {"org-1": Role.AGENT} and agent.first_name == "Léa"
    [message] = [m for m in sent_emails() if m["To"] == "lea.roux@example.fr"]
    assert "/agents/mot-de-passe/" in message.get_body(("plain",)).get_content()
    listed = text(get(client, f"{ROOT}/agents", cookie))
    assert "Léa Roux" in listed and "mot de passe pas encore choisi" in listed
    # Invited again: already a member.
    again = post(client, f"{ROOT}/agents", fields, cookie)
    assert again.status_code == 422 and "déjà partie de votre organisation" in text(again)
    # A new invitation while no password is chosen; none once it is.
    assert "Renvoyer l’invitation" in text(get(client, f"{ROOT}/agents/{agent.id}", cookie))
    resent = post(client, f"{ROOT}/agents/{agent.id}/inviter", {"csrf": csrf}, cookie)
    assert resent.headers["Location"].endswith("fait=reinvite")
    assert len([m for m in sent_emails() if m["To"] == "lea.roux@example.fr"]) == 2
    store.agents.save(replace(agent, password_hash=agent_auth.hash_password(PASSWORD)))
    refused = post(client, f"{ROOT}/agents/{agent.id}/inviter", {"csrf": csrf}, cookie)
    assert refused.status_code == 409 and "Mot de passe oublié" in text(refused)
    assert len([m for m in sent_emails() if m["To"] == "lea.roux@example.fr"]) == 2


def test_an_agent_of_another_mds_is_added_with_a_role_and_no_new_account(
    client, store, admin, pilot
):
    cookie, csrf = admin
    store.agents.save(Agent("agent-9", "autre@example.fr", "Paul", "Autre", {"org-2": Role.AGENT}))
    fields = {"csrf": csrf, "prenom": "Paul", "nom": "Autre", "email": "autre@example.fr",
              "role": "admin"}  # fmt: skip
    answer = post(client, f"{ROOT}/agents", fields, cookie)
    assert answer.headers["Location"].endswith("fait=ajoute")
    assert store.agents.get("agent-9").roles == {"org-2": Role.AGENT, "org-1": Role.ADMIN}


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "pas-une-adresse"}, "email", "adresse e-mail professionnelle"),
        ({"prenom": " "}, "prenom", "Indiquez le prénom"),
        ({"nom": ""}, "nom", "Indiquez le nom"),
        ({"role": "chef"}, "role", "Choisissez le rôle"),
    ],
)
def test_a_wrong_invitation_is_explained(client, store, admin, fields, field, message):
    cookie, csrf = admin
    base = {
        "csrf": csrf,
        "prenom": "Léa",
        "nom": "Roux",
        "email": "lea@example.fr",
        "role": "agent",
    }
    answer = post(client, f"{ROOT}/agents", {**base, **fields}, cookie)
    assert answer.status_code == 422
    page = text(answer)
    assert message in page and f'id="{field}-erreur"' in page
    assert 'value="Roux"' in page or field == "nom"
    assert store.agents.get_by_email("lea@example.fr") is None


def test_an_admin_changes_a_role_but_the_mds_keeps_an_admin(client, store, admin, pilot):
    cookie, csrf = admin
    answer = post(client, f"{ROOT}/agents/agent-1", {"csrf": csrf, "role": "admin"}, cookie)
    assert answer.status_code == 303 and store.agents.get("agent-1").roles["org-1"] is Role.ADMIN
    # Two admins: one may step down (back to the dashboard); then the last one may not.
    stepped = post(client, f"{ROOT}/agents/agent-2", {"csrf": csrf, "role": "agent"}, cookie)
    assert stepped.status_code == 303 and stepped.headers["Location"] == "/agents"
    store.agents.save(replace(store.agents.get("agent-1"), roles={"org-1": Role.AGENT}))
    store.agents.save(replace(store.agents.get("agent-2"), roles={"org-1": Role.ADMIN}))
    refused = post(client, f"{ROOT}/agents/agent-2", {"csrf": csrf, "role": "agent"}, cookie)
    assert refused.status_code == 409 and "au moins un administrateur" in text(refused)
    assert store.agents.get("agent-2").roles["org-1"] is Role.ADMIN


def test_an_agent_with_rdvs_to_come_is_removed_only_once_they_are_moved_or_cancelled(
    client, store, admin, pilot
):
    cookie, csrf = admin
    booked = booking.book_rdv(store, request_for(pilot), NOW)
    holder = booked.rdv.agent_id
    page = text(get(client, f"{ROOT}/agents/{holder}", cookie))
    assert f"/agents/rdv/{booked.rdv.id}" in page and "1 rendez-vous à venir" in page
    assert "/retirer" not in page
    refused = post(client, f"{ROOT}/agents/{holder}/retirer", {"csrf": csrf}, cookie)
    assert refused.status_code == 409 and "encore des rendez-vous à venir" in text(refused)
    assert "org-1" in store.agents.get(holder).roles
    store.rdvs.save(replace(store.rdvs.get(booked.rdv.id), status=RdvStatus.REVOKED))
    assert "/retirer" in text(get(client, f"{ROOT}/agents/{holder}", cookie))


def test_a_removed_agent_leaves_the_mds_its_plages_end_and_its_session_loses_it(
    client, store, admin, pilot
):
    cookie, csrf = admin
    agent_cookie, _ = signed_in_as(client, store, pilot.agents[0])
    store.planning.save_plage(
        f.plage(id="plage-future", agent_id="agent-1", motif_ids=("m30",), lieu_id="lieu-1",
                first_day=date(2026, 12, 7), recurrence=None)
    )  # fmt: skip
    answer = post(client, f"{ROOT}/agents/agent-1/retirer", {"csrf": csrf}, cookie)
    assert answer.status_code == 303 and answer.headers["Location"].endswith("fait=retire")
    assert store.agents.get("agent-1").roles == {}
    assert "Agent 1" not in text(get(client, f"{ROOT}/agents", cookie))
    today = NOW.date()
    plages = store.planning.plages_of_agent("agent-1", today, today + timedelta(days=400))
    assert plages == []  # the weekly one ended yesterday, the future one is gone
    [ended] = store.planning.plages_of_agent("agent-1", date(2026, 11, 1), today)
    assert ended.recurrence.until == today - timedelta(days=1)
    assert get(client, "/agents", agent_cookie).status_code == 303  # signed out of it
    # The slots the usagers see are those of agent 2 only.
    from chalicelib.services import availability

    slots = availability.slots_between(
        store, pilot.motif, pilot.lieu, date(2026, 12, 1), date(2026, 12, 1), NOW
    )
    assert slots and all(s.agent_ids == ("agent-2",) for s in slots)


def test_an_admin_cannot_remove_themselves(client, store, admin, pilot):
    cookie, csrf = admin
    assert "vous retirer vous-même" in text(get(client, f"{ROOT}/agents/agent-2", cookie))
    answer = post(client, f"{ROOT}/agents/agent-2/retirer", {"csrf": csrf}, cookie)
    assert answer.status_code == 409 and store.agents.get("agent-2").roles == {"org-1": Role.ADMIN}


def test_an_agent_of_another_mds_is_not_found(client, store, admin, elsewhere):
    cookie, csrf = admin
    store.agents.save(Agent("agent-9", "autre@example.fr", "Paul", "Autre", {"org-2": Role.ADMIN}))
    assert get(client, f"{ROOT}/agents/agent-9", cookie).status_code == 404
    for path, fields in (("", {"role": "agent"}), ("/retirer", {}), ("/inviter", {})):
        answer = post(client, f"{ROOT}/agents/agent-9{path}", {"csrf": csrf, **fields}, cookie)
        assert answer.status_code == 404
    assert store.agents.get("agent-9").roles == {"org-2": Role.ADMIN}


# --- sectors --------------------------------------------------------------------------------


def test_sectors_decide_which_mds_the_public_search_finds(client, store, admin, pilot):
    cookie, csrf = admin
    form = text(get(client, f"{ROOT}/secteurs", cookie))
    assert "62100" in form and "Calais" in form
    fields = {
        "csrf": csrf,
        "codes_postaux": "62231, 62100\n62231",
        "communes": "Coquelles\nSangatte\ncoquelles",
    }
    answer = post(client, f"{ROOT}/secteurs", fields, cookie)
    assert answer.status_code == 303
    organisation = store.catalogue.get_organisation("org-1")
    assert organisation.postal_codes == ("62100", "62231")
    assert organisation.communes == ("Coquelles", "Sangatte")
    assert "MDS Test" in text(client.http.get("/recherche?lieu=62231"))
    assert "MDS Test" in text(client.http.get("/recherche?lieu=sanga"))
    assert "MDS Test" not in text(client.http.get("/recherche?lieu=calais"))  # removed


@pytest.mark.parametrize(
    ("codes", "communes", "field", "message"),
    [
        ("6210", "Calais", "codes_postaux", "« 6210 » : un code postal compte 5 chiffres"),
        ("621000", "", "codes_postaux", "5 chiffres"),
        ("62A00 62100", "", "codes_postaux", "« 62A00 »"),
        ("62100", "Calais\n62100", "communes", "sans chiffres"),
        ("", "", "codes_postaux", "au moins un code postal ou une commune"),
    ],
)
def test_a_wrong_sector_is_explained_and_nothing_changes(
    client, store, admin, pilot, codes, communes, field, message
):
    cookie, csrf = admin
    answer = post(
        client,
        f"{ROOT}/secteurs",
        {"csrf": csrf, "codes_postaux": codes, "communes": communes},
        cookie,
    )
    assert answer.status_code == 422
    page = text(answer)
    assert message in page and f'id="{field}-erreur"' in page
    assert codes in page  # kept
    assert store.catalogue.get_organisation("org-1").postal_codes == ("62100",)


# --- the waiting list's limits ----------------------------------------------------------------

WAITING_RULES = {
    "silence_debut": "21:00",
    "silence_fin": "07:30",
    "offres_par_creneau": "2",
    "delai_jours": "4",
    "offres_par_jour": "2",
}


def test_an_admin_sets_the_waiting_list_limits_and_returns_to_the_defaults(
    client, store, admin, pilot
):
    from datetime import time

    from chalicelib.domain.models import WaitingListRules
    from chalicelib.services import waiting_list

    cookie, csrf = admin
    page = text(get(client, f"{ROOT}/liste-attente", cookie))
    assert "La MDS suit les règles par défaut." in page
    assert 'value="20:00"' in page and 'value="08:00"' in page
    assert "Revenir aux règles par défaut" not in page
    answer = post(client, f"{ROOT}/liste-attente", {"csrf": csrf, **WAITING_RULES}, cookie)
    assert answer.status_code == 303
    assert answer.headers["Location"] == f"{ROOT}/liste-attente?fait=liste"
    expected = WaitingListRules(time(21), time(7, 30), 2, 4, 2)
    assert waiting_list.rules_of(store, "org-1") == expected
    page = text(get(client, f"{ROOT}/liste-attente?fait=liste", cookie))
    assert "Les règles de la liste d’attente sont enregistrées." in page
    assert "La MDS a ses propres règles." in page and 'value="07:30"' in page
    assert "règles propres à la MDS" in text(get(client, ROOT, cookie))
    answer = post(client, f"{ROOT}/liste-attente/par-defaut", {"csrf": csrf}, cookie)
    assert answer.status_code == 303
    assert waiting_list.rules_of(store, "org-1") == waiting_list.default_rules(store.settings)
    assert "La MDS suit les règles par défaut." in text(
        get(client, f"{ROOT}/liste-attente", cookie)
    )


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("silence_debut", "vingt heures", "Indiquez une heure, par exemple 20:00."),
        ("silence_fin", "25:00", "Indiquez une heure, par exemple 08:00."),
        ("silence_debut", "07:00", "commencent le soir, au plus tard à 22:00"),
        ("silence_debut", "23:00", "commencent le soir, au plus tard à 22:00"),
        ("silence_fin", "06:00", "finissent au plus tôt à 07:00"),
        ("offres_par_jour", "²", "entre 1 et 5"),
        ("silence_fin", "²:00", "Indiquez une heure"),
        ("offres_par_creneau", "0", "entre 1 et 10"),
        ("delai_jours", "deux", "entre 1 et 60"),
        ("offres_par_jour", "9", "entre 1 et 5"),
    ],
)
def test_a_wrong_waiting_list_limit_is_explained_and_nothing_changes(
    client, store, admin, field, typed, message
):
    cookie, csrf = admin
    fields = {"csrf": csrf, **WAITING_RULES, field: typed}
    answer = post(client, f"{ROOT}/liste-attente", fields, cookie)
    assert answer.status_code == 422
    page = text(answer)
    assert message in page and f'id="{field}-erreur"' in page
    assert f'value="{typed}"' in page  # kept
    assert store.catalogue.get_organisation("org-1", fresh=True).waiting_list_rules is None
