"""The OpenAPI 3.1 document of the public JSON API, served at /api/v1/openapi.json.

A test validates every response of the API tests against it: what is written here is
what the API answers."""

from __future__ import annotations

from typing import Any

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
NULLABLE_STRING = {"type": ["string", "null"]}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string"},
                    "message": {"type": "string", "description": "Message en français"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "Un message par champ à corriger",
                    },
                    "next_slots": {"type": "array", "items": _ref("Slot")},
                },
            }
        },
    },
    "Organisation": {
        "type": "object",
        "required": ["id", "name", "address", "phone"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "address": {"type": "string"},
            "phone": {"type": "string"},
        },
    },
    "Motif": {
        "type": "object",
        "required": ["id", "name", "duration_minutes", "location_type", "instructions"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "duration_minutes": {"type": "integer", "minimum": 1},
            "location_type": {"enum": ["public_office", "phone", "home"]},
            "instructions": {"type": "string"},
        },
    },
    "Service": {
        "type": "object",
        "required": ["id", "name", "motifs"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "motifs": {"type": "array", "items": _ref("Motif")},
        },
    },
    "Lieu": {
        "type": "object",
        "required": ["id", "name", "address", "phone", "opening_info"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "address": {"type": "string"},
            "phone": {"type": "string"},
            "opening_info": {"type": "string"},
        },
    },
    "Slot": {
        "type": "object",
        "required": ["starts_at", "ends_at"],
        "additionalProperties": False,
        "properties": {
            "starts_at": {"type": "string", "format": "date-time", "description": "UTC"},
            "ends_at": {"type": "string", "format": "date-time", "description": "UTC"},
        },
    },
    "Week": {
        "type": "object",
        "required": ["week_start", "days", "previous_week", "next_week", "next_available"],
        "additionalProperties": False,
        "properties": {
            "week_start": {"type": "string", "format": "date"},
            "days": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["date", "slots"],
                    "additionalProperties": False,
                    "properties": {
                        "date": {"type": "string", "format": "date"},
                        "slots": {"type": "array", "items": _ref("Slot")},
                    },
                },
            },
            "previous_week": NULLABLE_STRING,
            "next_week": NULLABLE_STRING,
            "next_available": {"oneOf": [_ref("Slot"), {"type": "null"}]},
        },
    },
    "BookingRequest": {
        "type": "object",
        "required": ["starts_at", "first_name", "last_name"],
        "properties": {
            "starts_at": {"type": "string", "format": "date-time", "example": "2026-12-01T08:00Z"},
            "for_child": {"type": "boolean", "default": False},
            "first_name": {"type": "string"},
            "last_name": {"type": "string"},
            "child": {
                "type": ["object", "null"],
                "properties": {
                    "first_name": {"type": "string"},
                    "last_name": {"type": "string"},
                    "birth_date": {"type": "string", "format": "date"},
                },
            },
            "phone": {"type": ["string", "null"], "description": "Portable français"},
            "email": {"type": ["string", "null"], "format": "email"},
            "notify_sms": {"type": "boolean", "default": True},
            "notify_email": {"type": "boolean", "default": True},
            "idempotency_key": {
                "type": ["string", "null"],
                "minLength": 16,
                "maxLength": 64,
                "description": "Clé aléatoire du client : rejouée, la requête donne le même rdv",
            },
        },
    },
    "Rdv": {
        "type": "object",
        "description": "Le rdv tel que le montre son lien privé : sans nom, téléphone ni e-mail.",
        "required": [
            "starts_at",
            "ends_at",
            "duration_minutes",
            "status",
            "service",
            "organisation",
            "location_type",
            "lieu",
            "can_change",
        ],
        "additionalProperties": False,
        "properties": {
            "starts_at": {"type": "string", "format": "date-time"},
            "ends_at": {"type": "string", "format": "date-time"},
            "duration_minutes": {"type": "integer"},
            "status": {"enum": ["unknown", "seen", "noshow", "excused", "revoked"]},
            "service": NULLABLE_STRING,
            "organisation": _ref("Organisation"),
            "location_type": {"enum": ["public_office", "phone", "home"]},
            "lieu": {"oneOf": [_ref("Lieu"), {"type": "null"}]},
            "can_change": {"type": "boolean"},
        },
    },
    "RdvAnswer": {
        "type": "object",
        "required": ["rdv"],
        "additionalProperties": False,
        "properties": {"rdv": _ref("Rdv")},
    },
    "Booked": {
        "type": "object",
        "required": ["rdv", "manage_token", "manage_url"],
        "additionalProperties": False,
        "properties": {
            "rdv": _ref("Rdv"),
            "manage_token": {"type": "string", "minLength": 22},
            "manage_url": {"type": "string", "format": "uri"},
        },
    },
}


def _list(key: str, item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key],
        "additionalProperties": False,
        "properties": {key: {"type": "array", "items": _ref(item)}},
    }


def document() -> dict[str, Any]:
    not_found = _error("Introuvable")
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "RDV Solidarités – API publique",
            "version": "1.0.0",
            "description": (
                "Prise de rendez-vous en ligne dans les maisons départementales des "
                "solidarités : les mêmes usages que les pages publiques. Messages d’erreur "
                "en français. La réservation est limitée par adresse et par numéro."
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
                        "200": _json(_list("organisations", "Organisation"), "Les MDS"),
                        "422": _error("Code postal ou commune illisible"),
                    },
                }
            },
            BASE + "/organisations/{organisation_id}/services": {
                "get": {
                    "summary": "Services d’une MDS et leurs motifs ouverts en ligne",
                    "parameters": [ORGANISATION_ID],
                    "responses": {
                        "200": _json(_list("services", "Service"), "Les services"),
                        "404": not_found,
                    },
                }
            },
            MOTIF + "/lieux": {
                "get": {
                    "summary": "Lieux où le motif est proposé",
                    "parameters": [ORGANISATION_ID, MOTIF_ID],
                    "responses": {
                        "200": _json(_list("lieux", "Lieu"), "Les lieux"),
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
                    },
                }
            },
            BASE + "/rdvs/{token}/move": {
                "post": {
                    "summary": "Déplacer vers un autre créneau du même motif",
                    "parameters": [TOKEN],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["starts_at"],
                                    "properties": {
                                        "starts_at": {"type": "string", "format": "date-time"}
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(_ref("RdvAnswer"), "Le rdv déplacé"),
                        "400": _error("Corps illisible"),
                        "404": not_found,
                        "409": _error("Créneau pris, trop tard, ou rdv non modifiable"),
                        "410": _error("Lien expiré"),
                        "422": _error("Début du créneau à corriger"),
                    },
                }
            },
        },
        "components": {"schemas": SCHEMAS},
    }
