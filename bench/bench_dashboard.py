"""The agents' dashboard: DynamoDB requests and HTML bytes per page, on a warm Lambda,
for an MDS of 10 agents whose plages run 4 or 52 weeks with a growing number of rdvs
(the counts must not grow with the history; never a Scan). A page's time is the median
of 5 runs on moto in-process (moto's cost dominates: compare pages, not absolutes).
Run: `.venv/bin/python bench/bench_dashboard.py`."""

from __future__ import annotations

import os
import statistics
import time as clock
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

from _setup import RequestCounter, moto_store
from bench_requests import NOW, populate

os.environ["RDVSOL_PUBLIC_STATS_TERRITOIRE"] = "t"  # bench_requests' territoire

PASSWORD = "un mot de passe de banc"


def add_rdvs(store, count: int) -> str:
    """`count` rdvs booked by agents over the past and coming weeks; returns one id."""
    from chalicelib.domain.changes import create
    from chalicelib.domain.models import BookingChannel, CreatedBy
    from chalicelib.services.write_path import propose, write
    from tests import factories as f

    motif = store.catalogue.get_motif("motif-1")
    some_id = ""
    for n in range(count):
        day = NOW + timedelta(days=(n % 120) - 60)
        starts_at = day.replace(hour=8 + (n // 120) % 8, minute=0)
        usager = f.usager(id=f"u-{n}", last_name=f"Dupont{n}", phone=f"+3363998{n:04d}")
        rdv = f.rdv(
            id=f"r-{n}",
            agent_id=f"agent-{n % 10}",
            usager_ids=(usager.id,),
            starts_at=starts_at,
            duration_minutes=motif.duration_minutes,
            created_by=CreatedBy.AGENT,
            booked_via=BookingChannel.PHONE,
            created_at=NOW - timedelta(days=90),
        )
        change = create(rdv, by="agent-0")

        def attempt(_number, change=change, usager=usager):
            return propose(store, change, (), new_usagers=(usager,), force=True)

        write(store, attempt, lambda: None)
        some_id = rdv.id
    return some_id


def sign_in(client, store) -> str:
    from chalicelib.domain.models import Role
    from chalicelib.services import agent_auth

    agent = store.agents.get("agent-0")
    store.agents.save(replace(agent, roles={"org-1": Role.ADMIN},
                              password_hash=agent_auth.hash_password(PASSWORD)))  # fmt: skip
    answer = client.http.post(
        "/agents/connexion",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode({"email": agent.email, "mot_de_passe": PASSWORD}),
    )
    assert answer.status_code == 303, answer.status_code
    return answer.headers["Set-Cookie"].split(";")[0]


def pages(rdv_id: str) -> dict[str, str]:
    return {
        "accueil": "/agents",
        "agenda (jour)": "/agents/agenda?jour=2026-11-24",
        "agenda (semaine)": "/agents/agenda?semaine=2026-11-24",
        "lieu (jour)": "/agents/lieux/lieu-1?jour=2026-11-24",
        "rdv": f"/agents/rdv/{rdv_id}",
        "usagers (nom)": "/agents/usagers?q=dupont1",
        "statistiques": "/agents/statistiques",
        "plages": "/agents/plages",
        "/stats (public)": "/stats",
    }


def main() -> None:
    from chalice.test import Client

    import app as app_module
    from chalicelib.services import context

    context.now = lambda: NOW
    results: dict[str, list[str]] = {}
    for weeks, rdvs in ((4, 200), (52, 2000)):
        with moto_store() as store:
            populate(store, weeks)
            rdv_id = add_rdvs(store, rdvs)
            counter = RequestCounter()
            with Client(app_module.app) as client:
                cookie = sign_in(client, store)
                for name, path in pages(rdv_id).items():
                    headers = {"Cookie": cookie}
                    client.http.get(path, headers=headers)  # warm the caches
                    times = []
                    for _ in range(5):
                        started = clock.perf_counter()
                        with counter.measure() as calls:
                            answer = client.http.get(path, headers=headers)
                        times.append(clock.perf_counter() - started)
                        assert answer.status_code == 200, (path, answer.status_code)
                    assert "Scan" not in calls, path
                    ops = ", ".join(f"{k} {v}" for k, v in sorted(calls.items()))
                    results.setdefault(name, []).append(
                        f"{sum(calls.values())} ({ops}); {len(answer.body):,} B; "
                        f"{statistics.median(times) * 1000:.0f} ms"
                    )
    print("| page | 4 weeks, 200 rdvs | 52 weeks, 2,000 rdvs |")
    print("|---|---|---|")
    for name, cells in results.items():
        print(f"| {name} | {' | '.join(cells)} |")
    print(f"\n(measured {datetime.now(UTC):%Y-%m-%d})")


if __name__ == "__main__":
    main()
