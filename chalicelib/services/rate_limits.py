"""How often a client address or a phone number may book: each booking sends an SMS,
which costs the département money, so a script cannot book the agenda full."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from chalicelib.domain.errors import RateLimited
from chalicelib.store import Store


def _window(now: datetime, length: timedelta) -> tuple[str, datetime]:
    seconds = int(length.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    return str(start), datetime.fromtimestamp(start + seconds, tz=now.tzinfo)


def _subject(value: str) -> str:
    # Phone numbers and addresses are personal data: the counters keep a hash.
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def check_booking_allowed(
    store: Store, client_address: str | None, phone: str | None, now: datetime
) -> None:
    """Count this booking attempt; RateLimited past either limit."""
    settings = store.settings
    checks = []
    if client_address:
        checks.append(
            ("ip", client_address, timedelta(hours=1), settings.bookings_per_address_per_hour)
        )
    if phone:
        checks.append(("phone", phone, timedelta(days=1), settings.bookings_per_phone_per_day))
    for kind, value, length, limit in checks:
        window, window_end = _window(now, length)
        count = store.rate_limits.hit(f"booking#{kind}#{_subject(value)}#{window}", window_end)
        if count > limit:
            raise RateLimited()
