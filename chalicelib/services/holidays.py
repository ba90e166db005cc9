"""Public holidays of a territoire, from the maintained `holidays` package: the
mainland's, Alsace-Moselle's (départements 57, 67, 68: Good Friday, 26 December) and
each overseas département's own (abolition of slavery days...). The slot engine
offers nothing on them, except on plages opened for the day on purpose."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from chalicelib.store import Store

# The département numbers whose calendar differs from the mainland's, and the
# `holidays` package's subdivision of France that has it.
SUBDIVISIONS = {
    "57": "57",  # Moselle
    "67": "6AE",  # Bas-Rhin (Alsace)
    "68": "6AE",  # Haut-Rhin (Alsace)
    "971": "971",  # Guadeloupe
    "972": "972",  # Martinique
    "973": "973",  # Guyane
    "974": "974",  # La Réunion
    "976": "976",  # Mayotte
}


def subdivision(departement_number: str | None) -> str | None:
    return SUBDIVISIONS.get((departement_number or "").strip().upper())


@lru_cache(maxsize=64)
def _of_year(subdiv: str | None, year: int) -> frozenset[date]:
    import holidays  # a large package: loaded by the first slot page, not at import

    return frozenset(holidays.country_holidays("FR", subdiv=subdiv, years=year))


def public_holidays(departement_number: str | None, start: date, end: date) -> frozenset[date]:
    """The public holidays of a département between two days (inclusive)."""
    subdiv = subdivision(departement_number)
    days: set[date] = set()
    for year in range(start.year, end.year + 1):
        days |= {d for d in _of_year(subdiv, year) if start <= d <= end}
    return frozenset(days)


def holidays_of_organisation(
    store: Store, organisation_id: str, start: date, end: date
) -> frozenset[date]:
    """The public holidays where an organisation is (its territoire's calendar)."""
    organisation = store.catalogue.get_organisation(organisation_id)
    territoire = (
        store.catalogue.get_territoire(organisation.territoire_id) if organisation else None
    )
    return public_holidays(territoire.departement_number if territoire else None, start, end)
