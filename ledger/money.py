"""Amounts of money: the currency from a symbol, an ISO code or a name, and the amount.

Public surface: `money_block(language)` and `MONEY` (the `{money}` building block, RE2
syntax), `parse_money(text, locale)`
and `CURRENCIES` (the table in `data/currencies.csv`). A currency is only read from a symbol or
code next to a number, or from a whole currency name after one; never from inside a word.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from importlib import resources

from ledger.languages import codes as language_codes
from ledger.languages import language as language_of
from ledger.numbers import (
    QUALIFIER,
    Quantity,
    longest_first,
    number_block,
    parse_quantity,
    qualifier_block,
)


@dataclass(frozen=True)
class Currency:
    code: str
    name: str
    symbols: tuple[str, ...]
    names: tuple[str, ...]
    adjectives: tuple[str, ...]
    bare: bool


def _load_currencies() -> dict[str, Currency]:
    table = resources.files("ledger").joinpath("data/currencies.csv").read_text("utf-8")
    result: dict[str, Currency] = {}
    lines = [line for line in table.splitlines() if not line.startswith("#")]
    for row in csv.DictReader(lines):
        def split(field: str, row: dict[str, str] = row) -> tuple[str, ...]:
            return tuple(x for x in row[field].split("|") if x)

        result[row["code"]] = Currency(row["code"], row["name"], split("symbols"),
                                       split("names"), split("adjectives"),
                                       row["bare"] == "yes")
    return result


def _with_local_names(currencies: dict[str, Currency]) -> dict[str, Currency]:
    """Add the currency names each language file gives ("dólares", "FCFA", "гривень")."""
    for code in language_codes():
        spoken = language_of(code)
        for iso, names in (spoken.currencies.items() if spoken is not None else ()):
            if iso in currencies:
                old = currencies[iso]
                currencies[iso] = replace(old, names=tuple(dict.fromkeys((*old.names, *names))))
    return currencies


CURRENCIES = _with_local_names(_load_currencies())


def _alternation(items: set[str]) -> str:
    return "|".join(re.escape(x) for x in longest_first(items))


_CODES = {c.code for c in CURRENCIES.values()} | {
    s for c in CURRENCIES.values() for s in c.symbols if s.isalpha() and s.isupper()
}
_SYMBOLS = {s for c in CURRENCIES.values() for s in c.symbols if s not in _CODES}
_NAMES = {n for c in CURRENCIES.values() for n in c.names}
_ADJECTIVES = {a for c in CURRENCIES.values() for a in c.adjectives}

_SYMBOL_RE = "|".join(  # "C$", "HK$": letters in capitals, so "a $48 million" stays USD
    f"(?-i:{re.escape(x)})" if x[:1].isalpha() else re.escape(x)
    for x in longest_first(_SYMBOLS))
_AFTER_SYMBOL_RE = _alternation(  # "500 ₽", "10 €"; never "$", which precedes its amount
    {s for s in _SYMBOLS if not s[:1].isalpha() and "$" not in s})
_CODE_RE = f"(?-i:{_alternation(_CODES)})"
_NAME_RE = _alternation(_NAMES)
_ADJ_RE = rf"(?:\[\s*(?:{_alternation(_ADJECTIVES)})\s*\]|{_alternation(_ADJECTIVES)})"

def money_block(language: str = "") -> str:
    """RE2 building block `{money}`: an optional qualifier, then an amount with its currency,
    in one language ("en", "ru") or all of them (""). Names end where a letter does not
    follow; extract checks that, as RE2's \\b does not know Cyrillic."""
    number = number_block(language)
    glued = r"\s*" if language == "ru" else r"\s+"  # "около21млн леев": scraped Russian
    return (rf"(?:(?:{qualifier_block(language)}){glued})?"
            rf"(?:(?:{_SYMBOL_RE})\s?(?:{number})"
            rf"|{_CODE_RE}\s?(?:{number})"
            rf"|(?:{number})(?:\s*|-|\s+(?:de|d’|d')\s*)(?:{_CODE_RE}|(?:{_ADJ_RE}\s+)?(?:{_NAME_RE})"
            rf"|(?:{_AFTER_SYMBOL_RE})))")


MONEY = money_block()
"""The `{money}` block for every language."""


@dataclass(frozen=True)
class Money:
    """A stated amount: the quantity as written and the ISO code of its currency."""

    quantity: Quantity
    currency: str
    currency_text: str
    ambiguous: str = ""


_CURRENCY_FIRST = re.compile(
    rf"^(?P<cur>{_alternation(_SYMBOLS)}|{_alternation(_CODES)})\s?", re.UNICODE)
_CURRENCY_LAST = re.compile(
    rf"\s*(?P<cur>(?:(?P<adj>{_ADJ_RE.replace('(?-i:', '(?:')})\s+)?(?:{_NAME_RE})"
    rf"|{_alternation(_CODES)}|{_AFTER_SYMBOL_RE})$",
    re.IGNORECASE,
)
_QUALIFIER_FIRST = re.compile(rf"^(?:{QUALIFIER})(?:\s+|(?=\d))", re.IGNORECASE)


def _index() -> tuple[dict[str, Currency], dict[str, list[Currency]]]:
    """Currencies by symbol or code (first listed wins) and by lower-case name."""
    exact: dict[str, Currency] = {}
    named: dict[str, list[Currency]] = {}
    for currency in CURRENCIES.values():
        for key in (*currency.symbols, currency.code):
            exact.setdefault(key, currency)
        for name in currency.names:
            named.setdefault(name.lower(), []).append(currency)
    return exact, named


_BY_SYMBOL, _BY_NAME = _index()


def _currency_of(token: str, adjective: str) -> tuple[str, str] | None:
    """ISO code for a symbol, code or name (+ adjective); with a note when the name is shared."""
    adjective = adjective.strip("[] ").lower()
    if token in _BY_SYMBOL:
        return _BY_SYMBOL[token].code, ""
    named = _BY_NAME.get(" ".join(token.lower().split()), [])
    if adjective:
        fitting = [c for c in named if adjective in (a.lower() for a in c.adjectives)]
        named = fitting or named
    if not named:
        return None
    note = ""
    bare = [c for c in named if c.bare]
    if len(named) > 1 and not adjective and bare:
        return bare[0].code, ""
    if len(named) > 1 and not adjective:
        others = ", ".join(c.code for c in named[1:])
        note = f"{token!r} read as {named[0].code} (also {others}): name the currency to be sure"
    return named[0].code, note


def parse_money(text: str, locale: str = "en") -> Money | None:
    """Read a matched `{money}` into its quantity and currency."""
    text = text.strip()
    qualifier = _QUALIFIER_FIRST.match(text)
    prefix = qualifier.group() if qualifier else ""
    rest = text[len(prefix):]
    if rest[:1].isdigit() or rest[:1] == ".":
        rest = re.sub(r"^([\d.,'’\s]+\w*)-", r"\1 ", rest)  # "one-yen", "10-dollar"
    first = _CURRENCY_FIRST.match(rest)
    if first:
        found = _currency_of(first.group("cur"), "")
        amount = rest[first.end():]
    else:
        last = _CURRENCY_LAST.search(rest)
        if not last:
            return None
        name = last.group("cur")
        adjective = last.group("adj") or ""
        found = _currency_of(name[len(adjective):].strip(), adjective)
        amount = re.sub(r"\s+(?:de|d’|d')\s*$", "", rest[:last.start()])  # "millones de dólares"
    if found is None:
        return None
    quantity = parse_quantity(prefix + amount, locale)
    if quantity is None:
        return None
    code, note = found
    return Money(quantity, code, text[len(prefix) + len(amount):].strip() if not first
                 else first.group("cur"), note)
