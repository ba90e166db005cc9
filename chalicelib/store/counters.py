"""Monthly statistics counters: written by atomic ADD in the write path's transaction
(`rdv_writes.py`), read here by scope and month (never computed by a Scan).

Every rdv change of an organisation adds to the same few counters: on DynamoDB, two
transactions touching one item at once cancel each other (TransactionConflict). So
each scope's month is spread over SHARDS items (`2026-11#0` .. `2026-11#7`, the shard
chosen by the rdv), and reading a month sums them."""

from __future__ import annotations

import hashlib
from collections import Counter

from chalicelib.domain.models import MonthlyCounter
from chalicelib.store.models import COUNTER_NAMES, CounterModel

SHARDS = 8


def counter_key(month: str, rdv_id: str) -> str:
    """The range key a rdv's changes add to: its month and its shard."""
    shard = hashlib.sha256(rdv_id.encode()).digest()[0] % SHARDS
    return f"{month}#{shard}"


class CounterRepository:
    def months(self, scope: str, first_month: str, last_month: str) -> list[MonthlyCounter]:
        """Counters of a scope from one month to another (YYYY-MM, inclusive): one
        Query over the months' shards, summed per month."""
        results = CounterModel.query(
            scope, CounterModel.month.between(first_month, last_month + "#~")
        )
        totals: dict[str, Counter[str]] = {}
        for item in results:
            month = item.month.split("#")[0]
            counts = totals.setdefault(month, Counter())
            for name in COUNTER_NAMES:
                counts[name] += int(getattr(item, name) or 0)
        return [
            MonthlyCounter(scope=scope, month=month, counts={n: counts[n] for n in COUNTER_NAMES})
            for month, counts in sorted(totals.items())
        ]
