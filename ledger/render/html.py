"""The HTML report: a light summary page and the pages it links to, all self-contained.

Public surface: `render_html(report, locale, version)` yields (file name, bytes), a page at a
time (a large report is never in memory whole):
`index.html` (headline figures, charts, findings to review, numbers left unread), one
`statements-INDICATOR.html` per indicator holding every observation with its sentences
(`-2`, `-3` … where one page would pass `PAGE_BUDGET`), `findings.html` and `sources.html`.
However large the corpus, `index.html` shows bounded lists and every page stays under 5 MB.

The templates (`reports/*.html.j2`) are autoescaped; the stylesheet and the small script
(`reports/ledger.js`: sort, filter, search) are inlined and allowed by their hashes in a
Content-Security-Policy that forbids everything else (no network request, ever). Without
scripts the pages read and print as they are. Links to sources are kept only when they are
http(s). Numbers, dates and plurals follow the report locale (babel's CLDR data).
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, TypeVar

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_compact_decimal, parse_pattern
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from ledger.blobs import Blobs
from ledger.builtin import builtin_dir
from ledger.findings import Finding
from ledger.normalise import Fact
from ledger.reconcile import Observation
from ledger.render.chart import series_chart
from ledger.render.report import CHART_MIN_POINTS, QUALIFIER_WORDS, Report
from ledger.sources import Spans
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


def is_money(unit: str) -> bool:
    """A currency code (USD, AMD, EUR) rather than a counted thing."""
    return len(unit) == 3 and unit.isupper()


_SAFE_URL = re.compile(r"^https?://[^\s\"'<>]+$", re.IGNORECASE)


def safe_url(url: str) -> str:
    """The URL when it is http(s), else empty: no javascript:, data: or file: links."""
    return url if _SAFE_URL.match(url) else ""


def template_environment(locale: str = "en") -> Environment:
    """The autoescaping Jinja2 environment of the report templates, with their filters."""
    env = Environment(loader=FileSystemLoader(str(builtin_dir("reports"))),
                      autoescape=select_autoescape(["html", "j2"], default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)

    babel_locale = Locale.parse(locale)

    def num(value: float | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" if digits == 0 else "#,##0." + "0" * digits
        if digits == 0 and not float(value).is_integer():
            pattern = "#,##0.###"
        return str(_number_pattern(pattern).apply(value, babel_locale))

    def amount(value: float | None, unit: str) -> str:
        """Money always with two decimals; counts as written."""
        return num(value, 2 if is_money(unit) else 0)

    def axis_number(value: float) -> str:
        """A short axis label: 950, 12.5K, 1.4B (1,4 млрд in Russian)."""
        if abs(value) < 10_000:
            return num(value)
        return str(format_compact_decimal(value, format_type="short", locale=locale,
                                          fraction_digits=1))

    plural_forms = _plurals().get(locale) or _plurals()["en"]
    rules = babel_locale

    def count(n: int, word: str) -> str:
        """`n word` with the word in the plural form the locale's rules give n."""
        forms = plural_forms.get(word) or _plurals()["en"].get(word) or {}
        form = forms.get(rules.plural_form(n)) or forms.get("other") or word
        return form.replace("{n}", num(n)) if "{n}" in form else f"{num(n)} {form}"

    days: dict[str | date, str] = {}  # a report names the same few hundred days again and again

    def day(value: str | date | None) -> str:
        if not value:
            return "—"
        found = days.get(value)
        if found is None:
            parsed = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
            found = days[value] = str(format_date(parsed, format="medium",
                                                  locale=babel_locale))
        return found

    def figure(obs: Observation) -> str:
        words = QUALIFIER_WORDS.get(obs.qualifier, "")
        if obs.qualifier == "range" and obs.high is not None:
            text = f"{amount(obs.value, obs.unit)}–{amount(obs.high, obs.unit)}"
        else:
            text = f"{words} {amount(obs.value, obs.unit)}".strip()
        text = f"{text} {unit_label(obs.unit, obs.value)}"
        if obs.value_usd is not None and obs.unit != "USD":
            text += f" ({num(obs.value_usd, 2)} USD)"
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
                       amount=amount, axis_number=axis_number, count=count,
                       severity_rank=lambda s: SEVERITY_RANK.get(str(s), 9),
                       href=lambda observation_id: f"#{observation_id}",
                       label=lambda s: str(s).replace("_", " "),
                       t=lambda text: messages.get(str(text), str(text)))
    return env


SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


@cache
def _number_pattern(pattern: str) -> Any:
    """A parsed babel number pattern (format_decimal would parse it again at every call)."""
    return parse_pattern(pattern)


@cache
def _plurals() -> dict[str, dict[str, dict[str, str]]]:
    """Counted words per report locale and CLDR plural category (reports/plurals.yaml)."""
    data, _ = load((builtin_dir("reports") / "plurals.yaml").read_text("utf-8"),
                   plain_text=True)
    return {locale: {word: dict(forms) for word, forms in words.items()}
            for locale, words in (data or {}).items()}


@cache
def _messages() -> dict[str, dict[str, str]]:
    """The page's fixed texts per report locale (reports/messages.yaml): English -> local."""
    data, _ = load((builtin_dir("reports") / "messages.yaml").read_text("utf-8"),
                   plain_text=True)
    return {locale: dict(texts) for locale, texts in (data or {}).items()}


HEADLINES_SHOWN = 1000
"""Headline rows on index.html; every series is on its indicator's page."""
FINDINGS_SHOWN = 200
"""Findings on index.html, errors first; findings.html lists them all."""
UNREAD_SHOWN = 200
"""The likely figures left unread that the summary lists (all are in unread.csv)."""
INDEX_CHART_BYTES = 400_000
"""Charts on index.html stop at this many bytes of SVG; every chart is on its indicator page."""
PAGE_CHART_BYTES = 1_000_000
PAGE_BYTES = 3_500_000
"""Statements, findings or sources on one page before the next page starts (rows are
estimated in bytes), keeping every page under 5 MB with its charts, style and script."""

T = TypeVar("T")


def paginate(items: Iterable[T], size: Callable[[T], int], budget: int) -> list[list[T]]:
    """Items in order, cut into pages of at most `budget` (a single larger item has a page of
    its own). Always at least one page."""
    pages: list[list[T]] = [[]]
    used = 0
    for item in items:
        cost = size(item)
        if pages[-1] and used + cost > budget:
            pages.append([])
            used = 0
        pages[-1].append(item)
        used += cost
    return pages


def page_names(stem: str, n: int) -> list[str]:
    """`stem.html`, then `stem-2.html`, `stem-3.html` …"""
    return [f"{stem}.html" if i == 1 else f"{stem}-{i}.html" for i in range(1, n + 1)]


def indicator_stems(indicators: Iterable[str]) -> dict[str, str]:
    """A file stem per indicator, `statements-` and its name in lower-case letters, digits and
    underscores; distinct indicators always get distinct stems."""
    stems: dict[str, str] = {}
    for indicator in sorted(set(indicators)):
        base = "statements-" + (re.sub(r"[^a-z0-9]+", "_", indicator.lower()).strip("_")
                                or "indicator")
        stem, n = base, 2
        while stem in stems.values():
            stem, n = f"{base}_{n}", n + 1
        stems[indicator] = stem
    return stems


def _statements(report: Report) -> Callable[[Observation], list[StatementView]]:
    """An observation's statements, with the paragraph around each quote (made when asked
    for, so only the articles being rendered hold theirs)."""
    docs = {d.path: d for d in report.documents}
    paragraphs = {d.path: Spans(paragraph_spans(d.text)) for d in report.documents}
    urls = {d.path: safe_url(d.url) for d in report.documents}
    facts = {f.fact_id: f for f in report.facts}

    def views_of(obs: Observation) -> list[StatementView]:
        views = []
        for fact_id in obs.fact_ids:
            fact = facts[fact_id]
            text = docs[fact.source].text
            spans = paragraphs[fact.source]
            i = bisect.bisect_right(spans.starts, fact.quote_start) - 1
            p_start, p_end = (spans[i] if i >= 0 and fact.quote_start < spans[i][1]
                              else (fact.quote_start, fact.quote_end))
            before = text[max(p_start, fact.quote_start - CONTEXT_CHARS):fact.quote_start]
            after = text[fact.quote_end:min(p_end, fact.quote_end + CONTEXT_CHARS)]
            views.append(StatementView(
                fact, ("…" if fact.quote_start - CONTEXT_CHARS > p_start else "") + before,
                text[fact.quote_start:fact.char_start], text[fact.char_start:fact.char_end],
                text[fact.char_end:fact.quote_end],
                after + ("…" if fact.quote_end + CONTEXT_CHARS < p_end else ""),
                urls[fact.source], docs[fact.source].publisher))
        return views

    return views_of


def _charts(report: Report, env: Environment, href: Callable[[str], str]
            ) -> dict[tuple[str, ...], SeriesChart]:
    filters = env.filters
    return {key: SeriesChart(
        f"{key[0].replace('_', ' ')} · {key[1] or 'no place'} · {key[2]} "
        f"({unit_label(key[3], 2)})" + (f" · as {key[4]} claims" if key[4] else ""),
        series_chart(points, unit_label(key[3], 2), filters["num"], filters["axis_number"],
                     filters["day"], href))
        for key, points in report.charted.items() if len(points) >= CHART_MIN_POINTS}


def _within(charts: Iterable[SeriesChart], budget: int) -> list[SeriesChart]:
    shown, used = [], 0
    for chart in charts:
        used += len(chart.svg)
        if used > budget:
            break
        shown.append(chart)
    return shown


def _finding_bytes(finding: Finding) -> int:
    return 300 + len(finding.message) * 2 + 60 * len(finding.fact_ids)


def render_html(report: Report, locale: str, version: str,
                articles: Blobs | None = None, earlier: Blobs | None = None
                ) -> Iterator[tuple[str, bytes]]:
    """Every page of the HTML report with its file name, a page at a time. The observations'
    articles are rendered before the first page (pages are cut by their size) into
    `articles` (a temporary file when not given), by a key over everything one shows (its
    observation, statements, the templates and the locale); those `earlier` holds (an
    earlier build's) are taken from there, not rendered again."""
    env = template_environment(locale)
    style = (builtin_dir("reports") / "summary.css").read_text("utf-8")
    script = (builtin_dir("reports") / "ledger.js").read_text("utf-8")

    def csp_hash(text: str) -> str:
        return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    by_indicator: dict[str, list[Observation]] = defaultdict(list)
    for obs in report.observations:
        by_indicator[obs.indicator].append(obs)
    stems = indicator_stems(by_indicator)
    views_of = _statements(report)
    article = env.get_template("observation.html.j2")
    store = articles if articles is not None else Blobs.temporary()
    templates = _templates_key(locale)

    def article_of(obs: Observation) -> tuple[str, int]:
        """The article's key in `store` and its size in bytes."""
        views = views_of(obs)
        key = hashlib.sha256(f"{templates}{obs!r}{views!r}".encode()).hexdigest()
        data = earlier.get(key) if earlier is not None else None
        if data is None:
            data = article.render(o=obs, statements=views).encode("utf-8")
        store.put(key, data)
        return key, len(data)

    def markup(key: str) -> Markup:
        data = store.get(key)
        assert data is not None, "every article is put before its page is made"
        return Markup(data.decode("utf-8"))

    pages_of: dict[str, tuple[list[str], list[list[tuple[Observation, str]]]]] = {}
    page_of: dict[str, str] = {}
    for indicator, observations in sorted(by_indicator.items()):
        sized = [(obs, article_of(obs)) for obs in observations]
        chunks = paginate(sized, lambda pair: pair[1][1] + 700, PAGE_BYTES)
        names = page_names(stems[indicator], len(chunks))
        pages_of[indicator] = (names, [[(obs, key) for obs, (key, _) in chunk]
                                       for chunk in chunks])
        for name, chunk in zip(names, chunks, strict=True):
            for obs, _ in chunk:
                page_of[obs.observation_id] = name

    def href(observation_id: str) -> str:
        return f"{page_of.get(observation_id, 'index.html')}#{observation_id}"

    env.filters["href"] = href
    charts = _charts(report, env, href)
    finding_pages = paginate(sorted(report.findings, key=lambda f: SEVERITY_RANK.get(
        f.severity, 9)), _finding_bytes, PAGE_BYTES)
    source_pages = paginate(
        [DocumentView(d.path, d.published, d.publisher, d.title, safe_url(d.url),
                      d.file_sha256) for d in report.documents],
        lambda d: 400 + 2 * (len(d.path) + len(d.title) + len(d.url) + len(d.publisher)),
        PAGE_BYTES)
    shared: dict[str, Any] = {
        "title": report.title, "locale": locale, "version": version,
        "style": Markup(style), "style_hash": csp_hash(style),
        "script": Markup(script), "script_hash": csp_hash(script),
        "indicator_pages": [(indicator, f"{stems[indicator]}.html")
                            for indicator in sorted(by_indicator)],
        "findings_page": "findings.html", "sources_page": "sources.html",
        "observation_of": report.observation_of,
        "counts": {"documents": len(report.documents), "facts": len(report.facts),
                   "observations": len(report.observations),
                   "findings": len(report.findings), "unread": len(report.unread)},
    }
    def render(name: str, template: str, **context: Any) -> tuple[str, bytes]:
        return name, env.get_template(template).render(shared | context).encode("utf-8")

    review = finding_pages[0][:FINDINGS_SHOWN]
    index_charts = _within(charts.values(), INDEX_CHART_BYTES)
    likely = report.likely_unread
    yield render("index.html", "summary.html.j2",
           headlines=report.headlines[:HEADLINES_SHOWN],
           headlines_more=max(0, len(report.headlines) - HEADLINES_SHOWN),
           charts=index_charts, charts_more=len(charts) - len(index_charts),
           findings=review, findings_more=len(report.findings) - len(review),
           read_share=report.read_share,
           unread_reasons=Counter(u.reason for u in report.unread).most_common(),
           likely_unread=likely[:UNREAD_SHOWN], likely_total=len(likely))
    for indicator, (names, keyed) in sorted(pages_of.items()):
        own = _within((c for k, c in charts.items() if k[0] == indicator), PAGE_CHART_BYTES)
        for number, (name, page) in enumerate(zip(names, keyed, strict=True), 1):
            yield render(name, "statements.html.j2", indicator=indicator, pages=names,
                         page_number=number, charts=own if number == 1 else [],
                         observations=[o for o, _ in page],
                         articles=[markup(key) for _, key in page])
    for stem, template, pages_, key in (("findings", "findings.html.j2", finding_pages,
                                         "findings"),
                                        ("sources", "sources.html.j2", source_pages,
                                         "documents")):
        names = page_names(stem, len(pages_))
        for number, (name, items) in enumerate(zip(names, pages_, strict=True), 1):
            yield render(name, template, pages=names, page_number=number, **{key: items})
    if articles is None:
        store.close()


def _templates_key(locale: str) -> str:
    """A key over the report templates, their texts and the locale."""
    digest = hashlib.sha256(locale.encode())
    for path in sorted(builtin_dir("reports").iterdir()):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
