"""The agents' day: their home (today's rdvs and the past ones still to mark), day and
week views per agent, the day of a lieu (printable)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.web.agents import render_agent, signed_in
from chalicelib.web.errors import html_errors

agent_agenda = Blueprint(__name__)


@agent_agenda.route("/agents", methods=["GET"])
@html_errors
@signed_in(agent_agenda)
def home(me):
    return render_agent("agent/home.html", me, section="accueil")
