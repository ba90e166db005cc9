"""SMS text rules: GSM-7 only, and how many parts a text costs.

One GSM-7 part holds 160 characters (153 each when split). A single character outside
GSM-7 (ê, â, î, ô, û, ë, ï, ç, ’, emoji…) switches the whole message to UCS-2, at 70
characters a part: texts are transliterated to GSM-7 before they are sent."""

from __future__ import annotations

import unicodedata

# GSM 03.38 basic character set, and the extension table (each costs two septets).
GSM7_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = "^{}\\[~]|€\f"
_BASIC = frozenset(GSM7_BASIC)
_EXTENSION = frozenset(GSM7_EXTENSION)

# Common characters outside GSM-7, and their closest GSM-7 spelling.
_REPLACEMENTS = {
    "’": "'",
    "‘": "'",
    "“": '"',
    "”": '"',
    "«": '"',
    "»": '"',
    "–": "-",
    "—": "-",
    "…": "...",
    "\u00a0": " ",
    "\u202f": " ",
    "œ": "oe",
    "Œ": "OE",
    "ç": "c",  # only the capital Ç is in GSM-7
    "À": "A",
    "Â": "A",
    "È": "E",
    "Ê": "E",
    "Ë": "E",
    "Î": "I",
    "Ï": "I",
    "Ô": "O",
    "Ù": "U",
    "Û": "U",
}


def is_gsm7(text: str) -> bool:
    return all(c in _BASIC or c in _EXTENSION for c in text)


def to_gsm7(text: str) -> str:
    """Replace every character outside GSM-7 by its closest GSM-7 spelling
    (`à é è ù` stay; `ê â î ô û ë ï ç ’` become `e a i o u e i c '`)."""
    out = []
    for c in text:
        if c in _BASIC or c in _EXTENSION:
            out.append(c)
        elif c in _REPLACEMENTS:
            out.append(_REPLACEMENTS[c])
        else:
            base = "".join(
                ch for ch in unicodedata.normalize("NFKD", c) if not unicodedata.combining(ch)
            )
            out.append(base if base and is_gsm7(base) else "?")
    return "".join(out)


def septets(text: str) -> int:
    return sum(2 if c in _EXTENSION else 1 for c in text)


def sms_parts(text: str) -> int:
    """How many SMS parts the text costs."""
    if is_gsm7(text):
        length, single, multi = septets(text), 160, 153
    else:
        length, single, multi = len(text.encode("utf-16-be")) // 2, 70, 67
    if length <= single:
        return 1
    return -(-length // multi)


# A first name in a message: how long it may be (« Marie-Charlotte » is 15).
FIRST_NAME_IN_MESSAGES = 15


def first_name_for_messages(name: str | None) -> str:
    """A child's first name as messages to the parent may print it: the first word
    only, in letters (hyphens and apostrophes inside), at most 15 characters, in GSM-7;
    otherwise nothing. The name is typed by whoever books: printed whole, it would let
    anyone write their own words into an SMS from the official sender."""
    words = (name or "").split()
    if not words:
        return ""
    word = to_gsm7(words[0])
    letters = word.replace("-", "").replace("'", "")
    if not letters.isalpha() or "?" in word or len(word) > FIRST_NAME_IN_MESSAGES:
        return ""
    if word[0] in "-'" or word[-1] in "-'":
        return ""
    return word
