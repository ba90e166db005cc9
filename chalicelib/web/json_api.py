"""JSON side of the public API: answers and errors as JSON, in one place.

Cheap to import (no pydantic): the answers are api_models instances, which the handlers
build after importing api_models themselves."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.domain.errors import DomainError, FieldErrors, SlotTaken
from chalicelib.web.templating import SECURITY_HEADERS

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8", **SECURITY_HEADERS}


def json_response(body: Any, status_code: int = 200, **headers: str) -> Response:
    return Response(
        body=json.dumps(body, ensure_ascii=False),
        status_code=status_code,
        headers={**JSON_HEADERS, **headers},
    )


def answer(model: Any, status_code: int = 200, headers: dict[str, str] | None = None) -> Response:
    """An api_models answer, serialised as its OpenAPI schema describes it."""
    return json_response(model.model_dump(mode="json"), status_code, **(headers or {}))


def json_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Every DomainError becomes an `Error` answer (`{"error": {"code", "message", …}}`)
    with its status."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except DomainError as error:
            return _error_answer(error)

    return wrapper


def _error_answer(error: DomainError) -> Response:
    from chalicelib.web.api_models import Error
    from chalicelib.web.errors import retry_after

    detail: dict[str, Any] = {"message": error.message}
    if isinstance(error, FieldErrors):
        detail["code"] = "invalid" if error.status_code == 422 else "bad_request"
        detail["fields"] = error.errors
    elif isinstance(error, SlotTaken):
        detail["code"] = "slot_taken"
        detail["next_slots"] = error.next_slots
    elif error.status_code == 404:
        detail["code"] = "not_found"
    else:
        detail["code"] = getattr(error, "code", None) or type(error).__name__.lower()
    return answer(
        Error.model_validate({"error": detail}), error.status_code, headers=retry_after(error)
    )
