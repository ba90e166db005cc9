"""Text rules shared by searches: how names and communes are compared."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces, single spaces:
    "Nœux-les-Mines" and "noeux les mines" compare equal."""
    text = text.replace("œ", "oe").replace("Œ", "Oe").replace("æ", "ae").replace("Æ", "Ae")
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    for sep in "-'’":
        plain = plain.replace(sep, " ")
    return " ".join(plain.split())
