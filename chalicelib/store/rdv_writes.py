"""The unit of work of rdv changes: read the agent-days a change touches, then commit
everything the change writes (`domain.changes.WriteSet`) in one DynamoDB transaction:
the rdv (conditioned on the version it was decided on), each agent-day (conditioned on
its version), the statistics counters (atomic ADD), the reminder plan, and the usagers
a booking creates or updates. All or nothing: a failed condition is a `WriteConflict`.
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.changes import AgentDay, Held, WriteSet, empty_day
from chalicelib.domain.models import Usager
from chalicelib.domain.policies import CountedLimit
from chalicelib.store.connection import shared_connection
from chalicelib.store.counters import counter_key
from chalicelib.store.errors import LimitReached, WriteConflict
from chalicelib.store.models import (
    COUNTER_NAMES,
    AgentDayModel,
    BusyMap,
    CounterModel,
    RateLimitModel,
    RdvModel,
    ReminderModel,
    UsagerModel,
)
from chalicelib.store.notifications import reminder_shard
from chalicelib.store.rdvs import rdv_to_item
from chalicelib.store.usagers import usager_to_item

log = logging.getLogger(__name__)

# Cancellation reasons that another try, from fresh reads, can get past.
RETRYABLE = {
    None,
    "None",
    "ConditionalCheckFailed",
    "TransactionConflict",
    "ThrottlingError",
    "ProvisionedThroughputExceeded",
}
# DynamoDB refuses a transaction of more items than this.
MAX_ITEMS = 100


def day_key(agent_id: str, day: date) -> str:
    return f"{agent_id}#{day.isoformat()}"


def _day(agent_id: str, day: date, item: AgentDayModel) -> AgentDay:
    held = tuple(Held(b.rdv_id, b.starts_at, b.ends_at) for b in item.busy or ())
    return AgentDay(agent_id, day, int(item.version), held)


class RdvWriteRepository:
    def read_days(self, keys: Iterable[tuple[str, date]]) -> dict[tuple[str, date], AgentDay]:
        """The agent-days, read strongly consistent (version 0 when nothing is held):
        one GetItem, or one BatchGetItem for a move across days."""
        wanted = {day_key(a, d): (a, d) for a, d in keys}
        found = {key: empty_day(*key) for key in wanted.values()}
        if len(wanted) == 1:
            [(key, (agent_id, day))] = wanted.items()
            with contextlib.suppress(AgentDayModel.DoesNotExist):
                found[(agent_id, day)] = _day(
                    agent_id, day, AgentDayModel.get(key, consistent_read=True)
                )
        elif wanted:
            for item in AgentDayModel.batch_get(list(wanted), consistent_read=True):
                agent_id, day = wanted[item.key]
                found[(agent_id, day)] = _day(agent_id, day, item)
        return found

    def commit(
        self,
        writes: WriteSet,
        new_usagers: Iterable[Usager] = (),
        kept_usagers: Iterable[tuple[str, datetime]] = (),
        limits: Iterable[CountedLimit] = (),
    ) -> None:
        """Write it all in one transaction, or nothing: WriteConflict when a condition
        failed or another transaction held an item (worth deciding again), LimitReached
        when one of `limits` (counted by this very write) was already reached."""
        new_usagers, kept_usagers, limits = list(new_usagers), list(kept_usagers), list(limits)
        items = 1 + len(writes.days) + len(writes.counters) + len(writes.reminders)
        items += len(writes.reminders_dropped) + len(new_usagers) + len(kept_usagers)
        items += len(limits)
        if items > MAX_ITEMS:
            raise ValueError(f"a rdv change of {items} items is more than DynamoDB takes")
        # A token of its own per attempt: if DynamoDB's answer is lost and the SDK sends
        # the same request again, it is applied once.
        transaction = TransactWrite(
            connection=shared_connection(), client_request_token=str(uuid.uuid4())
        )
        try:
            with transaction as tx:
                _count(tx, limits)
                _stage(tx, writes, new_usagers, kept_usagers)
        except TransactWriteError as error:
            reasons = [r.code if r else None for r in (error.cancellation_reasons or [])]
            # PynamoDB sends deletes, then puts, then updates: the limits are the first
            # updates, after the reminders dropped and every put.
            first = len(writes.reminders_dropped) + len(writes.days) + 1 + len(new_usagers)
            first += len(writes.reminders)
            for limit, code in zip(limits, reasons[first : first + len(limits)], strict=False):
                if code == "ConditionalCheckFailed":
                    raise LimitReached(limit) from error
            if error.cause_response_code == "TransactionConflictException" or (
                error.cause_response_code == "TransactionCanceledException"
                and all(code in RETRYABLE for code in reasons)
            ):
                log.info("rdv write cancelled: %s", reasons)
                raise WriteConflict(reasons) from error
            raise  # a malformed write: retrying it would fail the same way


def _count(tx: TransactWrite, limits: list[CountedLimit]) -> None:
    """One more on each limit's counter, unless it is already at its limit."""
    for limit in limits:
        tx.update(
            RateLimitModel(key=limit.key),
            actions=[
                RateLimitModel.hits.add(1),
                RateLimitModel.expires_at.set(limit.window_end + timedelta(hours=1)),
            ],
            condition=RateLimitModel.hits.does_not_exist() | (RateLimitModel.hits < limit.limit),
        )


def _stage(
    tx: TransactWrite,
    writes: WriteSet,
    new_usagers: Iterable[Usager],
    kept_usagers: Iterable[tuple[str, datetime]],
) -> None:
    for day_write in writes.days:
        day = day_write.day
        item = AgentDayModel(
            key=day_key(day.agent_id, day.day),
            version=day.version + 1,
            busy=[
                BusyMap(rdv_id=h.rdv_id, starts_at=h.starts_at, ends_at=h.ends_at)
                for h in day_write.held
            ],
            expires_at=day_write.expires_at,
        )
        if day.version == 0:
            tx.save(item, condition=AgentDayModel.key.does_not_exist())
        else:
            tx.save(item, condition=AgentDayModel.version == day.version)
    rdv = writes.rdv
    if writes.expected_version is None:
        condition = RdvModel.id.does_not_exist()
    elif writes.expected_version == 0:  # stored before rdvs had a version
        condition = RdvModel.id.exists() & (
            RdvModel.version.does_not_exist() | (RdvModel.version == 0)
        )
    else:
        condition = RdvModel.version == writes.expected_version
    tx.save(rdv_to_item(rdv), condition=condition)
    for usager in new_usagers:
        tx.save(usager_to_item(usager), condition=UsagerModel.id.does_not_exist())
    for usager_id, until in kept_usagers:
        tx.update(
            UsagerModel(id=usager_id),
            actions=[UsagerModel.expires_at.set(until)],
            condition=UsagerModel.id.exists(),
        )
    for counter in writes.counters:
        unknown = set(counter.deltas) - set(COUNTER_NAMES)
        if unknown:
            raise ValueError(f"unknown counters: {sorted(unknown)}")
        tx.update(
            CounterModel(scope=counter.scope, month=counter_key(counter.month, rdv.id)),
            actions=[getattr(CounterModel, n).add(v) for n, v in counter.deltas.items()],
        )
    for reminder in writes.reminders:
        tx.save(
            ReminderModel(
                rdv_id=reminder.rdv_id,
                offset_minutes=reminder.offset_minutes,
                due_at=reminder.due_at,
                pending=reminder_shard(reminder.rdv_id),
                expires_at=writes.reminders_expire_at,
            )
        )
    for offset in writes.reminders_dropped:
        tx.delete(ReminderModel(rdv_id=rdv.id, offset_minutes=offset))
