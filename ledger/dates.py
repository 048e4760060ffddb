"""Dates, times of day and years written with digits: never figures of the ledger.

Public surface: `looks_like_date_or_time(text, start, end)`, the guard every figure passes,
in every language read (month names come from the language files too).
"""

from __future__ import annotations

import re
from functools import cache

from ledger.languages import codes as spoken_codes
from ledger.languages import language as language_of

_MONTH_WORDS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
    "|января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)


_YEAR = re.compile(r"(?:1[89]|20)\d\d")


@cache
def _month_patterns(codes: tuple[str, ...]) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A month just before a number on the same line ("November 21", never across a line
    break: "By September\n12.7 million" states 12.7 million), and one just after ("21st of
    November", "24 février"), in every language read, a project's own ones included."""
    months = _MONTH_WORDS + "".join(f"|{re.escape(m)}" for code in codes
                                    if (spoken := language_of(code)) for m in spoken.months)
    before = re.compile(
        rf"(?:\b(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?|(?:{months}))"
        r"[ \t\u00a0]*\Z", re.IGNORECASE)
    after = re.compile(rf"^(?:st|nd|rd|th)?\s*(?:of\s+|de\s+)?(?:{months})(?!\w)",
                       re.IGNORECASE)
    return before, after


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
    month_before, month_after = _month_patterns(tuple(spoken_codes()))
    if month_before.search(before) or month_after.match(after):
        return True
    return bool(_YEAR.fullmatch(digits) and (
        _DECADE_AFTER.match(after) or _YEAR_BEFORE.search(before)))
