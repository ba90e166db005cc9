"""Every kind of recurrence survives the store (plages and absences alike), items
written when every recurrence was weekly still read, and the `last_day >= start`
queries find a recurring plage exactly while it may still occur."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import boto3
import pytest

from chalicelib.domain.models import Frequency, Recurrence
from chalicelib.store.models import PlageOuvertureModel
from tests import factories as f

EVERY_KIND = [
    Recurrence.weekly((0, 2, 4), every=2),
    Recurrence.weekly((1,), until=date(2027, 3, 30)),
    Recurrence.daily(),
    Recurrence.daily(every=3, until=date(2027, 1, 31)),
    Recurrence.monthly_on_day(31),
    Recurrence.monthly_on_day(15, every=2, until=date(2027, 11, 15)),
    Recurrence.monthly_on_weekday(2, 1),
    Recurrence.monthly_on_weekday(-1, 4, every=3, until=date(2027, 12, 31)),
    Recurrence.monthly_on_weekday(5, 6),
]


@pytest.mark.parametrize("recurrence", EVERY_KIND)
def test_a_plage_keeps_its_recurrence(store, recurrence):
    plage = f.plage(id="p", recurrence=recurrence)
    store.planning.save_plage(plage)
    [read] = store.planning.plages_of_agent("agent-1", date(2026, 11, 1), date(2026, 11, 30))
    assert read.recurrence == recurrence
    assert read == plage


@pytest.mark.parametrize("recurrence", EVERY_KIND)
def test_an_absence_keeps_its_recurrence(store, recurrence):
    absence = f.absence(id="a", recurrence=recurrence)
    store.planning.save_absence(absence)
    [read] = store.planning.absences_of_agent("agent-1", date(2026, 11, 1), date(2026, 11, 30))
    assert read.recurrence == recurrence
    assert read == absence


def test_a_recurrence_is_stored_with_the_fields_of_its_frequency_only(store):
    store.planning.save_plage(f.plage(id="p", recurrence=Recurrence.monthly_on_weekday(-1, 4)))
    item = boto3.client("dynamodb").get_item(
        TableName=PlageOuvertureModel.Meta.table_name, Key={"id": {"S": "p"}}
    )["Item"]
    assert item["recurrence"] == {
        "M": {
            "frequency": {"S": "monthly_by_weekday"},
            "interval": {"N": "1"},
            "weekdays": {"L": [{"N": "4"}]},
            "nth": {"N": "-1"},
        }
    }


def test_an_item_written_when_every_recurrence_was_weekly_reads_as_weekly(store):
    # The shape the weekly-only code wrote: every_weeks, weekdays, until; nothing else.
    item = {
        "id": {"S": "old"},
        "agent_id": {"S": "agent-1"},
        "organisation_id": {"S": "org-1"},
        "lieu_id": {"S": "lieu-1"},
        "motif_ids": {"L": [{"S": "motif-1"}]},
        "first_day": {"S": "2026-11-02"},
        "last_day": {"S": "2027-06-30"},
        "start_time": {"S": "09:00"},
        "end_time": {"S": "12:00"},
        "recurrence": {
            "M": {
                "every_weeks": {"N": "2"},
                "weekdays": {"L": [{"N": "0"}, {"N": "3"}]},
                "until": {"S": "2027-06-30"},
            }
        },
        "title": {"S": ""},
    }
    boto3.client("dynamodb").put_item(TableName=PlageOuvertureModel.Meta.table_name, Item=item)
    open_ended = dict(item, id={"S": "old-open"}, last_day={"S": "9999-12-31"})
    open_ended["recurrence"] = {"M": {"every_weeks": {"N": "1"}, "weekdays": {"L": [{"N": "4"}]}}}
    boto3.client("dynamodb").put_item(
        TableName=PlageOuvertureModel.Meta.table_name, Item=open_ended
    )
    found = {
        p.id: p.recurrence
        for p in store.planning.plages_of_lieu("lieu-1", date(2026, 11, 1), date(2026, 11, 30))
    }
    assert found == {
        "old": Recurrence(2, (0, 3), until=date(2027, 6, 30)),
        "old-open": Recurrence(1, (4,)),
    }
    assert found["old"].frequency is Frequency.WEEKLY


@pytest.mark.parametrize(
    "recurrence",
    [
        Recurrence.daily(every=7, until=date(2027, 2, 28)),
        Recurrence.monthly_on_day(28, until=date(2027, 2, 28)),
        Recurrence.monthly_on_weekday(-1, 6, until=date(2027, 2, 28)),
    ],
)
def test_a_recurring_plage_is_found_until_its_end_and_not_after(store, recurrence):
    store.planning.save_plage(
        f.plage(id="ends", first_day=date(2026, 11, 1), recurrence=recurrence)
    )
    store.planning.save_plage(
        f.plage(id="open", first_day=date(2026, 11, 1), recurrence=replace(recurrence, until=None))
    )

    def found(start: date, end: date) -> list[str]:
        return sorted(p.id for p in store.planning.plages_of_lieu("lieu-1", start, end))

    assert found(date(2026, 10, 1), date(2026, 10, 31)) == []  # before its first day
    assert found(date(2027, 2, 1), date(2027, 2, 28)) == ["ends", "open"]
    assert found(date(2027, 3, 1), date(2027, 3, 31)) == ["open"]
    assert found(date(2035, 3, 1), date(2035, 3, 31)) == ["open"]
