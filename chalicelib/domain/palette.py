"""The colours a motif may take: each readable as text on white and under white text.

A motif's colour marks its rdvs on the agendas. WCAG 2.1 asks 4.5:1 for text (1.4.3)
and 3:1 for the parts of a graphic one needs (1.4.11): every colour of the palette
reaches 4.5:1 against white, so it works as text, as a background under white text,
and as a mark on white. A colour saved before (the demo's, an import) is kept only if
it reaches the same ratio."""

from __future__ import annotations

import re

MIN_CONTRAST = 4.5

# (value, name shown to the admin), in the order of the form.
MOTIF_COLOURS: tuple[tuple[str, str], ...] = (
    ("#1e6bb8", "Bleu"),
    ("#000091", "Bleu marine"),
    ("#006a6f", "Bleu canard"),
    ("#18753c", "Vert"),
    ("#6a4c00", "Brun"),
    ("#a94400", "Orange brûlé"),
    ("#c9191e", "Rouge"),
    ("#a10f5b", "Framboise"),
    ("#7b3f9e", "Violet"),
    ("#3a3a3a", "Gris anthracite"),
)

_HEX = re.compile(r"^#[0-9a-f]{6}$")


def is_hex_colour(value: str) -> bool:
    return bool(_HEX.match(value))


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.1's relative luminance of `#rrggbb`."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str = "#ffffff") -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def is_accessible(colour: str) -> bool:
    """A `#rrggbb` colour with at least 4.5:1 against white."""
    return is_hex_colour(colour) and contrast_ratio(colour) >= MIN_CONTRAST


def colour_name(colour: str) -> str:
    return dict(MOTIF_COLOURS).get(colour, colour)
