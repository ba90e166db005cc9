"""The OpenAPI 3.1 document of the public JSON API, served at /api/v1/openapi.json.

The paths and operations are written here; every schema they name is generated from
the pydantic models of api_models.py, which validate the requests and serialise the
answers: the document and the code cannot drift. A test also validates every response
of the API tests against it. Loads pydantic: import it inside the handler."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, models_json_schema

from chalicelib.web.api_models import ANSWERS, REQUESTS

BASE = "/api/v1/public"
MOTIF = BASE + "/organisations/{organisation_id}/motifs/{motif_id}"


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _error(description: str) -> dict[str, Any]:
    return _json(_ref("Error"), description)


def _path_param(name: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string"},
    }


ORGANISATION_ID = _path_param("organisation_id", "Identifiant de la MDS")
MOTIF_ID = _path_param("motif_id", "Identifiant du motif")
LIEU_ID = _path_param(
    "lieu_id", "Identifiant du lieu, ou `-` pour un rdv par téléphone ou à domicile"
)
TOKEN = _path_param("token", "Jeton du lien privé du rdv")


class _Schemas(GenerateJsonSchema):
    """pydantic's JSON Schema without a title per property (the names say it)."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False


def schemas() -> dict[str, Any]:
    """The components: request models as they validate, answers as they serialise."""
    _, top = models_json_schema(
        [(model, "validation") for model in REQUESTS]
        + [(model, "serialization") for model in ANSWERS],
        ref_template="#/components/schemas/{model}",
        schema_generator=_Schemas,
    )
    return top["$defs"]


@cache
def document() -> dict[str, Any]:
    not_found = _error("Introuvable")
    unknown_links = _error("Trop de liens inconnus essayés depuis cette adresse (Retry-After)")
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {
            "title": "RDV Solidarités – API publique",
            "version": "1.0.0",
            "description": (
                "Prise de rendez-vous en ligne dans les maisons départementales des "
                "solidarités : les mêmes usages que les pages publiques. Messages d’erreur "
                "en français. La réservation est limitée par adresse et par numéro, les "
                "jetons de lien privé inconnus par adresse. Les heures sont en UTC, au "
                "format RFC 3339 (2026-12-01T08:00:00Z)."
            ),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "paths": {
            BASE + "/organisations": {
                "get": {
                    "summary": "MDS qui couvrent un code postal ou une commune",
                    "parameters": [
                        {
                            "name": "lieu",
                            "in": "query",
                            "required": True,
                            "schema": {"type": "string"},
                            "example": "62100",
                        }
                    ],
                    "responses": {
                        "200": _json(_ref("Organisations"), "Les MDS"),
                        "422": _error("Code postal ou commune illisible"),
                    },
                }
            },
            BASE + "/organisations/{organisation_id}/services": {
                "get": {
                    "summary": "Services d’une MDS et leurs motifs ouverts en ligne",
                    "parameters": [ORGANISATION_ID],
                    "responses": {
                        "200": _json(_ref("Services"), "Les services"),
                        "404": not_found,
                    },
                }
            },
            MOTIF + "/lieux": {
                "get": {
                    "summary": "Lieux où le motif est proposé",
                    "description": (
                        "Pour un motif par téléphone ou à domicile (`location_type` "
                        "`phone` ou `home`), la liste est vide : ses créneaux et ses "
                        "réservations prennent `-` comme lieu."
                    ),
                    "parameters": [ORGANISATION_ID, MOTIF_ID],
                    "responses": {
                        "200": _json(_ref("Lieux"), "Les lieux (aucun sans lieu)"),
                        "404": not_found,
                        "409": _error("Motif fermé à la réservation en ligne"),
                    },
                }
            },
            MOTIF + "/lieux/{lieu_id}/slots": {
                "get": {
                    "summary": "Créneaux libres d’une semaine",
                    "parameters": [
                        ORGANISATION_ID,
                        MOTIF_ID,
                        LIEU_ID,
                        {
                            "name": "week",
                            "in": "query",
                            "required": False,
                            "schema": {"type": "string", "format": "date"},
                        },
                    ],
                    "responses": {
                        "200": _json(_ref("Week"), "La semaine"),
                        "404": not_found,
                        "409": _error("Motif fermé à la réservation en ligne"),
                    },
                }
            },
            MOTIF + "/lieux/{lieu_id}/bookings": {
                "post": {
                    "summary": "Réserver un créneau",
                    "parameters": [ORGANISATION_ID, MOTIF_ID, LIEU_ID],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("BookingRequest")}},
                    },
                    "responses": {
                        "201": _json(_ref("Booked"), "Rdv réservé ; gardez le lien privé"),
                        "400": _error("Corps illisible"),
                        "404": not_found,
                        "409": _error("Créneau déjà pris (avec les suivants) ou motif fermé"),
                        "422": _error("Champs à corriger"),
                        "429": _error("Trop de réservations"),
                    },
                }
            },
            BASE + "/rdvs/{token}": {
                "get": {
                    "summary": "Le rdv d’un lien privé",
                    "parameters": [TOKEN],
                    "responses": {
                        "200": _json(_ref("RdvAnswer"), "Le rdv"),
                        "404": not_found,
                        "410": _error("Lien expiré"),
                        "429": unknown_links,
                    },
                }
            },
            BASE + "/rdvs/{token}/cancel": {
                "post": {
                    "summary": "Annuler (jusqu’au délai du motif)",
                    "parameters": [TOKEN],
                    "responses": {
                        "200": _json(_ref("RdvAnswer"), "Le rdv annulé"),
                        "404": not_found,
                        "409": _error("Trop tard, ou rdv déjà passé ou annulé"),
                        "410": _error("Lien expiré"),
                        "429": unknown_links,
                    },
                }
            },
            BASE + "/rdvs/{token}/move": {
                "post": {
                    "summary": "Déplacer vers un autre créneau du même motif",
                    "parameters": [TOKEN],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("MoveRequest")}},
                    },
                    "responses": {
                        "200": _json(_ref("RdvAnswer"), "Le rdv déplacé"),
                        "400": _error("Corps illisible"),
                        "404": not_found,
                        "409": _error("Créneau pris, trop tard, ou rdv non modifiable"),
                        "410": _error("Lien expiré"),
                        "429": unknown_links,
                        "422": _error("Début du créneau à corriger"),
                    },
                }
            },
        },
        "components": {"schemas": schemas()},
    }
    # Any operation may also answer 405 (another method), 415 (not JSON), 429 or 500, in
    # the same shape (see web/errors.py: french_errors).
    other = _error("Autre erreur : méthode (405), type de contenu (415), serveur (500)")
    for item in doc["paths"].values():
        for operation in item.values():
            operation["responses"]["default"] = other
    return doc
