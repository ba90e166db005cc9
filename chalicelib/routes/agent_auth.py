"""Agents' sign-in, sign-out, forgotten password, password links and the choice of the
organisation to work in. The pages of the dashboard itself are in the other agent_*
blueprints."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.errors import FieldErrors, NotFound, RateLimited
from chalicelib.domain.policies import PASSWORD_MIN_LENGTH
from chalicelib.services import agent_auth, context
from chalicelib.web.agents import (
    cleared_cookie,
    read_token,
    redirect,
    safe_next,
    same_origin,
    session_cookie,
    signed_in,
)
from chalicelib.web.errors import html_errors
from chalicelib.web.params import form_data, query
from chalicelib.web.ratelimit import client_address
from chalicelib.web.templating import render

agent_auth_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]


def _request():
    return agent_auth_pages.current_request


@agent_auth_pages.route("/agents/connexion", methods=["GET"])
@html_errors
def sign_in_page():
    params = _request().query_params or {}
    return render(
        "agent/connexion.html",
        next=safe_next(query(params, "suite")),
        signed_out=params.get("deconnecte") == "1",
        password_set=params.get("mot-de-passe") == "1",
    )


@agent_auth_pages.route("/agents/connexion", methods=["POST"], content_types=FORM)
@html_errors
def sign_in():
    data = form_data(_request().raw_body)
    email, next_page = data.get("email", ""), safe_next(data.get("suite"))
    if not same_origin(_request()):
        return render("agent/connexion.html", status_code=403, next=next_page, email=email,
                      error="Connexion refusée depuis une autre adresse que ce site.")  # fmt: skip
    try:
        token, _ = agent_auth.sign_in(
            context.store(),
            email,
            data.get("mot_de_passe", ""),
            client_address(_request()),
            context.now(),
        )
    except (agent_auth.SignInRefused, RateLimited) as error:
        return render("agent/connexion.html", status_code=error.status_code, next=next_page,
                      email=email, error=error.message)  # fmt: skip
    return redirect(next_page, cookie=session_cookie(token))


@agent_auth_pages.route("/agents/deconnexion", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_auth_pages)
def sign_out(me):
    agent_auth.sign_out(context.store(), read_token(_request()))
    return redirect("/agents/connexion?deconnecte=1", cookie=cleared_cookie())


@agent_auth_pages.route("/agents/organisation", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_auth_pages)
def switch_organisation(me):
    wanted = form_data(_request().raw_body).get("organisation", "")
    agent_auth.switch_organisation(context.store(), me, wanted)
    return redirect("/agents")


@agent_auth_pages.route("/agents/mot-de-passe-oublie", methods=["GET"])
@html_errors
def forgotten_password_page():
    return render("agent/mot_de_passe_oublie.html", sent=False)


@agent_auth_pages.route("/agents/mot-de-passe-oublie", methods=["POST"], content_types=FORM)
@html_errors
def forgotten_password():
    email = form_data(_request().raw_body).get("email", "")
    store = context.store()
    try:
        link = agent_auth.request_password_reset(
            store, email, client_address(_request()), context.now()
        )
    except RateLimited as error:
        return render("agent/mot_de_passe_oublie.html", status_code=429, email=email,
                      error=error.message, sent=False)  # fmt: skip
    if link is not None:
        agent_auth.send_link(store, link)
    return render("agent/mot_de_passe_oublie.html", sent=True)  # the same either way


@agent_auth_pages.route("/agents/mot-de-passe/{token}", methods=["GET"])
@html_errors
def password_page(token):
    try:
        _, agent = agent_auth.open_link(context.store(), token, context.now())
    except NotFound as error:
        return _invalid_link(error)
    return render("agent/mot_de_passe.html", agent=agent, token=token,
                  min_length=PASSWORD_MIN_LENGTH, errors={})  # fmt: skip


@agent_auth_pages.route("/agents/mot-de-passe/{token}", methods=["POST"], content_types=FORM)
@html_errors
def set_password(token):
    data = form_data(_request().raw_body)
    store, now = context.store(), context.now()
    try:
        agent_auth.set_password(
            store, token, data.get("mot_de_passe", ""), data.get("confirmation", ""), now
        )
    except FieldErrors as error:
        _, agent = agent_auth.open_link(store, token, now)
        return render("agent/mot_de_passe.html", status_code=422, agent=agent, token=token,
                      min_length=PASSWORD_MIN_LENGTH, errors=error.errors)  # fmt: skip
    except NotFound as error:
        return _invalid_link(error)
    return redirect("/agents/connexion?mot-de-passe=1")


def _invalid_link(error: NotFound):
    """A used, expired or unknown password link: the way to ask for a new one (the
    usagers' error page would lead to their home)."""
    return render("agent/lien_invalide.html", status_code=404, message=error.message)
