"""One rdv on the agents' dashboard: its page, its status changes, rescheduling
(« reporter ») and resending its confirmation.

Every handler reads and writes within the signed-in agent's organisation only (the
services answer 404 for a rdv of another one). A GET never changes anything; every
change is a POST (CSRF-checked by `signed_in`) answered by a 303 to the rdv's page,
whose message says what was done."""

from __future__ import annotations

from urllib.parse import quote

from chalice import Blueprint

from chalicelib.domain.errors import RateLimited
from chalicelib.domain.models import RdvStatus
from chalicelib.domain.text import wall_time
from chalicelib.filters import local
from chalicelib.services import agent_rdvs as rdvs
from chalicelib.services import context, usagers
from chalicelib.web.agents import redirect, render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import form_data, instant, parse_day, query

agent_rdvs = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]

# What the page says after a change (its code in `?fait=`, never a text from the query).
DONE_MESSAGES = {
    "seen": "Le rendez-vous est marqué vu.",
    "noshow": "Le rendez-vous est marqué absent (non excusé).",
    "excused": "Le rendez-vous est annulé à la demande de l’usager, qui en reçoit la confirmation.",
    "revoked": "Le rendez-vous est annulé par la MDS. L’usager en est prévenu.",
    "unknown": "Le rendez-vous est remis à venir / à renseigner.",
    "reporte": "Le rendez-vous est reporté. L’usager est prévenu du nouvel horaire.",
    "renvoi": "La confirmation du rendez-vous est renvoyée à l’usager.",
}


def _request():
    return agent_rdvs.current_request


def _page_url(rdv_id: str) -> str:
    return f"/agents/rdv/{quote(rdv_id, safe='')}"


def _rdv_page(me, rdv_id: str, status_code: int = 200, error: str | None = None, done=None):
    page = rdvs.rdv_page(context.store(), me.organisation.id, rdv_id, context.now())
    return render_agent(
        "agent/rdv.html",
        me,
        status_code=status_code,
        section="agenda",
        page=page,
        error=error,
        done=done,
        phone_display=usagers.phone_display,
    )


@agent_rdvs.route("/agents/rdv/{rdv_id}", methods=["GET"])
@html_errors
@signed_in(agent_rdvs)
def rdv_page(me, rdv_id):
    done = DONE_MESSAGES.get(query(_request().query_params, "fait"))
    return _rdv_page(me, rdv_id, done=done)


@agent_rdvs.route("/agents/rdv/{rdv_id}/statut", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_rdvs)
def set_status(me, rdv_id):
    wanted = form_data(_request().raw_body).get("statut", "")
    if wanted not in {s.value for s in RdvStatus}:
        return _rdv_page(me, rdv_id, 422, error="Choisissez un statut dans la liste.")
    try:
        rdvs.set_status_by_agent(
            context.store(),
            me.organisation.id,
            rdv_id,
            RdvStatus(wanted),
            me.agent.id,
            context.now(),
        )
    except rdvs.Refused as refused:
        return _rdv_page(me, rdv_id, refused.status_code, error=refused.message)
    return redirect(f"{_page_url(rdv_id)}?fait={wanted}")


@agent_rdvs.route("/agents/rdv/{rdv_id}/renvoyer", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_rdvs)
def resend(me, rdv_id):
    try:
        rdvs.resend_confirmation(
            context.store(), me.organisation.id, rdv_id, me.agent.id, context.now()
        )
    except (rdvs.Refused, RateLimited) as refused:
        return _rdv_page(me, rdv_id, refused.status_code, error=refused.message)
    return redirect(f"{_page_url(rdv_id)}?fait=renvoi")


def _reschedule_page(me, rdv_id, wanted=None, agent_id=None, status_code=200, **values):
    page = rdvs.reschedule_page(
        context.store(), me.organisation.id, rdv_id, wanted, agent_id, context.now()
    )
    url = _page_url(rdv_id)

    def week_url(monday):
        agent = f"&agent={quote(page.agent_filter.id)}" if page.agent_filter else ""
        return f"{url}/reporter?semaine={monday.isoformat()}{agent}"

    values.setdefault("errors", {})
    values.setdefault("form", {})
    return render_agent(
        "agent/rdv_reporter.html",
        me,
        status_code=status_code,
        section="agenda",
        page=page,
        rdv_url=url,
        week_url=week_url,
        **values,
    )


@agent_rdvs.route("/agents/rdv/{rdv_id}/reporter", methods=["GET"])
@html_errors
@signed_in(agent_rdvs)
def reschedule_page(me, rdv_id):
    params = _request().query_params
    return _reschedule_page(
        me, rdv_id, parse_day(query(params, "semaine")), query(params, "agent") or None
    )


@agent_rdvs.route("/agents/rdv/{rdv_id}/reporter", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_rdvs)
def reschedule(me, rdv_id):
    """Two forms post here: a free slot (`debut`), or a typed time (`jour`, `heure`,
    `agent_force`) which, when it is no free slot, asks for a confirmation first."""
    data = form_data(_request().raw_body)
    store, now = context.store(), context.now()
    if data.get("mode") == "horaire":
        return _reschedule_at(me, rdv_id, data)
    agent_id = data.get("agent") or None
    starts_at = instant(data.get("debut", ""))
    if starts_at is None:
        return _reschedule_page(
            me,
            rdv_id,
            agent_id=agent_id,
            status_code=422,
            errors={"debut": "Choisissez un créneau."},
        )
    try:
        rdvs.reschedule_to_slot(
            store, me.organisation.id, rdv_id, starts_at, agent_id, me.agent.id, now
        )
    except rdvs.Refused as refused:
        return _reschedule_page(
            me,
            rdv_id,
            local(starts_at).date(),
            agent_id,
            refused.status_code,
            error=refused.message,
        )
    return redirect(f"{_page_url(rdv_id)}?fait=reporte")


def _reschedule_at(me, rdv_id, data):
    store, now = context.store(), context.now()
    form = {k: data.get(k, "") for k in ("jour", "heure", "agent_force")}
    day, at = parse_day(form["jour"]), wall_time(form["heure"])
    errors = {}
    if day is None:
        errors["jour"] = "Indiquez une date (JJ/MM/AAAA)."
    if at is None:
        errors["heure"] = "Indiquez une heure (HH:MM)."
    if errors:
        return _reschedule_page(me, rdv_id, status_code=422, errors=errors, form=form)
    starts_at = rdvs.forced_start(store, day, at)
    confirmed = data.get("confirme") == "oui"
    try:
        outcome = rdvs.reschedule_at(
            store,
            me.organisation.id,
            rdv_id,
            starts_at,
            form["agent_force"],
            me.agent.id,
            now,
            confirmed,
        )
    except rdvs.Refused as refused:
        return _reschedule_page(
            me, rdv_id, status_code=refused.status_code, error=refused.message, form=form
        )
    if isinstance(outcome, rdvs.NeedsConfirmation):
        unconfirmed = data.get("etape") == "confirmation"  # the box was left unticked
        return render_agent(
            "agent/rdv_forcer.html",
            me,
            status_code=422 if unconfirmed else 200,
            section="agenda",
            needed=outcome,
            form=form,
            rdv_url=_page_url(rdv_id),
            unconfirmed=unconfirmed,
        )
    return redirect(f"{_page_url(rdv_id)}?fait=reporte")
