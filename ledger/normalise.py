"""Normalise: turn each match into a `Fact` with value, interval, unit, kind, place, time and,
for money, the USD value at the official rate in force on the claim date.

Public surface: `normalise(matches, rates, gazetteer)` returns facts and findings.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from ledger.extract import Match
from ledger.findings import Finding, plain
from ledger.money import MONEY, Money, parse_money
from ledger.numbers import APPROX_TOLERANCE, QUALIFIER, Quantity, parse_quantity
from ledger.periods import find_periods, period_phrases
from ledger.places import Gazetteer, Mention, choose_place, is_locative
from ledger.rates import Rate, RateBook
from ledger.rules import HOUSEHOLD_NOUNS, Rule, compile_pattern
from ledger.sources import Document
from ledger.speakers import Parties

STATED_EXACT_TOLERANCE = 0.02
"""A stated conversion without qualifier may differ this much from the computed one
(sources round, and convert at other banks' or other days' rates)."""

_STATED_AFTER = compile_pattern(
    rf"^\s*[(\[]\s*(?:or\s+|i\.e\.\s+)?(?P<money>{MONEY})\s*[)\]]")


@dataclass(slots=True)
class Fact:
    """One figure as stated in one place of one document, with its provenance."""

    fact_id: str
    source: str
    indicator: str
    value: float
    qualifier: str
    low: float | None
    high: float | None
    unit: str
    kind: str
    place: str
    as_of: str
    period_start: str
    period_end: str
    period: str
    quote: str
    quote_start: int
    quote_end: int
    char_start: int
    char_end: int
    line: int
    rule_id: str
    rule_file: str
    rule_line: int
    rule_sha256: str = ""
    publisher: str = ""
    speaker: str = ""
    side: str = ""
    cumulative: bool = False
    vague: bool = False
    currency: str = ""
    value_usd: float | None = None
    rate: Rate | None = None
    stated_value: float | None = None
    stated_currency: str = ""
    stated_qualifier: str = ""
    stated_start: int | None = None
    stated_end: int | None = None
    report_currency: str = ""
    value_report: float | None = None
    report_rate: Rate | None = None
    steps: tuple[str, ...] = field(default_factory=tuple)
    page: int | None = None
    """The page of a PDF the figure stands on (None for formats without pages)."""
    cell: str = ""
    """The spreadsheet cell the figure was read from (`Sheet1!C7`), for table sources."""

    # the rate rows as the output columns name them (fx_* for USD, report_fx_* for the
    # report currency)
    fx_rate = property(lambda self: _rate_field(self.rate, "per_usd"))
    fx_date = property(lambda self: _rate_field(self.rate, "date"))
    fx_source = property(lambda self: _rate_field(self.rate, "source"))
    fx_table = property(lambda self: _rate_field(self.rate, "table"))
    fx_row = property(lambda self: _rate_field(self.rate, "row"))
    fx_lag_days = property(lambda self: _rate_field(self.rate, "lag_days"))
    fx_basis = property(lambda self: _rate_field(self.rate, "basis"))
    report_fx_rate = property(lambda self: _rate_field(self.report_rate, "per_usd"))
    report_fx_date = property(lambda self: _rate_field(self.report_rate, "date"))
    report_fx_source = property(lambda self: _rate_field(self.report_rate, "source"))
    report_fx_table = property(lambda self: _rate_field(self.report_rate, "table"))
    report_fx_row = property(lambda self: _rate_field(self.report_rate, "row"))
    report_fx_basis = property(lambda self: _rate_field(self.report_rate, "basis"))

    @property
    def claim_day(self) -> str:
        return self.as_of[:10]

    @property
    def parse_steps(self) -> str:
        """How the figure was read, step by step (numbers, period, conversion)."""
        return " | ".join(self.steps)

    def __reduce__(self) -> tuple[type[Fact], tuple[Any, ...]]:
        """Pickled as its constructor's arguments: about three times faster to write than a
        slotted dataclass's state (facts cross between processes by the thousand)."""
        return Fact, _FACT_VALUES(self)


_FACT_VALUES = attrgetter(*(f.name for f in fields(Fact)))


def _rate_field(rate: Rate | None, name: str) -> Any:
    """One field of a rate row for the output columns: empty when there is no rate."""
    if rate is None:
        return None if name in ("per_usd", "row", "lag_days") else ""
    if name == "date":
        return rate.published.isoformat()
    return getattr(rate, name)


def _fact_id(doc: Document, sentence: tuple[int, int], occurrence: int, start: int, end: int,
             indicator: str) -> str:
    """A fact's id: its document, its sentence's text and which occurrence of that text it
    is, the figure's place in the sentence and the indicator. An edit elsewhere in the document
    moves offsets but keeps every other fact's id; an edit of this sentence makes a new fact."""
    quote = doc.text[sentence[0]:sentence[1]]
    key = (f"{doc.path}|{quote}|{occurrence}|{start - sentence[0]}|{end - sentence[0]}|"
           f"{indicator}")
    return "F" + hashlib.sha256(key.encode()).hexdigest()[:12]


def _as_of(doc: Document, offset: int, shifted: date | None) -> tuple[str, date | None]:
    """The claim's date-time: the feed entry's time, else the catalogue's, else its day."""
    segment = doc.segment_at(offset)
    if shifted is not None and shifted != segment.day:
        return shifted.isoformat(), shifted
    if segment.day is None:
        return "", None
    if segment.clock is not None:
        moment = datetime.combine(segment.day, segment.clock, tzinfo=doc.tz)
        return moment.isoformat(timespec="minutes"), segment.day
    if doc.published_at is not None and segment.day == doc.published:
        moment = doc.published_at
        if moment.tzinfo is None and doc.tz is not None:
            moment = moment.replace(tzinfo=doc.tz)
        return moment.isoformat(timespec="minutes"), segment.day
    return segment.day.isoformat(), segment.day


class _Found:
    """What normalise finds once per document or sentence and reuses for every figure: place
    mentions and time phrases."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.cache: dict[str, tuple[list[Mention], list[int], str]] = {}
        self._sentences: dict[tuple[int, int], tuple[list[tuple[str, re.Match[str]]],
                                                     tuple[str, str]]] = {}
        self._sentences_of = ""
        self._occurrences: dict[str, list[int]] = {}
        self._occurrences_of = ""

    def occurrence(self, doc: Document, sentence: tuple[int, int]) -> int:
        """How many sentences of the same text come before this one in its document."""
        if doc.path != self._occurrences_of:
            self._occurrences, self._occurrences_of = {}, doc.path
            for start, end in doc.sentences:
                self._occurrences.setdefault(doc.text[start:end], []).append(start)
        starts = self._occurrences.get(doc.text[sentence[0]:sentence[1]], [])
        return bisect.bisect_left(starts, sentence[0])

    def sentence(self, doc: Document, sentence: tuple[int, int], parties: Parties
                 ) -> tuple[list[tuple[str, re.Match[str]]], tuple[str, str]]:
        """The sentence's time phrases and (speaker, side), found once for all its figures
        (kept for the current document only)."""
        if doc.path != self._sentences_of:
            self._sentences, self._sentences_of = {}, doc.path
        if sentence not in self._sentences:
            self._sentences[sentence] = (period_phrases(doc.text, *sentence),
                                         parties.speaker(doc.text[sentence[0]:sentence[1]]))
        return self._sentences[sentence]

    def _document(self, doc: Document) -> tuple[list[Mention], list[int], str]:
        """The document's mentions, their starts, and its most mentioned place (first
        mentioned on a tie)."""
        if doc.path not in self.cache:
            mentions = self.gazetteer.mentions(doc.text)
            counts = Counter(m.place.name for m in mentions)
            order = {name: i for i, name in reversed(list(enumerate(
                m.place.name for m in mentions)))}
            main = min(counts, key=lambda n: (-counts[n], order[n])) if counts else ""
            self.cache[doc.path] = (mentions, [m.start for m in mentions], main)
        return self.cache[doc.path]

    def place_for(self, doc: Document, match: Match, sentence: tuple[int, int]) -> str:
        """The sentence's place; else the live-feed entry headline's; else the place the
        document mentions most. A sentence's place that contains the document's main place
        (Azerbaijan, in a report about Nagorno-Karabakh) gives way to the more specific one."""
        mentions, starts, main = self._document(doc)
        clause = doc.text[max(sentence[0], match.fig_start - SCOPE_REACH):
                          min(sentence[1], match.fig_end + SCOPE_REACH)]
        if _WORLDWIDE.search(clause):
            return WORLD  # "more than 120 million displaced worldwide": not the document's place

        def within(start: int, end: int) -> list[Mention]:
            first = bisect.bisect_left(starts, start)
            return [m for m in mentions[first:bisect.bisect_left(starts, end)] if m.end <= end]

        chosen = choose_place(doc.text, within(*sentence), match.fig_start, match.fig_end)
        segment = doc.segment_at(match.fig_start)
        if chosen is None and segment.headline_start >= 0:
            head = within(segment.headline_start, segment.headline_end)
            chosen = choose_place(doc.text, head, segment.headline_end, segment.headline_end)
        if chosen is None:
            return main
        if (main and not is_locative(doc.text, chosen)
                and self.gazetteer.contains(chosen.place.name, main)):
            return main
        return chosen.place.name


def _convert(fact: Fact, money: Money, rates: RateBook, claim: date | None,
             report_currency: str, findings: list[Finding]) -> None:
    fact.currency = money.currency
    rate: Rate | None = None
    if money.currency == "USD":
        fact.value_usd = fact.value
    else:
        rate = rates.lookup(money.currency, claim) if claim else None
        if rate is None:
            reason = rates.missing_reason(money.currency, claim) if claim else (
                "the claim has no date")
            findings.append(Finding("warning", "no-rate",
                                    f"no exchange rate for {plain(fact.value)} {money.currency}: "
                                    f"{reason}; the amount stays in {money.currency} and "
                                    "value_usd is empty", (fact.fact_id,)))
            return
        fact.value_usd = round(fact.value / rate.per_usd, 2)
        fact.rate = rate
        if rate.note:
            fact.steps += (rate.note,)
        fact.steps += (f"{fact.value:,.2f} {money.currency} / {rate.per_usd:g} "
                       f"{money.currency} per USD ({rate.table} row {rate.row}, "
                       f"{rate.published}, lag {rate.lag_days} d) = {fact.value_usd:,.2f} USD",)
        if not rate.is_official_daily:
            findings.append(Finding("warning", "rate-not-official-daily",
                                    f"{money.currency} on {claim} converted at a rate that "
                                    f"is not a daily official one: {rate.basis} of "
                                    f"{rate.published} ({rate.source})", (fact.fact_id,)))
    if report_currency != "USD" and claim is not None:
        _convert_to_report(fact, rates, claim, report_currency, findings)


def convert_amount(fact: Fact, currency: str, rates: RateBook, claim: date | None,
                   report_currency: str, findings: list[Finding]) -> None:
    """Convert a fact's amount in `currency` to USD (and the report currency) at the official
    rate of the claim date, as for an amount read from a sentence."""
    _convert(fact, Money(Quantity(fact.value, "exact"), currency, currency), rates, claim,
             report_currency, findings)


def _convert_to_report(fact: Fact, rates: RateBook, claim: date, report_currency: str,
                       findings: list[Finding]) -> None:
    """The report-currency value, through USD at the report currency's rate of the claim date."""
    assert fact.value_usd is not None
    fact.report_currency = report_currency
    if fact.currency == report_currency:
        fact.value_report = fact.value
        return
    rate = rates.lookup(report_currency, claim)
    if rate is None:
        findings.append(Finding("warning", "no-rate",
                                f"no exchange rate for the report currency {report_currency}: "
                                f"{rates.missing_reason(report_currency, claim)}",
                                (fact.fact_id,)))
        return
    fact.value_report = round(fact.value_usd * rate.per_usd, 2)
    fact.report_rate = rate
    fact.steps += (f"{fact.value_usd:,.2f} USD x {rate.per_usd:g} {report_currency} per USD "
                   f"({rate.table} row {rate.row}, {rate.published}) = "
                   f"{fact.value_report:,.2f} {report_currency}",)


def _check_stated(fact: Fact, stated: Money, rates: RateBook, claim: date | None,
                  findings: list[Finding]) -> None:
    """Compare a conversion written in the source with the one computed at the official rate."""
    if fact.value_usd is None or stated.currency == fact.currency or claim is None:
        return
    if stated.currency == "USD":
        computed, via = fact.value_usd, ""
    else:
        rate = rates.lookup(stated.currency, claim)
        if rate is None:
            return
        computed = round(fact.value_usd * rate.per_usd, 2)
        via = f" x {rate.per_usd:g} {stated.currency} per USD ({rate.published}, {rate.source})"
    value = stated.quantity.value
    tolerance = APPROX_TOLERANCE if stated.quantity.qualifier == "approx" else (
        STATED_EXACT_TOLERANCE)
    difference = (value - computed) / computed if computed else float("inf")
    rate_text = (f"at {fact.fx_rate:g} {fact.currency} per USD ({fact.fx_date}, {fact.fx_source})"
                 if fact.fx_rate is not None else "")
    basis = (f"{fact.value:,.0f} {fact.currency} {rate_text}{via} is {computed:,.2f} "
             f"{stated.currency}").replace("  ", " ")
    consistent = abs(difference) <= tolerance
    findings.append(Finding(
        "info" if consistent else "warning",
        "stated-conversion-consistent" if consistent else "stated-conversion-mismatch",
        f"stated {value:,.2f} {stated.currency} ({stated.quantity.qualifier}) "
        f"{'agrees' if consistent else 'disagrees'}: {basis}; difference {difference:+.1%}, "
        f"{'within' if consistent else 'more than'} {tolerance:.0%}", (fact.fact_id,)))


WORLD = "World"
SCOPE_REACH = 60
"""How far (characters, within the sentence) a scope word reaches from its figure."""
_WORLDWIDE = re.compile(
    r"\b(?:worldwide|world-wide|globally|around\s+the\s+(?:world|globe)|across\s+the\s+(?:world|"
    r"globe)|in\s+the\s+world|world's|the\s+world\s+over)\b|(?<!\w)(?:в\s+мире|по\s+всему\s+миру|"
    r"во\s+всём\s+мире|во\s+всем\s+мире)(?!\w)", re.IGNORECASE)
"""Scope words that make a figure the world's ("worldwide", "around the world", "в мире")."""

_INCREMENT = re.compile(r"\b(?:more|another|additional|further|new)\b", re.IGNORECASE)


def _not_kept(rule: Rule, quantity: Quantity | None) -> str:
    """Why a rule's figure is not a fact (empty when it is one)."""
    if quantity is None:
        return f"read by rule {rule.id}, but not a number ledger can read"
    if quantity.vague and not rule.spec.vague:
        return f"read by rule {rule.id}, but a vague amount"
    if quantity.value < rule.spec.min_value:
        return f"read by rule {rule.id}, but below its minimum of {rule.spec.min_value:g}"
    return ""


def _fact(match: Match, places: _Found, rates: RateBook, findings: list[Finding],
          figures: list[int], report_currency: str, parties: Parties) -> Fact | str:
    """The fact a match states, or why it states none."""
    doc, rule = match.document, match.rule
    text = match.figure_text
    money = parse_money(text, doc.language) if rule.is_money else None
    quantity: Quantity | None = money.quantity if money else parse_quantity(text, doc.language)
    why = _not_kept(rule, quantity)
    if why or quantity is None:
        return why
    sentence = doc.sentence_at(match.fig_start)
    sentence_text = doc.text[sentence[0]:sentence[1]]
    at = (match.fig_start - sentence[0], match.fig_end - sentence[0])
    indicator = rule.indicator_for(sentence_text, match.people, at)
    if indicator is None:
        return f"read by rule {rule.id}, whose cue words the sentence lacks"
    phrases, (speaker, side) = places.sentence(doc, sentence, parties)
    period, day = find_periods(doc.text, sentence[0], sentence[1], match.fig_start,
                               match.fig_end, doc.segment_at(match.fig_start).day, figures,
                               phrases)
    as_of, claim = _as_of(doc, match.fig_start, day.as_of if day else None)
    if period is None and day is not None and day.period_start:
        period = day  # a figure of an earlier year or decade: its own period and date
    kind = rule.kind_for(sentence_text, at)
    if period is not None and period.is_flow and kind in ("stock", "flow"):
        kind = "flow"
    elif (period is not None and period.period_start and kind == "stock"
          and _INCREMENT.search(doc.text[match.fig_end:match.fig_end + 25])):
        kind = "flow"  # "since Monday, 2,000 more people have arrived": an increment
    unit = money.currency if money else rule.spec.unit
    if match.people.lower() in HOUSEHOLD_NOUNS and unit == "person":
        unit = "household"
    low, high = quantity.low_high
    line = doc.line_of(match.fig_start)
    fact = Fact(
        fact_id=_fact_id(doc, sentence, places.occurrence(doc, sentence), match.fig_start,
                         match.fig_end, indicator),
        source=doc.path, indicator=indicator, value=quantity.value,
        qualifier=quantity.qualifier, low=low, high=high, unit=unit, kind=kind,
        place=places.place_for(doc, match, sentence), as_of=as_of,
        period_start=period.period_start.isoformat() if period and period.period_start else "",
        period_end=period.period_end.isoformat() if period and period.period_end else "",
        period=period.iso if period else "",
        quote=doc.text[sentence[0]:sentence[1]], quote_start=sentence[0], quote_end=sentence[1],
        char_start=match.fig_start, char_end=match.fig_end, line=line, rule_id=rule.id,
        rule_file=rule.file, rule_line=rule.line, rule_sha256=rule.content_sha256,
        publisher=doc.publisher, speaker=speaker, side=side, cumulative=rule.spec.cumulative,
        vague=quantity.vague, steps=quantity.steps, page=doc.page_of(match.fig_start),
    )
    if period is not None:
        fact.steps += (f"period {period.text!r} resolved against {claim}",)
    if quantity.ambiguous:
        findings.append(Finding("warning", "ambiguous-number", quantity.ambiguous,
                                (fact.fact_id,)))
    if money is not None:
        if money.ambiguous:
            findings.append(Finding("warning", "ambiguous-currency", money.ambiguous,
                                    (fact.fact_id,)))
        _convert(fact, money, rates, claim, report_currency, findings)
        stated_match = _STATED_AFTER.search(doc.text[match.fig_end:match.fig_end + 80])
        stated = (parse_money(stated_match.group(_STATED_AFTER.groupindex["money"]), doc.language)
                  if stated_match else None)
        if stated_match and stated:
            fact.stated_value = stated.quantity.value
            fact.stated_currency = stated.currency
            fact.stated_qualifier = stated.quantity.qualifier
            money_group = _STATED_AFTER.groupindex["money"]
            fact.stated_start = match.fig_end + stated_match.start(money_group)
            fact.stated_end = match.fig_end + stated_match.end(money_group)
            _check_stated(fact, stated, rates, claim, findings)
    return fact


_QUALIFIER_BEFORE = re.compile(rf"\b(?P<q>{QUALIFIER})\s+(?:[\w'’-]+\s+){{1,2}}$",
                               re.IGNORECASE)
_AND_BETWEEN = re.compile(r"^[^.;:!?\d]{0,60}?\band\s+$")


def _spread_qualifiers(facts: list[Fact], texts: dict[str, str]) -> None:
    """Qualifiers that govern more than the number beside them: "over EU-owned 1,200 tents"
    (a word or two between), and "as many as 230,000 Armenians ... and 800,000 Azerbaijanis"
    (a bare number joined by "and" to a qualified one in the same sentence)."""
    previous: Fact | None = None
    for fact in facts:
        text = texts[fact.source]
        if fact.qualifier == "exact":
            before = _QUALIFIER_BEFORE.search(text[max(0, fact.char_start - 60):fact.char_start])
            joined = (previous is not None and previous.source == fact.source
                      and previous.quote_start == fact.quote_start
                      and previous.qualifier in ("approx", "more_than", "at_least", "at_most",
                                                 "less_than")
                      and _AND_BETWEEN.match(text[previous.char_end:fact.char_start]))
            if before:
                qualifier = parse_quantity(f"{before.group('q')} 1").qualifier  # type: ignore[union-attr]
                _requalify(fact, qualifier, f"qualifier {before.group('q')!r} two words before")
            elif joined and previous is not None:
                _requalify(fact, previous.qualifier,
                           f"qualifier of {previous.value:g} carried over 'and'")
        previous = fact


def _requalify(fact: Fact, qualifier: str, step: str) -> None:
    quantity = Quantity(fact.value, qualifier)
    fact.qualifier = qualifier
    fact.low, fact.high = quantity.low_high
    fact.steps += (f"{step} = {qualifier}",)


def normalise(matches: list[Match], rates: RateBook, gazetteer: Gazetteer,
              report_currency: str = "USD", parties: Parties | None = None,
              rejected: dict[tuple[str, int], str] | None = None
              ) -> tuple[list[Fact], list[Finding]]:
    """Facts for the matches, in order; a stated conversion is never a fact of its own.
    Money is converted to USD and, when `report_currency` is another, to it as well.
    `rejected`, when given, hears why each figure a rule read gave no fact."""
    places = _Found(gazetteer)
    parties = parties or Parties.load()[0]
    findings: list[Finding] = []
    facts: list[Fact] = []
    figures: dict[str, list[int]] = {}
    for match in matches:  # in text order within each document
        figures.setdefault(match.document.path, []).append(match.fig_start)
    for match in matches:
        why = ""
        for candidate in (match, *match.alternatives):
            fact = _fact(candidate, places, rates, findings, figures[match.document.path],
                         report_currency, parties)
            if isinstance(fact, Fact):
                facts.append(fact)
                break
            why = why or fact
        else:
            if rejected is not None:
                rejected[(match.document.path, match.fig_start)] = why
    _spread_qualifiers(facts, {m.document.path: m.document.text for m in matches})
    conversions = {(f.source, f.stated_start) for f in facts if f.stated_start is not None}
    dropped = {f.fact_id for f in facts if (f.source, f.char_start) in conversions}
    facts = [f for f in facts if f.fact_id not in dropped]
    findings = [f for f in findings if not set(f.fact_ids) & dropped]
    return facts, findings
