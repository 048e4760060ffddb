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


def test_every_currency_of_every_table_resolves_to_the_last_row_on_or_before(
        rates: RateBook) -> None:
    """For every shipped table and currency, a spread of dates: the rate found is dated on or
    before the claim, and no row of that table lies between them."""
    epoch = date(1970, 1, 1)
    checked = 0
    for table in rates.tables:
        for currency, series in table.all_series().items():
            first, last = int(series.days[0]), int(series.days[-1])
            picker = random.Random(f"{table.id}:{currency}")
            claims = {first, last, last + 1, *(picker.randint(first, last + 5) for _ in range(20))}
            for day in sorted(claims):
                claim = epoch + timedelta(days=day)
                rate = table.rate_on(currency, claim)
                if rate is None:  # a gap longer than the table's lag
                    earlier = series.days[series.days <= day]
                    assert not len(earlier) or day - int(earlier[-1]) > table.max_lag_days
                    continue
                published = (rate.published - epoch).days
                assert published <= day
                assert not ((series.days > published) & (series.days <= day)).any()
                checked += 1
    assert checked > 5000


@pytest.mark.parametrize(("currency", "claim", "published"), [
    ("AMD", date(2020, 11, 22), date(2020, 11, 20)),  # Sunday: Friday's CBA rate
    ("EUR", date(2019, 12, 25), date(2019, 12, 24)),  # Christmas: no ECB fixing
    ("EUR", date(2019, 12, 26), date(2019, 12, 24)),  # St Stephen's Day
    ("EUR", date(2021, 1, 1), date(2020, 12, 31)),    # New Year's Day
    ("GBP", date(2020, 4, 13), date(2020, 4, 9)),     # Easter Monday after Good Friday
    ("AMD", date(2021, 1, 4), date(2020, 12, 30)),    # Armenian New Year holidays
])
def test_weekends_and_holidays_resolve_to_the_previous_publication(
        rates: RateBook, currency: str, claim: date, published: date) -> None:
    rate = rates.lookup(currency, claim)
    assert rate is not None and rate.published == published


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
        "a finite rate from 1e-06 to 1e+13 units per USD (and units)"]
