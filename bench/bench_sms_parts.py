"""SMS parts a rdv costs over its life (confirmation, reminders, one move), with the
texts as sent: the rdv of tests/unit/test_sms_count.py (booked 10 days ahead, reminders
48 h and 24 h before), without and with `domain.reminders.reminders_after_move`.
Run: `.venv/bin/python bench/bench_sms_parts.py` (under a second)."""

from __future__ import annotations

from datetime import timedelta

import _setup  # noqa: F401 - the project on sys.path


def main() -> None:
    from tests.unit.test_sms_count import (
        BOOKED_AT,
        STARTS_AT,
        TYPICAL_MOVE,
        Move,
        parts,
        sms_of_a_life,
    )

    after_first_reminder = Move(STARTS_AT - timedelta(days=2, hours=-1), TYPICAL_MOVE.to)
    # Wednesday 15:00 to Friday 9:00: the new date's 24 h reminder would be due 18 h later.
    within_a_day = Move(BOOKED_AT + timedelta(days=2, hours=6), BOOKED_AT + timedelta(days=4))
    cases = [
        ("no move", None),
        ("moved 3 days after booking, to a week later", TYPICAL_MOVE),
        ("moved an hour after the 48 h reminder, to a week later", after_first_reminder),
        ("moved 18 h before the new date's 24 h reminder", within_a_day),
    ]
    print(f"{'life of the rdv':58} {'without move rule':>17} {'what the app sends':>18}")
    for label, move in cases:
        today = parts(sms_of_a_life(move, move_rule=False))
        ruled = parts(sms_of_a_life(move, move_rule=True))
        print(f"{label:58} {today:>17} {ruled:>18}")


if __name__ == "__main__":
    main()
