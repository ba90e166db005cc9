"""Monthly statistics counters, updated by atomic ADD (never computed by a Scan)."""

from __future__ import annotations

from chalicelib.domain.models import MonthlyCounter
from chalicelib.store.models import COUNTER_NAMES, CounterModel


def organisation_scope(organisation_id: str) -> str:
    return f"organisation#{organisation_id}"


def service_scope(service_id: str, organisation_id: str) -> str:
    return f"service#{service_id}#{organisation_id}"


def motif_scope(motif_id: str) -> str:
    return f"motif#{motif_id}"


class CounterRepository:
    def add(self, scopes: list[str], month: str, deltas: dict[str, int]) -> None:
        """Add each delta to each scope's counters of the month: one atomic ADD update
        per scope, which creates the item on first use."""
        unknown = set(deltas) - set(COUNTER_NAMES)
        if unknown:
            raise ValueError(f"unknown counters: {sorted(unknown)}")
        for scope in scopes:
            CounterModel(scope=scope, month=month).update(
                actions=[getattr(CounterModel, name).add(value) for name, value in deltas.items()]
            )

    def put(self, counter: MonthlyCounter) -> None:
        """Overwrite a month's counters (the demo data; use cases only ever `add`)."""
        CounterModel(
            scope=counter.scope,
            month=counter.month,
            **{name: int(counter.counts.get(name, 0)) for name in COUNTER_NAMES},
        ).save()

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
