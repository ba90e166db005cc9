"""Text rules shared by searches and forms: how names and communes are compared, how
a typed time of day is read."""

from __future__ import annotations

import unicodedata
from datetime import time


def fold(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces, single spaces:
    "Nœux-les-Mines" and "noeux les mines" compare equal."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for sep in "-'’":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())


def whole_number(text: str) -> int | None:
    """`12`, `-3` as typed (ASCII digits: "²" is a digit to str.isdigit(), not to
    int()); None otherwise."""
    digits = text.strip()
    digits = digits[1:] if digits.startswith("-") else digits
    if not (digits.isascii() and digits.isdigit()):
        return None
    return int(text.strip())


def wall_time(text: str) -> time | None:
    """`14:30` (a time input, seconds allowed) or `14h30`, `9h` typed; None otherwise."""
    if not text.isascii():
        return None  # "²" is a digit to str.isdigit(), not to int()
    hours, _, rest = text.strip().lower().replace("h", ":").partition(":")
    minutes = rest[:2] or "00"
    if not (hours.isdigit() and minutes.isdigit() and len(hours) <= 2 and len(minutes) == 2):
        return None
    if rest[2:] and not (rest[2] == ":" and rest[3:].isdigit()):
        return None
    if int(hours) > 23 or int(minutes) > 59:
        return None
    return time(int(hours), int(minutes))
