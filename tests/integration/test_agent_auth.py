"""Agents' sign-in, sessions, CSRF and password links, through the pages (moto)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest

from chalicelib.domain.errors import NotFound
from chalicelib.domain.models import Role
from chalicelib.services import agent_auth
from tests.integration.conftest import NOW

PASSWORD = "un mot de passe long"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def clock(monkeypatch):
    from chalicelib.services import context

    state = {"now": NOW}
    monkeypatch.setattr(context, "now", lambda: state["now"])
    return state


@pytest.fixture
def agent(store, pilot):
    agent = replace(pilot.agents[0], password_hash=agent_auth.hash_password(PASSWORD))
    store.agents.save(agent)
    return agent


def post(client, path, fields, cookie=None, **headers):
    headers = {**FORM, **headers}
    if cookie:
        headers["Cookie"] = cookie
    return client.http.post(path, headers=headers, body=urlencode(fields))


def sign_in(client, email="agent1@example.fr", password=PASSWORD, **headers):
    return post(client, "/agents/connexion", {"email": email, "mot_de_passe": password}, **headers)


def cookie_of(answer) -> str:
    return answer.headers["Set-Cookie"].split(";")[0]


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def test_an_agent_signs_in_with_a_safe_cookie_and_sees_their_home(client, agent, clock):
    answer = sign_in(client)
    assert answer.status_code == 303 and answer.headers["Location"] == "/agents"
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/agents" in cookie
    assert len(cookie_of(answer).split("=", 1)[1]) >= 43  # 256 random bits
    home = client.http.get("/agents", headers={"Cookie": cookie_of(answer)})
    assert home.status_code == 200 and "Bonjour Agent" in home.body.decode()
    assert home.headers["X-Frame-Options"] == "DENY"  # the public pages' headers


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(client, agent, clock):
    wrong = sign_in(client, password="pas le bon mot de passe")
    unknown = sign_in(client, email="personne@example.fr")
    assert wrong.status_code == unknown.status_code == 401
    message = "Adresse e-mail ou mot de passe incorrect."
    assert message in wrong.body.decode() and message in unknown.body.decode()
    assert "Set-Cookie" not in wrong.headers


def test_sign_in_is_throttled_per_account_after_five_failures(client, agent, clock):
    for _ in range(5):
        assert sign_in(client, password="mauvais mot de passe").status_code == 401
    refused = sign_in(client)  # even the right password, for a while
    assert refused.status_code == 429 and "Réessayez dans" in refused.body.decode()
    clock["now"] = NOW + timedelta(minutes=16)
    assert sign_in(client).status_code == 303


def test_anonymous_visitors_go_to_the_sign_in_page(client, pilot, clock):
    answer = client.http.get("/agents")
    assert answer.status_code == 303
    assert answer.headers["Location"] == "/agents/connexion?suite=/agents"


def test_a_session_ends_after_two_idle_hours_and_after_twelve_in_all(client, agent, clock):
    cookie = cookie_of(sign_in(client))
    for hours in range(1, 12):  # used every hour: still valid until the 12th hour
        clock["now"] = NOW + timedelta(hours=hours)
        assert client.http.get("/agents", headers={"Cookie": cookie}).status_code == 200
    clock["now"] = NOW + timedelta(hours=12, minutes=1)
    assert client.http.get("/agents", headers={"Cookie": cookie}).status_code == 303
    clock["now"] = NOW
    other = cookie_of(sign_in(client))
    clock["now"] = NOW + timedelta(hours=2, minutes=1)
    assert client.http.get("/agents", headers={"Cookie": other}).status_code == 303


def test_signing_out_revokes_the_session_on_the_server(client, agent, clock):
    cookie = cookie_of(sign_in(client))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    answer = post(client, "/agents/deconnexion", {"csrf": csrf_of(page)}, cookie=cookie)
    assert answer.status_code == 303 and "Max-Age=0" in answer.headers["Set-Cookie"]
    assert client.http.get("/agents", headers={"Cookie": cookie}).status_code == 303


def test_a_post_without_the_csrf_token_or_from_another_origin_is_refused(client, agent, clock):
    cookie = cookie_of(sign_in(client))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    assert post(client, "/agents/deconnexion", {}, cookie=cookie).status_code == 403
    forged = post(client, "/agents/deconnexion", {"csrf": "0" * 64}, cookie=cookie)
    assert forged.status_code == 403 and "expiré" in forged.body.decode()
    elsewhere = post(client, "/agents/deconnexion", {"csrf": csrf_of(page)}, cookie=cookie,
                     Origin="https://evil.example")  # fmt: skip
    assert elsewhere.status_code == 403
    # Still signed in: nothing was done.
    assert client.http.get("/agents", headers={"Cookie": cookie}).status_code == 200


def test_a_reset_link_works_once_within_the_hour(client, store, agent, clock):
    link = agent_auth.request_password_reset(store, "AGENT1@example.fr", None, NOW)
    assert link is not None and link.agent.id == agent.id
    assert agent_auth.request_password_reset(store, "personne@example.fr", None, NOW) is None
    path = f"/agents/mot-de-passe/{link.token}"
    assert client.http.get(path).status_code == 200  # opening it changes nothing
    short = post(client, path, {"mot_de_passe": "court", "confirmation": "court"})
    assert short.status_code == 422 and "au moins 12 caractères" in short.body.decode()
    new = "un tout autre mot de passe"
    done = post(client, path, {"mot_de_passe": new, "confirmation": new})
    assert done.status_code == 303
    assert post(client, path, {"mot_de_passe": new, "confirmation": new}).status_code == 404
    assert sign_in(client, password=new).status_code == 303
    assert sign_in(client).status_code == 401  # the old one no longer works
    late = agent_auth.request_password_reset(store, "agent1@example.fr", None, NOW)
    clock["now"] = NOW + timedelta(hours=1, minutes=1)
    assert client.http.get(f"/agents/mot-de-passe/{late.token}").status_code == 404


def test_a_password_reset_signs_out_everywhere(client, store, agent, clock):
    cookie = cookie_of(sign_in(client))
    link = agent_auth.request_password_reset(store, "agent1@example.fr", None, NOW)
    new = "un tout autre mot de passe"
    post(client, f"/agents/mot-de-passe/{link.token}", {"mot_de_passe": new, "confirmation": new})
    assert client.http.get("/agents", headers={"Cookie": cookie}).status_code == 303


def test_the_forgotten_password_page_says_the_same_whether_the_email_exists(client, agent, clock):
    known = post(client, "/agents/mot-de-passe-oublie", {"email": "agent1@example.fr"})
    unknown = post(client, "/agents/mot-de-passe-oublie", {"email": "personne@example.fr"})
    assert known.status_code == unknown.status_code == 200
    assert "Si un compte existe" in known.body.decode()
    assert known.body == unknown.body


def test_an_admin_invites_an_agent_who_sets_a_password_and_signs_in(client, store, agent, clock):
    admin = replace(agent, roles={"org-1": Role.ADMIN})
    store.agents.save(admin)
    context = agent_auth.sign_in(store, admin.email, PASSWORD, None, NOW)[1]
    link = agent_auth.invite_agent(store, context, "Nouvelle@Example.fr", "Léa", "Roux",
                                   Role.AGENT, NOW)  # fmt: skip
    assert link is not None and store.agents.get_by_email("nouvelle@example.fr").roles == {
        "org-1": Role.AGENT
    }
    new = "le mot de passe de Léa"
    post(client, f"/agents/mot-de-passe/{link.token}", {"mot_de_passe": new, "confirmation": new})
    assert sign_in(client, email="nouvelle@example.fr", password=new).status_code == 303
    plain = agent_auth.sign_in(store, "nouvelle@example.fr", new, None, NOW)[1]
    with pytest.raises(NotFound):
        agent_auth.invite_agent(store, plain, "x@example.fr", "X", "Y", Role.AGENT, NOW)


def test_an_agent_of_several_organisations_switches(client, store, agent, clock):
    from tests import factories as f

    store.catalogue.save_organisation(f.organisation(id="org-2", name="MDS Deux"))
    store.agents.save(replace(agent, roles={"org-1": Role.AGENT, "org-2": Role.ADMIN}))
    cookie = cookie_of(sign_in(client))
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    assert "MDS Deux" in page
    answer = post(client, "/agents/organisation", {"csrf": csrf_of(page), "organisation": "org-2"},
                  cookie=cookie)  # fmt: skip
    assert answer.status_code == 303
    page = client.http.get("/agents", headers={"Cookie": cookie}).body.decode()
    assert '<option value="org-2" selected>' in page
    refused = post(client, "/agents/organisation", {"csrf": csrf_of(page), "organisation": "org-9"},
                   cookie=cookie)  # fmt: skip
    assert refused.status_code == 404


def test_after_signing_in_the_agent_is_back_on_the_page_they_asked_for(client, agent, clock):
    answer = client.http.get("/agents/rdv/some-rdv")
    assert answer.headers["Location"] == "/agents/connexion?suite=/agents/rdv/some-rdv"
    page = client.http.get(answer.headers["Location"]).body.decode()
    assert 'name="suite" value="/agents/rdv/some-rdv"' in page
    signed = post(client, "/agents/connexion", {"email": agent.email, "mot_de_passe": PASSWORD,
                                                "suite": "/agents/rdv/some-rdv"})  # fmt: skip
    assert signed.headers["Location"] == "/agents/rdv/some-rdv"
    # Never elsewhere than the dashboard.
    elsewhere = post(client, "/agents/connexion", {"email": agent.email, "mot_de_passe": PASSWORD,
                                                   "suite": "//evil.example/agents"})  # fmt: skip
    assert elsewhere.headers["Location"] == "/agents"


def test_a_used_or_unknown_password_link_offers_a_new_one(client, agent, clock):
    for method, body in (
        ("GET", None),
        ("POST", {"mot_de_passe": "x" * 12, "confirmation": "x" * 12}),
    ):
        if method == "GET":
            answer = client.http.get("/agents/mot-de-passe/nimporte-quoi")
        else:
            answer = post(client, "/agents/mot-de-passe/nimporte-quoi", body)
        page = answer.body.decode()
        assert answer.status_code == 404, method
        assert "Ce lien n’est plus valable" in page
        assert 'href="/agents/mot-de-passe-oublie"' in page  # not the usagers' home
        assert "Revenir à l’accueil" not in page
