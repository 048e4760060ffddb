"""The report: one view of a build that the workbook and the HTML summary both render.

Public surface: `Report.build(...)`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from ledger.copies import Copies
from ledger.findings import Finding, plain
from ledger.normalise import Fact
from ledger.rates import Rate
from ledger.reconcile import Observation
from ledger.sources import Document
from ledger.unread import Unread, read_share

HOW_TO_READ = (
    "Each row below is the latest point of one series: an indicator, at a place, of one kind "
    "(stock: a total at a date; flow: a change over a period; plan: announced or expected; "
    "rate: an amount per person or day).",
    "Value is the accepted figure; Low and High bound what the statements allow (empty: open). "
    "Statements counts the sentences that state it; Sources counts the documents.",
    "Status 'conflict' means sources disagree: see the Findings sheet. Every figure leads to its "
    "sentence in the Facts sheet (quote, document, character offsets, rule and exchange rate).",
    "Money is converted to USD at the official rate in force on the claim date (the Rates sheet "
    "names each rate, its date and its source).",
)


QUALIFIER_WORDS = {"exact": "", "approx": "about", "more_than": "more than",
                   "at_least": "at least", "less_than": "fewer than", "at_most": "up to",
                   "range": "between"}


def stated_as(obs: Observation) -> str:
    """A figure as a sentence would give it: "more than 7,000", "about 600", "3,000–5,000"."""
    if obs.qualifier == "range" and obs.high is not None:
        return f"{plain(obs.value)}–{plain(obs.high)}"
    return f"{QUALIFIER_WORDS.get(obs.qualifier, '')} {plain(obs.value)}".strip()


def one_a_day(points: list[Observation]) -> list[Observation]:
    """One point a day, in date order, for a chart: where a day holds several (a breakdown by
    donor, recipient or document), the largest, which a total of the others would be; the
    tables list them all. A chart then never zig-zags up and down one day."""
    by_day: dict[str, Observation] = {}
    for obs in points:
        day = obs.as_of[:10]
        if day not in by_day or obs.value > by_day[day].value:
            by_day[day] = obs
    return [by_day[day] for day in sorted(by_day)]


CHART_MIN_POINTS = 3
"""A series gets a chart in the workbook and the HTML from this many points on."""


@dataclass
class Report:
    title: str
    documents: list[Document]
    facts: list[Fact]
    observations: list[Observation]
    findings: list[Finding]
    about: list[tuple[str, str]]
    unread: list[Unread] = field(default_factory=list)
    copies: Copies = field(default_factory=Copies)
    how_to_read: tuple[str, ...] = HOW_TO_READ
    headlines: list[Observation] = field(default_factory=list)
    series: dict[tuple[str, ...], list[Observation]] = field(default_factory=dict)
    charted: dict[tuple[str, ...], list[Observation]] = field(default_factory=dict)
    """Per series, one point a day for its chart (see `one_a_day`)."""
    facts_in_workbook_order: list[Fact] = field(default_factory=list)
    observation_of: dict[str, str] = field(default_factory=dict)
    observation_row: dict[str, int] = field(default_factory=dict)
    source_row: dict[str, int] = field(default_factory=dict)
    rates_used: dict[tuple[str, str, str], Rate] = field(default_factory=dict)
    rate_claims: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    rate_lags: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, title: str, documents: list[Document], facts: list[Fact],
              observations: list[Observation], findings: list[Finding],
              about: list[tuple[str, str]], unread: list[Unread] | None = None,
              copies: Copies | None = None) -> Report:
        report = cls(title, documents, facts, observations, findings, about, unread or [],
                     copies or Copies())
        latest: dict[tuple[str, ...], Observation] = {}
        for obs in observations:
            series = obs.series_key
            if series not in latest or (obs.as_of, obs.period_end) >= (
                    latest[series].as_of, latest[series].period_end):
                latest[series] = obs
        report.headlines = sorted(latest.values(), key=lambda o: o.series_key)
        grouped: dict[tuple[str, ...], list[Observation]] = defaultdict(list)
        for obs in observations:
            grouped[obs.series_key].append(obs)
        report.series = {key: sorted(points, key=lambda o: (o.as_of, o.period_end))
                         for key, points in sorted(grouped.items())}
        report.charted = {key: one_a_day(points) for key, points in report.series.items()}
        by_id = {f.fact_id: f for f in facts}
        placed = [by_id[i] for obs in observations for i in obs.fact_ids if i in by_id]
        in_observations = {f.fact_id for f in placed}
        unplaced = [f for f in facts if f.fact_id not in in_observations]
        report.facts_in_workbook_order = placed + unplaced
        for row, obs in enumerate(observations, start=2):
            report.observation_row[obs.observation_id] = row
            for fact_id in obs.fact_ids:
                report.observation_of[fact_id] = obs.observation_id
        report.source_row = {doc.path: row for row, doc in enumerate(documents, start=2)}
        claims: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        lags: dict[tuple[str, str, str], list[int]] = defaultdict(list)
        for fact in facts:
            for rate in (fact.rate, fact.report_rate):
                if rate is None:
                    continue
                key = (rate.currency, rate.published.isoformat(), rate.table)
                report.rates_used[key] = rate
                claims[key].add(fact.claim_day)
                lags[key].append((date.fromisoformat(fact.claim_day) - rate.published).days)
        report.rate_claims, report.rate_lags = dict(claims), dict(lags)
        return report

    @property
    def read_share(self) -> float:
        """Facts over facts and unread numbers."""
        return read_share(len(self.facts), len(self.unread))

    @property
    def likely_unread(self) -> list[Unread]:
        """Unread numbers near a counted thing or an event word: the ones to review first."""
        return [u for u in self.unread if u.likely]
