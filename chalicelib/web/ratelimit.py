"""The client address of a request, for the rate limits: bookings, and unknown private
links (see services/link_limits.py)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

from chalicelib.domain.errors import DomainError
from chalicelib.services import context, link_limits
from chalicelib.services.rate_limits import check_address_allowed


def client_address(request: Any) -> str | None:
    """API Gateway's view of the caller (`chalice local` fills it too)."""
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    return identity.get("sourceIp")


def check_booking_allowed(store: Any, request: Any, phone: str | None, now: datetime) -> None:
    """The per-address cap; the per-person limits are counted with the booking itself
    (`phone` is no longer needed here)."""
    check_address_allowed(store, client_address(request), now)


def private_link(blueprint: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """For the handlers of a private link (`/r/{token}…`, `/rdvs/{token}…`): a token
    that leads to no rdv is counted against the client address, and past the limit
    the answer is TooManyUnknownLinks (429) instead of NotFound. Put it below
    `html_errors` / `json_errors`, which render either."""

    def decorate(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except DomainError as error:
                if link_limits.is_unknown_link(error):
                    address = client_address(blueprint.current_request)
                    link_limits.count_unknown_link(context.store(), address, context.now())
                raise

        return wrapper

    return decorate
