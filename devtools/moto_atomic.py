"""Make moto's DynamoDB answer one request at a time, as DynamoDB's own items do.

moto checks a transaction's conditions, then applies its writes, with no lock: two
threads (in-process, or two requests to its threaded server) can both pass the checks
and both write. Real DynamoDB never lets that happen, and the booking relies on it, so
locally and in tests every DynamoDB call of moto's backend holds one lock. Dev only:
nothing in chalicelib imports this.

moto also keeps a deep copy of a table, to roll a failed transaction back, for each
item the transaction writes in it: a rdv change adds to eight counters, so the counters
table was copied eight times per change, and a year of demo history made every booking
slow. Within one transaction each table is copied once (`_copy_each_table_once`)."""

from __future__ import annotations

import copy
import functools
import threading
from contextlib import contextmanager

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
        def locked(self, *args, _original=original, _name=name, **kwargs):
            with _LOCK:
                if _name == "transact_write_items":
                    with _copy_each_table_once():
                        return _original(self, *args, **kwargs)
                return _original(self, *args, **kwargs)

        setattr(DynamoDBBackend, name, locked)
    _PATCHED = True


class _TableCopier:
    """Stands for the `copy` module in moto's DynamoDB models during one transaction:
    a table's deep copy is made once and shared (it is only kept, to restore the table
    if the transaction fails); anything else is copied as before."""

    def __init__(self) -> None:
        self.tables: dict[int, object] = {}

    def deepcopy(self, value, memo=None):
        from moto.dynamodb.models.table import Table

        if not isinstance(value, Table):
            return copy.deepcopy(value, memo)
        if id(value) not in self.tables:
            self.tables[id(value)] = copy.deepcopy(value, memo)
        return self.tables[id(value)]

    def __getattr__(self, name):
        return getattr(copy, name)


@contextmanager
def _copy_each_table_once():
    from moto.dynamodb import models

    models.copy = _TableCopier()  # under _LOCK: one transaction at a time
    try:
        yield
    finally:
        models.copy = copy
