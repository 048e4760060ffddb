"""Inline SVG line charts for the HTML pages.

Public surface: `series_chart(points, unit, num, axis_number, day, link)`.

Presentation attributes only (no style attributes), so the pages' Content-Security-Policy needs
no exception. Axis labels are short ("1.4B", "1,4 млрд" in the report's locale) and the left
margin grows with the longest of them, so no label is ever clipped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from markupsafe import Markup, escape

from ledger.reconcile import Observation

CHAR_WIDTH = 6.6
"""Width of one character of an 11 px axis label, generous for digits and letters."""


def series_chart(points: list[Observation], unit: str, num: Callable[[float], str],
                 axis_number: Callable[[float], str], day: Callable[[str], str],
                 link: Callable[[str], str]) -> Markup:
    """A line chart of a series: the accepted values, the band the statements allow, each
    point a link (`link(observation_id)`) to its statements."""
    days = [date.fromisoformat(o.as_of[:10]).toordinal() for o in points]
    values = [v for o in points for v in (o.value, o.low, o.high) if v is not None]
    low_v, high_v = min(values), max(values)
    if high_v == low_v:
        low_v, high_v = low_v - 1, high_v + 1
    labels = (axis_number(high_v), axis_number(low_v))
    width, height, right, top, bottom = 560, 170, 20, 12, 28
    left = int(max(len(label) for label in labels) * CHAR_WIDTH) + 12
    span_days = max(days[-1] - days[0], 1)

    def x(d: int) -> float:
        return left + (d - days[0]) / span_days * (width - left - right)

    def y(v: float) -> float:
        return top + (high_v - v) / (high_v - low_v) * (height - top - bottom)

    parts = [f'<svg viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             'role="img" xmlns="http://www.w3.org/2000/svg">']
    banded = [(d, o) for d, o in zip(days, points, strict=True)
              if o.low is not None and o.high is not None]
    if len(banded) >= 2:
        upper = " ".join(f"{x(d):.1f},{y(o.high):.1f}" for d, o in banded)  # type: ignore[arg-type]
        lower = " ".join(f"{x(d):.1f},{y(o.low):.1f}" for d, o in reversed(banded))  # type: ignore[arg-type]
        parts.append(f'<polygon points="{upper} {lower}" fill="#0b5cab" fill-opacity="0.12"/>')
    line = " ".join(f"{x(d):.1f},{y(o.value):.1f}" for d, o in zip(days, points, strict=True))
    parts.append(f'<polyline points="{line}" fill="none" stroke="#0b5cab" stroke-width="2"/>')
    for d, o in zip(days, points, strict=True):
        label = escape(f"{day(o.as_of)}: {num(o.value)} {unit} ({o.status})")
        parts.append(f'<a href="{escape(link(o.observation_id))}"><circle cx="{x(d):.1f}" '
                     f'cy="{y(o.value):.1f}" r="5" fill="#0b5cab"><title>{label}</title>'
                     "</circle></a>")
    axis = height - bottom
    parts.append(f'<line x1="{left}" y1="{axis}" x2="{width - right}" y2="{axis}" '
                 'stroke="#5b6472"/>')
    text = 'font-size="11" fill="#5b6472"'
    parts.append(f'<text x="{left}" y="{height - 8}" {text}>{escape(day(points[0].as_of))}'
                 "</text>")
    parts.append(f'<text x="{width - right}" y="{height - 8}" text-anchor="end" {text}>'
                 f"{escape(day(points[-1].as_of))}</text>")
    parts.append(f'<text x="{left - 6}" y="{top + 8}" text-anchor="end" {text}>'
                 f"{escape(labels[0])}</text>")
    parts.append(f'<text x="{left - 6}" y="{axis}" text-anchor="end" {text}>'
                 f"{escape(labels[1])}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))
