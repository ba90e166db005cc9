"""Monthly statistics counters: written by atomic ADD in the write path's transaction
(`rdv_writes.py`), read here by scope and month (never computed by a Scan)."""

from __future__ import annotations

from chalicelib.domain.models import MonthlyCounter
from chalicelib.store.models import COUNTER_NAMES, CounterModel


class CounterRepository:
    def months(self, scope: str, first_month: str, last_month: str) -> list[MonthlyCounter]:
        """Counters of a scope from one month to another (YYYY-MM, inclusive)."""
        results = CounterModel.query(scope, CounterModel.month.between(first_month, last_month))
        return [
            MonthlyCounter(
                scope=i.scope,
                month=i.month,
                counts={name: int(getattr(i, name) or 0) for name in COUNTER_NAMES},
            )
            for i in results
        ]
