"""Exchange rates: dated tables with their sources, and the lookup of the rate in force.

Public surface: `RateBook.load(project_rates_dir)` and `RateBook.lookup(currency, on)`.

The rate in force on a day is the latest row published on or before it (never a later row,
never an interpolation), no older than the table's `max_lag_days`. Tables are tried in order:
the project's own tables, then the shipped tables as listed in `data/rates/tables.yaml` (the
issuing central bank first, then reference crosses, then IMF monthly, then IMF annual).
Tables are read on first use with pandas; each (table, currency) is a sorted numpy array searched
by bisection (`searchsorted`), so a lookup never rescans a table.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from ledger.diagnostics import Diagnostic, error, warning

OFFICIAL_DAILY = "official_daily"
PROJECT_BASIS = "project"


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

    @property
    def lag_days(self) -> int:
        return (self.claim_date - self.published).days

    @property
    def is_official_daily(self) -> bool:
        return self.basis in (OFFICIAL_DAILY, PROJECT_BASIS) or (
            self.basis == "reference_cross" and self.table == "ecb" and self.currency == "EUR")


_EPOCH = date(1970, 1, 1)


def _day_number(day: date) -> int:
    return (day - _EPOCH).days


@dataclass
class _Series:
    """One currency's rows of one table, sorted by date: days since 1970, values, CSV lines."""

    days: np.ndarray
    values: np.ndarray
    rows: np.ndarray
    sources: list[str]


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
    sha256: str = ""
    _series: dict[str, _Series] | None = None

    def series(self, currency: str) -> _Series | None:
        if self._series is None:
            self._series, _ = _read_table(self.path, self.file, self.source)
        return self._series.get(currency)


def _read_table(path: Path, shown: str, default_source: str
                ) -> tuple[dict[str, _Series], list[Diagnostic]]:
    """Read a `date,currency,per_usd[,source]` table; bad rows are diagnostics at their line."""
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=True)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        return {}, [error(shown, "X001", f"unreadable rate table: {exc}")]
    if list(frame.columns[:3]) != ["date", "currency", "per_usd"]:
        return {}, [error(shown, "X001", "a rate table starts with the header "
                          "date,currency,per_usd[,source]", 1)]
    frame["line"] = frame.index + 2
    dates = pd.to_datetime(frame["date"], format="%Y-%m-%d", errors="coerce")
    values = pd.to_numeric(frame["per_usd"], errors="coerce")
    bad = dates.isna() | values.isna() | ~(values > 0)
    rejected = frame[bad]
    diags = [error(shown, "X001", f"bad rate row {day},{currency},{value!r}: needs an ISO date "
                   "and a positive number of units per USD", line)
             for day, currency, value, line in zip(
                 rejected["date"].tolist(), rejected["currency"].tolist(),
                 rejected["per_usd"].tolist(), rejected["line"].tolist(), strict=True)]
    frame = frame[~bad].assign(day=dates[~bad].to_numpy().astype("datetime64[D]").astype(
        np.int64), value=values[~bad], currency=frame["currency"].str.strip().str.upper())
    if "source" in frame.columns:
        frame["source"] = frame["source"].where(frame["source"] != "", default_source)
    else:
        frame["source"] = default_source
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
                shown = f"rates/{path.name}"
                table = RateTable(id=f"project:{path.stem}", file=shown, basis=PROJECT_BASIS,
                                  source=f"project rate table {shown}", official_for=(),
                                  max_lag_days=14, path=path,
                                  sha256=hashlib.sha256(path.read_bytes()).hexdigest())
                series, table_diags = _read_table(path, shown, table.source)
                table._series = series
                diags += table_diags
                if not series and not table_diags:
                    diags.append(warning(shown, "X001", "rate table has no rows"))
                book.tables.append(table)
        folder = resources.files("ledger").joinpath("data/rates")
        catalogue = yaml.safe_load(folder.joinpath("tables.yaml").read_text("utf-8"))
        for entry in catalogue["tables"]:
            path = Path(str(folder.joinpath(entry["file"])))
            book.tables.append(RateTable(
                id=entry["id"], file=entry["file"], basis=entry["basis"], source=entry["source"],
                official_for=tuple(entry["official_for"]), max_lag_days=entry["max_lag_days"],
                path=path))
        return book, diags

    def ordered_for(self, currency: str) -> list[RateTable]:
        """Tables in lookup order for a currency: project, issuer's official, then the rest."""
        project = [t for t in self.tables if t.basis == PROJECT_BASIS]
        official = [t for t in self.tables if currency in t.official_for]
        rest = [t for t in self.tables if t not in project and t not in official]
        return project + official + rest

    def lookup(self, currency: str, on: date) -> Rate | None:
        """The rate in force on `on`: latest row on or before it, within the table's lag."""
        if currency == "USD":
            return None
        target = _day_number(on)
        for table in self.ordered_for(currency):
            s = table.series(currency)
            if s is None:
                continue
            i = int(np.searchsorted(s.days, target, side="right")) - 1
            if i < 0 or target - int(s.days[i]) > table.max_lag_days:
                continue
            published = _EPOCH + timedelta(days=int(s.days[i]))
            return Rate(currency, float(s.values[i]), published, on, table.id, table.file,
                        int(s.rows[i]), s.sources[i], table.basis)
        return None

    def file_hashes(self, used: set[str]) -> dict[str, str]:
        """sha256 of each table file in `used` (by table id), for the manifest."""
        result = {}
        for table in self.tables:
            if table.id in used:
                if not table.sha256:
                    table.sha256 = hashlib.sha256(table.path.read_bytes()).hexdigest()
                key = table.file if table.basis == PROJECT_BASIS else f"ledger:rates/{table.file}"
                result[key] = table.sha256
        return result
