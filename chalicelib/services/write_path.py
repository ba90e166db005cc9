"""The one write path of every rdv change (booked online or by an agent, moved,
cancelled, marked seen / noshow / excused / revoked, accepted from the waiting list).

A use case describes one attempt: it reads what it decides on (the rdv, the slot, the
agent-days, always afresh) and proposes a change (`domain.changes`). This module
commits it in one transaction (the rdv, the agent-days, the counters, the reminder
plan: `store.rdv_writes`), and on a conflict runs the attempt again from fresh reads,
never half of it. After the commit it queues the notification. A use case is then a
short function over this path, and a new one cannot forget a counter or a reminder."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from chalicelib.domain.changes import AgentDay, RdvChange, write_set
from chalicelib.domain.models import Rdv, Usager
from chalicelib.domain.policies import CountedLimit
from chalicelib.services.availability import tz_of
from chalicelib.store import Store
from chalicelib.store.errors import WriteConflict

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
R = TypeVar("R")


@dataclass(frozen=True)
class Proposal:
    """One attempt's decision: the change and the agent-days it was checked against."""

    change: RdvChange
    days: dict[tuple[str, date], AgentDay]
    reminder_offsets: tuple[int, ...]
    new_usagers: tuple[Usager, ...] = ()
    kept_usagers: tuple[tuple[str, datetime], ...] = ()  # (usager id, kept until)
    limits: tuple[CountedLimit, ...] = ()  # counted by this write, refused past them


@dataclass(frozen=True)
class Committed:
    rdv: Rdv  # as stored
    change: RdvChange


def propose(
    store: Store,
    change: RdvChange,
    reminder_offsets: tuple[int, ...],
    new_usagers: tuple[Usager, ...] = (),
    kept_usagers: tuple[tuple[str, datetime], ...] = (),
    limits: tuple[CountedLimit, ...] = (),
    force: bool = False,
) -> Proposal | None:
    """Read the agent-days the change touches (strongly consistent) and propose it,
    or None when the time it takes is held by another rdv of that agent. `force`: an
    agent's explicit choice to put it over another rdv; the day still records it, so
    the usagers' side never offers that time."""
    tz = tz_of(store)
    days = store.rdv_writes.read_days(change.days(tz))
    if not force and not change.fits(days, tz):
        return None
    return Proposal(change, days, reminder_offsets, new_usagers, kept_usagers, limits)


def write(
    store: Store,
    attempt: Callable[[int], Proposal | R],
    exhausted: Callable[[], R],
) -> Committed | R:
    """Run `attempt(n)` until its proposal commits. An attempt that returns anything
    but a Proposal ends the loop with that (nothing to write, or a refusal); raising a
    DomainError ends it too, and so does a counted limit reached (LimitReached). After
    MAX_ATTEMPTS conflicts, `exhausted()` answers."""
    tz = tz_of(store)
    for number in range(MAX_ATTEMPTS):
        outcome = attempt(number)
        if not isinstance(outcome, Proposal):
            return outcome
        writes = write_set(outcome.change, outcome.days, outcome.reminder_offsets, tz)
        try:
            store.rdv_writes.commit(
                writes, outcome.new_usagers, outcome.kept_usagers, outcome.limits
            )
        except WriteConflict:
            # Someone changed the rdv or an agent's day meanwhile: decide again. A short
            # random pause spreads writers that collide on DynamoDB.
            time.sleep(random.uniform(0, min(0.2, 0.005 * 2**number)))
            continue
        announce(store, outcome.change, writes.rdv)
        return Committed(writes.rdv, outcome.change)
    log.warning("rdv write gave up after %s conflicts", MAX_ATTEMPTS)
    return exhausted()


def announce(store: Store, change: RdvChange, rdv: Rdv) -> None:
    # Loaded by the first write: the e-mail and SMS modules are not needed by a page.
    from chalicelib.services import notifications, waiting_list

    waiting_list.after_change(store, change)
    notice = change.notification()
    if notice is not None:
        event, extra = notice
        notifications.announce(store, rdv, event, extra, by=change.by)
