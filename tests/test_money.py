"""Money at the official rate of the claim date, checked against values worked out by hand
from the shipped tables (tests/cases/money-2015-2023/README.md)."""

from __future__ import annotations

import csv
import shutil
from datetime import date
from pathlib import Path

import pytest
from conftest import MakeProject

from ledger.build import BuildResult, build
from ledger.cli import main
from ledger.rates import RateBook

CASE = Path(__file__).parent / "cases" / "money-2015-2023"

# source: (amount, currency, table, rate row date, per_usd, CSV line, lag days, USD)
EXPECTED = {
    # CBA official, the claim's own day
    "amd.txt": (1_200_000, "AMD", "cba", "2016-03-15", 487.41, 4110, 0, 2461.99),
    # Saturday: the ECB's Friday rate
    "eur.txt": (50_000, "EUR", "ecb", "2017-06-09", 0.89477452, 147304, 1, 55880.00),
    # Saturday 1 May: the ECB's Friday rate
    "rub.txt": (3_000_000, "RUB", "ecb", "2021-04-30", 75.079292, 178932, 1, 39957.76),
    # NBU official, published every calendar day
    "uah.txt": (100_000, "UAH", "nbu", "2022-02-24", 29.2549, 9296, 0, 3418.23),
    # Christmas Day: the ECB's rate of 24 December
    "gbp.txt": (20_000, "GBP", "ecb", "2018-12-24", 0.78925316, 159779, 1, 25340.41),
    # no daily PKR rate here: the IMF month-end value of July (flagged)
    "pkr.txt": (5_000_000, "PKR", "imf-monthly", "2019-07-31", 159.712218, 7959, 14, 31306.31),
    # Easter Monday, after Good Friday: the ECB's Thursday rate, four days back
    "sek.txt": (1_000_000, "SEK", "ecb", "2020-04-09", 10.072237, 170325, 4, 99282.81),
    # no daily AZN rate here: the IMF annual average of 2022 (flagged)
    "azn.txt": (200_000, "AZN", "imf-annual", "2022-12-31", 1.7, 10202, 60, 117647.06),
}


@pytest.fixture(scope="module")
def money_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    root = tmp_path_factory.mktemp("money") / "case"
    shutil.copytree(CASE, root)
    return build(root, root / "build")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("source", sorted(EXPECTED))
def test_amount_converted_at_the_rate_in_force(money_build: BuildResult, source: str) -> None:
    amount, currency, table, day, per_usd, line, lag, usd = EXPECTED[source]
    fact = next(f for f in _rows(money_build.out / "facts.csv") if f["source"] == source)
    assert (float(fact["value"]), fact["currency"]) == (amount, currency)
    assert (fact["fx_table"], fact["fx_date"], float(fact["fx_rate"])) == (table, day, per_usd)
    assert (int(fact["fx_row"]), int(fact["fx_lag_days"])) == (line, lag)
    assert float(fact["value_usd"]) == usd
    assert fact["fx_source"]


def test_non_daily_rates_are_flagged(money_build: BuildResult) -> None:
    flagged = {f["fact_ids"] for f in _rows(money_build.out / "findings.csv")
               if f["code"] == "rate-not-official-daily"}
    facts = {f["fact_id"]: f["source"] for f in _rows(money_build.out / "facts.csv")}
    assert {facts[i] for i in flagged} == {"pkr.txt", "azn.txt"}


def test_no_rate_leaves_value_usd_empty_and_says_why(money_build: BuildResult) -> None:
    late = next(f for f in _rows(money_build.out / "facts.csv") if f["source"] == "late.txt")
    assert late["value_usd"] == "" and late["currency"] == "AMD" and late["value"] == "500000"
    finding = next(f for f in _rows(money_build.out / "findings.csv") if f["code"] == "no-rate")
    assert finding["fact_ids"] == late["fact_id"]
    assert "no AMD rate published up to 2026-06-15" in finding["message"]
    assert "cba 2000-02-01 to 2023-11-22" in finding["message"]


def test_report_currency_goes_through_usd_at_the_same_date(seed_project: Path) -> None:
    (seed_project / "ledger.toml").write_text('report_currency = "EUR"\n', "utf-8")
    assert main(["build", str(seed_project), "-q"]) == 0
    amd = next(f for f in _rows(seed_project / "build" / "facts.csv") if f["unit"] == "AMD")
    # 596.16 USD x 0.84295709 EUR per USD (ECB, 2020-11-20) = 502.54 EUR
    assert (amd["report_currency"], amd["value_report"]) == ("EUR", "502.54")
    assert (amd["report_fx_rate"], amd["report_fx_date"]) == ("0.84295709", "2020-11-20")
    assert "European Central Bank" in amd["report_fx_source"]


def test_stated_conversion_that_disagrees_is_a_finding(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "Families will receive a one-time payment of 68,000 AMD ($200) each.\n",
        "sources/sources.csv": "path,published\na.txt,2020-11-26\n"})
    assert main(["build", str(project), "-q"]) == 0
    facts = _rows(project / "build" / "facts.csv")
    assert len(facts) == 1  # the stated $200 is not a second amount
    finding = next(f for f in _rows(project / "build" / "findings.csv")
                   if f["code"].startswith("stated-conversion"))
    assert finding["code"] == "stated-conversion-mismatch"
    assert "stated 200.00 USD (exact) disagrees" in finding["message"]
    assert "68,000 AMD at 508.12 AMD per USD (2020-11-26" in finding["message"]
    assert "is 133.83 USD; difference +49.4%" in finding["message"]


def test_stated_conversion_in_another_currency_is_checked(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "The agency allocated 300 thousand drams (about €500) in aid to "
                         "families.\n",
        "sources/sources.csv": "path,published\na.txt,2020-11-21\n"})
    assert main(["build", str(project), "-q"]) == 0
    finding = next(f for f in _rows(project / "build" / "findings.csv")
                   if f["code"].startswith("stated-conversion"))
    # 596.16 USD x 0.84295709 EUR per USD = 502.54 EUR: 500 is within the approx tolerance
    assert finding["code"] == "stated-conversion-consistent"
    assert "is 502.54 EUR" in finding["message"]


@pytest.fixture(scope="module")
def rates() -> RateBook:
    return RateBook.load()[0]


def test_old_turkish_lira_uses_the_ecb_trl_series(rates: RateBook) -> None:
    rate = rates.lookup("TRL", date(2003, 5, 3))
    assert rate is not None and (rate.table, rate.per_usd) == ("ecb", 1535723.8)
    assert round(1_500_000_000 / rate.per_usd, 2) == 976.74


def test_old_manat_converts_through_the_new_manat(rates: RateBook) -> None:
    rate = rates.lookup("AZM", date(2004, 6, 1))
    assert rate is not None and rate.table == "imf-annual"
    assert rate.per_usd == pytest.approx(0.982146 * 5000)
    assert "AZM = AZN x 5,000 (redenomination of 2006-01-01)" in rate.note
    assert not rate.is_official_daily


@pytest.mark.parametrize(("currency", "day", "old"), [
    ("TRY", date(2003, 5, 3), "TRL"), ("AZN", date(2004, 6, 1), "AZM"),
    ("BYN", date(2015, 1, 5), "BYR")])
def test_new_code_before_its_introduction_is_refused(rates: RateBook, currency: str, day: date,
                                                     old: str) -> None:
    assert rates.lookup(currency, day) is None
    assert f"an amount dated {day} is in {old}: write it as {old}" in rates.missing_reason(
        currency, day)


def test_quote_per_hundred_units_from_a_sidecar(make_project: MakeProject) -> None:
    project = make_project({
        "rates/bank.csv": "date,currency,per_usd\n2020-11-20,JPY,0.9615\n",
        "rates/bank.yaml": "source: Example bank, USD per 100 JPY\nquote: usd_per_units\n"
                           "units: 100\n"})
    book, diagnostics = RateBook.load(project / "rates")
    assert not diagnostics
    rate = book.lookup("JPY", date(2020, 11, 21))
    assert rate is not None and rate.per_usd == pytest.approx(100 / 0.9615)
    assert rate.source == "Example bank, USD per 100 JPY" and rate.table == "project:bank"


def test_sidecar_with_an_unknown_key_is_an_error(make_project: MakeProject) -> None:
    project = make_project({"rates/bank.csv": "date,currency,per_usd\n2020-11-20,JPY,104\n",
                            "rates/bank.yaml": "source: x\nunit: 100\n"})
    _, diagnostics = RateBook.load(project / "rates")
    assert [d.format() for d in diagnostics] == [
        "rates/bank.yaml:2:1: error X002 unknown key 'unit'"]


def test_rates_command_prints_coverage_in_lookup_order(capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert main(["rates", "--currency", "AMD"]) == 0
    lines = capsys.readouterr().out.splitlines()
    tables = [line.split()[1] for line in lines[1:] if line.startswith("AMD")]
    assert tables == ["cba", "imf-monthly-amd", "imf-monthly", "imf-annual"]
    assert lines[1].split()[3:] == ["2000-02-01", "2023-11-22", "6,039"]
    assert any("cba: Central Bank of Armenia" in line for line in lines)


def test_report_currency_rates_are_on_the_rates_sheet(seed_project: Path) -> None:
    from openpyxl import load_workbook

    (seed_project / "ledger.toml").write_text('report_currency = "EUR"\n', "utf-8")
    assert main(["build", str(seed_project), "-q"]) == 0
    sheet = load_workbook(seed_project / "build" / "ledger.xlsx")["Rates"]
    rows = {(r[0], r[3]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows[("AMD", "cba")][2] == 503.22 and rows[("AMD", "cba")][8] == 1
    assert rows[("EUR", "ecb")][2] == 0.84295709
