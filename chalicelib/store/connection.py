"""Binds the PynamoDB models to a stage's tables and endpoint, and creates the tables.

Table creation reads the models themselves, so the tables and the code cannot drift.
"""

from __future__ import annotations

import logging

from pynamodb.connection import Connection

from chalicelib.settings import Settings
from chalicelib.store.cache import CATALOGUE
from chalicelib.store.models import ALL_MODELS

log = logging.getLogger(__name__)

_configured_for: tuple[str, str, str | None] | None = None
_shared: Connection | None = None


def configure(settings: Settings) -> None:
    """Point every model at `<prefix><table>` in the settings' region and endpoint.

    Cheap and idempotent: called before the first store access of a request."""
    global _configured_for, _shared
    key = (settings.table_prefix, settings.aws_region, settings.aws_endpoint_url)
    if _configured_for == key:
        return
    # PynamoDB gives each model a connection, hence a botocore client, of its own:
    # about 100 ms each to build. All models share one here (clients are thread-safe).
    shared = Connection(
        region=settings.aws_region, host=settings.aws_endpoint_url, max_pool_connections=64
    )
    for model in ALL_MODELS:
        model.Meta.table_name = settings.table_prefix + model.table_basename
        model.Meta.region = settings.aws_region
        model.Meta.host = settings.aws_endpoint_url
        model.Meta.max_pool_connections = 64
        model._connection = None  # PynamoDB caches the connection per model
        table = model._get_connection()
        shared.add_meta_table(table.get_meta_table())
        table.connection = shared
    _shared = shared
    _configured_for = key


def shared_connection() -> Connection:
    """The connection every model uses (for `TransactWrite`)."""
    if _shared is None:
        raise RuntimeError("the store is not configured")
    return _shared


def reset() -> None:
    """Forget the binding and the cached catalogue (tests start a new moto between runs)."""
    global _configured_for, _shared
    _configured_for = None
    _shared = None
    for model in ALL_MODELS:
        model._connection = None
    CATALOGUE.clear()


def create_tables(settings: Settings) -> list[str]:
    """Create every missing table with its indexes and TTL; return the names created."""
    configure(settings)
    created = []
    for model in ALL_MODELS:
        if model.exists():
            continue
        model.create_table(wait=True)
        created.append(model.Meta.table_name)
        log.info("created table %s", model.Meta.table_name)
    return created
