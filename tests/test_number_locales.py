"""Numbers written in each locale's style parse back exactly: babel formats them, ledger reads
them (digit groups with commas, points, no-break and narrow no-break spaces, apostrophes)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.numbers import parse_digits

LOCALES = ["en", "ru", "fr", "de", "de_CH"]


@pytest.mark.parametrize("locale", LOCALES)
@settings(max_examples=300, deadline=None)
@given(value=st.integers(min_value=0, max_value=10**12))
def test_integers_round_trip(locale: str, value: int) -> None:
    text = format_decimal(value, locale=locale)
    parsed, _ = parse_digits(text, locale)
    assert parsed == value, (text, locale)


@pytest.mark.parametrize("locale", LOCALES)
@settings(max_examples=300, deadline=None)
@given(value=st.decimals(min_value=0, max_value=10**9, places=3, allow_nan=False,
                         allow_infinity=False))
def test_decimals_round_trip(locale: str, value: Decimal) -> None:
    text = format_decimal(value, format="#,##0.0##", locale=locale)
    parsed, _ = parse_digits(text, locale)
    assert Decimal(str(parsed)) == value.normalize() or parsed == float(value), (text, locale)


@pytest.mark.parametrize(("text", "locale", "value"), [
    ("1\u00a0960", "ru", 1960), ("1\u202f960", "fr", 1960), ("1.960", "de", 1960),
    ("1’960", "de_CH", 1960), ("1,5", "ru", 1.5), ("1,5", "de", 1.5), ("2 000 000", "ru", 2e6),
    ("12.345,67", "de", 12345.67), ("12\u202f345,67", "fr", 12345.67),
])
def test_space_and_apostrophe_groups(text: str, locale: str, value: float) -> None:
    assert parse_digits(text, locale)[0] == value


@pytest.mark.parametrize(("text", "locale"), [("1.960", "en"), ("1,960", "ru")])
def test_three_digits_after_the_decimal_symbol_are_flagged(text: str, locale: str) -> None:
    value, note = parse_digits(text, locale)
    assert value == 1.96 and "read as a decimal" in note
