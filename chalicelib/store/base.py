"""What every repository shares: paging through queries, date and time codecs."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, time
from typing import Any, Generic, TypeVar

from pynamodb.pagination import ResultIterator

from chalicelib.domain.models import Frequency, Recurrence
from chalicelib.store.models import OPEN_ENDED_DAY, RecurrenceMap

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a query and the opaque cursor of the next one (None at the end)."""

    items: list[T]
    next_cursor: str | None


def encode_cursor(last_evaluated_key: dict[str, Any] | None) -> str | None:
    if not last_evaluated_key:
        return None
    raw = json.dumps(last_evaluated_key, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(
    cursor: str | None,
    partition: tuple[str, str],
    keys: tuple[str, ...],
    sort: tuple[str, Callable[[str], bool]],
) -> dict[str, Any] | None:
    """The query's start key, from a cursor `read_page` gave: exactly the string
    attributes `keys`, the query's own `partition` (name, value) and a sort key the
    query's condition accepts. Anything else (a malformed or tampered cursor, which
    DynamoDB would refuse) starts from the beginning."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    if not isinstance(value, dict) or sorted(value) != sorted(keys):
        return None
    strings = {name: typed.get("S") if isinstance(typed, dict) else None
               for name, typed in value.items()}  # fmt: skip
    if any(not isinstance(s, str) or [*value[n]] != ["S"] for n, s in strings.items()):
        return None
    name, expected = partition
    sort_name, accepted = sort
    if strings[name] != expected or not accepted(strings[sort_name]):
        return None
    return value


def read_page(results: ResultIterator, convert: Callable[[Any], T], limit: int) -> Page[T]:
    items = [convert(item) for item in results]
    more = results.last_evaluated_key if len(items) >= limit else None
    return Page(items=items, next_cursor=encode_cursor(more))


def day_str(value: date) -> str:
    return value.isoformat()


def parse_day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def time_str(value: time) -> str:
    return value.strftime("%H:%M")


def parse_time(value: str) -> time:
    return time.fromisoformat(value)


def last_day_key(value: date | None) -> str:
    return value.isoformat() if value else OPEN_ENDED_DAY


def recurrence_to_map(value: Recurrence | None) -> RecurrenceMap | None:
    if value is None:
        return None
    return RecurrenceMap(
        frequency=value.frequency.value,
        interval=value.interval,
        weekdays=list(value.weekdays) or None,
        month_day=value.month_day,
        nth=value.nth,
        until=value.until.isoformat() if value.until else None,
    )


def recurrence_from_map(value: RecurrenceMap | None) -> Recurrence | None:
    """The recurrence of an item; one written before other frequencies is weekly."""
    if value is None:
        return None
    interval = value.interval if value.interval is not None else value.every_weeks
    return Recurrence(
        interval=int(interval) if interval is not None else 1,
        weekdays=tuple(int(d) for d in value.weekdays or ()),
        until=parse_day(value.until),
        frequency=Frequency(value.frequency or Frequency.WEEKLY),
        month_day=int(value.month_day) if value.month_day is not None else None,
        nth=int(value.nth) if value.nth is not None else None,
    )
