"""The counters the write path keeps (and the demo's bulk-loaded history) are what the
rdvs make: rebuilt from the stored rdvs with the domain's rule, every scope and month
agrees. And the demo's year shows a no-show rate that falls."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.statistics import (
    COUNTER_NAMES,
    month_range,
    noshow_rate,
    organisation_scope,
    rebuild,
)
from chalicelib.services.availability import tz_of
from tests.integration.conftest import NOW


@pytest.fixture
def demo(store):
    from devtools.demo_data import load_demo_data

    load_demo_data(store, NOW.date())
    return store


def stored_counters(store, scopes, first, last):
    found = {}
    for scope in scopes:
        for counter in store.counters.months(scope, first, last):
            counts = {n: v for n, v in counter.counts.items() if v}
            if counts:
                found[(scope, counter.month)] = counts
    return found


def test_counters_rebuilt_from_the_demo_rdvs_match_the_stored_ones_and_show_a_falling_rate(
    demo,
):
    store = demo
    tz = tz_of(store)
    rdvs = []
    for organisation in ("mds-calais-2", "mds-noeux-les-mines"):
        rdvs += store.rdvs.of_organisation(
            organisation,
            datetime(2025, 1, 1, tzinfo=UTC),
            NOW + timedelta(days=400),
        )
    assert len(rdvs) > 1000  # a year of history and the write path's recent weeks
    expected = rebuild(rdvs, tz)
    months = sorted({month for _, month in expected})
    scopes = {scope for scope, _ in expected}
    assert {s.split("#")[0] for s in scopes} == {"organisation", "service", "motif", "agent"}
    assert stored_counters(store, scopes, months[0], months[-1]) == expected
    assert set().union(*(c.keys() for c in expected.values())) <= set(COUNTER_NAMES)

    # The demo's year: the no-show rate falls month after month (the chart's story).
    months = month_range("2026-10", 12)
    counts = {
        c.month: c.counts
        for c in store.counters.months(organisation_scope("mds-calais-2"), months[0], months[-1])
    }
    rates = [noshow_rate(counts[m]) for m in months]
    assert all(rate is not None for rate in rates)
    assert sum(rates[:3]) / 3 > 0.25 and sum(rates[-3:]) / 3 < 0.19
    assert sum(b <= a + 0.02 for a, b in itertools.pairwise(rates)) >= 9
