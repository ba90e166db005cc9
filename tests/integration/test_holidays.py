"""No slot on a public holiday of the territoire, unless the plage opens on purpose."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from chalicelib.domain.models import Territoire
from chalicelib.services import availability
from tests.integration.conftest import NOW

CHRISTMAS = date(2026, 12, 25)  # a Friday
GOOD_FRIDAY = date(2027, 3, 26)


def day_starts(store, motif, lieu, day):
    return availability.slots_between(store, motif, lieu, day, day, NOW)


def test_christmas_offers_no_slot_and_the_next_available_skips_it(store, pilot):
    assert day_starts(store, pilot.motif, pilot.lieu, date(2026, 12, 24))
    assert day_starts(store, pilot.motif, pilot.lieu, CHRISTMAS) == []
    # A plage opened on purpose for an exceptional session on the holiday.
    store.planning.save_plage(
        replace(store.planning.plages_of_lieu("lieu-1", CHRISTMAS, CHRISTMAS)[0],
                id="christmas", first_day=CHRISTMAS, recurrence=None, open_on_holidays=True)
    )  # fmt: skip
    assert day_starts(store, pilot.motif, pilot.lieu, CHRISTMAS)


def test_alsace_moselle_also_closes_on_good_friday(store, pilot):
    open_agenda = replace(pilot.motif, id="m-open", max_booking_delay_minutes=None)
    store.catalogue.save_motif(open_agenda)
    for plage in store.planning.plages_of_lieu("lieu-1", GOOD_FRIDAY, GOOD_FRIDAY):
        store.planning.save_plage(replace(plage, motif_ids=(*plage.motif_ids, "m-open")))
    assert day_starts(store, open_agenda, pilot.lieu, GOOD_FRIDAY)  # Pas-de-Calais: open
    store.catalogue.save_territoire(Territoire(id="t-62", name="Moselle", departement_number="57"))
    assert day_starts(store, open_agenda, pilot.lieu, GOOD_FRIDAY) == []
