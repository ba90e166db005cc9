"""Figures in French (« 12,5 % ») and the statistics chart: an SVG drawn on the server
(no JavaScript), with a <title> and a <desc> for screen readers, and a data table
beside it on the page. The chart's viewBox scales to the page's width; its text is
sized for a phone, and every other month is labelled (the table names them all)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip
SHORT_MONTHS = (
    "janv.", "févr.", "mars", "avr.", "mai", "juin",
    "juil.", "août", "sept.", "oct.", "nov.", "déc.",
)  # fmt: skip
NBSP = "\u00a0"
NARROW_NBSP = "\u202f"


def percent(value: float | None, digits: int = 1) -> str:
    """0.125 -> « 12,5 % » (a no-break space before %); None -> « – »."""
    if value is None:
        return "–"
    text = f"{value * 100:.{digits}f}".replace(".", ",")
    if digits and text.endswith("," + "0" * digits):
        text = text.split(",")[0]
    return f"{text}{NBSP}%"


def number(value: int | float | None, digits: int = 0) -> str:
    """12345 -> « 12 345 », 4.25 (digits=1) -> « 4,3 »; None -> « – »."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}".replace(",", NARROW_NBSP).replace(".", ",")
    return text


def month_label(month: str, short: bool = False) -> str:
    """ "2026-01" -> « janvier 2026 » (short: « janv. 26 »)."""
    year, number_ = (int(part) for part in month.split("-"))
    if short:
        return f"{SHORT_MONTHS[number_ - 1]}{NBSP}{year % 100:02d}"
    return f"{MONTHS[number_ - 1]} {year}"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]  # one per month, None: no figure
    css_class: str  # colours and dashes come from the page's CSS


@dataclass(frozen=True)
class Guide:
    name: str
    value: float
    css_class: str


WIDTH, HEIGHT = 480, 290
# Room for the axis' labels: « 100 % » on the left, half a month's label on the right.
LEFT, RIGHT, TOP, BOTTOM = 58, 30, 14, 40


def line_chart(
    chart_id: str,
    title: str,
    months: Sequence[str],
    series: Sequence[Series],
    guides: Sequence[Guide] = (),
) -> Markup:
    """An SVG line chart of rates (0..1) over months."""
    values = [v for s in series for v in s.values if v is not None]
    values += [g.value for g in guides]
    # The axis ends on a multiple of 10 % above the highest figure (100 % at most).
    top = min(1.0, math.ceil((max([0.25, *values]) + 0.02) * 10) / 10)
    step_of_grid = 0.1 if top <= 0.5 else 0.2
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(1, len(months) - 1)

    def x(index: int) -> float:
        return LEFT + index * step

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    title_id, desc_id = f"{chart_id}-titre", f"{chart_id}-desc"
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{title_id} {desc_id}" '
        'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(describe(months, series, guides))}</desc>',
    ]
    # Horizontal grid every 10 %, labelled on the left.
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{escape(percent(tick, 0))}</text>'
        )
        tick = round(tick + step_of_grid, 10)
    for guide in guides:
        parts.append(
            f'<line class="guide {guide.css_class}" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(guide.value):.1f}" y2="{y(guide.value):.1f}">'
            f"<title>{escape(guide.name)} : {escape(percent(guide.value, 0))}</title></line>"
        )
    for index, month in enumerate(months):
        if (len(months) - 1 - index) % 2:
            continue  # every other month is labelled, the last one always: they fit
        parts.append(
            f'<text class="axis month" x="{x(index):.1f}" y="{HEIGHT - BOTTOM + 18}" '
            f'text-anchor="middle">{escape(month_label(month, short=True))}</text>'
        )
    for line in series:
        points = [(i, v) for i, v in enumerate(line.values) if v is not None]
        segments: list[list[tuple[int, float]]] = []
        for i, v in points:
            if segments and segments[-1][-1][0] == i - 1:
                segments[-1].append((i, v))
            else:
                segments.append([(i, v)])
        for segment in segments:
            if len(segment) > 1:
                coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in segment)
                parts.append(f'<polyline class="line {line.css_class}" points="{coords}"/>')
        for i, v in points:
            parts.append(
                f'<circle class="dot {line.css_class}" cx="{x(i):.1f}" cy="{y(v):.1f}" r="4">'
                f"<title>{escape(line.name)}, {escape(month_label(months[i]))} : "
                f"{escape(percent(v))}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def describe(months: Sequence[str], series: Sequence[Series], guides: Sequence[Guide]) -> str:
    """What the chart shows, in a sentence per line: first and last known figures."""
    sentences = []
    for line in series:
        known = [(m, v) for m, v in zip(months, line.values, strict=True) if v is not None]
        if not known:
            sentences.append(f"{line.name} : aucune donnée.")
            continue
        (first_month, first), (last_month, last) = known[0], known[-1]
        sentences.append(
            f"{line.name} : {percent(first)} en {month_label(first_month)}, "
            f"{percent(last)} en {month_label(last_month)}."
        )
    for guide in guides:
        sentences.append(f"{guide.name} : {percent(guide.value, 0)}.")
    return " ".join(sentences)
