"""Atomic writes of the booking use cases: book, cancel, move.

Each is one DynamoDB transaction: the rdv, the agent-day item(s) whose version is
checked and bumped (see `AgentDayModel`), new usagers, and the statistics counters.
A conflict (someone else wrote that agent's day, or the rdv changed) cancels the
whole transaction and is reported as `BookingConflict`, for the caller to retry or
to tell the usager; nothing is half-written.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.domain.models import Rdv, RdvStatus, Usager
from chalicelib.store.connection import shared_connection
from chalicelib.store.models import (
    COUNTER_NAMES,
    AgentDayModel,
    BusyMap,
    CounterModel,
    RdvModel,
    StatusChangeMap,
    UsagerModel,
)
from chalicelib.store.rdvs import rdv_to_item
from chalicelib.store.usagers import usager_to_item

log = logging.getLogger(__name__)


class BookingConflict(Exception):
    """The transaction was cancelled: an agent's day or the rdv changed meanwhile."""


@dataclass(frozen=True, slots=True)
class Held:
    """A time an agent's rdv holds on a day."""

    rdv_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class AgentDay:
    agent_id: str
    day: date
    version: int
    held: tuple[Held, ...]

    def overlaps(self, starts_at: datetime, ends_at: datetime, ignore: str | None = None) -> bool:
        return any(
            h.starts_at < ends_at and starts_at < h.ends_at for h in self.held if h.rdv_id != ignore
        )


@dataclass(frozen=True, slots=True)
class CounterUpdate:
    scope: str
    month: str
    deltas: dict[str, int]


def day_key(agent_id: str, day: date) -> str:
    return f"{agent_id}#{day.isoformat()}"


class BookingRepository:
    def read_day(self, agent_id: str, day: date) -> AgentDay:
        """The agent's day, read strongly consistent (version 0 when nothing is held)."""
        try:
            item = AgentDayModel.get(day_key(agent_id, day), consistent_read=True)
        except AgentDayModel.DoesNotExist:
            return AgentDay(agent_id, day, 0, ())
        held = tuple(Held(b.rdv_id, b.starts_at, b.ends_at) for b in item.busy or ())
        return AgentDay(agent_id, day, int(item.version), held)

    def book(
        self,
        rdv: Rdv,
        day: AgentDay,
        new_usagers: list[Usager],
        updated_usagers: list[Usager],
        counters: list[CounterUpdate],
    ) -> None:
        """Write a new rdv if the agent's day is still at `day.version`, with the usagers
        it creates or whose contact details it updates."""
        with _Transaction() as tx:
            _write_day(tx, day, (*day.held, Held(rdv.id, rdv.starts_at, rdv.ends_at)))
            tx.save(rdv_to_item(rdv), condition=RdvModel.id.does_not_exist())
            for usager in new_usagers:
                tx.save(usager_to_item(usager), condition=UsagerModel.id.does_not_exist())
            for usager in updated_usagers:
                tx.save(usager_to_item(usager), condition=UsagerModel.id.exists())
            _add_counters(tx, counters)

    def change_status(
        self,
        rdv: Rdv,
        new_status: RdvStatus,
        at: datetime,
        day: AgentDay,
        counters: list[CounterUpdate],
    ) -> None:
        """Set a rdv's status if it is still what `rdv.status` says; a cancellation frees
        its time on the agent's day, a status that holds time again takes it back."""
        held = tuple(h for h in day.held if h.rdv_id != rdv.id)
        if new_status.blocks_time:
            held = (*held, Held(rdv.id, rdv.starts_at, rdv.ends_at))
        with _Transaction() as tx:
            _write_day(tx, day, held)
            tx.update(
                RdvModel(id=rdv.id),
                actions=[
                    RdvModel.status.set(new_status.value),
                    RdvModel.status_history.set(
                        RdvModel.status_history.append(
                            [StatusChangeMap(status=new_status.value, at=at)]
                        )
                    ),
                ],
                condition=(RdvModel.id.exists() & (RdvModel.status == rdv.status.value)),
            )
            _add_counters(tx, counters)

    def move(
        self,
        rdv: Rdv,
        new_starts_at: datetime,
        new_agent_id: str,
        new_lieu_id: str | None,
        old_day: AgentDay,
        new_day: AgentDay,
        counters: list[CounterUpdate],
    ) -> None:
        """Move a rdv to another time (and agent): the new time is taken and the old one
        freed in the same transaction, or neither."""
        new_end = new_starts_at + (rdv.ends_at - rdv.starts_at)
        moved = Held(rdv.id, new_starts_at, new_end)
        with _Transaction() as tx:
            if (old_day.agent_id, old_day.day) == (new_day.agent_id, new_day.day):
                held = tuple(h for h in old_day.held if h.rdv_id != rdv.id)
                _write_day(tx, old_day, (*held, moved))
            else:
                _write_day(tx, old_day, tuple(h for h in old_day.held if h.rdv_id != rdv.id))
                _write_day(tx, new_day, (*new_day.held, moved))
            tx.update(
                RdvModel(id=rdv.id),
                actions=[
                    RdvModel.starts_at.set(new_starts_at),
                    RdvModel.agent_id.set(new_agent_id),
                    RdvModel.sequence.add(1),
                    RdvModel.lieu_id.set(new_lieu_id) if new_lieu_id else RdvModel.lieu_id.remove(),
                ],
                condition=(
                    RdvModel.id.exists()
                    & (RdvModel.status == RdvStatus.UNKNOWN.value)
                    & (RdvModel.starts_at == rdv.starts_at)
                ),
            )
            _add_counters(tx, counters)


class _Transaction:
    """`TransactWrite` on the shared connection, with cancellations as BookingConflict."""

    def __init__(self) -> None:
        # No client request token: a retry after a conflict writes a different payload,
        # which DynamoDB would refuse under the same token.
        self._tx = TransactWrite(connection=shared_connection())

    def __enter__(self) -> TransactWrite:
        return self._tx.__enter__()

    def __exit__(self, exc_type, exc, tb) -> bool:
        try:
            self._tx.__exit__(exc_type, exc, tb)
        except TransactWriteError as error:
            if error.cause_response_code in (
                "TransactionCanceledException",
                "TransactionConflictException",
            ):
                reasons = [r.code for r in (error.cancellation_reasons or []) if r]
                log.info("booking transaction cancelled: %s", reasons)
                raise BookingConflict(reasons) from error
            raise
        return False


def _write_day(tx: TransactWrite, day: AgentDay, held: tuple[Held, ...]) -> None:
    item = AgentDayModel(
        key=day_key(day.agent_id, day.day),
        version=day.version + 1,
        busy=[
            BusyMap(rdv_id=h.rdv_id, starts_at=h.starts_at, ends_at=h.ends_at)
            for h in sorted(held, key=lambda h: h.starts_at)
        ],
    )
    if day.version == 0:
        condition = AgentDayModel.key.does_not_exist()
    else:
        condition = AgentDayModel.version == day.version
    tx.save(item, condition=condition)


def _add_counters(tx: TransactWrite, counters: list[CounterUpdate]) -> None:
    for update in counters:
        unknown = set(update.deltas) - set(COUNTER_NAMES)
        if unknown:
            raise ValueError(f"unknown counters: {sorted(unknown)}")
        if not update.deltas:
            continue
        tx.update(
            CounterModel(scope=update.scope, month=update.month),
            actions=[
                getattr(CounterModel, name).add(value) for name, value in update.deltas.items()
            ],
        )
