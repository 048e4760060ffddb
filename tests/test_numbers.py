"""Numbers and qualifiers as analysts write them; dates, times and years are not figures."""

from __future__ import annotations

import pytest

from ledger.dates import looks_like_date_or_time
from ledger.money import parse_money
from ledger.numbers import parse_quantity


@pytest.mark.parametrize(("text", "value", "qualifier", "high"), [
    ("1,960", 1960, "exact", None),
    ("1 960", 1960, "exact", None),
    ("Twenty-three", 23, "exact", None),
    ("two hundred and fifty", 250, "exact", None),
    ("300 thousand", 300_000, "exact", None),
    ("1.5 million", 1_500_000, "exact", None),
    ("24million", 24_000_000, "exact", None),
    ("more than 1,100", 1100, "more_than", None),
    ("Over 1,100", 1100, "more_than", None),
    ("Some 7,000", 7000, "approx", None),
    ("around 10,000", 10000, "approx", None),
    ("nearly 10 million", 10_000_000, "approx", None),
    ("at least 60", 60, "at_least", None),
    ("up to 5,000", 5000, "at_most", None),
    ("As many as 230,000", 230_000, "at_most", None),
    ("fewer than 40", 40, "less_than", None),
    ("between 3,000 and 5,000", 3000, "range", 5000),
    ("3-5 thousand", 3000, "range", 5000),
    ("between 3 and 5 thousand", 3000, "range", 5000),
    ("half a million", 500_000, "exact", None),
    ("13 lakh", 1_300_000, "exact", None),
    (">= 30", 30, "at_least", None),
])
def test_quantity(text: str, value: float, qualifier: str, high: float | None) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None
    assert (quantity.value, quantity.qualifier, quantity.high) == (value, qualifier, high)


def test_qualifiers_become_intervals() -> None:
    assert parse_quantity("more than 7,000").low_high == (7000, None)  # type: ignore[union-attr]
    assert parse_quantity("some 7,000").low_high == (6300, 7700)  # type: ignore[union-attr]
    assert parse_quantity("up to 50").low_high == (0, 50)  # type: ignore[union-attr]


def test_vague_amounts_use_acled_codes_and_are_marked() -> None:
    quantity = parse_quantity("hundreds of")
    assert quantity is not None and quantity.value == 100 and quantity.vague


def test_decimal_point_with_three_digits_is_flagged_as_ambiguous() -> None:
    quantity = parse_quantity("1.960")
    assert quantity is not None and quantity.ambiguous


@pytest.mark.parametrize(("text", "figure"), [
    ("at 16:13 they left", "16"), ("• 23:23", "23"), ("on November 27 a plane", "27"),
    ("on 9 November", "9"), ("independence in 1991 was", "1991"), ("the 1990s", "1990"),
    ("02:23 GMT", "23"),
])
def test_dates_times_and_years_are_not_figures(text: str, figure: str) -> None:
    start = text.index(figure)
    assert looks_like_date_or_time(text, start, start + len(figure))


def test_a_count_next_to_a_date_word_is_still_a_figure() -> None:
    text = "23 posts were set up"
    assert not looks_like_date_or_time(text, 0, 2)


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("300 thousand [Armenian] drams", 300_000, "AMD"),
    ("around $600", 600, "USD"),
    ("68,000 AMD", 68_000, "AMD"),
    ("€20 million", 20_000_000, "EUR"),
    ("£1billion", 1_000_000_000, "GBP"),
    ("40 Sudanese pounds", 40, "SDG"),
    ("US$ 1.5 million", 1_500_000, "USD"),
])
def test_money(text: str, value: float, currency: str) -> None:
    money = parse_money(text)
    assert money is not None and (money.quantity.value, money.currency) == (value, currency)


def test_a_shared_currency_name_without_adjective_is_flagged() -> None:
    money = parse_money("100 rupees")
    assert money is not None and money.currency == "PKR" and "INR" in money.ambiguous


def test_number_words_inside_other_words_are_not_numbers() -> None:
    import re2

    from ledger.numbers import QUANTITY

    pattern = re2.compile("(?i)" + QUANTITY)
    assert [m.group() for m in pattern.finditer("forgotten often tenants")] == []
    assert [m.group() for m in pattern.finditer("ten tenants, seven")] == ["ten", "seven"]


def test_a_month_ending_the_previous_sentence_does_not_make_a_date() -> None:
    text = "on 4 October.More than 120,000 homes were damaged"
    start = text.index("More")
    assert not looks_like_date_or_time(text, start, text.index(" homes"))


@pytest.mark.parametrize(("text", "value", "qualifier", "high"), [
    ("более 1,1 тыс.", 1100, "more_than", None),
    ("свыше 7 тыс.", 7000, "more_than", None),
    ("около двух тысяч", 2000, "approx", None),
    ("порядка 300", 300, "approx", None),
    ("не менее 40", 40, "at_least", None),
    ("менее 10", 10, "less_than", None),
    ("до 5000", 5000, "at_most", None),
    ("полутора тысяч", 1500, "exact", None),
    ("трёх", 3, "exact", None),
    ("2 млрд", 2_000_000_000, "exact", None),
    ("от 3 до 5 тысяч", 3000, "range", 5000),
])
def test_russian_quantity(text: str, value: float, qualifier: str, high: float | None) -> None:
    quantity = parse_quantity(text, "ru")
    assert quantity is not None
    assert (quantity.value, quantity.qualifier, quantity.high) == (value, qualifier, high)


def test_russian_vague_amounts_are_marked() -> None:
    quantity = parse_quantity("сотни тысяч", "ru")
    assert quantity is not None and quantity.value == 100_000 and quantity.vague


@pytest.mark.parametrize(("text", "value", "currency"), [
    ("300 тыс. армянских драмов", 300_000, "AMD"), ("2 млрд драмов", 2e9, "AMD"),
    ("500 рублей", 500, "RUB"), ("500 ₽", 500, "RUB"), ("10 тысяч евро", 10_000, "EUR"),
    ("1 млн гривен", 1e6, "UAH"), ("200 тысяч манатов", 200_000, "AZN"),
])
def test_russian_money(text: str, value: float, currency: str) -> None:
    money = parse_money(text, "ru")
    assert money is not None and (money.quantity.value, money.currency) == (value, currency)
