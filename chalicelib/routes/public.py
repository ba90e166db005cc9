"""Usager pages: find an MDS, choose a service, a motif, a lieu and a slot, book,
then manage the rdv through its private link. No account, no JavaScript needed.

A GET never changes anything (link scanners open URLs): cancel and move are POSTs."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from urllib.parse import quote

from chalice import Blueprint, Response

from chalicelib.domain.errors import (
    FieldErrors,
    IdempotencyKeyReused,
    NotFound,
    RateLimited,
    SlotTaken,
)
from chalicelib.filters import local, slot_param
from chalicelib.services import availability, booking, catalogue, context, manage, waiting_list
from chalicelib.web import ratelimit
from chalicelib.web.errors import error_page, french_errors, html_errors
from chalicelib.web.params import form_data, parse_day, parse_slot_start, query
from chalicelib.web.ratelimit import private_link
from chalicelib.web.templating import render

public = Blueprint(__name__)
# Chalice's own errors (405, 415, an unhandled exception's 500) in French, for every
# route of the app, pages and API alike (a middleware is app-wide).
public.register_middleware(french_errors, "http")
FORM = ["application/x-www-form-urlencoded", "multipart/form-data"]

LOCATION_LABELS = {
    "public_office": "À la maison des solidarités",
    "phone": "Par téléphone : nous vous appelons",
    "home": "À votre domicile",
}


def _request():
    return public.current_request


def _redirect(location: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": location})


@public.route("/", methods=["GET"])
def home():
    return render("public/home.html")


@public.route("/recherche", methods=["GET"])
@html_errors
def search():
    place = query(_request().query_params, "lieu")
    try:
        organisations = catalogue.find_organisations(context.store(), place)
    except FieldErrors as error:
        return render("public/search.html", status_code=422, query=place, errors=error.errors)
    return render("public/search.html", query=place, organisations=organisations)


@public.route("/mds/{organisation_id}", methods=["GET"])
@html_errors
def organisation_page(organisation_id):
    store = context.store()
    organisation = catalogue.get_organisation(store, organisation_id)
    offers = catalogue.online_offer(store, organisation)
    return render("public/organisation.html", organisation=organisation, offers=offers)


@public.route("/mds/{organisation_id}/services/{service_id}", methods=["GET"])
@html_errors
def service_page(organisation_id, service_id):
    store = context.store()
    organisation = catalogue.get_organisation(store, organisation_id)
    offer = next(
        (o for o in catalogue.online_offer(store, organisation) if o.service.id == service_id),
        None,
    )
    if offer is None:
        raise NotFound("Ce service ne propose pas de rendez-vous en ligne ici.")
    return render(
        "public/motifs.html",
        organisation=organisation,
        service=offer.service,
        motifs=offer.motifs,
        location_labels=LOCATION_LABELS,
    )


@public.route("/mds/{organisation_id}/motifs/{motif_id}", methods=["GET"])
@html_errors
def motif_page(organisation_id, motif_id):
    store = context.store()
    organisation = catalogue.get_organisation(store, organisation_id)
    motif = catalogue.online_motif(store, organisation, motif_id)
    if motif.location_type.value != "public_office":
        return _redirect(f"/mds/{organisation.id}/motifs/{motif.id}/lieux/-")
    lieux = availability.lieux_offering(
        store, motif, catalogue.lieux_for_motif(store, organisation, motif), context.now()
    )
    return render("public/lieux.html", organisation=organisation, motif=motif, lieux=lieux)


def online_cancel_from(motif, now):
    """Slots starting before this instant could no longer be cancelled online once
    booked: the motif's cancellation deadline is already past for them."""
    return now + timedelta(minutes=motif.cancellation_deadline_minutes)


def _booking_path(organisation, motif, lieu) -> str:
    return f"/mds/{organisation.id}/motifs/{motif.id}/lieux/{lieu.id if lieu else '-'}"


def _choice(organisation_id, motif_id, lieu_id):
    store = context.store()
    choice = catalogue.booking_choice(store, organisation_id, motif_id, lieu_id)
    return store, choice.organisation, choice.motif, choice.lieu


@public.route("/mds/{organisation_id}/motifs/{motif_id}/lieux/{lieu_id}", methods=["GET"])
@html_errors
def slots_page(organisation_id, motif_id, lieu_id):
    store, organisation, motif, lieu = _choice(organisation_id, motif_id, lieu_id)
    wanted = parse_day(query(_request().query_params, "semaine"))
    return _slots_page(store, organisation, motif, lieu, wanted)


def _slots_page(store, organisation, motif, lieu, wanted, status_code=200, slot_gone=False):
    """A week of slots; `slot_gone` when it replaces the form of a slot no longer free."""
    now = context.now()
    week = availability.week_of_slots(store, motif, lieu, wanted, now)
    path = _booking_path(organisation, motif, lieu)
    return render(
        "public/slots.html",
        status_code=status_code,
        slot_gone=slot_gone,
        organisation=organisation,
        motif=motif,
        lieu=lieu,
        week=week,
        online_cancel_from=online_cancel_from(motif, now),
        location_labels=LOCATION_LABELS,
        slot_url=lambda slot: f"{path}/reserver?debut={quote(slot_param(slot.starts_at))}",
        week_url=lambda monday: f"{path}?semaine={monday.isoformat()}",
    )


def _form_page(organisation, motif, lieu, starts_at, form, error=None):
    """The booking form; after a failed booking, what was typed with what went wrong."""
    path = _booking_path(organisation, motif, lieu)
    extra = {}
    if isinstance(error, SlotTaken):
        extra = {"slot_taken": True, "next_slots": error.next_slots}
    elif error is not None:  # FieldErrors, RateLimited
        errors = form.errors_shown(getattr(error, "errors", {}))
        extra = {"errors": errors, "error_message": error.message}
    return render(
        "public/booking_form.html",
        status_code=error.status_code if error else 200,
        organisation=organisation,
        motif=motif,
        lieu=lieu,
        starts_at=starts_at,
        cancellable_online=starts_at >= online_cancel_from(motif, context.now()),
        form=form,
        action=f"{path}/reserver",
        slots_url=f"{path}?semaine={starts_at.date().isoformat()}",
        location_labels=LOCATION_LABELS,
        **extra,
    )


@public.route("/mds/{organisation_id}/motifs/{motif_id}/lieux/{lieu_id}/reserver", methods=["GET"])
@html_errors
def booking_form(organisation_id, motif_id, lieu_id):
    from chalicelib.web.forms import BookingForm

    store, organisation, motif, lieu = _choice(organisation_id, motif_id, lieu_id)
    starts_at = parse_slot_start(query(_request().query_params, "debut"))
    now = context.now()
    if availability.slot_at(store, motif, lieu, starts_at, now) is None:  # past, or taken
        day = local(starts_at).date()
        return _slots_page(store, organisation, motif, lieu, day, status_code=409, slot_gone=True)
    form = BookingForm({}, now.date())
    return _form_page(organisation, motif, lieu, starts_at, form)


@public.route(
    "/mds/{organisation_id}/motifs/{motif_id}/lieux/{lieu_id}/reserver",
    methods=["POST"],
    content_types=FORM,
)
@html_errors
def book(organisation_id, motif_id, lieu_id):
    from chalicelib.web.forms import BookingForm

    store, organisation, motif, lieu = _choice(organisation_id, motif_id, lieu_id)
    data = form_data(_request().raw_body)
    starts_at = parse_slot_start(data.get("debut", ""))
    now = context.now()
    form = BookingForm(data, now.date())
    try:
        request = replace(
            form.booking_request(organisation, motif, lieu), known_tokens=_recent_links()
        )
        ratelimit.check_booking_allowed(store, _request(), request.phone, now)
        booked = booking.book_rdv(store, request, now)
    except IdempotencyKeyReused:
        # This form already booked a rdv, then what was typed changed (the back button):
        # a new key for a new request, once the usager has checked it.
        form.key = form.new_key()
        return _form_page(organisation, motif, lieu, starts_at, form, FieldErrors(
            message="Ce formulaire a déjà servi pour un autre rendez-vous. Vérifiez vos "
            "informations, puis confirmez à nouveau."))  # fmt: skip
    except (FieldErrors, SlotTaken, RateLimited) as error:  # on the form
        return _form_page(organisation, motif, lieu, starts_at, form, error)
    answer = _redirect(f"/r/{booked.manage_token}?confirme=1")
    answer.headers["Set-Cookie"] = _recent_links_cookie(booked.manage_token)
    return answer


# The private links of this browser's last bookings, for an hour: the booking form sent
# again after Back (a new one-time key) shows that rdv rather than booking it twice.
RECENT = "rdv_recents"


def _recent_links() -> tuple[str, ...]:
    from http.cookies import SimpleCookie

    cookies = SimpleCookie()
    try:
        cookies.load((_request().headers or {}).get("cookie", ""))
    except Exception:  # a malformed Cookie header is no reason to refuse a booking
        return ()
    value = cookies[RECENT].value if RECENT in cookies else ""
    return tuple(t for t in value.split(".") if 0 < len(t) <= 64)[:3]


def _recent_links_cookie(token: str) -> str:
    tokens = (token, *(t for t in _recent_links() if t != token))[:3]
    secure = "" if context.settings().is_local else "; Secure"
    return f"{RECENT}={'.'.join(tokens)}; Max-Age=3600; Path=/mds; HttpOnly; SameSite=Lax{secure}"


# --- the private manage link -------------------------------------------------------------


def _manage_page(managed, token, status_code=200, **extra):
    manage_url = f"/r/{token}"
    return render(
        "public/manage.html",
        status_code=status_code,
        managed=managed,
        manage_url=manage_url,
        manage_url_full=context.settings().base_url.rstrip("/") + manage_url,
        location_labels=LOCATION_LABELS,
        **extra,
    )


@public.route("/r", methods=["GET"])
def truncated_link():
    """`/r/` (API Gateway drops the trailing slash): a private link cut short."""
    return error_page(
        "Ce lien est incomplet. Copiez le lien en entier depuis le SMS ou l’e-mail reçu, "
        "ou appelez votre maison départementale des solidarités.",
        404,
    )


# The query parameter a redirect after a change adds, and the manage page's flag.
DONE_MESSAGES = {
    "confirme": "confirmed",
    "deplace": "moved",
    "deja": "unchanged",
    "annule": "cancelled",
    "preferences": "preferences_saved",
    "liste": "waiting_saved",
}


@public.route("/r/{token}", methods=["GET"])
@html_errors
@private_link(public)
def manage_page(token):
    """The rdv; after a change (Post/Redirect/Get), what was done, from the query."""
    managed = manage.rdv_for_token(context.store(), token, context.now())
    done = {key: query(_request().query_params, key) == "1" for key in DONE_MESSAGES}
    return _manage_page(managed, token, **{DONE_MESSAGES[key]: on for key, on in done.items()})


@public.route("/r/{token}/annuler", methods=["GET"])
@html_errors
@private_link(public)
def cancel_page(token):
    """« Confirmer l’annulation »: the POST of its button cancels."""
    managed = manage.rdv_for_token(context.store(), token, context.now())
    if managed.rdv.status.value != "unknown":  # already cancelled, or past
        return _redirect(f"/r/{token}")
    if not managed.can_change:
        return _manage_page(managed, token, status_code=409)
    return render(
        "public/cancel_confirm.html",
        managed=managed,
        manage_url=f"/r/{token}",
        location_labels=LOCATION_LABELS,
    )


@public.route("/r/{token}/annuler", methods=["POST"], content_types=FORM)
@html_errors
@private_link(public)
def cancel(token):
    manage.cancel_by_usager(context.store(), token, context.now())
    return _redirect(f"/r/{token}?annule=1")


@public.route("/r/{token}/preferences", methods=["POST"], content_types=FORM)
@html_errors
@private_link(public)
def preferences(token):
    data = form_data(_request().raw_body)
    manage.set_preferences(
        context.store(),
        token,
        sms=data.get("sms") == "oui",
        email=data.get("email") == "oui",
        now=context.now(),
    )
    return _redirect(f"/r/{token}?preferences=1#messages")


@public.route("/r/{token}/preferences", methods=["GET"])
def preferences_page(token):
    """The address a POST of the preferences showed before it redirected: reloaded."""
    return _redirect(f"/r/{quote(token, safe='')}#messages")


@public.route("/r/{token}/deplacer", methods=["GET"])
@html_errors
@private_link(public)
def move_page(token):
    store, now = context.store(), context.now()
    managed = manage.rdv_for_token(store, token, now)
    if not managed.can_change:
        return _manage_page(managed, token, status_code=409)
    wanted = parse_day(query(_request().query_params, "semaine"))
    week = availability.week_of_slots(
        store, managed.motif, managed.lieu, wanted, now, ignore_rdv_id=managed.rdv.id
    )
    return render(
        "public/move.html",
        managed=managed,
        week=week,
        slot_taken=query(_request().query_params, "pris") == "1",
        current_start=managed.rdv.starts_at,
        online_cancel_from=online_cancel_from(managed.motif, now),
        manage_url=f"/r/{token}",
        slot_url=lambda slot: (
            f"/r/{token}/deplacer/confirmer?debut={quote(slot_param(slot.starts_at))}"
        ),
        week_url=lambda monday: f"/r/{token}/deplacer?semaine={monday.isoformat()}",
    )


@public.route("/r/{token}/deplacer/confirmer", methods=["GET"])
@html_errors
@private_link(public)
def move_confirm_page(token):
    managed = manage.rdv_for_token(context.store(), token, context.now())
    starts_at = parse_slot_start(query(_request().query_params, "debut"))
    return render(
        "public/move_confirm.html",
        managed=managed,
        starts_at=starts_at,
        already_then=starts_at == managed.rdv.starts_at,
        manage_url=f"/r/{token}",
    )


@public.route("/r/{token}/deplacer", methods=["POST"], content_types=FORM)
@html_errors
@private_link(public)
def move(token):
    """The move; `sequence` is the rdv's as the confirmation page showed it: unchanged
    after the move, the rdv was already at that time (a double tap's second POST
    finds it moved, and says so)."""
    data = form_data(_request().raw_body)
    starts_at = parse_slot_start(data.get("debut", ""))
    try:
        managed = manage.move_by_usager(context.store(), token, starts_at, context.now())
    except SlotTaken:
        day = local(starts_at).date().isoformat()
        return _redirect(f"/r/{token}/deplacer?pris=1&semaine={day}")
    if data.get("sequence", "") == str(managed.rdv.sequence):
        return _redirect(f"/r/{token}?deja=1")
    return _redirect(f"/r/{token}?deplace=1")


@public.route("/r/{token}/liste-attente", methods=["POST"], content_types=FORM)
@html_errors
@private_link(public)
def waiting_list_choice(token):
    """Join or leave the waiting list: one click each, from the manage page."""
    join = form_data(_request().raw_body).get("liste_attente") == "oui"
    waiting_list.set_waiting(context.store(), token, join, context.now())
    return _redirect(f"/r/{token}?liste=1#liste-attente")


@public.route("/o/{token}", methods=["GET"])
@html_errors
@private_link(public)
def offer_page(token):
    """An earlier slot offered from the waiting list, beside the rdv: reads only."""
    view = waiting_list.offer_for_token(context.store(), token, context.now())
    return _offer_page(view, token)


@public.route("/o/{token}", methods=["POST"], content_types=FORM)
@html_errors
@private_link(public)
def accept_offer(token):
    store, now = context.store(), context.now()
    try:
        view = waiting_list.accept_offer(store, token, now)
    except waiting_list.OfferTaken as taken:
        view = waiting_list.offer_for_token(store, token, now)
        return _offer_page(view, token, taken=str(taken), status_code=taken.status_code)
    return _redirect(f"/o/{token}?accepte=1" if view.moved_now else f"/o/{token}")


def _offer_page(view, token, taken=None, status_code=200):
    store = context.store()
    return render(
        "public/offer.html",
        status_code=status_code,
        view=view,
        offer_url=f"/o/{token}",
        manage_url=f"/r/{waiting_list.manage_token_of(store, view.offer.rdv_id)}",
        just_accepted=query(_request().query_params, "accepte") == "1",
        taken=taken,
        location_labels=LOCATION_LABELS,
    )


@public.route("/r/{token}/rdv.ics", methods=["GET"])
@html_errors
@private_link(public)
def calendar(token):
    body = manage.calendar_for_token(context.store(), token, context.now())
    return Response(
        # Text: Chalice sends bytes only for binary content types, and Lambda cannot
        # serialise bytes in a text answer (API Gateway would answer 502).
        body=body.decode("utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/calendar; charset=utf-8",
            "Content-Disposition": 'attachment; filename="rendez-vous.ics"',
            "Cache-Control": "no-store",
        },
    )
