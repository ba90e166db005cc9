"""Plages d'ouverture and absences on the dashboard (« Plages et absences »): lists,
forms (with a preview of a plage's next days, without JavaScript), deletion, and the
rdvs a change leaves to deal with, each with « Reporter » (to the slot the engine
proposes) and « Annuler » (cancelled by the MDS, the usager told).

Admins manage every agent of the organisation, an agent their own (the services answer
404 for another's). A GET never changes anything; changes are POSTs (CSRF-checked by
`signed_in`) answered by a 303 to the page that says what was done."""

from __future__ import annotations

from urllib.parse import parse_qs, quote

from chalice import Blueprint

from chalicelib.domain.errors import FieldErrors
from chalicelib.domain.models import RdvStatus
from chalicelib.services import agent_rdvs, context
from chalicelib.services import planning_setup as planning
from chalicelib.web.agents import redirect, render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import instant, query

agent_planning = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]
LISTS = ("motifs", "jours")

# What a page says after a change (its code in `?fait=`, never a text from the query).
DONE = {
    "plage": "La plage d’ouverture est enregistrée.",
    "plage-supprimee": "La plage d’ouverture est supprimée.",
    "absence": "L’absence est enregistrée.",
    "absence-supprimee": "L’absence est supprimée.",
    "reporte": "Le rendez-vous est reporté. L’usager est prévenu du nouvel horaire.",
    "annule": "Le rendez-vous est annulé par la MDS. L’usager en est prévenu.",
}


def _request():
    return agent_planning.current_request


def _actor(me) -> planning.Actor:
    return planning.Actor(me.agent.id, me.organisation.id, me.is_admin)


def _typed() -> planning.Typed:
    """The posted form: last value of each field, every value of the checkbox lists."""
    raw = _request().raw_body or b""
    try:
        fields = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    except UnicodeDecodeError:
        fields = {}
    values = {k: v[-1] for k, v in fields.items()}
    return planning.Typed(values, {name: fields.get(name, []) for name in LISTS})


def _today():
    return context.now().astimezone(planning.tz_of(context.store())).date()


def _done():
    return DONE.get(query(_request().query_params, "fait"))


# --- plages ---------------------------------------------------------------------------------


@agent_planning.route("/agents/plages", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def plages_page(me):
    listing = planning.plages_listing(
        context.store(), _actor(me), query(_request().query_params, "agent") or None, _today()
    )
    return render_agent(
        "agent/plages.html", me, section="plages", listing=listing, done=_done(), today=_today()
    )


def _plage_form(me, typed, plage=None, errors=None, status_code=200, previewed=None):
    store = context.store()
    return render_agent(
        "agent/plage_form.html",
        me,
        status_code=status_code,
        section="plages",
        plage=plage,
        values=typed.values,
        lists=typed.lists,
        errors=errors or {},
        choices=planning.form_choices(store, _actor(me), plage),
        repetitions=planning.REPETITIONS,
        weekdays=planning.WEEKDAY_NAMES,
        ranks=planning.RANKS,
        preview=previewed,
    )


@agent_planning.route("/agents/plages/nouvelle", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def new_plage_page(me):
    values = {"agent": me.agent.id, "repetition": "hebdomadaire", "intervalle": "1"}
    return _plage_form(me, planning.Typed(values, {"motifs": [], "jours": []}))


@agent_planning.route("/agents/plages", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_planning)
def create_plage(me):
    return _post_plage(me, None)


@agent_planning.route("/agents/plages/{plage_id}", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def plage_page(me, plage_id):
    plage = planning.get_plage(context.store(), _actor(me), plage_id)
    previewed = planning.preview(context.store(), plage, _today())
    return _plage_form(me, planning.plage_typed(plage), plage, previewed=previewed)


@agent_planning.route("/agents/plages/{plage_id}", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_planning)
def edit_plage(me, plage_id):
    return _post_plage(me, plage_id)


def _post_plage(me, plage_id):
    """Save, or (« Prévisualiser ») show the next days of the plage as typed."""
    store, actor, typed = context.store(), _actor(me), _typed()
    existing = planning.get_plage(store, actor, plage_id) if plage_id else None
    try:
        if typed.get("action") == "apercu":
            plage = planning.plage_from_form(store, actor, typed, plage_id, _today())
            previewed = planning.preview(store, plage, _today())
            return _plage_form(me, typed, existing, previewed=previewed)
        plage, outside = planning.save_plage(store, actor, typed, plage_id, context.now())
    except FieldErrors as error:
        return _plage_form(me, typed, existing, error.errors, error.status_code)
    if outside:
        return redirect(f"/agents/plages/hors-plage?agent={quote(plage.agent_id)}&fait=plage")
    return redirect("/agents/plages?fait=plage")


@agent_planning.route("/agents/plages/{plage_id}/supprimer", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_planning)
def delete_plage(me, plage_id):
    agent_id, outside = planning.delete_plage(context.store(), _actor(me), plage_id, context.now())
    if outside:
        return redirect(f"/agents/plages/hors-plage?agent={quote(agent_id)}&fait=plage-supprimee")
    return redirect("/agents/plages?fait=plage-supprimee")


@agent_planning.route("/agents/plages/hors-plage", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def outside_page(me):
    return _outside(me, query(_request().query_params, "agent") or None, done=_done())


def _outside(me, agent_id, status_code=200, error=None, done=None):
    page = planning.outside_page(context.store(), _actor(me), agent_id, context.now())
    agent = quote(page.agent.id)
    return render_agent(
        "agent/plage_hors_plage.html",
        me,
        status_code=status_code,
        section="plages",
        page=page,
        action_url=lambda rdv_id, verb: (
            f"/agents/plages/hors-plage/{quote(rdv_id)}/{verb}?agent={agent}"
        ),
        error=error,
        done=done,
    )


@agent_planning.route(
    "/agents/plages/hors-plage/{rdv_id}/reporter", methods=["POST"], content_types=FORM
)
@html_errors
@signed_in(agent_planning)
def outside_reschedule(me, rdv_id):
    return _outside_action(me, rdv_id, "reporter")


@agent_planning.route(
    "/agents/plages/hors-plage/{rdv_id}/annuler", methods=["POST"], content_types=FORM
)
@html_errors
@signed_in(agent_planning)
def outside_cancel(me, rdv_id):
    return _outside_action(me, rdv_id, "annuler")


def _outside_action(me, rdv_id, verb):
    agent_id = query(_request().query_params, "agent") or None
    refused = _act(me, rdv_id, verb)
    if refused is not None:
        return _outside(me, agent_id, refused.status_code, error=refused.message)
    agent = f"agent={quote(agent_id)}&" if agent_id else ""
    return redirect(f"/agents/plages/hors-plage?{agent}fait={_done_code(verb)}")


# --- absences -------------------------------------------------------------------------------


@agent_planning.route("/agents/absences", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def absences_page(me):
    listing = planning.absences_listing(
        context.store(), _actor(me), query(_request().query_params, "agent") or None, _today()
    )
    return render_agent("agent/absences.html", me, section="plages", listing=listing, done=_done())


def _absence_form(me, typed, absence=None, errors=None, status_code=200):
    return render_agent(
        "agent/absence_form.html",
        me,
        status_code=status_code,
        section="plages",
        absence=absence,
        values=typed.values,
        lists=typed.lists,
        errors=errors or {},
        choices=planning.form_choices(context.store(), _actor(me)),
        repetitions=planning.REPETITIONS,
        weekdays=planning.WEEKDAY_NAMES,
        ranks=planning.RANKS,
    )


@agent_planning.route("/agents/absences/nouvelle", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def new_absence_page(me):
    values = {"agent": me.agent.id, "repetition": "aucune", "intervalle": "1"}
    return _absence_form(me, planning.Typed(values, {"jours": []}))


@agent_planning.route("/agents/absences", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_planning)
def create_absence(me):
    return _post_absence(me, None)


@agent_planning.route("/agents/absences/{absence_id}", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def absence_page(me, absence_id):
    absence = planning.get_absence(context.store(), _actor(me), absence_id)
    return _absence_form(me, planning.absence_typed(absence), absence)


@agent_planning.route("/agents/absences/{absence_id}", methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_planning)
def edit_absence(me, absence_id):
    return _post_absence(me, absence_id)


def _post_absence(me, absence_id):
    store, actor, typed = context.store(), _actor(me), _typed()
    existing = planning.get_absence(store, actor, absence_id) if absence_id else None
    try:
        absence, covered = planning.save_absence(store, actor, typed, absence_id, context.now())
    except FieldErrors as error:
        return _absence_form(me, typed, existing, error.errors, error.status_code)
    if covered:
        return redirect(f"/agents/absences/{quote(absence.id)}/rdvs?fait=absence")
    return redirect("/agents/absences?fait=absence")


@agent_planning.route(
    "/agents/absences/{absence_id}/supprimer", methods=["POST"], content_types=FORM
)
@html_errors
@signed_in(agent_planning)
def delete_absence(me, absence_id):
    planning.delete_absence(context.store(), _actor(me), absence_id, context.now())
    return redirect("/agents/absences?fait=absence-supprimee")


@agent_planning.route("/agents/absences/{absence_id}/rdvs", methods=["GET"])
@html_errors
@signed_in(agent_planning)
def absence_rdvs_page(me, absence_id):
    return _absence_rdvs(me, absence_id, done=_done())


def _absence_rdvs(me, absence_id, status_code=200, error=None, done=None):
    page = planning.absence_rdvs_page(context.store(), _actor(me), absence_id, context.now())
    base = f"/agents/absences/{quote(absence_id)}/rdvs"
    return render_agent(
        "agent/absence_rdvs.html",
        me,
        status_code=status_code,
        section="plages",
        page=page,
        action_url=lambda rdv_id, verb: f"{base}/{quote(rdv_id)}/{verb}",
        repeats=planning.describe(page.absence.recurrence, page.absence.first_day),
        error=error,
        done=done,
    )


@agent_planning.route(
    "/agents/absences/{absence_id}/rdvs/{rdv_id}/reporter", methods=["POST"], content_types=FORM
)
@html_errors
@signed_in(agent_planning)
def absence_reschedule(me, absence_id, rdv_id):
    return _absence_action(me, absence_id, rdv_id, "reporter")


@agent_planning.route(
    "/agents/absences/{absence_id}/rdvs/{rdv_id}/annuler", methods=["POST"], content_types=FORM
)
@html_errors
@signed_in(agent_planning)
def absence_cancel(me, absence_id, rdv_id):
    return _absence_action(me, absence_id, rdv_id, "annuler")


def _absence_action(me, absence_id, rdv_id, verb):
    planning.get_absence(context.store(), _actor(me), absence_id)
    refused = _act(me, rdv_id, verb)
    if refused is not None:
        return _absence_rdvs(me, absence_id, refused.status_code, error=refused.message)
    return redirect(f"/agents/absences/{quote(absence_id)}/rdvs?fait={_done_code(verb)}")


# --- the two actions on a listed rdv ----------------------------------------------------------


def _done_code(verb: str) -> str:
    return "reporte" if verb == "reporter" else "annule"


def _act(me, rdv_id, verb):
    """« reporter » to the posted slot (`debut`), or « annuler » (revoked: the MDS
    cancels, and the usager is told with the MDS's phone). Returns the refusal, if any."""
    store, now = context.store(), context.now()
    try:
        if verb == "reporter":
            starts_at = instant(_typed().get("debut"))
            if starts_at is None:
                raise agent_rdvs.Refused("Ce créneau n’existe pas. Rechargez la page.")
            agent_rdvs.reschedule_to_slot(
                store, me.organisation.id, rdv_id, starts_at, None, me.agent.id, now
            )
        elif verb == "annuler":
            agent_rdvs.set_status_by_agent(
                store, me.organisation.id, rdv_id, RdvStatus.REVOKED, me.agent.id, now
            )
    except agent_rdvs.Refused as refused:
        return refused
    return None
