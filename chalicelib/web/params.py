"""Reading what a browser sends: urlencoded bodies, query parameters, days and slot
starts in links. Cheap to import (no pydantic): the route modules import it at the top."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache

from chalicelib.domain.errors import NotFound


@cache
def _day_pattern():
    """Compiled on first use: `re` is not needed by every cold start."""
    import re

    return re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")  # JJ/MM/AAAA


def form_data(raw_body: bytes | None) -> dict[str, str]:
    """An urlencoded body as a dict (last value wins), never failing."""
    from urllib.parse import parse_qs

    if not raw_body:
        return {}
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return {}
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


def query(params: dict[str, str] | None, name: str) -> str:
    return ((params or {}).get(name) or "").strip()


def parse_day(text: str) -> date | None:
    """`2026-11-23` (a date input) or `23/11/2026` (typed); None when unreadable."""
    text = text.strip()
    match = _day_pattern().match(text)
    try:
        if match:
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# Instants a slot can start at. Anything outside (`9999-12-31T23:59Z`,
# `0001-01-01T00:30+01:00`) is no slot, and would overflow a calendar computation
# (converting to Paris time, adding a duration or a retention period).
EARLIEST_SLOT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_SLOT = datetime(2200, 1, 1, tzinfo=UTC)
NO_SUCH_SLOT = "Ce créneau n’existe pas. Choisissez un créneau dans la liste."


def instant(text: str) -> datetime | None:
    """`2026-11-24T08:00Z` (any offset, seconds optional) as UTC; None when it is not
    an instant with a time zone between EARLIEST_SLOT and LATEST_SLOT."""
    try:
        value = datetime.fromisoformat(text.strip())
        if value.tzinfo is None:
            return None
        value = value.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return value if EARLIEST_SLOT <= value < LATEST_SLOT else None


def parse_slot_start(text: str) -> datetime:
    """A slot's start as put in links (`2026-11-24T08:00Z`, UTC); a bad one is a 404."""
    value = instant(text)
    if value is None:
        raise NotFound(NO_SUCH_SLOT)
    return value
