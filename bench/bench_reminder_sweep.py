"""The reminder sweep with 10,000 due reminders on moto (in-process): DynamoDB and SQS
requests per reminder, and time per reminder.
Run: `.venv/bin/python bench/bench_reminder_sweep.py` (about 12 minutes: see COUNT)."""

from __future__ import annotations

import os
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from _setup import RequestCounter, moto_store

# moto's SQS recomputes the queue's attributes over every waiting message at each send
# (quadratic): 10,000 reminders take ~12 minutes there, which says nothing of AWS.
# BENCH_REMINDERS=1000 gives the same requests per reminder in 20 seconds.
COUNT = int(os.environ.get("BENCH_REMINDERS", "10000"))
NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def main() -> None:
    from chalicelib.domain.models import Reminder
    from chalicelib.notify.clients import client
    from chalicelib.services.notifications import send_due_reminders
    from devtools.messaging import ensure_local_messaging

    with moto_store() as store:
        ensure_local_messaging(store.settings)
        reminders = [
            Reminder(rdv_id=f"rdv-{i:05d}", offset_minutes=1440, due_at=NOW - timedelta(seconds=i))
            for i in range(COUNT)
        ]
        for start in range(0, COUNT, 500):
            store.reminders.plan(
                reminders[start : start + 500], expires_at=NOW + timedelta(days=30)
            )
        dynamodb = RequestCounter()
        sqs_calls: Counter[str] = Counter()
        client("sqs", store.settings).meta.events.register(
            "before-call.sqs.*", lambda model, **_: sqs_calls.update([model.name])
        )
        with dynamodb.measure() as calls:
            started = time.perf_counter()
            result = send_due_reminders(store, NOW, lambda: 900_000)
            elapsed = time.perf_counter() - started
        assert result.finished and result.queued == COUNT, result
        ddb = dict(calls)
        print(f"reminders swept: {result.queued} in {elapsed:.1f} s")
        print(f"time per reminder (in-process, moto): {elapsed / COUNT * 1000:.2f} ms")
        print(
            f"DynamoDB requests per reminder: {sum(ddb.values()) / COUNT:.2f} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(ddb.items()))})"
        )
        print(
            f"SQS requests per reminder: {sum(sqs_calls.values()) / COUNT:.2f} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(sqs_calls.items()))})"
        )


if __name__ == "__main__":
    main()
