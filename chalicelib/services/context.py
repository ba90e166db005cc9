"""What a request or an event handler needs to call the use cases: the store of the
current settings and the current time (a parameter everywhere below this line)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.settings import Settings, get_settings
from chalicelib.store import Store, get_store


def store() -> Store:
    return get_store()


def settings() -> Settings:
    return get_settings()


def now() -> datetime:
    return datetime.now(UTC)
