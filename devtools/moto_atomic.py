"""Make moto's DynamoDB answer one request at a time, as DynamoDB's own items do.

moto checks a transaction's conditions, then applies its writes, with no lock: two
threads (in-process, or two requests to its threaded server) can both pass the checks
and both write. Real DynamoDB never lets that happen, and the booking relies on it, so
locally and in tests every DynamoDB call of moto's backend holds one lock. Dev only:
nothing in chalicelib imports this."""

from __future__ import annotations

import functools
import threading

_LOCK = threading.RLock()
_PATCHED = False

OPERATIONS = (
    "transact_write_items",
    "transact_get_items",
    "put_item",
    "update_item",
    "delete_item",
    "get_item",
    "batch_get_item",
    "query",
)


def make_dynamodb_atomic() -> None:
    global _PATCHED
    if _PATCHED:
        return
    from moto.dynamodb.models import DynamoDBBackend

    for name in OPERATIONS:
        original = getattr(DynamoDBBackend, name)

        @functools.wraps(original)
        def locked(self, *args, _original=original, **kwargs):
            with _LOCK:
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _PATCHED = True
