"""Exchange rates: dated tables with their sources, and the lookup of the rate in force.

Public surface: `RateBook.load(project_rates_dir)`, `RateBook.lookup(currency, on)`,
`RateBook.missing_reason(currency, on)`, `RateBook.coverage()` and `REDENOMINATIONS`.

The rate in force on a day is the latest row published on or before it (never a later row,
never an interpolation), no older than the table's `max_lag_days`. Tables are tried in order:
the project's own tables, then the shipped tables as listed in `data/rates/tables.yaml`, the
issuing central bank's first (CBA for AMD, NBU for UAH, ECB for EUR), then the ECB's and the
CBA's crosses, then IMF monthly, then IMF annual values. Tables are read on first use with
pandas; each (table, currency) is a sorted numpy array searched by bisection, so a lookup never
rescans a table.

Redenominated currencies: an amount in an old code (AZM, TRL, BYR, ROL, RUR) uses a table of the
old code when one covers the date, else the new code's rate times the redenomination factor;
an amount in a new code dated before the new code existed is refused with the reason.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.diagnostics import Diagnostic, error, warning
from ledger.yaml_lines import YamlProblem, load

NOT_DAILY = ("monthly_eop", "annual_average")
_EPOCH = date(1970, 1, 1)


@dataclass(frozen=True)
class Redenomination:
    old: str
    new: str
    factor: int
    on: date


REDENOMINATIONS = {r.old: r for r in (
    Redenomination("AZM", "AZN", 5_000, date(2006, 1, 1)),
    Redenomination("TRL", "TRY", 1_000_000, date(2005, 1, 1)),
    Redenomination("BYR", "BYN", 10_000, date(2016, 7, 1)),
    Redenomination("ROL", "RON", 10_000, date(2005, 7, 1)),
    Redenomination("RUR", "RUB", 1_000, date(1998, 1, 1)),
)}
_BY_NEW = {r.new: r for r in REDENOMINATIONS.values()}


@dataclass(frozen=True)
class Rate:
    """One rate row used for a conversion, with everything an auditor needs to find it."""

    currency: str
    per_usd: float
    published: date
    claim_date: date
    table: str
    file: str
    row: int
    source: str
    basis: str
    note: str = ""

    @property
    def lag_days(self) -> int:
        return (self.claim_date - self.published).days

    @property
    def is_official_daily(self) -> bool:
        """False for IMF monthly and annual values: they are statistics, not daily rates."""
        return self.basis not in NOT_DAILY


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


@dataclass
class _Series:
    """One currency's rows of one table, sorted by date: days since 1970, values, CSV lines."""

    days: np.ndarray
    values: np.ndarray
    rows: np.ndarray
    sources: list[str]


class TableSettings(BaseModel):
    """A project table's sidecar, `rates/NAME.yaml` beside `rates/NAME.csv`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str = Field("", description="Attribution written on every fact converted with it.")
    basis: Literal["official_daily", "reference_cross", "monthly_eop", "annual_average"] = (
        "official_daily")
    quote: Literal["per_usd", "usd_per_units"] = Field(
        "per_usd", description="per_usd: units of the currency per 1 USD; usd_per_units: USD "
                               "per `units` units of the currency (a bank's quote per 100 JPY).")
    units: int = Field(1, ge=1, description="units of the currency one quote is for")
    max_lag_days: int = Field(14, ge=0)


@dataclass
class RateTable:
    """A table's description and, once read, its series per currency."""

    id: str
    file: str
    basis: str
    source: str
    official_for: tuple[str, ...]
    max_lag_days: int
    path: Path
    settings: TableSettings = field(default_factory=TableSettings)
    sha256: str = ""
    _series: dict[str, _Series] | None = None

    def series(self, currency: str) -> _Series | None:
        return self.all_series().get(currency)

    def all_series(self) -> dict[str, _Series]:
        if self._series is None:
            self._series, _ = _read_table(self.path, self.file, self.source, self.settings)
        return self._series

    def rate_on(self, currency: str, on: date) -> Rate | None:
        """This table's rate in force on `on`: the latest row on or before it, within the lag."""
        s = self.series(currency)
        if s is None:
            return None
        target = _day_number(on)
        i = int(np.searchsorted(s.days, target, side="right")) - 1
        if i < 0 or target - int(s.days[i]) > self.max_lag_days:
            return None
        published = _EPOCH + timedelta(days=int(s.days[i]))
        return Rate(currency, float(s.values[i]), published, on, self.id, self.file,
                    int(s.rows[i]), s.sources[i], self.basis)


MIN_RATE, MAX_RATE = 1e-6, 1e13
"""Units per USD outside these bounds are no currency's rate (the bounds hold the Kuwaiti
dinar, about 0.3, and hyperinflated currencies before their redenomination)."""
OUTLIER_FACTOR = 10
"""A project rate this many times above or below the shipped official rate of the same
currency and day is reported: a row in the wrong unit or direction, most likely."""


def _field_count_problems(path: Path, shown: str) -> list[Diagnostic]:
    """Rows whose number of fields differs from the header's ("1,000" unquoted is two
    fields): pandas would otherwise shift or cut them without a word."""
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, [])
            return [error(shown, "X001", f"row has {len(row)} fields but the header has "
                          f"{len(header)}: quote a value that holds a comma (\"1,000\")",
                          reader.line_num)
                    for row in reader if row and len(row) != len(header)][:5]
    except (UnicodeDecodeError, csv.Error) as exc:
        return [error(shown, "X001", f"unreadable rate table: {exc}")]


def _read_table(path: Path, shown: str, default_source: str, settings: TableSettings,
                strict: bool = False) -> tuple[dict[str, _Series], list[Diagnostic]]:
    """Read a `date,currency,per_usd[,source][,units]` table; bad rows are diagnostics.
    `strict` (a project's table) first checks every row's number of fields."""
    if strict and (problems := _field_count_problems(path, shown)):
        return {}, problems
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True,
                            index_col=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        return {}, [error(shown, "X001", f"unreadable rate table: {exc}")]
    if list(frame.columns[:3]) != ["date", "currency", "per_usd"]:
        return {}, [error(shown, "X001", "a rate table starts with the header "
                          "date,currency,per_usd[,source][,units]", 1)]
    frame["line"] = frame.index + 2
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    values = pd.to_numeric(frame["per_usd"], errors="coerce")
    units = (pd.to_numeric(frame["units"], errors="coerce") if "units" in frame.columns
             else pd.Series(float(settings.units), index=frame.index))
    finite = np.isfinite(values) & (values >= MIN_RATE) & (values <= MAX_RATE)
    bad = dates.isna() | values.isna() | ~finite | units.isna() | ~(units > 0) | ~np.isfinite(
        units)
    rejected = frame[bad]
    diags = [error(shown, "X001", f"bad rate row {day},{currency},{value!r}: needs an ISO date "
                   f"and a finite rate from {MIN_RATE:g} to {MAX_RATE:g} units per USD (and "
                   "units)", line)
             for day, currency, value, line in zip(
                 rejected["date"].tolist(), rejected["currency"].tolist(),
                 rejected["per_usd"].tolist(), rejected["line"].tolist(), strict=True)]
    keep = ~bad
    per_usd = values[keep] if settings.quote == "per_usd" else units[keep] / values[keep]
    frame = frame[keep]
    frame = frame.assign(
        day=dates[keep].to_numpy().astype("datetime64[D]").astype(np.int64), value=per_usd,
        currency=frame["currency"].str.strip().str.upper())
    source = settings.source or default_source
    if "source" in frame.columns:
        frame["source"] = frame["source"].where(frame["source"] != "", source)
    else:
        frame["source"] = source
    series: dict[str, _Series] = {}
    for currency, group in frame.groupby("currency", sort=True):
        steps = np.diff(group["day"].to_numpy())
        if (steps <= 0).any():
            line = int(group["line"].to_numpy()[1:][steps <= 0][0])
            diags.append(error(shown, "X001", f"rows of {currency} must be in date order, "
                               "one a day", line))
            continue
        series[str(currency)] = _Series(group["day"].to_numpy(), group["value"].to_numpy(),
                                        group["line"].to_numpy(), group["source"].tolist())
    return series, diags


def _read_settings(path: Path, shown: str) -> tuple[TableSettings, list[Diagnostic]]:
    if not path.is_file():
        return TableSettings(), []
    try:
        data, positions = load(path.read_text("utf-8"))
        return TableSettings.model_validate(data or {}), []
    except YamlProblem as exc:
        return TableSettings(), [error(shown, "X002", exc.message, exc.line, exc.col)]
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            key = err["loc"][0] if err["loc"] else ""
            line, col = positions.of((key,))
            message = (f"unknown key {key!r}" if err["type"] == "extra_forbidden"
                       else f"{key}: {err['msg']}")
            diags.append(error(shown, "X002", message, line, col))
        return TableSettings(), diags


@dataclass(frozen=True)
class Coverage:
    """What one table holds for one currency."""

    currency: str
    table: str
    basis: str
    first: date
    last: date
    rows: int
    source: str


@dataclass
class RateBook:
    tables: list[RateTable] = field(default_factory=list)

    @classmethod
    def load(cls, project_rates: Path | None = None) -> tuple[RateBook, list[Diagnostic]]:
        """Shipped tables, preceded by the project's `rates/*.csv` when the folder exists."""
        book = cls()
        diags: list[Diagnostic] = []
        if project_rates is not None and project_rates.is_dir():
            for path in sorted(project_rates.glob("*.csv")):
                diags += book._add_project_table(path)
        folder = resources.files("ledger").joinpath("data/rates")
        catalogue, _ = load(folder.joinpath("tables.yaml").read_text("utf-8"))
        for entry in catalogue["tables"]:
            path = Path(str(folder.joinpath(entry["file"])))
            book.tables.append(RateTable(
                id=entry["id"], file=entry["file"], basis=entry["basis"], source=entry["source"],
                official_for=tuple(entry["official_for"]), max_lag_days=entry["max_lag_days"],
                path=path))
        diags += book._outliers()
        return book, diags

    def _outliers(self) -> list[Diagnostic]:
        """A warning for each project table's currency whose rates stray from the shipped
        official rate of the same day by more than OUTLIER_FACTOR (the first such row)."""
        shipped = [t for t in self.tables if not t.id.startswith("project:")]
        diags = []
        for table in self.tables:
            if not table.id.startswith("project:"):
                continue
            for currency, series in sorted(table.all_series().items()):
                for day, value, line in zip(series.days, series.values, series.rows,
                                            strict=True):
                    on = _EPOCH + timedelta(days=int(day))
                    official = next((r for t in shipped if (r := t.rate_on(currency, on))),
                                    None)
                    if official is None:
                        continue
                    ratio = float(value) / official.per_usd
                    if ratio > OUTLIER_FACTOR or ratio < 1 / OUTLIER_FACTOR:
                        diags.append(warning(
                            table.file, "X003", f"{currency} {float(value):g} per USD on {on} "
                            f"is {ratio:.3g} times the official {official.per_usd:g} "
                            f"({official.source}): check the row's unit and direction",
                            int(line)))
                        break
        return diags

    def _add_project_table(self, path: Path) -> list[Diagnostic]:
        shown = f"rates/{path.name}"
        settings, diags = _read_settings(path.with_suffix(".yaml"), f"rates/{path.stem}.yaml")
        table = RateTable(id=f"project:{path.stem}", file=shown, basis=settings.basis,
                          source=settings.source or f"project rate table {shown}",
                          official_for=(), max_lag_days=settings.max_lag_days, path=path,
                          settings=settings,
                          sha256=hashlib.sha256(path.read_bytes()).hexdigest())
        series, table_diags = _read_table(path, shown, table.source, settings, strict=True)
        table._series = series
        diags += table_diags
        if not series and not table_diags:
            diags.append(warning(shown, "X001", "rate table has no rows"))
        self.tables.append(table)
        return diags

    def ordered_for(self, currency: str) -> list[RateTable]:
        """Tables in lookup order for a currency: project, issuer's official, then the rest."""
        project = [t for t in self.tables if t.id.startswith("project:")]
        official = [t for t in self.tables if currency in t.official_for]
        rest = [t for t in self.tables if t not in project and t not in official]
        return project + official + rest

    def _first(self, currency: str, on: date) -> Rate | None:
        for table in self.ordered_for(currency):
            rate = table.rate_on(currency, on)
            if rate is not None:
                return rate
        return None

    def lookup(self, currency: str, on: date) -> Rate | None:
        """The rate in force on `on` (units of `currency` per USD), or None."""
        if currency == "USD":
            return None
        newer = _BY_NEW.get(currency)
        if newer is not None and on < newer.on:
            return None
        rate = self._first(currency, on)
        older = REDENOMINATIONS.get(currency)
        if rate is None and older is not None:
            via = self._first(older.new, on)
            if via is not None:
                return replace(via, currency=currency, per_usd=via.per_usd * older.factor,
                               note=f"{currency} = {older.new} x {older.factor:,} "
                                    f"(redenomination of {older.on})")
        return rate

    def missing_reason(self, currency: str, on: date) -> str:
        """Why `lookup(currency, on)` found nothing, for the finding."""
        newer = _BY_NEW.get(currency)
        if newer is not None and on < newer.on:
            return (f"{currency} was introduced on {newer.on} (1 {currency} = "
                    f"{newer.factor:,} {newer.old}); an amount dated {on} is in {newer.old}: "
                    f"write it as {newer.old}")
        known = [c for c in self.coverage() if c.currency == currency]
        if not known:
            return f"no rate table has {currency}"
        spans = "; ".join(f"{c.table} {c.first} to {c.last}" for c in known)
        return f"no {currency} rate published up to {on} within each table's lag ({spans})"

    def coverage(self) -> list[Coverage]:
        """Every table's coverage per currency, in lookup-table order."""
        result = []
        for table in self.tables:
            for currency, s in sorted(table.all_series().items()):
                result.append(Coverage(currency, table.id, table.basis,
                                       _EPOCH + timedelta(days=int(s.days[0])),
                                       _EPOCH + timedelta(days=int(s.days[-1])), len(s.days),
                                       table.source))
        return result

    def file_hashes(self, used: set[str]) -> dict[str, str]:
        """sha256 of each table file in `used` (by table id), for the manifest."""
        result = {}
        for table in self.tables:
            if table.id in used:
                if not table.sha256:
                    table.sha256 = hashlib.sha256(table.path.read_bytes()).hexdigest()
                project = table.id.startswith("project:")
                result[table.file if project else f"ledger:rates/{table.file}"] = table.sha256
        return result
