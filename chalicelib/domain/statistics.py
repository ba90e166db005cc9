"""Which monthly counters a rdv moves, and the month it counts in."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from chalicelib.domain.models import CreatedBy, Rdv, RdvStatus


def month_of(rdv: Rdv, tz: ZoneInfo) -> str:
    """The rdv counts in the local month of its start ("YYYY-MM")."""
    return rdv.starts_at.astimezone(tz).strftime("%Y-%m")


def creation_deltas(rdv: Rdv) -> dict[str, int]:
    origin = "created_online" if rdv.created_by is CreatedBy.USAGER else "created_by_agent"
    return {"created": 1, origin: 1, rdv.status.value: 1}


def status_change_deltas(old: RdvStatus, new: RdvStatus) -> dict[str, int]:
    if old is new:
        return {}
    return {old.value: -1, new.value: 1}


def noshow_rate(counts: dict[str, int]) -> float | None:
    """Share of no-shows among the rdvs whose outcome is known (seen, noshow, excused);
    None when there are none yet."""
    known = counts.get("seen", 0) + counts.get("noshow", 0) + counts.get("excused", 0)
    if known == 0:
        return None
    return counts.get("noshow", 0) / known
