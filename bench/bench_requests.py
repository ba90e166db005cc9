"""DynamoDB requests per operation: the slot page and a booking, for an MDS whose
plages run 4, 12 or 52 weeks (the count must not grow with the weeks), and the
operations' kinds (no Scan). Targets on a warm Lambda: a slot page at most 3, a
booking at most 8 (its transaction included).
Run: `.venv/bin/python bench/bench_requests.py`."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode

from _setup import RequestCounter, moto_store

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 23 November 2026, 9:00 in Paris


def populate(store, weeks: int, agents: int = 10) -> None:
    """`agents` agents, 2 plages a weekday each, stored as one plage item per agent,
    half-day and week over 2 x `weeks` weeks (half past, half future)."""
    from chalicelib.domain.models import Agent, Recurrence, Role, Service, Territoire
    from tests import factories as f

    store.catalogue.save_territoire(Territoire("t", "Pas-de-Calais", "62"))
    store.catalogue.save_service(Service("pmi", "t", "PMI", "PMI"))
    store.catalogue.save_organisation(f.organisation(territoire_id="t"))
    store.catalogue.save_motif(f.motif(max_booking_delay_minutes=(7 * weeks) * 24 * 60))
    store.catalogue.save_lieu(f.lieu())
    first = date(2026, 11, 23) - timedelta(weeks=weeks)
    for a in range(agents):
        agent_id = f"agent-{a}"
        store.agents.save(Agent(agent_id, f"a{a}@x.fr", "A", str(a), {"org-1": Role.AGENT}))
        for key, (start, end) in enumerate(((time(9), time(12)), (time(13, 30), time(17)))):
            # One plage item per week: the count of plages grows with the weeks.
            for week in range(2 * weeks):
                monday = first + timedelta(weeks=week)
                store.planning.save_plage(
                    f.plage(
                        id=f"p-{a}-{key}-{week}",
                        agent_id=agent_id,
                        first_day=monday,
                        start_time=start,
                        end_time=end,
                        recurrence=Recurrence(1, (0, 1, 2, 3, 4), until=monday + timedelta(days=6)),
                    )
                )


def main() -> None:
    from chalice.test import Client

    import app as app_module
    from chalicelib.services import context
    from chalicelib.store.cache import CATALOGUE

    context.now = lambda: NOW
    print("Cold: the first request of a new Lambda (empty catalogue cache). Warm: the same")
    print("Lambda a moment later, as a visitor goes on (catalogue items cached, 60 s).")
    print()
    print("| plages (weeks) | slot page cold | slot page warm | booking warm | operations |")
    print("|---|---|---|---|---|")
    for weeks in (4, 12, 52):
        with moto_store() as store:
            populate(store, weeks)
            counter = RequestCounter()
            CATALOGUE.clear()
            with Client(app_module.app) as client:
                cold = slot_page(client, counter, "2026-11-30")
                warm = slot_page(client, counter, "2026-12-07")
                book(client, counter, "2026-12-01T08:00Z", "06 12 34 56 77")  # warms the rest
                booking = book(client, counter, "2026-12-01T08:30Z", "06 12 34 56 78")
        ops = sorted(set(cold) | set(warm) | set(booking))
        assert "Scan" not in ops
        print(
            f"| {10 * 2 * 2 * weeks} ({weeks}) | {sum(cold.values())} {fmt(cold)} |"
            f" {sum(warm.values())} {fmt(warm)} | {sum(booking.values())} {fmt(booking)} |"
            f" {', '.join(ops)} |"
        )


def slot_page(client, counter, week: str) -> dict:
    with counter.measure() as calls:
        page = client.http.get(f"/mds/org-1/motifs/motif-1/lieux/lieu-1?semaine={week}")
        assert page.status_code == 200
    return dict(calls)


def book(client, counter, starts_at: str, phone: str) -> dict:
    body = urlencode(
        {"debut": starts_at, "pour": "moi", "prenom": "Amandine", "nom": "Dupont",
         "telephone": phone, "sms": "oui"}
    )  # fmt: skip
    with counter.measure() as calls:
        booked = client.http.post(
            "/mds/org-1/motifs/motif-1/lieux/lieu-1/reserver",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            body=body,
        )
        assert booked.status_code == 303, booked.status_code
    return dict(calls)


def fmt(calls: dict) -> str:
    return "(" + ", ".join(f"{k} {v}" for k, v in sorted(calls.items())) + ")"


if __name__ == "__main__":
    main()
