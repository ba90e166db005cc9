"""The public JSON API (`/api/v1/public/…`): the usager pages' use cases for partner
sites and apps, described by the OpenAPI document at `/api/v1/openapi.json`.

Each handler imports api_models (pydantic) itself: `import app` does not pay for it."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.services import availability, booking, catalogue, context, manage
from chalicelib.web import ratelimit
from chalicelib.web.json_api import answer, json_errors, json_response
from chalicelib.web.params import parse_day, query
from chalicelib.web.ratelimit import private_link

api = Blueprint(__name__)
BASE = "/api/v1/public"
MOTIF = BASE + "/organisations/{organisation_id}/motifs/{motif_id}"
JSON = ["application/json"]


def _request():
    return api.current_request


@api.route("/api/v1/openapi.json", methods=["GET"])
def openapi_document():
    from chalicelib.web import openapi_doc

    return json_response(openapi_doc.document())


@api.route(BASE + "/organisations", methods=["GET"])
@json_errors
def organisations():
    from chalicelib.web.api_models import Organisations

    found = catalogue.find_organisations(context.store(), query(_request().query_params, "lieu"))
    return answer(Organisations(organisations=found))


@api.route(BASE + "/organisations/{organisation_id}/services", methods=["GET"])
@json_errors
def services(organisation_id):
    from chalicelib.web.api_models import Service, Services

    store = context.store()
    offers = catalogue.online_offer(store, catalogue.get_organisation(store, organisation_id))
    return answer(Services(services=[Service.of(offer) for offer in offers]))


@api.route(MOTIF + "/lieux", methods=["GET"])
@json_errors
def lieux(organisation_id, motif_id):
    from chalicelib.web.api_models import Lieux

    store = context.store()
    organisation = catalogue.get_organisation(store, organisation_id)
    motif = catalogue.online_motif(store, organisation, motif_id)
    found = availability.lieux_offering(
        store, motif, catalogue.lieux_for_motif(store, organisation, motif), context.now()
    )
    return answer(Lieux(lieux=found))


@api.route(MOTIF + "/lieux/{lieu_id}/slots", methods=["GET"])
@json_errors
def slots(organisation_id, motif_id, lieu_id):
    from chalicelib.web.api_models import Week

    store = context.store()
    choice = catalogue.booking_choice(store, organisation_id, motif_id, lieu_id)
    wanted = parse_day(query(_request().query_params, "week"))
    week = availability.week_of_slots(store, choice.motif, choice.lieu, wanted, context.now())
    return answer(Week.of(week))


@api.route(MOTIF + "/lieux/{lieu_id}/bookings", methods=["POST"], content_types=JSON)
@json_errors
def book(organisation_id, motif_id, lieu_id):
    from chalicelib.web.api_models import Booked, BookingRequest, parse_json

    store, now = context.store(), context.now()
    choice = catalogue.booking_choice(store, organisation_id, motif_id, lieu_id)
    body = parse_json(
        BookingRequest,
        _request().raw_body,
        today=now.date(),
        location_type=choice.motif.location_type,
    )
    request = body.booking_request(choice.organisation, choice.motif, choice.lieu)
    ratelimit.check_booking_allowed(store, _request(), request.phone, now)
    booked = booking.book_rdv(store, request, now)
    return answer(Booked.of(booked.view, booked.manage_token, context.settings().base_url), 201)


@api.route(BASE + "/rdvs/{token}", methods=["GET"])
@json_errors
@private_link(api)
def rdv(token):
    from chalicelib.web.api_models import RdvAnswer

    return answer(RdvAnswer.of(manage.rdv_for_token(context.store(), token, context.now())))


@api.route(BASE + "/rdvs/{token}/cancel", methods=["POST"])
@json_errors
@private_link(api)
def cancel(token):
    from chalicelib.web.api_models import RdvAnswer

    return answer(RdvAnswer.of(manage.cancel_by_usager(context.store(), token, context.now())))


@api.route(BASE + "/rdvs/{token}/move", methods=["POST"], content_types=JSON)
@json_errors
@private_link(api)
def move(token):
    from chalicelib.web.api_models import MoveRequest, RdvAnswer, parse_json

    body = parse_json(MoveRequest, _request().raw_body)
    managed = manage.move_by_usager(context.store(), token, body.starts_at, context.now())
    return answer(RdvAnswer.of(managed))
