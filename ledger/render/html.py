"""The HTML summary: one self-contained, script-free file.

Public surface: `render_html(report, locale, version)` returns the bytes of `index.html`.

The template (`reports/summary.html.j2`) is autoescaped; the stylesheet is inlined and allowed
by its hash in a Content-Security-Policy that forbids everything else (no scripts, no network).
Links to sources are kept only when they are http(s). Numbers and dates use babel's locale data.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from ledger.builtin import builtin_dir
from ledger.normalise import Fact
from ledger.reconcile import Observation
from ledger.render.report import CHART_MIN_POINTS, QUALIFIER_WORDS, Report
from ledger.text import paragraph_spans
from ledger.yaml_lines import load

PLURALS = {"person": "people", "bus": "buses", "facility": "facilities", "family": "families",
           "aircraft": "aircraft", "house": "houses"}


CONTEXT_CHARS = 300
"""How much of the paragraph around a quote the drill-down shows on each side."""


@dataclass(frozen=True)
class StatementView:
    fact: Fact
    context_before: str
    quote_before: str
    figure: str
    quote_after: str
    context_after: str
    url: str
    publisher: str


@dataclass(frozen=True)
class SeriesChart:
    title: str
    svg: Markup
    points: list[Observation]


@dataclass(frozen=True)
class DocumentView:
    path: str
    published: date | None
    publisher: str
    title: str
    url: str
    sha256: str


def unit_label(unit: str, value: float) -> str:
    """A unit as a reader writes it: `1 person`, `27 posts`; currency codes unchanged."""
    if value == 1 or unit.isupper():
        return unit
    return PLURALS.get(unit, unit + "s")


def series_chart(points: list[Observation], unit: str, num: Any, day: Any) -> Markup:
    """An inline SVG line chart of a series: the accepted values, the band the statements
    allow, each point a link to its observation. Presentation attributes only (no style
    attributes), so the page's Content-Security-Policy needs no exception."""
    width, height, left, right, top, bottom = 560, 170, 70, 20, 12, 28
    days = [date.fromisoformat(o.as_of[:10]).toordinal() for o in points]
    values = [v for o in points for v in (o.value, o.low, o.high) if v is not None]
    low_v, high_v = min(values), max(values)
    if high_v == low_v:
        low_v, high_v = low_v - 1, high_v + 1
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
        parts.append(f'<a href="#{escape(o.observation_id)}"><circle cx="{x(d):.1f}" '
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
                 f"{escape(num(high_v))}</text>")
    parts.append(f'<text x="{left - 6}" y="{axis}" text-anchor="end" {text}>'
                 f"{escape(num(low_v))}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))


def safe_url(url: str) -> str:
    """The URL when it is http(s), else empty: no javascript:, data: or file: links."""
    return url if re.match(r"^https?://[^\s\"'<>]+$", url, re.IGNORECASE) else ""


def template_environment(locale: str = "en") -> Environment:
    """The autoescaping Jinja2 environment of the report templates, with their filters."""
    env = Environment(loader=FileSystemLoader(str(builtin_dir("reports"))),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    def num(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
        if digits == 0 and not float(value).is_integer():
            pattern = "#,##0.###"
        return str(format_decimal(value, format=pattern, locale=locale))

    def day(value: str | date | None) -> str:
        if not value:
            return "—"
        parsed = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
        return str(format_date(parsed, format="medium", locale=locale))

    def figure(obs: Observation) -> str:
        words = QUALIFIER_WORDS.get(obs.qualifier, "")
        if obs.qualifier == "range" and obs.high is not None:
            text = f"{num(obs.value)}–{num(obs.high)}"
        else:
            text = f"{words} {num(obs.value)}".strip()
        text = f"{text} {unit_label(obs.unit, obs.value)}"
        if obs.value_usd is not None and obs.unit != "USD":
            text += f" ({num(obs.value_usd)} USD)"
        return text

    def interval(obs: Observation) -> str:
        if obs.low is None and obs.high is None:
            return "open"
        if obs.low == obs.high:
            return "exact"
        return f"{num(obs.low) if obs.low is not None else '…'} to " \
               f"{num(obs.high) if obs.high is not None else '…'}"

    messages = _messages().get(locale, {})
    env.filters.update(num=num, day=day, figure=figure, interval=interval, unit=unit_label,
                       label=lambda s: str(s).replace("_", " "),
                       t=lambda text: messages.get(str(text), str(text)))
    return env


@cache
def _messages() -> dict[str, dict[str, str]]:
    """The page's fixed texts per report locale (reports/messages.yaml): English -> local."""
    data, _ = load((builtin_dir("reports") / "messages.yaml").read_text("utf-8"),
                   plain_text=True)
    return {locale: dict(texts) for locale, texts in (data or {}).items()}


UNREAD_SHOWN = 200
"""The likely figures left unread that the summary lists (all are in unread.csv)."""


def render_html(report: Report, locale: str, version: str) -> bytes:
    env = template_environment(locale)
    style = (builtin_dir("reports") / "summary.css").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    docs = {d.path: d for d in report.documents}
    paragraphs = {d.path: paragraph_spans(d.text) for d in report.documents}
    facts = {f.fact_id: f for f in report.facts}
    facts_of: dict[str, list[StatementView]] = {}
    for obs in report.observations:
        views = []
        for fact_id in obs.fact_ids:
            fact = facts[fact_id]
            text = docs[fact.source].text
            spans = paragraphs[fact.source]
            i = bisect.bisect_right(spans, (fact.quote_start, len(text))) - 1
            p_start, p_end = (spans[i] if i >= 0 and fact.quote_start < spans[i][1]
                              else (fact.quote_start, fact.quote_end))
            before = text[max(p_start, fact.quote_start - CONTEXT_CHARS):fact.quote_start]
            after = text[fact.quote_end:min(p_end, fact.quote_end + CONTEXT_CHARS)]
            views.append(StatementView(
                fact, ("…" if fact.quote_start - CONTEXT_CHARS > p_start else "") + before,
                text[fact.quote_start:fact.char_start], text[fact.char_start:fact.char_end],
                text[fact.char_end:fact.quote_end],
                after + ("…" if fact.quote_end + CONTEXT_CHARS < p_end else ""),
                safe_url(docs[fact.source].url), docs[fact.source].publisher))
        facts_of[obs.observation_id] = views
    charts = [SeriesChart(f"{k[0].replace('_', ' ')} · {k[1] or 'no place'} · {k[2]} "
                          f"({unit_label(k[3], 2)})" + (f" · as {k[4]} claims" if k[4] else ""),
                          series_chart(points, unit_label(k[3], 2), env.filters["num"],
                                       env.filters["day"]), points)
              for k, points in report.charted.items() if len(points) >= CHART_MIN_POINTS]
    context: dict[str, Any] = {
        "title": report.title, "locale": locale, "version": version, "style": Markup(style),
        "style_hash": f"sha256-{digest}", "headlines": report.headlines,
        "observations": report.observations, "findings": report.findings,
        "facts_of": facts_of, "observation_of": report.observation_of, "charts": charts,
        "documents": [DocumentView(d.path, d.published, d.publisher, d.title, safe_url(d.url),
                                   d.file_sha256) for d in report.documents],
        "counts": {"documents": len(report.documents), "facts": len(report.facts),
                   "observations": len(report.observations),
                   "findings": len(report.findings), "unread": len(report.unread)},
        "read_share": report.read_share,
        "unread_reasons": Counter(u.reason for u in report.unread).most_common(),
        "likely_unread": report.likely_unread[:UNREAD_SHOWN],
        "likely_total": len(report.likely_unread),
    }
    return env.get_template("summary.html.j2").render(context).encode("utf-8")
