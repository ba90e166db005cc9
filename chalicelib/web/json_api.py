"""JSON side of the public API: serialisation, errors as JSON in one place."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from chalice import Response

from chalicelib.domain.errors import DomainError, FieldErrors, SlotTaken
from chalicelib.filters import slot_param

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def json_response(body: Any, status_code: int = 200) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False), status_code=status_code, headers=JSON_HEADERS
    )


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def json_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Every DomainError becomes `{"error": {"code", "message", ...}}` with its status."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except FieldErrors as error:
            code = "invalid" if error.status_code == 422 else "bad_request"
            return json_response(
                error_body(code, error.message, fields=error.errors), error.status_code
            )
        except SlotTaken as error:
            body = error_body("slot_taken", error.message, next_slots=slots(error.next_slots))
            return json_response(body, 409)
        except DomainError as error:
            code = type(error).__name__.lower() if error.status_code != 404 else "not_found"
            return json_response(error_body(code, error.message), error.status_code)

    return wrapper


def iso(value: datetime) -> str:
    return slot_param(value)


def slots(values: list[Any]) -> list[dict[str, str]]:
    return [{"starts_at": iso(s.starts_at), "ends_at": iso(s.ends_at)} for s in values]


def organisation(o: Any) -> dict[str, Any]:
    return {"id": o.id, "name": o.name, "address": o.address, "phone": o.phone}


def motif(m: Any) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "duration_minutes": m.duration_minutes,
        "location_type": m.location_type.value,
        "instructions": m.instructions,
    }


def lieu(place: Any) -> dict[str, Any]:
    return {
        "id": place.id,
        "name": place.name,
        "address": place.address,
        "phone": place.phone,
        "opening_info": place.opening_info,
    }


def week(value: Any) -> dict[str, Any]:
    def day(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "week_start": value.monday.isoformat(),
        "days": [{"date": d.isoformat(), "slots": slots(s)} for d, s in value.days],
        "previous_week": day(value.previous_monday),
        "next_week": day(value.next_monday),
        "next_available": slots([value.next_available])[0] if value.next_available else None,
    }


def managed_rdv(managed: Any) -> dict[str, Any]:
    """The rdv as its private link shows it: no name, phone or e-mail."""
    rdv = managed.rdv
    return {
        "starts_at": iso(rdv.starts_at),
        "ends_at": iso(rdv.ends_at),
        "duration_minutes": rdv.duration_minutes,
        "status": rdv.status.value,
        "service": managed.service.name if managed.service else None,
        "organisation": organisation(managed.organisation),
        "location_type": managed.motif.location_type.value,
        "lieu": lieu(managed.lieu) if managed.lieu else None,
        "can_change": managed.can_change,
    }
