"""The agents' day: their home (today's rdvs and the past ones still to mark), day and
week views per agent, the lieux and a lieu's day (printable on one A4 page).

Every page reads within the session's organisation only (services/agenda.py): a lieu
or an agent of another organisation is a 404."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.domain.errors import NotFound
from chalicelib.services import agenda, context
from chalicelib.web.agents import render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import parse_day, query

agent_agenda = Blueprint(__name__)


def _params() -> dict[str, str]:
    return agent_agenda.current_request.query_params or {}


def _day(text: str, default):
    """A day from a link or the date field; today when absent, a 404 when unreadable."""
    if not text:
        return default
    day = parse_day(text)
    if day is None:
        raise NotFound("Cette date n’est pas valable. Choisissez un jour dans l’agenda.")
    return day


@agent_agenda.route("/agents", methods=["GET"])
@html_errors
@signed_in(agent_agenda)
def home(me):
    view = agenda.home(context.store(), me, context.now())
    return render_agent("agent/home.html", me, section="accueil", view=view)


@agent_agenda.route("/agents/agenda", methods=["GET"])
@html_errors
@signed_in(agent_agenda)
def agent_agenda_page(me):
    store, now, params = context.store(), context.now(), _params()
    today = agenda.today(store, now)
    week = bool(query(params, "semaine"))
    day = _day(query(params, "semaine") if week else query(params, "jour"), today)
    view = agenda.agent_agenda(store, me, query(params, "agent") or None, day, now, week=week)
    return render_agent("agent/agenda_agent.html", me, section="agenda", view=view)


@agent_agenda.route("/agents/lieux", methods=["GET"])
@html_errors
@signed_in(agent_agenda)
def lieux_page(me):
    store = context.store()
    return render_agent(
        "agent/lieu_list.html",
        me,
        section="lieux",
        lieux=agenda.lieux(store, me),
        today=agenda.today(store, context.now()),
    )


@agent_agenda.route("/agents/lieux/{lieu_id}", methods=["GET"])
@html_errors
@signed_in(agent_agenda)
def lieu_day_page(me, lieu_id):
    store, now = context.store(), context.now()
    day = _day(query(_params(), "jour"), agenda.today(store, now))
    view = agenda.lieu_day(store, me, lieu_id, day, now)
    return render_agent("agent/lieu_day.html", me, section="lieux", view=view)
