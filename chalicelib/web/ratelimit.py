"""The client address of a request, for the booking rate limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.services.rate_limits import check_booking_allowed as _check


def client_address(request: Any) -> str | None:
    """API Gateway's view of the caller (`chalice local` fills it too)."""
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    return identity.get("sourceIp")


def check_booking_allowed(store: Any, request: Any, phone: str | None, now: datetime) -> None:
    _check(store, client_address(request), phone, now)
