"""Failures become answers here, in one place: a French page (or JSON) with the right
status, never a stack trace nor Chalice's English JSON.

- `html_errors` (pages) and `json_api.json_errors` (API) turn a DomainError raised by a
  handler into its answer.
- `french_errors`, an HTTP middleware registered by app.py, replaces what Chalice itself
  answers (`{"Code": …, "Message": …}`): a route called with another method (405), a
  body of the wrong media type (415), and an unhandled exception (500, which Chalice has
  already logged with its stack trace). Pages get the French error page, `/api/…` the
  API's error shape; both with the pages' security headers.

What API Gateway answers before Lambda runs (403 "Missing Authentication Token" for an
unknown path) never reaches this code: the stage's gateway responses cover it."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from chalice import Response

from chalicelib.domain.errors import DomainError
from chalicelib.web.json_api import json_response
from chalicelib.web.templating import render

API_PREFIX = "/api/"

# Chalice's error codes → (the API's code, the page's message, the API's message).
_CHALICE_ERRORS = {
    405: (
        "method_not_allowed",
        "Cette page ne s’ouvre pas ainsi. Revenez à la page précédente, ou repartez de l’accueil.",
        "Cette méthode HTTP n’est pas acceptée ici (voir l’en-tête Allow).",
    ),
    415: (
        "unsupported_media_type",
        "Le formulaire envoyé n’a pas pu être lu. Revenez à la page précédente et "
        "envoyez-le à nouveau.",
        "Envoyez le corps de la requête en JSON (Content-Type: application/json).",
    ),
    500: (
        "server_error",
        "Une erreur est survenue de notre côté. Réessayez dans un instant ; si elle "
        "persiste, appelez votre maison départementale des solidarités.",
        "Une erreur est survenue de notre côté. Réessayez dans un instant.",
    ),
}
_OTHERWISE = (
    "bad_request",
    "La demande n’a pas pu être traitée. Revenez à la page précédente, ou repartez de l’accueil.",
    "La requête n’a pas pu être traitée.",
)


def error_page(
    message: str,
    status_code: int,
    organisation: Any = None,
    extra_headers: dict[str, str] | None = None,
) -> Response:
    return render(
        "public/error.html",
        status_code=status_code,
        extra_headers=extra_headers,
        message=message,
        organisation=organisation,
    )


def html_errors(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Render a DomainError as the error page, with its status code."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return handler(*args, **kwargs)
        except DomainError as error:
            return error_page(
                error.message,
                error.status_code,
                organisation=getattr(error, "organisation", None),
                extra_headers=retry_after(error),
            )

    return wrapper


def retry_after(error: DomainError) -> dict[str, str]:
    """`Retry-After` for an error that says when to try again (a rate limit's)."""
    seconds = getattr(error, "retry_after_seconds", None)
    return {"Retry-After": str(max(1, int(seconds)))} if seconds is not None else {}


def french_errors(request: Any, get_response: Callable[[Any], Response]) -> Response:
    """HTTP middleware (see the module's docstring)."""
    response = get_response(request)
    if not _is_chalices_own(response):
        return response
    status = response.status_code if response.status_code in _CHALICE_ERRORS else None
    code, page_message, api_message = _CHALICE_ERRORS.get(status or 0, _OTHERWISE)
    status = status or (response.status_code if 400 <= response.status_code < 500 else 500)
    kept = {k: v for k, v in response.headers.items() if k.lower() == "allow"}
    if (getattr(request, "path", None) or "").startswith(API_PREFIX):
        body = {"error": {"code": code, "message": api_message}}
        return json_response(body, status, **kept)
    return error_page(page_message, status, extra_headers=kept)


def _is_chalices_own(response: Response) -> bool:
    """Chalice's errors have a dict body (`{"Code", "Message"}`); every answer of ours is
    a rendered string. (With `debug` on, which no stage sets, Chalice answers a 500 with
    the stack trace in plain text: left as it is, for the developer who asked for it.)"""
    return isinstance(response.body, dict) and "Code" in response.body
