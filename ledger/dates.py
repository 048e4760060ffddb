"""Dates, times of day and years written with digits: never figures of the ledger.

Public surface: `looks_like_date_or_time(text, start, end)`, the guard every figure passes,
in every language read (month names come from the language files too).
"""

from __future__ import annotations

import re
from functools import cache

from ledger.languages import codes as spoken_codes
from ledger.languages import language as language_of

_MONTHS = frozenset({
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря"})
_ABBREVIATED = frozenset({"jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
                          "nov", "dec"})
"""Months that may stand with a full stop ("Nov. 21"); "May." ends a sentence."""
_YEAR = re.compile(r"(?:1[89]|20)\d\d")
_LAST_WORD = re.compile(r"([^\W\d_]+)(\.?)[ \t\u00a0]*\Z")
"""The word just before a number on its line: a month there makes a date ("November 21"),
never across a line break ("By September\n12.7 million" states 12.7 million)."""
_FIRST_WORDS = re.compile(r"^(?:st|nd|rd|th)?\s*(?:(?:of|de)\s+)?([^\W\d_]+)")
"""The word just after a number ("21st of November", "24 février", "6 de febrero")."""


@cache
def _months(codes: tuple[str, ...]) -> frozenset[str]:
    """Month names of every language read, a project's own ones included."""
    return _MONTHS | {m.lower() for code in codes if (spoken := language_of(code))
                      for m in spoken.months}


def _is_month(word: str, stop: str, months: frozenset[str]) -> bool:
    word = word.lower()
    return (word in months and not stop) or word in _ABBREVIATED


_DIGIT_RUN = re.compile(r"[\d][\d,.'’ ]*")
_CLOCK_AFTER = re.compile(r"^:\d\d")
_CLOCK_BEFORE = re.compile(r"\d:$")
_TIME_WORD_AFTER = re.compile(r"^\s*(?:a\.m\.|p\.m\.|am\b|pm\b|gmt\b|utc\b|hrs\b|h\b)",
                              re.IGNORECASE)
_DECADE_AFTER = re.compile(r"^(?:'?s\b|\s*(?:году|года|год|гг?\.|-[ех]\b))")
_YEAR_BEFORE = re.compile(r"(?:\b(?:in|since|of|from|by|until|till|before|after|year|the)"
                          r"|(?<!\w)(?:в|с|до|по|к|году|года))\s+$", re.IGNORECASE)


def looks_like_date_or_time(text: str, start: int, end: int) -> bool:
    """True when the number at text[start:end] is part of a date, a time of day or a year."""
    number = _DIGIT_RUN.search(text, start, end)
    if not number:
        return False
    digits = number.group().strip()
    at = number.start()  # the digits, after any qualifier ("October. More than 120")
    before, after = text[max(0, at - 20):at], text[end:end + 20]
    if _CLOCK_AFTER.match(after) or _CLOCK_BEFORE.search(before):
        return True
    if _TIME_WORD_AFTER.match(after):
        return True
    months = _months(tuple(spoken_codes()))
    last, first = _LAST_WORD.search(before), _FIRST_WORDS.match(after)
    if (last and _is_month(last.group(1), last.group(2), months)) or (
            first and (first.group(1).lower() in months | _ABBREVIATED)):
        return True
    return bool(_YEAR.fullmatch(digits) and (
        _DECADE_AFTER.match(after) or _YEAR_BEFORE.search(before)))
