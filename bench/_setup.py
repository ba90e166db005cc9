"""Shared set-up of the benchmarks: moto in-process, the tables, the demo data, and a
counter of DynamoDB requests (a botocore event hook on the store's shared client)."""

from __future__ import annotations

import os
import sys
from collections import Counter
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "eu-west-3",
        "RDVSOL_STAGE": "test",
        "RDVSOL_BOOKINGS_PER_ADDRESS_PER_HOUR": "100000",
        "RDVSOL_BOOKINGS_PER_PERSON_PER_DAY": "100000",
    }
)
os.environ.pop("RDVSOL_AWS_ENDPOINT_URL", None)


@contextmanager
def moto_store():
    from moto import mock_aws

    from chalicelib.settings import get_settings, reset_settings
    from chalicelib.store import get_store
    from chalicelib.store.connection import create_tables, reset
    from devtools.moto_atomic import make_dynamodb_atomic

    make_dynamodb_atomic()
    reset_settings()
    with mock_aws():
        reset()
        create_tables(get_settings())
        from devtools.messaging import ensure_local_messaging

        ensure_local_messaging(get_settings())
        yield get_store()
        reset()


class RequestCounter:
    """Counts DynamoDB API calls by operation while active."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.active = False
        from chalicelib.store.connection import shared_connection

        shared_connection().client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model, **_kwargs) -> None:
        if self.active:
            self.calls[model.name] += 1

    @contextmanager
    def measure(self):
        self.calls.clear()
        self.active = True
        try:
            yield self.calls
        finally:
            self.active = False
