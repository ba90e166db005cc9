"""« Prendre un rendez-vous » for a caller: find or create the usager, choose the motif,
the lieu and a free slot (or force a time, confirmed explicitly), then book on the
write path and go to the rdv's page."""

from __future__ import annotations

from urllib.parse import urlencode

from chalice import Blueprint

from chalicelib.domain.errors import FieldErrors, IdempotencyKeyReused
from chalicelib.domain.models import BookingChannel
from chalicelib.domain.text import wall_time
from chalicelib.filters import slot_param
from chalicelib.routes.agent_usagers import search_results
from chalicelib.services import agent_booking, context, usagers
from chalicelib.web.agents import redirect, render_agent, signed_in
from chalicelib.web.errors import html_errors
from chalicelib.web.params import form_data, instant, parse_day, parse_slot_start, query

agent_booking_pages = Blueprint(__name__)
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]
PAGE = "/agents/prendre-rdv"
CHANNELS = {"telephone": BookingChannel.PHONE, "accueil": BookingChannel.DESK}
LOCATION_LABELS = {
    "public_office": "À la maison des solidarités",
    "phone": "Par téléphone",
    "home": "À domicile",
}


def _request():
    return agent_booking_pages.current_request


def _params() -> dict[str, str]:
    return _request().query_params or {}


def _link(path: str, **values: str | None) -> str:
    kept = {k: v for k, v in values.items() if v}
    return f"{path}?{urlencode(kept)}" if kept else path


def _choice_params(chosen) -> dict[str, str | None]:
    return {
        "usager": chosen.usager.id,
        "motif": chosen.motif.id if chosen.motif else None,
        "lieu": chosen.lieu.id if chosen.lieu else None,
        "agent": chosen.agent.id if chosen.agent else None,
    }


def _booking_page(me, chosen=None, cat=None, status_code=200, **values):
    """Step 1 (no usager yet: search), or step 2 (the usager chosen: motif, lieu,
    agent, the week of slots and the forced-time form)."""
    store, now = context.store(), context.now()
    week = None
    errors = dict(values.pop("errors", None) or {})
    if chosen is not None:
        errors = {**(chosen.errors or {}), **errors}
        if chosen.complete:
            week = agent_booking.week(store, chosen, parse_day(query(_params(), "semaine")), now)
        params = _choice_params(chosen)
        values.update(
            slot_url=lambda slot: _link(
                f"{PAGE}/confirmer", **params, debut=slot_param(slot.starts_at)
            ),
            week_url=lambda monday: _link(PAGE, **params, semaine=monday.isoformat()),
        )
    return render_agent(
        "agent/prendre_rdv.html",
        me,
        status_code=422 if errors and status_code == 200 else status_code,
        section="prendre",
        chosen=chosen,
        cat=cat,
        week=week,
        errors=errors,
        phone_display=usagers.phone_display,
        location_labels=LOCATION_LABELS,
        agent_names={a.id: a.full_name for a in cat.agents} if cat else {},
        **values,
    )


@agent_booking_pages.route(PAGE, methods=["GET"])
@html_errors
@signed_in(agent_booking_pages)
def booking_page(me):
    params = _params()
    usager_id = query(params, "usager")
    if not usager_id:
        text, found, errors = search_results(me, params)
        return _booking_page(
            me,
            q=text,
            found=found,
            errors=errors,
            next_url=lambda cursor: _link(PAGE, q=text, suite=cursor),
        )
    store = context.store()
    cat = agent_booking.catalogue(store, me.organisation.id)
    chosen = agent_booking.choice(
        store,
        me.organisation.id,
        cat,
        usager_id,
        query(params, "motif"),
        query(params, "lieu"),
        query(params, "agent"),
    )
    return _booking_page(me, chosen, cat)


def _confirm_page(me, chosen, starts_at, values, status_code=200, errors=None, message=None):
    """The confirmation form of a time: its free agents to choose from, or, when it is
    not a free slot of the agent, why, with the box to tick to book it anyway."""
    proposed = agent_booking.proposed(context.store(), chosen, starts_at, context.now())
    forced = bool(proposed.reasons)
    cat = agent_booking.catalogue(context.store(), me.organisation.id)
    free_agents = [a for a in cat.agents if a.id in proposed.free_agent_ids]
    return render_agent(
        "agent/prendre_confirmer.html",
        me,
        status_code=status_code,
        section="prendre",
        chosen=chosen,
        starts_at=starts_at,
        proposed=proposed,
        forced=forced,
        free_agents=free_agents,
        values=values,
        errors=errors or {},
        error_message=message,
        phone_display=usagers.phone_display,
        location_labels=LOCATION_LABELS,
        back_url=_link(PAGE, **_choice_params(chosen)),
    )


@agent_booking_pages.route(f"{PAGE}/confirmer", methods=["GET"])
@html_errors
@signed_in(agent_booking_pages)
def confirm_page(me):
    params = _params()
    store = context.store()
    cat = agent_booking.catalogue(store, me.organisation.id)
    chosen = agent_booking.choice(
        store,
        me.organisation.id,
        cat,
        query(params, "usager"),
        query(params, "motif"),
        query(params, "lieu"),
        query(params, "agent"),
    )
    try:
        if not chosen.complete:
            raise FieldErrors(chosen.errors or {"motif": "Choisissez le motif du rendez-vous."})
        if query(params, "debut"):
            starts_at = parse_slot_start(query(params, "debut"))
        else:
            if chosen.agent is None:
                raise FieldErrors({"agent": "Choisissez l’agent pour un horaire imposé."})
            typed_day = query(params, "jour")
            starts_at = agent_booking.forced_start(
                parse_day(typed_day) if typed_day else None,
                wall_time(query(params, "heure")),
                store,
            )
        if starts_at <= context.now():
            raise FieldErrors({"heure": "Cet horaire est déjà passé."})
        values = {"cle": usagers.new_form_key()}
        return _confirm_page(me, chosen, starts_at, values)
    except FieldErrors as error:
        forced_values = {k: query(params, k) for k in ("jour", "heure")}
        return _booking_page(me, chosen, cat, errors=error.errors, forced_values=forced_values)


@agent_booking_pages.route(PAGE, methods=["POST"], content_types=FORM)
@html_errors
@signed_in(agent_booking_pages)
def book(me):
    data = form_data(_request().raw_body)
    store = context.store()
    starts_at = instant(data.get("debut", ""))
    if starts_at is None:
        starts_at = parse_slot_start("")  # 404: no such slot
    request = agent_booking.AgentBookingRequest(
        organisation=me.organisation,
        booked_by=me.agent.id,
        usager_id=data.get("usager", "").strip(),
        motif_id=data.get("motif", "").strip(),
        lieu_id=data.get("lieu", "").strip(),
        starts_at=starts_at,
        agent_id=data.get("agent", "").strip(),
        channel=CHANNELS.get(data.get("canal", "")),
        key=data.get("cle", ""),
        home_address=data.get("adresse", ""),
        force=data.get("forcer") == "oui",
        waiting_list=data.get("liste_attente") == "oui",
    )
    try:
        booked = agent_booking.book_for_caller(store, request, context.now())
    except (FieldErrors, agent_booking.NeedsConfirmation) as error:
        cat = agent_booking.catalogue(store, me.organisation.id)
        chosen = agent_booking.choice(
            store, me.organisation.id, cat, request.usager_id, request.motif_id,
            request.lieu_id, request.agent_id,
        )  # fmt: skip
        if chosen.motif is None:
            raise
        values = {k: data.get(k, "") for k in ("cle", "canal", "adresse", "agent", "liste_attente")}
        message = error.message
        if isinstance(error, IdempotencyKeyReused):
            values["cle"] = usagers.new_form_key()
            message = (
                "Ce formulaire a déjà servi pour un autre rendez-vous. Vérifiez les "
                "informations, puis confirmez à nouveau."
            )
        errors = getattr(error, "errors", {})
        return _confirm_page(me, chosen, starts_at, values, error.status_code, errors, message)
    return redirect(f"/agents/rdv/{booked.rdv.id}")
