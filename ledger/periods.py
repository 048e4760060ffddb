"""Time phrases near a figure, resolved against the claim's date (never the build date).

Public surface: `find_periods(text, start, end, fig_start, fig_end, as_of)`: the period and the
change of claim date nearest to the figure within text[start:end].

- a duration ("over the past day", "in the last 24 hours", "over the past week") makes a flow
  with a period ending on the claim date;
- "since November 14" starts the period of a stock (a total since that date);
- "yesterday", "on Sunday", "last week" and "a week ago" move the claim's own date.
Russian: "за сутки", "за последние сутки", "за прошедшую неделю", "с 14 ноября", "вчера",
"в субботу", "на прошлой неделе".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from ledger.languages import codes as language_codes
from ledger.languages import language as language_of
from ledger.numbers import UNITS, longest_first
from ledger.sources import MONTHS

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
WEEKDAYS_RU = ("понедельник", "вторник", "среду", "четверг", "пятницу", "субботу",
               "воскресенье")
_MONTH_RU = ("января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|"
             "декабря")
_MONTH = "|".join(longest_first(MONTHS))
_SMALL = "|".join(UNITS)
_PAST = r"(?:over|in|during|within|for)\s+(?:the\s+)?(?:past|last|previous)"

_EN_PAST = ("past", "last", "previous")
_PATTERNS: list[tuple[str, re.Pattern[str], tuple[str, ...]]] = [
    ("day", re.compile(rf"\b{_PAST}\s+(?:day|24\s+hours|twenty-four\s+hours)\b", re.I), _EN_PAST),
    ("week", re.compile(rf"\b{_PAST}\s+(?:week|seven\s+days|7\s+days)\b", re.I), _EN_PAST),
    ("days", re.compile(rf"\b{_PAST}\s+(?P<n>\d+|{_SMALL})\s+days\b", re.I), _EN_PAST),
    ("since", re.compile(
        rf"\bsince\s+(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?"
        rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})"
        rf"|(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})|(?P<wd>{'|'.join(WEEKDAYS)}))\b", re.I), ("since",)),
    ("day", re.compile(r"(?<!\w)за\s+(?:последние\s+|прошедшие\s+|минувшие\s+)?сутки(?!\w)"
                       r"|(?<!\w)за\s+(?:последние|прошедшие)\s+24\s+часа(?!\w)", re.I),
     ("за ",)),
    ("week", re.compile(r"(?<!\w)за\s+(?:последнюю|прошедшую|минувшую)\s+неделю(?!\w)",
                        re.I), ("за ",)),
    ("days", re.compile(r"(?<!\w)за\s+(?:последние|прошедшие)\s+(?P<n>\d+)\s+(?:дня|дней)"
                        r"(?!\w)", re.I), ("за ",)),
    ("since", re.compile(rf"(?<!\w)с\s+(?P<d2>\d{{1,2}})\s+(?P<m2>{_MONTH_RU})(?!\w)", re.I),
     ("с ",)),
    ("yesterday", re.compile(r"\byesterday\b|(?<!\w)вчера(?!\w)", re.I),
     ("yesterday", "вчера")),
    ("last_week", re.compile(r"\blast\s+week\b|(?<!\w)на\s+прошлой\s+неделе(?!\w)", re.I),
     ("last", "прошлой")),
    ("ago", re.compile(rf"\b(?P<n>\d+|an?|{_SMALL})\s+(?P<unit>day|week)s?\s+ago\b", re.I),
     ("ago",)),
    ("weekday", re.compile(rf"\b(?:on|last)\s+(?P<wd>{'|'.join(WEEKDAYS)})\b"
                           rf"|(?<!\w)во?\s+(?P<wd_ru>{'|'.join(WEEKDAYS_RU)})(?!\w)", re.I),
     (*WEEKDAYS, *WEEKDAYS_RU)),
]
_MONTH_NUMBER = dict(MONTHS) | {
    name.lower(): number for code in language_codes() if (spoken := language_of(code))
    for number, name in enumerate(spoken.months, start=1)}
"""Month names of every language, English and Russian ones included, to their number."""
_LOCAL_MONTH = "|".join(longest_first(re.escape(m) for m in _MONTH_NUMBER))
_PATTERNS += [
    # French, Spanish and Ukrainian time phrases
    ("day", re.compile(r"\b(?:au\s+cours\s+des|dans\s+les|ces)\s+(?:dernières\s+)?24\s+heures\b"
                       r"|\ben\s+las\s+últimas\s+24\s+horas\b|\ben\s+24\s+horas\b"
                       r"|(?<!\w)за\s+(?:минулу\s+)?добу(?!\w)", re.I),
     ("24", "добу")),
    ("since", re.compile(rf"\b(?:depuis\s+le|desde\s+el)\s+(?P<d2>\d{{1,2}})\s+(?:de\s+)?"
                         rf"(?P<m2>{_LOCAL_MONTH})\b|(?<!\w)з\s+(?P<d1>\d{{1,2}})\s+"
                         rf"(?P<m1>{_LOCAL_MONTH})(?!\w)", re.I), ("depuis", "desde", "з ")),
    ("yesterday", re.compile(r"\b(?:hier|ayer)\b|(?<!\w)вчора(?!\w)", re.I),
     ("hier", "ayer", "вчора")),
    ("last_week", re.compile(r"\bla\s+semaine\s+(?:dernière|passée)\b|\bla\s+semana\s+pasada\b"
                             r"|(?<!\w)минулого\s+тижня(?!\w)", re.I),
     ("semaine", "semana", "тижня")),
]
_YEAR = r"(?:1[5-9]|20)\d\d"
_ROMAN = {"XVI": "16", "XVII": "17", "XVIII": "18", "XIX": "19", "XX": "20", "XXI": "21"}
_PATTERNS += [
    ("past", re.compile(rf"\b(?:in|during|throughout|by)\s+(?:the\s+)?(?P<y1>{_YEAR})"
                        rf"(?:\s*[-–]\s*(?P<y2>{_YEAR}))?\b(?![-/.]\d)", re.I),
     tuple(str(c) for c in range(15, 21))),
    ("past", re.compile(r"\b(?P<decade>(?:1[5-9]|20)\d0)s\b"
                        r"|(?<!\w)в\s+(?P<decade_ru>(?:1[5-9]|20)\d0)-[ех]", re.I),
     tuple(str(c) for c in range(15, 21))),
    ("past", re.compile(r"\bWorld\s+War\s+(?P<ww>II|I|One|Two|1|2)\b"
                        r"|\b(?P<ww_ordinal>First|Second)\s+World\s+War\b|\bWW(?P<ww_short>II|I|1|2)\b"
                        r"|(?<!\w)(?P<ww_ru>Перв|Втор)\w*\s+мировой|(?P<gpw>Великой\s+Отечественной)",
                        re.I), ("war", "ww", "мировой", "отечественной")),
    ("past", re.compile(r"\b(?P<century>1[5-9]|2[01])(?:st|nd|rd|th)[- ]century\b"
                        r"|(?<!\w)(?P<century_ru>XVI|XVII|XVIII|XIX|XX|XXI)\s+век", re.I),
     ("century", "век")),
    ("past", re.compile(rf"(?<!\w)в\s+(?P<y1>{_YEAR})\s*(?:году|г\.)", re.I),
     tuple(str(c) for c in range(15, 21))),
    ("last_year", re.compile(r"\blast\s+year\b|(?<!\w)в\s+прошлом\s+году(?!\w)", re.I),
     ("last year", "прошлом")),
    ("since_year", re.compile(rf"\bsince\s+(?P<y1>{_YEAR})\b(?![-/.]\d)"
                              rf"|(?<!\w)с\s+(?P<y1ru>{_YEAR})\s+года", re.I),
     ("since", "с ")),
]
"""Each kind of time phrase, with words one of which it always holds (a cheap test that
spares most sentences the search). "past" phrases date a figure to an earlier year or decade
("in 1915", "in the 1990s war", "в 2014 году"): such a figure is history, not today's news."""
_KEYWORDS = re.compile("|".join(re.escape(w) for w in longest_first(
    {w for _, _, words in _PATTERNS for w in words})))


_CLAUSE_BREAK = re.compile(r"[,;:()\[\]—–]| - ")
"""Between a figure and a year: another clause, unless the year opens the sentence ("In 2019,
500 people fled")."""

_STARTED = re.compile(r"\b(?:since|began|begun|started|erupted|broke\s+out|flared)\b"
                      r"(?:\s+[\w'-]+){0,3}\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Period:
    """A resolved time phrase: `iso` is an ISO 8601 duration for flows (P1D) or empty."""

    text: str
    start: int
    end: int
    iso: str = ""
    period_start: date | None = None
    period_end: date | None = None
    as_of: date | None = None

    @property
    def is_flow(self) -> bool:
        return bool(self.iso)


def _latest_on_or_before(month: int, day: int, as_of: date) -> date | None:
    for year in (as_of.year, as_of.year - 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            return None
        if candidate <= as_of:
            return candidate
    return None


def _weekday_on_or_before(name: str, as_of: date) -> date:
    back = (as_of.weekday() - WEEKDAYS.index(name.lower())) % 7
    return as_of - timedelta(days=back)


def _resolve(kind: str, match: re.Match[str], as_of: date) -> Period | None:
    text, start, end = match.group(), match.start(), match.end()
    if kind in ("day", "week", "days"):
        if kind == "days":
            n_text = match.group("n").lower()
            n = int(n_text) if n_text.isdigit() else UNITS[n_text]
        else:
            n = 1 if kind == "day" else 7
        return Period(text, start, end, iso=f"P{n}D", period_start=as_of - timedelta(days=n),
                      period_end=as_of)
    if kind == "since":
        since: date | None
        found = {k: v for k, v in match.groupdict().items() if v}
        if "iso" in found:
            since = date.fromisoformat(found["iso"])
        elif "wd" in found:
            since = _weekday_on_or_before(found["wd"], as_of - timedelta(days=1))
        else:
            month = _MONTH_NUMBER[(found.get("m1") or found["m2"]).lower()]
            since = _latest_on_or_before(month, int(found.get("d1") or found["d2"]), as_of)
        if since is None:
            return None
        return Period(text, start, end, period_start=since, period_end=as_of)
    if kind in ("past", "last_year"):
        found = {k: v for k, v in match.groupdict().items() if v}
        decade = found.get("decade") or found.get("decade_ru")
        war = (found.get("ww") or found.get("ww_ordinal") or found.get("ww_short")
               or found.get("ww_ru") or found.get("gpw") or "").lower()
        century = found.get("century") or _ROMAN.get(found.get("century_ru", "").upper())
        if kind == "last_year":
            first = last = as_of.year - 1
        elif decade:
            first, last = int(decade), int(decade) + 9
        elif war:
            first, last = ((1914, 1918) if war in ("i", "one", "1", "first", "перв") else
                           (1941, 1945) if war.startswith("велик") else (1939, 1945))
        elif century:
            first, last = (int(century) - 1) * 100 + 1, int(century) * 100
        else:
            first = int(found["y1"])
            last = int(found.get("y2") or first)
        if last >= as_of.year or first > last:
            return None  # this year's figure, or no range
        end_of = date(last, 12, 31)
        return Period(text, start, end, period_start=date(first, 1, 1), period_end=end_of,
                      as_of=end_of)
    if kind == "since_year":
        year = int(match.group("y1") or match.group("y1ru"))
        if year > as_of.year:
            return None
        return Period(text, start, end, period_start=date(year, 1, 1), period_end=as_of)
    if kind == "yesterday":
        return Period(text, start, end, as_of=as_of - timedelta(days=1))
    if kind == "last_week":
        return Period(text, start, end, as_of=as_of - timedelta(days=7))
    if kind == "ago":
        n_text = match.group("n").lower()
        n = int(n_text) if n_text.isdigit() else UNITS.get(n_text, 1)
        days = n * (7 if match.group("unit").lower() == "week" else 1)
        return Period(text, start, end, as_of=as_of - timedelta(days=days))
    found = {k: v for k, v in match.groupdict().items() if v}
    name = found.get("wd") or WEEKDAYS[WEEKDAYS_RU.index(found["wd_ru"].lower())]
    day = _weekday_on_or_before(name, as_of)
    if _STARTED.search(match.string[max(0, start - 40):start]):
        return Period(text, start, end, period_start=day, period_end=as_of)  # began on Sunday
    return Period(text, start, end, as_of=day)




def period_phrases(text: str, start: int, end: int) -> list[tuple[str, re.Match[str]]]:
    """Every time phrase in text[start:end], with its kind: found once per sentence, however
    many figures it holds."""
    present = set(_KEYWORDS.findall(text[start:end].lower()))
    if not present:
        return []
    return [(kind, match) for kind, pattern, words in _PATTERNS
            if present.intersection(words)
            for match in pattern.finditer(text, start, end)]


def find_periods(text: str, start: int, end: int, fig_start: int, fig_end: int,
                 as_of: date | None, other_figures: Sequence[int] = (),
                 phrases: list[tuple[str, re.Match[str]]] | None = None
                 ) -> tuple[Period | None, Period | None]:
    """The time phrases in text[start:end] nearest to the figure at text[fig_start:fig_end].

    Returns (the nearest period: a duration or a "since", the nearest phrase that moves the
    claim's date: "yesterday", "on Sunday"); either may be None. A phrase with another figure
    (a start offset in `other_figures`, sorted) between it and this figure belongs to that
    figure. `phrases`, when given, are `period_phrases(text, start, end)` found before.
    """
    if as_of is None:
        return None, None
    periods: list[Period] = []
    days: list[Period] = []
    for kind, match in phrases if phrases is not None else period_phrases(text, start, end):
        low, high = sorted((match.start(), fig_start))
        i = bisect.bisect_right(other_figures, low)
        if i < len(other_figures) and other_figures[i] < high:
            continue
        if kind in ("past", "last_year") and _CLAUSE_BREAK.search(
                text, min(match.end(), fig_end), max(match.start(), fig_start)) and (
                    text[start:match.start()].strip()):
            continue  # "…, a region which declared independence in 1991": another clause
        resolved = _resolve(kind, match, as_of)
        if resolved is not None:
            (days if resolved.as_of else periods).append(resolved)

    def distance(p: Period) -> int:
        return p.start - fig_end if p.start >= fig_end else fig_start - p.end

    return min(periods, key=distance, default=None), min(days, key=distance, default=None)
