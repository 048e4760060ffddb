"""The HTML summary: one self-contained, script-free file.

Public surface: `render_html(report, locale, version)` returns the bytes of `index.html`.

The template (`reports/summary.html.j2`) is autoescaped; the stylesheet is inlined and allowed
by its hash in a Content-Security-Policy that forbids everything else (no scripts, no network).
Links to sources are kept only when they are http(s). Numbers and dates use babel's locale data.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ledger.builtin import builtin_dir
from ledger.normalise import Fact
from ledger.reconcile import Observation
from ledger.render.report import Report

PLURALS = {"person": "people", "bus": "buses", "facility": "facilities", "family": "families",
           "aircraft": "aircraft", "house": "houses"}
QUALIFIER_WORDS = {"exact": "", "approx": "about", "more_than": "more than",
                   "at_least": "at least", "less_than": "less than", "at_most": "at most",
                   "range": "between"}


@dataclass(frozen=True)
class StatementView:
    fact: Fact
    quote_before: str
    figure: str
    quote_after: str
    url: str
    publisher: str


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

    env.filters.update(num=num, day=day, figure=figure, interval=interval, unit=unit_label,
                       label=lambda s: str(s).replace("_", " "))
    return env


def render_html(report: Report, locale: str, version: str) -> bytes:
    env = template_environment(locale)
    style = (builtin_dir("reports") / "summary.css").read_text("utf-8")
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    docs = {d.path: d for d in report.documents}
    facts = {f.fact_id: f for f in report.facts}
    facts_of: dict[str, list[StatementView]] = {}
    for obs in report.observations:
        views = []
        for fact_id in obs.fact_ids:
            fact = facts[fact_id]
            text = docs[fact.source].text
            views.append(StatementView(
                fact, text[fact.quote_start:fact.char_start],
                text[fact.char_start:fact.char_end], text[fact.char_end:fact.quote_end],
                safe_url(docs[fact.source].url), docs[fact.source].publisher))
        facts_of[obs.observation_id] = views
    context: dict[str, Any] = {
        "title": report.title, "locale": locale, "version": version, "style": Markup(style),
        "style_hash": f"sha256-{digest}", "headlines": report.headlines,
        "observations": report.observations, "findings": report.findings,
        "facts_of": facts_of, "observation_of": report.observation_of,
        "documents": [DocumentView(d.path, d.published, d.publisher, d.title, safe_url(d.url),
                                   d.file_sha256) for d in report.documents],
        "counts": {"documents": len(report.documents), "facts": len(report.facts),
                   "observations": len(report.observations),
                   "findings": len(report.findings)},
    }
    return env.get_template("summary.html.j2").render(context).encode("utf-8")
