"""Every change of a rdv as a value: created, moved, status changed.

From a change follow, in one place and the same way for every use case (an usager's
booking, an agent's, a move, a cancellation, a seen / noshow mark, a waiting-list
acceptance):
- the times it holds on agents' days (`AgentDay`: the item every write to an agent's
  day checks and bumps, so that two rdvs of one agent never overlap);
- the statistics counters it moves (`statistics.change_deltas`);
- its reminder plan (planned again after a creation, a move or a return to `unknown`,
  dropped otherwise);
- the notification it sends.
`write_set` gathers all of it into what the store commits in one transaction. Pure:
no AWS, time is a parameter."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from chalicelib.domain.models import (
    MoveRecord,
    NotificationEvent,
    Rdv,
    RdvContact,
    RdvStatus,
    Reminder,
    StatusChange,
)
from chalicelib.domain.reminders import plan_reminders, reminders_after_move
from chalicelib.domain.statistics import CounterDelta, change_deltas

# Who made a change: the usager (online), or an agent by their id; the reminder
# consumer records the sends.
BY_USAGER = "usager"
BY_SYSTEM = "system"

# An agent's day item is kept this long after the day (marks of past rdvs change it).
AGENT_DAY_KEPT = timedelta(days=31)
# A planned reminder is kept until a day after its rdv.
REMINDER_KEPT = timedelta(days=1)


class ChangeKind(StrEnum):
    CREATED = "created"
    MOVED = "moved"
    STATUS_CHANGED = "status_changed"
    DETAILS_CHANGED = "details_changed"  # its contact details or preferences
    REMINDED = "reminded"  # its first reminder was sent: the statistics count it


@dataclass(frozen=True, slots=True)
class Held:
    """A time an agent's rdv holds on a day."""

    rdv_id: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True, slots=True)
class AgentDay:
    """What an agent's rdvs hold on a local day, at the version it was read."""

    agent_id: str
    day: date
    version: int
    held: tuple[Held, ...]

    @property
    def key(self) -> tuple[str, date]:
        return (self.agent_id, self.day)

    def overlaps(self, starts_at: datetime, ends_at: datetime, ignore: str | None = None) -> bool:
        return any(
            h.starts_at < ends_at and starts_at < h.ends_at for h in self.held if h.rdv_id != ignore
        )


def empty_day(agent_id: str, day: date) -> AgentDay:
    return AgentDay(agent_id, day, 0, ())


def day_of(rdv: Rdv, tz: ZoneInfo) -> tuple[str, date]:
    """The agent-day a rdv is held on: its agent and the local day of its start."""
    return (rdv.agent_id, rdv.starts_at.astimezone(tz).date())


@dataclass(frozen=True, slots=True)
class RdvChange:
    kind: ChangeKind
    before: Rdv | None  # None for a creation
    after: Rdv
    at: datetime
    by: str  # BY_USAGER or an agent id

    def days(self, tz: ZoneInfo) -> list[tuple[str, date]]:
        """The agent-days whose held times this change alters, in a stable order."""
        before = self.before if self.before and self.before.status.blocks_time else None
        after = self.after if self.after.status.blocks_time else None
        if before and after and (before.agent_id, _hold(before)) == (after.agent_id, _hold(after)):
            return []  # same agent, same times: a status that keeps holding them
        keys = [day_of(r, tz) for r in (before, after) if r is not None]
        return sorted(set(keys))

    def held_on(self, day: AgentDay, tz: ZoneInfo) -> tuple[Held, ...]:
        """What `day` holds once the change is made."""
        held = tuple(h for h in day.held if h.rdv_id != self.after.id)
        if self.after.status.blocks_time and day_of(self.after, tz) == day.key:
            held = (*held, _hold(self.after))
        return tuple(sorted(held, key=lambda h: (h.starts_at, h.rdv_id)))

    def fits(self, days: dict[tuple[str, date], AgentDay], tz: ZoneInfo) -> bool:
        """False when the time the change takes overlaps another rdv of that agent on
        that day (`days`: the agent-days of `self.days(tz)`, as just read)."""
        if not self.after.status.blocks_time or not self.days(tz):
            return True
        day = days[day_of(self.after, tz)]
        return not day.overlaps(self.after.starts_at, self.after.ends_at, ignore=self.after.id)

    def notification(self) -> tuple[NotificationEvent, str] | None:
        """The event the usager hears of, and what tells its sends apart (`extra`)."""
        if self.kind is ChangeKind.CREATED:
            return NotificationEvent.RDV_CREATED, ""
        if self.kind is ChangeKind.MOVED:
            return NotificationEvent.RDV_DATE_UPDATED, str(self.after.sequence)
        if self.kind in (ChangeKind.DETAILS_CHANGED, ChangeKind.REMINDED):
            return None
        status = self.after.status
        if self.at >= self.after.starts_at:
            return None  # a mark on a rdv that has begun: nothing to tell the usager now
        was_cancelled = self.before is not None and not self.before.status.blocks_time
        # Each cancellation is its own send (a rdv restored then cancelled again).
        nth = str(len(self.after.status_history))
        if status is RdvStatus.EXCUSED and not was_cancelled:
            return NotificationEvent.RDV_CANCELLED, nth
        if status is RdvStatus.REVOKED and not was_cancelled:
            return NotificationEvent.RDV_REVOKED, nth
        if status is RdvStatus.UNKNOWN and was_cancelled:
            # A cancelled rdv restored: it is on again, say so (a new send each time).
            return NotificationEvent.RDV_CREATED, f"restored-{len(self.after.status_history)}"
        return None  # seen, noshow, between two cancellations, a mark corrected

    def before_held_time(self) -> bool:
        return self.before is not None and self.before.status.blocks_time


def _hold(rdv: Rdv) -> Held:
    return Held(rdv.id, rdv.starts_at, rdv.ends_at)


def create(rdv: Rdv, by: str) -> RdvChange:
    return RdvChange(ChangeKind.CREATED, None, replace(rdv, version=1), rdv.created_at, by)


def move(
    rdv: Rdv,
    starts_at: datetime,
    agent_id: str,
    at: datetime,
    by: str,
    waiting_list: bool = False,
    lieu_id: str | None = None,
) -> RdvChange:
    """`waiting_list`: an earlier slot offered from the waiting list and accepted (the
    agents see it in the rdv's history); `lieu_id`: another lieu of the MDS (an usager
    who said any lieu would do), else the rdv's own."""
    after = replace(
        rdv,
        starts_at=starts_at,
        lieu_id=lieu_id or rdv.lieu_id,
        agent_id=agent_id,
        sequence=rdv.sequence + 1,
        version=rdv.version + 1,
        moves=(*rdv.moves, MoveRecord(at, by, rdv.starts_at, waiting_list)),
    )
    return RdvChange(ChangeKind.MOVED, rdv, after, at, by)


def set_contact(rdv: Rdv, contact: RdvContact, at: datetime, by: str) -> RdvChange:
    """New contact details or preferences for this rdv (its private link, a bounce)."""
    after = replace(rdv, contact=contact, version=rdv.version + 1)
    return RdvChange(ChangeKind.DETAILS_CHANGED, rdv, after, at, by)


def set_status(rdv: Rdv, status: RdvStatus, at: datetime, by: str) -> RdvChange:
    after = replace(
        rdv,
        status=status,
        status_history=(*rdv.status_history, StatusChange(status, at, by)),
        version=rdv.version + 1,
    )
    return RdvChange(ChangeKind.STATUS_CHANGED, rdv, after, at, by)


def mark_reminded(rdv: Rdv, at: datetime) -> RdvChange:
    """The rdv's first reminder was sent at `at` (a later one changes nothing)."""
    after = replace(rdv, reminded_at=rdv.reminded_at or at, version=rdv.version + 1)
    return RdvChange(ChangeKind.REMINDED, rdv, after, at, BY_SYSTEM)


@dataclass(frozen=True, slots=True)
class DayWrite:
    day: AgentDay  # as read: its version is checked
    held: tuple[Held, ...]
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class WriteSet:
    """Everything one change writes, committed by the store in one transaction."""

    rdv: Rdv  # as it will be stored
    expected_version: int | None  # the stored version it was decided on; None: new
    days: tuple[DayWrite, ...]
    counters: tuple[CounterDelta, ...]
    reminders: tuple[Reminder, ...]  # to plan (each replaces its offset's)
    reminders_dropped: tuple[int, ...]  # offsets of planned reminders to delete
    reminders_expire_at: datetime


def write_set(
    change: RdvChange,
    days: dict[tuple[str, date], AgentDay],
    reminder_offsets: tuple[int, ...],
    tz: ZoneInfo,
) -> WriteSet:
    """What `change` writes, given the agent-days it touches as just read and the
    motif's reminder offsets. A rdv whose status is `unknown` after the change gets its
    reminders planned again from the change's time (those already past are left out);
    any other status drops them. A send already made is not made twice: receipts are
    keyed by the reminder's due time."""
    after = change.after
    if change.kind in (ChangeKind.DETAILS_CHANGED, ChangeKind.REMINDED):
        # Same time, same status: the reminders already planned stay as they are. A
        # reminder sent moves the `reminded` counters.
        return WriteSet(
            rdv=after,
            expected_version=change.before.version if change.before else None,
            days=(),
            counters=tuple(change_deltas(change.before, after, tz)),
            reminders=(),
            reminders_dropped=(),
            reminders_expire_at=after.ends_at + REMINDER_KEPT,
        )
    plan: list[Reminder] = []
    if after.status is RdvStatus.UNKNOWN:
        plan = plan_reminders(after, reminder_offsets, change.at, tz)
        if change.kind is ChangeKind.MOVED:
            # The move's own SMS tells the new time: it stands for the reminders but
            # the day-before one (and for that one too when due within a day).
            plan = reminders_after_move(plan, change.at)
    offsets = tuple(r.offset_minutes for r in plan)
    stored = replace(after, reminder_offsets=offsets)
    # Offsets planned before: the rdv's record of them, and the motif's (a rdv stored
    # before that record existed). Deleting a reminder that is not there is harmless.
    before_offsets = set(change.before.reminder_offsets if change.before else ()) | set(
        reminder_offsets if change.before else ()
    )
    day_writes = tuple(
        DayWrite(
            day=days[key],
            held=change.held_on(days[key], tz),
            expires_at=datetime.combine(key[1] + timedelta(days=1), time(0), tzinfo=tz)
            + AGENT_DAY_KEPT,
        )
        for key in change.days(tz)
    )
    return WriteSet(
        rdv=stored,
        expected_version=change.before.version if change.before else None,
        days=day_writes,
        counters=tuple(change_deltas(change.before, stored, tz)),
        reminders=tuple(plan),
        reminders_dropped=tuple(sorted(before_offsets - set(offsets))),
        reminders_expire_at=after.ends_at + REMINDER_KEPT,
    )
