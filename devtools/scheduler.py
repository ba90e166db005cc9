"""Plays EventBridge locally: fires the app's `@app.schedule` handlers on their timetable.

Generic: it reads the schedules the Chalice app registered (rate and cron expressions,
in UTC like EventBridge) and calls each handler with a scheduled-event payload."""

from __future__ import annotations

import logging
import re
import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.app import ScheduledEventConfig

log = logging.getLogger("scheduler")

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass
class Schedule:
    name: str
    expression: str
    handler: Any

    def is_due(self, last: datetime | None, now: datetime) -> bool:
        """Due at `now` (whole UTC minute) given when it last fired."""
        rate = _RATE.match(self.expression)
        if rate:
            seconds = int(rate.group(1)) * _UNITS[rate.group(2).rstrip("s")]
            return last is None or (now - last).total_seconds() >= seconds
        if self.expression.startswith("cron(") and self.expression.endswith(")"):
            return last != now and cron_matches(self.expression[5:-1], now)
        raise ValueError(f"unsupported schedule expression: {self.expression}")


def cron_matches(fields: str, at: datetime) -> bool:
    """EventBridge cron: minutes hours day-of-month month day-of-week year (UTC).
    Supports `*`, `?`, numbers, lists, ranges and steps; day-of-week 1-7 = SUN-SAT."""
    minutes, hours, dom, month, dow, year = fields.split()
    eventbridge_dow = (at.isoweekday() % 7) + 1  # SUN=1 .. SAT=7
    return (
        _field(minutes, at.minute, 0, 59)
        and _field(hours, at.hour, 0, 23)
        and _field(dom, at.day, 1, 31)
        and _field(month, at.month, 1, 12)
        and _field(dow, eventbridge_dow, 1, 7, names=_DOW)
        and _field(year, at.year, 1970, 2199)
    )


_DOW = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}


def _field(spec: str, value: int, low: int, high: int, names: dict | None = None) -> bool:
    if spec in ("*", "?"):
        return True
    for part in spec.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/")
            step = int(step_text)
        if part in ("*", ""):
            first, last = low, high
        elif "-" in part:
            a, b = part.split("-")
            first, last = _value(a, names), _value(b, names)
        else:
            first = _value(part, names)
            last = high if step > 1 else first
        if first <= value <= last and (value - first) % step == 0:
            return True
    return False


def _value(text: str, names: dict | None) -> int:
    return names[text.upper()] if names and text.upper() in names else int(text)


def schedules_of(app: Any) -> list[Schedule]:
    found = []
    for source in app.event_sources:
        if isinstance(source, ScheduledEventConfig):
            expression = source.schedule_expression
            if not isinstance(expression, str):
                expression = expression.to_string()
            found.append(Schedule(source.name, expression, app.handler_map[source.name]))
    return found


class LocalContext:
    """The bits of a Lambda context the handlers read."""

    def __init__(self, name: str, timeout_seconds: int = 60) -> None:
        self.function_name = name
        self.aws_request_id = str(uuid.uuid4())
        self._deadline = datetime.now(UTC) + timedelta(seconds=timeout_seconds)

    def get_remaining_time_in_millis(self) -> int:
        left = self._deadline - datetime.now(UTC)
        return max(0, int(left.total_seconds() * 1000))


def scheduled_event(name: str, at: datetime) -> dict:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "eu-west-3",
        "resources": [f"arn:aws:events:eu-west-3:123456789012:rule/{name}"],
        "detail": {},
    }


class SchedulerLoop(threading.Thread):
    """Checks every few seconds which schedules are due and runs them, one at a time."""

    def __init__(self, app: Any, tick_seconds: float = 5.0) -> None:
        super().__init__(name="local-scheduler", daemon=True)
        self.schedules = schedules_of(app)
        self.tick_seconds = tick_seconds
        self._stopping = threading.Event()
        self._last: dict[str, datetime] = {}

    def run(self) -> None:
        while not self._stopping.is_set():
            self.run_due(datetime.now(UTC).replace(second=0, microsecond=0))
            self._stopping.wait(self.tick_seconds)

    def run_due(self, now: datetime) -> list[str]:
        fired = []
        for schedule in self.schedules:
            if not schedule.is_due(self._last.get(schedule.name), now):
                continue
            self._last[schedule.name] = now
            try:
                schedule.handler(scheduled_event(schedule.name, now), LocalContext(schedule.name))
                fired.append(schedule.name)
            except Exception:  # a failing handler must not stop the loop, as on AWS
                log.exception("scheduled handler %s failed", schedule.name)
        return fired

    def stop(self) -> None:
        self._stopping.set()


class QueuePoller(threading.Thread):
    """Plays Lambda's SQS event source locally: polls the queues of the app's
    `@app.on_sqs_message` handlers and calls them with SQS events; messages are deleted
    when the handler returns, left for redelivery when it raises (as on AWS)."""

    def __init__(self, app: Any, sqs: Any, wait_seconds: int = 1) -> None:
        super().__init__(name="local-sqs", daemon=True)
        from chalice.app import SQSEventConfig

        self.sqs = sqs
        self.wait_seconds = wait_seconds
        self._stopping = threading.Event()
        self.handlers = [
            (source.queue, app.handler_map[source.name], source.batch_size or 10)
            for source in app.event_sources
            if isinstance(source, SQSEventConfig)
        ]

    def run(self) -> None:
        while not self._stopping.is_set():
            busy = False
            for queue_name, handler, batch in self.handlers:
                try:
                    busy |= self.poll_once(queue_name, handler, batch)
                except Exception:
                    log.exception("local SQS polling of %s failed", queue_name)
                    self._stopping.wait(2)
            if not busy:
                self._stopping.wait(0.5)

    def poll_once(self, queue_name: str, handler: Any, batch: int) -> bool:
        url = self.sqs.get_queue_url(QueueName=queue_name)["QueueUrl"]
        answer = self.sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=min(batch, 10),
            WaitTimeSeconds=self.wait_seconds,
            AttributeNames=["All"],
        )
        messages = answer.get("Messages", [])
        if not messages:
            return False
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "messageAttributes": {},
                    "md5OfBody": m.get("MD5OfBody", ""),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": f"arn:aws:sqs:eu-west-3:123456789012:{queue_name}",
                    "awsRegion": "eu-west-3",
                }
                for m in messages
            ]
        }
        try:
            handler(event, LocalContext(queue_name))
        except Exception:
            log.warning("handler of %s failed: the messages will come back", queue_name)
            return True
        self.sqs.delete_message_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)
            ],
        )
        return True

    def stop(self) -> None:
        self._stopping.set()
