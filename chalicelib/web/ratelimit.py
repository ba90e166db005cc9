"""The client address of a request, for the booking rate limits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.services.rate_limits import check_address_allowed


def client_address(request: Any) -> str | None:
    """API Gateway's view of the caller (`chalice local` fills it too)."""
    identity = (getattr(request, "context", None) or {}).get("identity") or {}
    return identity.get("sourceIp")


def check_booking_allowed(store: Any, request: Any, phone: str | None, now: datetime) -> None:
    """The per-address cap; the per-person limits are counted with the booking itself
    (`phone` is no longer needed here)."""
    check_address_allowed(store, client_address(request), now)
