"""The notification queue (SQS): web requests hand their sends over and return."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from chalicelib.notify.clients import client
from chalicelib.settings import Settings


@lru_cache(maxsize=4)
def _queue_url(name: str, region: str, endpoint_url: str | None) -> str:
    from chalicelib.notify.clients import _client

    return _client("sqs", region, endpoint_url).get_queue_url(QueueName=name)["QueueUrl"]


def queue_url(settings: Settings) -> str:
    return _queue_url(settings.notifications_queue, settings.aws_region, settings.aws_endpoint_url)


def enqueue(settings: Settings, messages: list[dict[str, Any]], delay_seconds: int = 0) -> None:
    """Send the messages, ten at a time (SQS's batch limit), delivered after
    `delay_seconds` (at most 15 minutes, SQS's limit)."""
    delay = max(0, min(900, int(delay_seconds)))
    sqs = client("sqs", settings)
    url = queue_url(settings)
    for start in range(0, len(messages), 10):
        batch = messages[start : start + 10]
        answer = sqs.send_message_batch(
            QueueUrl=url,
            Entries=[
                {
                    "Id": str(i),
                    "MessageBody": json.dumps(m, separators=(",", ":")),
                    "DelaySeconds": delay,
                }
                for i, m in enumerate(batch)
            ],
        )
        if answer.get("Failed"):
            raise RuntimeError(f"SQS refused {len(answer['Failed'])} notification message(s)")


def reset() -> None:
    _queue_url.cache_clear()
