"""Usagers on the dashboard (moto): search by name and phone, creation (a child with their
responsable), the record with rdvs and no-shows, corrections of contact details, and
the organisation's walls."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import replace
from datetime import date, timedelta
from urllib.parse import quote

import pytest

from chalicelib.domain.models import CreatedBy, Rdv, RdvStatus, Usager
from chalicelib.services import agent_auth
from tests import factories as f
from tests.integration.conftest import NOW, TUESDAY_9H
from tests.integration.test_agent_auth import PASSWORD, cookie_of, csrf_of, post, sign_in


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    monkeypatch.setattr(context, "now", lambda: NOW)
    return NOW


@pytest.fixture
def signed(client, store, pilot, clock):
    """A signed-in agent of the pilot MDS: (cookie, csrf token)."""
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    store.agents.save(agent)
    cookie = cookie_of(sign_in(client))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    return cookie, csrf_of(page)


def person(store, id, first, last, phone=None, email=None, responsable_id=None, org="org-1", **kw):
    usager = Usager(
        id=id,
        organisation_id=org,
        first_name=first,
        last_name=last,
        phone=phone,
        email=email,
        responsable_id=responsable_id,
        created_at=NOW - timedelta(days=30),
        **kw,
    )
    store.usagers.save(usager)
    return usager


@pytest.fixture
def family(store, pilot):
    """Sophie Martin and her son Léo; Paul Martinez; Marie Dupont; and, in another MDS,
    a Sophie Martin with the same phone."""
    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Ailleurs"))
    return {
        "sophie": person(
            store, "u-sophie", "Sophie", "Martin", "+33612345678", "sophie@example.fr"
        ),
        "leo": person(
            store, "u-leo", "Léo", "Martin", responsable_id="u-sophie", birth_date=date(2022, 3, 14)
        ),
        "paul": person(store, "u-paul", "Paul", "Martinez", "+33698765432"),
        "marie": person(store, "u-marie", "Marie", "Dupont", email="marie@example.fr"),
        "other": person(store, "u-other", "Sophie", "Martin", "+33612345678", org="org-2"),
    }


def get(client, path, cookie):
    return client.http.get(path, headers={"Cookie": cookie})


def names_listed(page: str) -> list[str]:
    return re.findall(r'class="card" href="/agents/usagers/([^"]+)"', page)


def test_search_by_the_start_of_the_name_within_the_organisation(client, signed, family):
    cookie, _ = signed
    page = get(client, "/agents/usagers?q=mart", cookie)
    assert page.status_code == 200
    assert names_listed(page.body.decode()) == ["u-leo", "u-sophie", "u-paul"]  # "last first"
    page = get(client, "/agents/usagers?q=Martin+So", cookie).body.decode()
    assert names_listed(page) == ["u-sophie"]  # never org-2's Sophie Martin
    swapped = get(client, "/agents/usagers?q=marie+DUPONT", cookie).body.decode()
    assert names_listed(swapped) == ["u-marie"]
    assert "Aucun usager trouvé" in get(client, "/agents/usagers?q=zz", cookie).body.decode()
    short = get(client, "/agents/usagers?q=m", cookie)
    assert short.status_code == 422 and "au moins deux lettres" in short.body.decode()


def test_search_by_phone_lists_the_holder_and_their_children(client, signed, family):
    cookie, _ = signed
    page = get(client, "/agents/usagers?q=06+12+34+56+78", cookie).body.decode()
    assert names_listed(page) == ["u-sophie", "u-leo"]
    assert "Enfant de Sophie Martin" in page
    bad = get(client, "/agents/usagers?q=01+23+45+67+89", cookie)
    assert bad.status_code == 422 and "portable" in bad.body.decode()


def test_an_agent_creates_an_usager_once_even_when_the_form_is_sent_twice(
    client, store, signed, pilot
):
    cookie, csrf = signed
    form = get(client, "/agents/usagers/nouveau", cookie).body.decode()
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    fields = {
        "csrf": csrf,
        "cle": key,
        "prenom": " Nadia ",
        "nom": "Benali",
        "naissance": "02/05/1990",
        "telephone": "07 81 22 33 44",
        "email": "Nadia@Example.FR",
        "sms": "oui",
    }
    first = post(client, "/agents/usagers", fields, cookie=cookie)
    again = post(client, "/agents/usagers", fields, cookie=cookie)
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    [nadia] = store.usagers.by_name_prefix("org-1", "benali").items
    assert first.headers["Location"] == f"/agents/usagers/{nadia.id}?cree=1"
    assert (nadia.first_name, nadia.birth_date) == ("Nadia", date(1990, 5, 2))
    assert (nadia.phone, nadia.email) == ("+33781223344", "Nadia@example.fr")
    assert nadia.notify_sms and not nadia.notify_email  # only what was ticked
    assert nadia.expires_at is not None and nadia.expires_at > NOW + timedelta(days=700)
    record = get(client, first.headers["Location"], cookie).body.decode()
    assert "L’usager a été créé." in record and "07 81 22 33 44" in record


def test_a_child_is_created_with_their_responsable_then_booked_for(client, store, signed, pilot):
    cookie, csrf = signed
    form = get(client, "/agents/usagers/nouveau?pour=rdv", cookie).body.decode()
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    answer = post(
        client,
        "/agents/usagers",
        {
            "csrf": csrf,
            "cle": key,
            "pour": "rdv",
            "prenom": "Julie",
            "nom": "Petit",
            "telephone": "0612121212",
            "sms": "oui",
            "rappel_email": "oui",
            "enfant_prenom": "Lina",
            "enfant_nom": "Petit",
            "enfant_naissance": "14/03/2025",
        },
        cookie=cookie,
    )
    assert answer.status_code == 303
    [julie] = store.usagers.by_phone("org-1", "+33612121212")
    [lina] = store.usagers.relatives_of(julie.id)
    assert (lina.first_name, lina.responsable_id, lina.phone) == ("Lina", julie.id, None)
    assert answer.headers["Location"] == f"/agents/prendre-rdv?usager={lina.id}"
    page = get(client, answer.headers["Location"], cookie).body.decode()
    assert "enfant de Julie Petit" in page and "06 12 12 12 12" in page


def test_a_child_is_added_to_a_known_responsable(client, store, signed, family):
    cookie, csrf = signed
    form = get(client, "/agents/usagers/nouveau?responsable=u-sophie", cookie).body.decode()
    assert "Nouvel enfant de Sophie Martin" in form
    key = re.search(r'name="cle" value="([^"]+)"', form).group(1)
    answer = post(
        client,
        "/agents/usagers",
        {"csrf": csrf, "cle": key, "responsable": "u-sophie", "prenom": "Emma", "nom": "Martin"},
        cookie=cookie,
    )
    assert answer.status_code == 303
    children = {u.first_name for u in store.usagers.relatives_of("u-sophie")}
    assert children == {"Léo", "Emma"}
    # Not as a child of another organisation's usager.
    refused = post(
        client,
        "/agents/usagers",
        {"csrf": csrf, "cle": "k" * 22, "responsable": "u-other", "prenom": "Eve", "nom": "Martin"},
        cookie=cookie,
    )
    assert refused.status_code == 404
    assert store.usagers.relatives_of("u-other") == []


def test_a_creation_with_an_invalid_phone_or_email_is_refused_with_the_fields_kept(
    client, store, signed, pilot
):
    cookie, csrf = signed
    answer = post(
        client,
        "/agents/usagers",
        {
            "csrf": csrf,
            "cle": "k" * 22,
            "prenom": "Jean",
            "nom": "Durand",
            "telephone": "03 21 00 00 00",
            "email": "jean@",
            "naissance": "31/02/2020",
        },
        cookie=cookie,
    )
    page = answer.body.decode()
    assert answer.status_code == 422
    assert "portable français" in page and "adresse e-mail n’est pas valide" in page
    assert "format JJ/MM/AAAA" in page and 'value="Durand"' in page
    assert store.usagers.by_name_prefix("org-1", "durand").items == []


def rdv(id, usager_id, starts_at, status=RdvStatus.UNKNOWN, org="org-1"):
    return Rdv(
        id=id,
        organisation_id=org,
        service_id="pmi",
        motif_id="m30",
        agent_id="agent-2",
        lieu_id="lieu-1",
        starts_at=starts_at,
        duration_minutes=30,
        usager_ids=(usager_id,),
        created_by=CreatedBy.USAGER,
        created_at=starts_at - timedelta(days=10),
        status=status,
    )


def test_the_record_shows_contact_relatives_rdvs_and_the_own_no_show_count(
    client, store, signed, family
):
    cookie, _ = signed
    store.usagers.save(replace(family["sophie"], email_invalid=True, notify_sms=False))
    week = timedelta(days=7)
    for index, status in enumerate((RdvStatus.NOSHOW, RdvStatus.SEEN, RdvStatus.NOSHOW)):
        store.rdvs.save(rdv(f"r-past-{index}", "u-sophie", NOW - (index + 1) * week, status))
    store.rdvs.save(rdv("r-next", "u-sophie", TUESDAY_9H))
    store.rdvs.save(rdv("r-leo", "u-leo", NOW - week, RdvStatus.NOSHOW))  # the child's own
    page = get(client, "/agents/usagers/u-sophie", cookie).body.decode()
    assert '<span class="count">2</span>' in page
    upcoming, past = page.split('id="a-venir"')[1].split('id="passes"')
    assert "r-next" in upcoming and "mardi 1er décembre 2026 à 9h00" in upcoming
    assert [m for m in re.findall(r"/agents/rdv/(r-[a-z0-9-]+)", past)] == [
        "r-past-0",
        "r-past-1",
        "r-past-2",
    ]
    assert past.count("Absent (lapin)") == 2 and past.count("Venu") == 1
    assert "06 12 34 56 78" in page and "sophie@example.fr" in page
    assert "Adresse invalide" in page and "Non (refusés)" in page  # the SMS preference
    assert 'href="/agents/usagers/u-leo"' in page
    child = get(client, "/agents/usagers/u-leo", cookie).body.decode()
    assert '<span class="count">1</span>' in child
    assert 'href="/agents/usagers/u-sophie"' in child and "06 12 34 56 78" in child
    # On a phone each row is a card whose cells say their column (`data-label`).
    cells = re.findall(r"<td( data-label=\"[^\"]+\")?>", upcoming + past)
    assert cells and all(cells), cells


def test_another_organisations_usager_is_not_found(client, store, signed, family):
    cookie, csrf = signed
    for path in (
        "/agents/usagers/u-other",
        "/agents/usagers/u-other/modifier",
        "/agents/usagers/nobody",
        "/agents/prendre-rdv?usager=u-other",
    ):
        assert get(client, path, cookie).status_code == 404, path
    answer = post(
        client,
        "/agents/usagers/u-other/modifier",
        {"csrf": csrf, "prenom": "X", "nom": "Y", "telephone": "0611111111"},
        cookie=cookie,
    )
    assert answer.status_code == 404
    assert store.usagers.get("u-other").phone == "+33612345678"


def test_anonymous_visitors_go_to_sign_in(client, family, clock):
    answer = client.http.get("/agents/usagers/u-sophie")
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/agents/connexion?suite=")
    assert "Sophie" not in answer.body.decode()


def test_an_agent_corrects_contact_details_validated_and_stored(client, store, signed, family):
    cookie, csrf = signed
    form = get(client, "/agents/usagers/u-sophie/modifier", cookie).body.decode()
    assert 'value="06 12 34 56 78"' in form and 'value="sophie@example.fr"' in form
    fields = {
        "csrf": csrf,
        "prenom": "Sophie",
        "nom": "Martin-Leroy",
        "naissance": "",
        "telephone": "06 12 34",
        "email": "sophie.martin@example",
        "sms": "oui",
    }
    refused = post(client, "/agents/usagers/u-sophie/modifier", fields, cookie=cookie)
    assert refused.status_code == 422
    assert "numéro de téléphone n’est pas valide" in refused.body.decode()
    assert store.usagers.get("u-sophie") == family["sophie"]  # nothing changed
    fields.update(telephone="+33 7 66 22 33 44", email="sophie.martin@example.fr")
    answer = post(client, "/agents/usagers/u-sophie/modifier", fields, cookie=cookie)
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith("/agents/usagers/u-sophie?modifie=1")
    stored = store.usagers.get("u-sophie")
    assert (stored.last_name, stored.phone, stored.email) == (
        "Martin-Leroy",
        "+33766223344",
        "sophie.martin@example.fr",
    )
    assert stored.notify_sms and not stored.notify_email
    assert names_listed(get(client, "/agents/usagers?q=martin+leroy", cookie).body.decode()) == [
        "u-sophie"
    ]
    assert store.usagers.by_phone("org-1", "+33612345678") == []
    page = get(client, answer.headers["Location"], cookie).body.decode()
    assert "Les informations ont été enregistrées." in page


def test_a_correction_without_the_csrf_token_is_refused(client, store, signed, family):
    cookie, _ = signed
    answer = post(
        client,
        "/agents/usagers/u-sophie/modifier",
        {"prenom": "Sophie", "nom": "Martin", "telephone": "0611111111"},
        cookie=cookie,
    )
    assert answer.status_code == 403
    assert store.usagers.get("u-sophie").phone == "+33612345678"
    creation = post(
        client, "/agents/usagers", {"cle": "k" * 22, "prenom": "A", "nom": "B"}, cookie=cookie
    )
    assert creation.status_code == 403
    assert store.usagers.by_name_prefix("org-1", "b a").items == []


def _cursor(value) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "suite",
    [
        "pas-un-curseur!",
        _cursor(["une", "liste"]),
        _cursor({"a": 1}),
        _cursor({"id": {"S": "u-sophie"}}),
        _cursor({"id": {"S": "u-sophie"}, "organisation_id": {"S": "org-2"},
                 "search_name": {"S": "martin sophie"}}),
        _cursor({"id": {"N": "x"}, "organisation_id": {"S": "org-1"},
                 "search_name": {"S": "martin"}}),
        _cursor({"id": {"S": "u-marie"}, "organisation_id": {"S": "org-1"},
                 "search_name": {"S": "dupont marie"}}),
    ],
)  # fmt: skip
def test_a_tampered_search_cursor_starts_from_the_beginning(client, signed, family, suite):
    """Not base64 JSON, not a key, a key of another organisation or outside the prefix
    searched: the first page again, never a 500."""
    cookie, _ = signed
    for path in ("/agents/usagers", "/agents/prendre-rdv"):
        page = get(client, f"{path}?q=mart&suite={quote(suite)}", cookie)
        assert page.status_code == 200, (path, page.status_code)
        picked = re.findall(r'class="card" href="/agents/(?:usagers/|prendre-rdv\?usager=)([^"]+)"',
                            page.body.decode())  # fmt: skip
        assert picked == ["u-leo", "u-sophie", "u-paul"], path
