"""Unread numbers: every number of a document that did not become a fact, with the reason.

Nothing is dropped silently: a date, a year, a phone number, a percentage or a number with no
counted thing beside it each gets a row in `unread.csv`, so an analyst can see what the ledger
left out and why, and add a lexicon word where it should have read one.

Public surface: `find_unread(documents, facts, rejected, hints)` returns `Unread` rows sorted
with the likely figures first (a number near a counted thing or an event word), in the order
`in_report_order` gives, and `read_share(facts, unread)`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

from ledger.dates import looks_like_date_or_time
from ledger.normalise import Fact
from ledger.numbers import MAX_DIGITS, parse_number
from ledger.sources import Document

_NUMBER = re.compile(
    r"(?<![\dA-Za-z])(?<!\d[.,])(?:\d{1,3}(?:[ \u00a0\u202f,.]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?)"
    r"(?:[ \u00a0]?(?:thousand|million|billion|bn|mln|млн|млрд|тыс)\b\.?)?",
    re.IGNORECASE)
_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|"
    r"eighty|ninety|hundred|thousand|million|billion|dozens|hundreds|thousands|millions)"
    r"(?:[\s-]+(?:one|two|three|four|five|six|seven|eight|nine|hundred|thousand|million|"
    r"billion))*\b"
    r"|(?<!\w)(?:два|две|три|четыре|пять|шесть|семь|восемь|девять|десять|двадцать|тридцать|"
    r"сорок|пятьдесят|сто|двести|триста|тысяча|тысячи|миллион|миллиона|миллионов|двух|трех|"
    r"трёх|четырех|четырёх|пяти|шести|семи|восьми|девяти|десяти)(?!\w)"
    r"|\b(?:dos|tres|cuatro|cinco|siete|ocho|nueve|diez|cien|mil|millón|millones|deux|trois"
    r"|quatre|cinq|sept|huit|neuf|dix|cent|mille)\b",
    re.IGNORECASE)
_WORDS_LOWER = re.compile(_WORDS.pattern)
"""_WORDS for lower-case text."""
_ORDINAL_AFTER = re.compile(r"(?:st|nd|rd|th)\b|-?(?:й|я|е|го|му|м|ю)(?!\w)", re.IGNORECASE)
_PERCENT_AFTER = re.compile(r"\s?(?:%|per\s?cent\b|percent\b|процент|п\.п\.)", re.IGNORECASE)
_DURATION_AFTER = re.compile(
    r"[\s-](?:years?|months?|weeks?|days?|hours?|minutes?|year-old|years-old|лет|года|год|"
    r"месяц|недел|дн|дней|час|минут|-летн)", re.IGNORECASE)
_PHONE = re.compile(r"(?:\+\d|\(\d{2,4}\)|\b(?:tel|phone|hotline|call|fax|телефон|тел)\b"
                    r"[^\n]{0,25}$)", re.IGNORECASE)
_REFERENCE_BEFORE = re.compile(r"(?:\b(?:no|nr|ref|resolution|decree|case|id|code|article|"
                               r"art|section|paragraph|para|page|p|pp|№|номер|статья|стр|"
                               r"постановление|указ|приказ)\.?|#)\s*$", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"[A-Za-zА-Яа-я]-$|[A-Z]{1,4}\s?$")


@dataclass(frozen=True, slots=True)
class Unread:
    """One number of a document that is not a fact, and why."""

    source: str
    value: str
    text: str
    char_start: int
    char_end: int
    sentence: str
    reason: str
    likely: bool

    def __reduce__(self) -> tuple[type[Unread], tuple[Any, ...]]:
        """Pickled as its constructor's arguments: about four times faster both ways than a
        frozen slotted dataclass's state."""
        return Unread, _UNREAD_VALUES(self)


_UNREAD_VALUES = attrgetter(*(f.name for f in fields(Unread)))


def _reason(text: str, start: int, end: int, digits: str, plain: str) -> str:
    """Why a number that no rule read is no figure, from the words around it; `plain` is
    the digits of `digits` alone."""
    before, after = text[max(0, start - 30):start], text[end:end + 25]
    if len(plain) > MAX_DIGITS:
        return f"more than {MAX_DIGITS} digits: no real figure is that long"
    if re.match(r"^:\d\d", after) or re.search(r"\d:$", before) or re.match(
            r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b|hrs\b|h\b|ч\b)", after, re.IGNORECASE):
        return "a time of day"
    if re.match(r"^[./-]\d{1,2}[./-]\d{2,4}", after) or re.search(r"\d{1,4}[./-]$", before):
        return "a date"
    if looks_like_date_or_time(text, start, end):
        return "a date or a year"
    if re.fullmatch(r"(?:1[5-9]|20)\d\d", plain) and not re.search(r"[\s,.]", digits):
        return "a year"
    if _ORDINAL_AFTER.match(after):
        return "an ordinal"
    if _PERCENT_AFTER.match(after):
        return "a percentage"
    if _REFERENCE_BEFORE.search(before):
        return "a reference, article or page number"
    if _PHONE.search(before) or re.match(r"^[\s-]?\d{2,4}[\s-]\d{2,4}", after):
        return "a phone or reference number"
    if _NAME_BEFORE.search(before):
        return "part of a name or code"
    if re.match(r"^\s*[\])]", after) and re.search(r"[\[(]\s*$", before):
        return "a footnote mark"
    if _DURATION_AFTER.match(after):
        return "a duration or an age"
    return "no counted thing found"


def find_unread(documents: list[Document], facts: list[Fact],
                rejected: dict[tuple[str, int], str] | None = None,
                hints: Callable[[str, str], bool] | None = None) -> list[Unread]:
    """The numbers of each document that no fact covers. `rejected` maps (document, offset)
    of a figure a rule read but did not keep to the reason; `hints(language, sentence)` says
    whether a sentence has a counted thing or an event word (the row is then likely)."""
    rejected = rejected or {}
    covered: dict[str, list[tuple[int, int]]] = {}
    for fact in facts:
        spans = covered.setdefault(fact.source, [])
        spans.append((fact.char_start, fact.char_end))
        if fact.stated_start is not None and fact.stated_end is not None:
            spans.append((fact.stated_start, fact.stated_end))
    rows: list[Unread] = []
    for doc in documents:
        spans = _merged(covered.get(doc.path, []) + list(doc.masked))
        starts = [s for s, _ in spans]
        text = doc.text
        sentences: dict[tuple[int, int], str] = {}
        lowered = text.lower()  # faster to search than with IGNORECASE; where a letter
        same = len(lowered) == len(text)  # lowers to two, offsets would move: search as is
        found = sorted({m.span() for m in _NUMBER.finditer(text)} | {
            m.span() for m in (_WORDS_LOWER.finditer(lowered) if same
                               else _WORDS.finditer(text))})
        last_end = -1
        for start, end in found:
            i = bisect.bisect_right(starts, start) - 1  # the last covered span starting here
            if start < last_end or (i >= 0 and spans[i][1] > start) or (
                    i + 1 < len(spans) and spans[i + 1][0] < end):
                continue
            last_end = end
            written = text[start:end]
            span = doc.sentence_at(start)
            sentence = sentences.get(span)  # one string for the numbers of one sentence
            if sentence is None:
                sentence = sentences[span] = (text[span[0]:span[1]]
                                              or text[max(0, start - 60):end + 60])
            plain = re.sub(r"\D", "", written)
            reason = _reason(text, start, end, written, plain)
            if reason == "no counted thing found":
                reason = rejected.get((doc.path, start), reason)
            parsed = parse_number(written, doc.language) if len(plain) <= MAX_DIGITS else None
            value = _plain(parsed.value) if parsed is not None else written
            likely = reason.startswith(("no counted", "read by")) and bool(
                hints and hints(doc.language, sentence))
            rows.append(Unread(doc.path, value, written, start, end, sentence, reason, likely))
    return in_report_order(rows)


def in_report_order(rows: list[Unread]) -> list[Unread]:
    """The likely figures first, then by document and offset (rows found document by
    document, merged, come out as if found at once)."""
    return sorted(rows, key=lambda r: (not r.likely, r.source, r.char_start))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans sorted and joined where they overlap, so that one bisection finds a cover."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else format(value, ".10g")


def read_share(facts: int, unread: int) -> float:
    """Facts over facts and unread numbers: how much of what is written the ledger read."""
    return round(facts / (facts + unread), 4) if facts + unread else 1.0
