"""When to remind an usager of a rdv: the motif's offsets, outside quiet hours.

Computed in local time (Europe/Paris), stored in UTC. No SMS between 20:00 and 8:00:
a reminder due then moves to the evening before (19:30) or to 8:00, whichever keeps
it before the rdv and is closer to when it was meant to go. A reminder that would go
out less than 12 hours after the booking is skipped: the confirmation has just said it
all (booked 24 h 05 ahead, no "reminder" 5 minutes after the confirmation)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.models import Rdv, Reminder

QUIET_FROM = time(20, 0)
QUIET_UNTIL = time(8, 0)
EVENING_SEND = time(19, 30)
# No reminder goes out sooner than this after the booking (or the change re-planning it).
MIN_GAP_AFTER_BOOKING = timedelta(hours=12)


def in_quiet_hours(at: datetime, tz: ZoneInfo) -> bool:
    local = at.astimezone(tz).time()
    return local >= QUIET_FROM or local < QUIET_UNTIL


def out_of_quiet_hours(due: datetime, before: datetime, tz: ZoneInfo) -> datetime | None:
    """`due` itself when allowed; else the allowed time before `before` that is closest
    to `due` (19:30 the evening the quiet hours began, or 8:00 when they end)."""
    if not in_quiet_hours(due, tz):
        return due
    local = due.astimezone(tz)
    evening_day = local.date() if local.time() >= QUIET_FROM else local.date() - timedelta(days=1)
    evening = datetime.combine(evening_day, EVENING_SEND, tzinfo=tz)
    morning = datetime.combine(evening_day + timedelta(days=1), QUIET_UNTIL, tzinfo=tz)
    candidates = [c for c in (evening, morning) if c < before]
    if not candidates:
        return None
    best = min(candidates, key=lambda c: abs((c - due).total_seconds()))
    return best.astimezone(due.tzinfo)


def plan_reminders(
    rdv: Rdv, offsets_minutes: tuple[int, ...], booked_at: datetime, tz: ZoneInfo
) -> list[Reminder]:
    """The reminders of a rdv, one per offset that still makes sense, in due order:
    each goes out at least `MIN_GAP_AFTER_BOOKING` after `booked_at` (the time of the
    booking, or of the change that plans them again)."""
    planned: dict[datetime, Reminder] = {}
    earliest = booked_at + MIN_GAP_AFTER_BOOKING
    for offset in sorted(set(offsets_minutes), reverse=True):
        due = rdv.starts_at - timedelta(minutes=offset)
        if due <= booked_at:
            continue  # booked less than this offset ahead
        due = out_of_quiet_hours(due, rdv.starts_at, tz)
        if due is None or due < earliest or due in planned:
            continue
        planned[due] = Reminder(rdv_id=rdv.id, offset_minutes=offset, due_at=due)
    return [planned[d] for d in sorted(planned)]


# A move's SMS stands for a reminder due this soon after it.
MOVE_STANDS_FOR = timedelta(days=1)


def reminders_after_move(plan: list[Reminder], moved_at: datetime) -> list[Reminder]:
    """The reminders to keep of `plan` (the moved rdv's, from `plan_reminders`) once the
    move's SMS has told its new date and time, with the link: that SMS takes the place
    of every reminder but the last one (the day before), and of the last one too when
    it is due within `MOVE_STANDS_FOR` of the move. A rdv moved once then costs at most
    3 SMS (confirmation, move, one reminder) instead of 4.

    Pure rule; whoever plans the reminders of a move applies it: in
    `domain/changes.write_set`, after `plan = plan_reminders(after, ...)`, when
    `change.kind is ChangeKind.MOVED`: `plan = reminders_after_move(plan, change.at)`."""
    if not plan:
        return []
    last = max(plan, key=lambda r: r.due_at)
    if last.due_at - moved_at < MOVE_STANDS_FOR:
        return []
    return [last]
