"""Jinja filters: dates and times shown in French, in Europe/Paris."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def local(value: datetime) -> datetime:
    return value.astimezone(PARIS)


def day_fr(value: date | datetime) -> str:
    """ "mardi 24 novembre 2026" (a datetime is first put in Europe/Paris)."""
    if isinstance(value, datetime):
        value = local(value).date()
    day = "1er" if value.day == 1 else str(value.day)
    return f"{WEEKDAYS[value.weekday()]} {day} {MONTHS[value.month - 1]} {value.year}"


def time_fr(value: datetime) -> str:
    """ "9h30", "14h00" in Europe/Paris."""
    value = local(value)
    return f"{value.hour}h{value.minute:02d}"


def day_short(value: datetime) -> str:
    """ "mar. 24/11" for compact slot buttons."""
    value = local(value)
    return f"{WEEKDAYS[value.weekday()][:3]}. {value.day:02d}/{value.month:02d}"


def local_monday(value: datetime) -> date:
    day = local(value).date()
    return day - timedelta(days=day.weekday())


def slot_param(value: datetime) -> str:
    """A slot's start in links and forms: UTC, to the minute (`2026-11-24T08:00Z`)."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%MZ")


FILTERS = {
    "day_fr": day_fr,
    "time_fr": time_fr,
    "day_short": day_short,
    "local": local,
    "local_monday": local_monday,
    "slot_param": slot_param,
}
