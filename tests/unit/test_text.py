"""Reading what agents type: wall-clock times."""

from __future__ import annotations

from datetime import time

import pytest

from chalicelib.domain.text import wall_time, whole_number


@pytest.mark.parametrize(
    ("typed", "read"),
    [("14:30", time(14, 30)), ("09:00:00", time(9)), ("9h", time(9)), ("14h30", time(14, 30))],
)
def test_a_time_is_read_as_typed_or_sent_by_a_time_input(typed, read):
    assert wall_time(typed) == read


@pytest.mark.parametrize("typed", ["", "24:00", "9:5", "midi", "²:00", "1²:00", "09:0²", "٠٩:٠٠"])
def test_anything_else_is_no_time_never_an_error(typed):
    # Superscripts and other digits are digits to str.isdigit(), not to int(): a
    # 500 on the plage and reschedule forms before.
    assert wall_time(typed) is None


@pytest.mark.parametrize(("typed", "read"), [("12", 12), (" 3 ", 3), ("-3", -3), ("0", 0)])
def test_a_whole_number_is_read_as_typed(typed, read):
    assert whole_number(typed) == read


@pytest.mark.parametrize("typed", ["", "-", "²", "1²", "--3", "3.5", "٣", "douze"])
def test_anything_else_is_no_whole_number_never_an_error(typed):
    assert whole_number(typed) is None
