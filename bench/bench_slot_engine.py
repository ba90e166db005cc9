"""Slot engine speed: 12 weeks of slots for a lieu with 20 agents, each with 2 recurring
plages a weekday, 50 absences and 2,000 existing rdvs on the plages' grid; the same with
5,000 rdvs off the grid (booked by phone: any 5 minutes, 20, 30 or 45 minutes long) and
the public holidays of the range; and the next available slot when the first free day
is 10 weeks out. Target: under 20 ms median per computation.
The 5,000 rdvs' times are UTC datetimes, as the store gives them; the 2,000 rdvs keep
the Paris-aware datetimes of the first version of this benchmark, which the engine
also accepts at the cost of a time-zone conversion each (about 1 ms per 1,000 rdvs).
Run: `.venv/bin/python bench/bench_slot_engine.py`."""

from __future__ import annotations

import random
import statistics
import sys
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from chalicelib.domain.models import Absence, Motif, PlageOuverture, Recurrence
from chalicelib.domain.slots import BusyPeriod, compute_slots, next_available_slot

PARIS = ZoneInfo("Europe/Paris")
MONDAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
MOTIF = Motif(id="m", organisation_id="o", service_id="s", name="Consultation", duration_minutes=30)
AGENTS = [f"agent-{i}" for i in range(20)]


# Public holidays in the 12 weeks from MONDAY (Christmas, New Year's Day).
HOLIDAYS = frozenset({date(2026, 12, 25), date(2027, 1, 1)})


def scenario(first_day: date = MONDAY, rdv_count: int = 2000, off_grid: bool = False):
    rng = random.Random(62)
    plages = [
        PlageOuverture(
            id=f"{agent}-{key}", agent_id=agent, organisation_id="o", lieu_id="l",
            motif_ids=("m",), first_day=first_day, start_time=start, end_time=end,
            recurrence=Recurrence(1, (0, 1, 2, 3, 4)),
        )
        for agent in AGENTS
        for key, (start, end) in enumerate(((time(9), time(12)), (time(13, 30), time(17))))
    ]  # fmt: skip
    absences = []
    for i in range(50):
        day = MONDAY + timedelta(days=rng.randrange(84))
        absences.append(
            Absence(
                id=f"a{i}", agent_id=rng.choice(AGENTS), organisation_id="o", first_day=day,
                start_time=time(rng.choice((9, 10, 14))), end_day=day, end_time=time(16),
            )
        )  # fmt: skip
    busy = []
    for _ in range(rdv_count):
        day = MONDAY + timedelta(days=rng.randrange(84))
        if off_grid:
            morning = rng.random() < 0.5
            start = datetime.combine(day, time(9) if morning else time(13, 30), tzinfo=PARIS)
            start += timedelta(minutes=5 * rng.randrange(30 if morning else 36))
            start = start.astimezone(UTC)  # as the store gives them (BusyPeriod: UTC)
            length = rng.choice((20, 30, 45))
        else:
            start = datetime.combine(day, time(9), tzinfo=PARIS) + timedelta(
                minutes=30 * rng.randrange(6)
            )
            length = 30
        busy.append(BusyPeriod(rng.choice(AGENTS), start, start + timedelta(minutes=length)))
    return plages, absences, busy


def timed(function, runs: int = 25) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        started = clock.perf_counter()
        result = function()
        times.append((clock.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], result


def main() -> None:
    plages, absences, busy = scenario()
    median, p95, slots = timed(
        lambda: compute_slots(
            motif=MOTIF, lieu_id="l", plages=plages, absences=absences, busy=busy,
            start_day=MONDAY, end_day=MONDAY + timedelta(weeks=12) - timedelta(days=1),
            now=NOW, tz=PARIS,
        )
    )  # fmt: skip
    print(f"compute_slots, 12 weeks, 20 agents, 50 absences, 2000 rdvs: median {median:.1f} ms,"
          f" p95 {p95:.1f} ms, {len(slots)} slots")  # fmt: skip
    median, p95, _ = timed(
        lambda: compute_slots(
            motif=MOTIF, lieu_id="l", plages=plages, absences=absences, busy=busy,
            start_day=MONDAY, end_day=MONDAY + timedelta(days=6), now=NOW, tz=PARIS,
        )
    )  # fmt: skip
    print(f"compute_slots, one week (the slot page): median {median:.1f} ms, p95 {p95:.1f} ms")
    plages, absences, busy = scenario(rdv_count=5000, off_grid=True)
    median, p95, slots = timed(
        lambda: compute_slots(
            motif=MOTIF, lieu_id="l", plages=plages, absences=absences, busy=busy,
            start_day=MONDAY, end_day=MONDAY + timedelta(weeks=12) - timedelta(days=1),
            now=NOW, tz=PARIS, holidays=HOLIDAYS,
        )
    )  # fmt: skip
    print(f"compute_slots, 12 weeks, 20 agents, 50 absences, 5000 rdvs off the grid, 2 holidays:"
          f" median {median:.1f} ms, p95 {p95:.1f} ms, {len(slots)} slots")  # fmt: skip
    median, p95, _ = timed(
        lambda: compute_slots(
            motif=MOTIF, lieu_id="l", plages=plages, absences=absences, busy=busy,
            start_day=MONDAY, end_day=MONDAY + timedelta(days=6), now=NOW, tz=PARIS,
            holidays=HOLIDAYS,
        )
    )  # fmt: skip
    print(f"compute_slots, one week, 5000 rdvs off the grid: median {median:.1f} ms,"
          f" p95 {p95:.1f} ms")  # fmt: skip
    plages, absences, busy = scenario()
    later, _, _ = scenario(first_day=MONDAY + timedelta(weeks=10))
    median, p95, found = timed(
        lambda: next_available_slot(
            motif=MOTIF, lieu_id="l", plages=later, absences=absences, busy=busy,
            from_day=MONDAY, now=NOW, tz=PARIS,
        )
    )  # fmt: skip
    print(f"next_available_slot, first free day 10 weeks out: median {median:.1f} ms,"
          f" p95 {p95:.1f} ms ({found.starts_at:%Y-%m-%d %H:%M} UTC)")  # fmt: skip


if __name__ == "__main__":
    main()
