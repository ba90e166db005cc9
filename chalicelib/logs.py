"""Structured logs: one JSON object per line, each with the request id, and one line per
request or event (what, outcome, duration). No personal data: paths are logged as their
route template (a private link's token never reaches the logs), and the code logs ids,
never a name, a phone number or an e-mail address.

Standard library only: aws-lambda-powertools' Logger costs 30 ms of import, which alone
would break the cold-start budget (see bench/bench_cold_start.py)."""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from typing import Any

request_id: ContextVar[str] = ContextVar("request_id", default="-")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        import json
        from datetime import UTC, datetime

        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None) or request_id.get(),
        }
        for key in ("route", "method", "status", "duration_ms", "event"):
            if hasattr(record, key):
                entry[key] = getattr(record, key)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


_configured = False


def configure(level: str | None = None) -> None:
    """JSON lines, once per process: Lambda's own root handler (or a new one on stderr)
    gets the JSON formatter, so each record is printed once, as JSON."""
    global _configured
    if _configured:
        return
    root = logging.getLogger()
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
    if level is None:
        from chalicelib.settings import get_settings

        level = get_settings().log_level
    root.setLevel(level)
    make_record = logging.getLogRecordFactory()

    def record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = request_id.get()  # when it is logged, not when it is printed
        return record

    logging.setLogRecordFactory(record_with_request_id)
    _configured = True
    for noisy in ("botocore", "pynamodb", "urllib3"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def install(app: Any) -> None:
    """A Chalice middleware: request id in context, one log line per request or event."""
    log = logging.getLogger("rdv")

    @app.middleware("http")
    def log_request(event, get_response):
        configure()
        context = event.context or {}
        lambda_context = getattr(event, "lambda_context", None)
        token = request_id.set(
            context.get("requestId")
            or getattr(lambda_context, "aws_request_id", None)
            or os.urandom(16).hex()  # chalice local gives none
        )
        started = time.perf_counter()
        try:
            response = get_response(event)
            log.info(
                "request",
                extra={
                    "route": context.get("resourcePath", "?"),
                    "method": event.method,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id.reset(token)

    @app.middleware("all")
    def log_event(event, get_response):
        if hasattr(event, "method"):  # http: logged above
            return get_response(event)
        configure()
        lambda_context = getattr(event, "context", None)
        token = request_id.set(getattr(lambda_context, "aws_request_id", "-"))
        started = time.perf_counter()
        try:
            return get_response(event)
        finally:
            log.info(
                "event",
                extra={
                    "event": type(event).__name__,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            request_id.reset(token)
