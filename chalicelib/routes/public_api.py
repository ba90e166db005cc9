"""The public JSON API (`/api/v1/public/…`): the usager pages' use cases for partner
sites and apps, described by the OpenAPI document at `/api/v1/openapi.json`.

The handlers that read a body import api_models (pydantic) themselves: `import app`
does not pay for it."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib.services import availability, booking, catalogue, context, manage
from chalicelib.web import json_api as serialise
from chalicelib.web import ratelimit
from chalicelib.web.json_api import json_errors, json_response
from chalicelib.web.params import parse_day, query

api = Blueprint(__name__)
BASE = "/api/v1/public"
MOTIF = BASE + "/organisations/{organisation_id}/motifs/{motif_id}"


def _request():
    return api.current_request


@api.route("/api/v1/openapi.json", methods=["GET"])
def openapi_document():
    from chalicelib.web import openapi_doc

    return json_response(openapi_doc.document())


@api.route(BASE + "/organisations", methods=["GET"])
@json_errors
def organisations():
    found = catalogue.find_organisations(context.store(), query(_request().query_params, "lieu"))
    return json_response({"organisations": [serialise.organisation(o) for o in found]})


@api.route(BASE + "/organisations/{organisation_id}/services", methods=["GET"])
@json_errors
def services(organisation_id):
    store = context.store()
    offers = catalogue.online_offer(store, catalogue.get_organisation(store, organisation_id))
    return json_response(
        {
            "services": [
                {
                    "id": o.service.id,
                    "name": o.service.name,
                    "motifs": [serialise.motif(m) for m in o.motifs],
                }
                for o in offers
            ]
        }
    )


@api.route(MOTIF + "/lieux", methods=["GET"])
@json_errors
def lieux(organisation_id, motif_id):
    store = context.store()
    organisation = catalogue.get_organisation(store, organisation_id)
    motif = catalogue.online_motif(store, organisation, motif_id)
    found = availability.lieux_offering(
        store, motif, catalogue.lieux_for_motif(store, organisation, motif), context.now()
    )
    return json_response({"lieux": [serialise.lieu(place) for place in found]})


def _choice(organisation_id, motif_id, lieu_id):
    store = context.store()
    choice = catalogue.booking_choice(store, organisation_id, motif_id, lieu_id)
    return store, choice.organisation, choice.motif, choice.lieu


@api.route(MOTIF + "/lieux/{lieu_id}/slots", methods=["GET"])
@json_errors
def slots(organisation_id, motif_id, lieu_id):
    store, _organisation, motif, lieu = _choice(organisation_id, motif_id, lieu_id)
    wanted = parse_day(query(_request().query_params, "week"))
    week = availability.week_of_slots(store, motif, lieu, wanted, context.now())
    return json_response(serialise.week(week))


@api.route(
    MOTIF + "/lieux/{lieu_id}/bookings", methods=["POST"], content_types=["application/json"]
)
@json_errors
def book(organisation_id, motif_id, lieu_id):
    from chalicelib.web.api_models import BookingRequest, parse_json

    store, organisation, motif, lieu = _choice(organisation_id, motif_id, lieu_id)
    now = context.now()
    body = parse_json(BookingRequest, _request().raw_body, today=now.date())
    request = body.booking_request(organisation, motif, lieu)
    ratelimit.check_booking_allowed(store, _request(), request.phone, now)
    booked = booking.book_rdv(store, request, now)
    managed = manage.rdv_for_token(store, booked.manage_token, now)
    base = context.settings().base_url.rstrip("/")
    return json_response(
        {
            "rdv": serialise.managed_rdv(managed),
            "manage_token": booked.manage_token,
            "manage_url": f"{base}/r/{booked.manage_token}",
        },
        201,
    )


@api.route(BASE + "/rdvs/{token}", methods=["GET"])
@json_errors
def rdv(token):
    managed = manage.rdv_for_token(context.store(), token, context.now())
    return json_response({"rdv": serialise.managed_rdv(managed)})


@api.route(BASE + "/rdvs/{token}/cancel", methods=["POST"])
@json_errors
def cancel(token):
    managed = manage.cancel_by_usager(context.store(), token, context.now())
    return json_response({"rdv": serialise.managed_rdv(managed)})


@api.route(BASE + "/rdvs/{token}/move", methods=["POST"], content_types=["application/json"])
@json_errors
def move(token):
    from chalicelib.web.api_models import MoveRequest, parse_json

    body = parse_json(MoveRequest, _request().raw_body)
    managed = manage.move_by_usager(context.store(), token, body.starts_at, context.now())
    return json_response({"rdv": serialise.managed_rdv(managed)})
