"""Rate lookup over the real shipped tables: the latest rate on or before the claim date."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from conftest import MakeProject

from ledger.rates import RateBook


@pytest.fixture(scope="module")
def rates() -> RateBook:
    book, diagnostics = RateBook.load()
    assert not diagnostics
    return book


def test_amd_on_saturday_uses_fridays_cba_rate(rates: RateBook) -> None:
    rate = rates.lookup("AMD", date(2020, 11, 21))
    assert rate is not None
    assert (rate.per_usd, rate.published, rate.lag_days, rate.table) == (
        503.22, date(2020, 11, 20), 1, "cba")
    assert "Central Bank of Armenia" in rate.source and rate.is_official_daily
    monday = rates.lookup("AMD", date(2020, 11, 23))
    assert monday is not None and monday.per_usd == 505.32


@pytest.mark.parametrize("currency", ["AMD", "EUR", "UAH", "RUB", "GBP", "SEK", "TRY"])
def test_never_a_later_rate_and_no_row_in_between(rates: RateBook, currency: str) -> None:
    table = next(t for t in rates.ordered_for(currency) if t.series(currency))
    series = table.series(currency)
    assert series is not None
    first = date(1970, 1, 1) + timedelta(days=int(series.days[0]))
    last = date(1970, 1, 1) + timedelta(days=int(series.days[-1]))
    picker = random.Random(currency)
    for _ in range(200):
        claim = first + timedelta(days=picker.randrange((last - first).days + 1))
        rate = rates.lookup(currency, claim)
        assert rate is not None and rate.table == table.id
        assert rate.published <= claim
        epoch = date(1970, 1, 1)
        published, wanted = (rate.published - epoch).days, (claim - epoch).days
        assert not ((series.days > published) & (series.days <= wanted)).any()


def test_no_rate_past_a_tables_coverage(rates: RateBook) -> None:
    assert rates.lookup("AMD", date(2026, 6, 1)) is None
    assert rates.lookup("XXX", date(2020, 1, 1)) is None


def test_a_monthly_rate_is_flagged_as_not_official_daily(rates: RateBook) -> None:
    rate = rates.lookup("AZN", date(2020, 11, 21))
    assert rate is not None and rate.basis == "monthly_eop" and not rate.is_official_daily


def test_project_rates_take_precedence(make_project: MakeProject) -> None:
    project = make_project({"rates/own.csv": "date,currency,per_usd,source\n"
                                             "2020-11-20,AMD,500,Our field office\n"})
    book, diagnostics = RateBook.load(project / "rates")
    assert not diagnostics
    rate = book.lookup("AMD", date(2020, 11, 21))
    assert rate is not None and rate.per_usd == 500 and rate.source == "Our field office"


def test_bad_project_rate_row_is_reported_at_its_line(make_project: MakeProject) -> None:
    project = make_project({"rates/own.csv": "date,currency,per_usd\n2020-11-20,AMD,abc\n"})
    _, diagnostics = RateBook.load(project / "rates")
    assert [d.format() for d in diagnostics] == [
        "rates/own.csv:2: error X001 bad rate row 2020-11-20,AMD,'abc': needs an ISO date and "
        "a positive number of units per USD"]
