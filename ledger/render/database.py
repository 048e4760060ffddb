"""`ledger.sqlite`: the build as a database, for the ledgers too large to read as CSV.

Tables `sources`, `facts`, `observations`, `findings`, `rates` and `unread`, with typed
columns (numbers as REAL or INTEGER, dates as ISO text), primary keys, foreign keys from facts
and unread numbers to sources and from facts and findings to observations, indexes on what
people filter by (indicator, place, date, source), and a full-text index (FTS5) over the
facts' quotes and the unread numbers' sentences:

    SELECT f.fact_id, f.value, f.quote FROM facts_text t JOIN facts f USING (fact_id)
    WHERE facts_text MATCH 'peacekeepers';

The file is byte-reproducible like the other outputs: a fixed page size, rows inserted in the
order of the CSV files, then the indexes made, and no time stamps. It is written without a
rollback journal or waits for the disk: it is built in the build's staging folder, which a
failed build throws away whole.

Public surface: `write_database(report, path)` writes `ledger.sqlite` at a new path.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from itertools import chain
from pathlib import Path
from typing import Any

from ledger.render.report import Report

SCHEMA = """
PRAGMA page_size = 4096;
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA foreign_keys = ON;
CREATE TABLE sources (
  path TEXT PRIMARY KEY, published TEXT, publisher TEXT, url TEXT, language TEXT, title TEXT,
  sha256 TEXT NOT NULL, date_origin TEXT);
CREATE TABLE observations (
  observation_id TEXT PRIMARY KEY, indicator TEXT NOT NULL, place TEXT, kind TEXT, unit TEXT,
  as_of TEXT, period_start TEXT, period_end TEXT, value REAL, qualifier TEXT, low REAL,
  high REAL, status TEXT, policy TEXT, n_sources INTEGER, independent_sources INTEGER,
  value_usd REAL, side TEXT, note TEXT);
CREATE TABLE facts (
  fact_id TEXT PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(path),
  observation_id TEXT REFERENCES observations(observation_id), indicator TEXT NOT NULL,
  value REAL NOT NULL, qualifier TEXT, low REAL, high REAL, unit TEXT, kind TEXT, place TEXT,
  as_of TEXT, period_start TEXT, period_end TEXT, currency TEXT, value_usd REAL,
  fx_rate REAL, fx_date TEXT, fx_source TEXT, quote TEXT, char_start INTEGER,
  char_end INTEGER, line INTEGER, rule_id TEXT, rule_file TEXT, rule_line INTEGER,
  publisher TEXT, speaker TEXT, page INTEGER, cell TEXT);
CREATE TABLE findings (
  finding_id TEXT NOT NULL, severity TEXT, code TEXT, message TEXT, fact_ids TEXT,
  observation_id TEXT REFERENCES observations(observation_id));
CREATE TABLE rates (
  currency TEXT NOT NULL, date TEXT NOT NULL, per_usd REAL NOT NULL, rate_table TEXT NOT NULL,
  row INTEGER, basis TEXT, source TEXT, PRIMARY KEY (currency, date, rate_table));
CREATE TABLE unread (
  source TEXT NOT NULL REFERENCES sources(path), char_start INTEGER NOT NULL,
  char_end INTEGER, value TEXT, text TEXT, sentence TEXT, reason TEXT, likely INTEGER,
  PRIMARY KEY (source, char_start));
CREATE VIRTUAL TABLE facts_text USING fts5 (fact_id UNINDEXED, quote);
CREATE VIRTUAL TABLE unread_text USING fts5 (source UNINDEXED, char_start UNINDEXED, sentence);
"""
INDEXES = """
CREATE INDEX facts_by_indicator ON facts (indicator, place, as_of);
CREATE INDEX facts_by_source ON facts (source);
CREATE INDEX observations_by_indicator ON observations (indicator, place, as_of);
CREATE INDEX unread_by_reason ON unread (reason);
CREATE INDEX facts_by_observation ON facts (observation_id);
CREATE INDEX findings_by_code ON findings (code, observation_id);
"""
"""Made after the rows are in: one sort each instead of a tree grown row by row."""
TABLES = ("sources", "observations", "facts", "findings", "rates", "unread")


def _insert(db: sqlite3.Connection, table: str, rows: Iterable[tuple[Any, ...]]) -> None:
    """Insert rows as they are made (never all at once in a list)."""
    remaining = iter(rows)
    first = next(remaining, None)
    if first is not None:
        marks = ", ".join("?" * len(first))
        db.executemany(f"INSERT INTO {table} VALUES ({marks})", chain((first,), remaining))


def write_database(report: Report, path: Path) -> None:
    """Write `ledger.sqlite` for a report at `path` (a new file: the database is built in
    place, never held in memory whole)."""
    if path.exists():
        raise FileExistsError(path)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.executescript(SCHEMA)
        db.execute("BEGIN")
        _insert(db, "sources", ((d.path, d.published.isoformat() if d.published else None,
                                 d.publisher, d.url, d.language, d.title, d.file_sha256,
                                 d.date_origin) for d in report.documents))
        _insert(db, "observations", (
            (o.observation_id, o.indicator, o.place, o.kind, o.unit, o.as_of,
             o.period_start, o.period_end, o.value, o.qualifier, o.low, o.high, o.status,
             o.policy, o.n_sources, o.independent_sources, o.value_usd, o.side, o.note)
            for o in report.observations))
        facts = report.facts_in_workbook_order
        _insert(db, "facts", (
            (f.fact_id, f.source, report.observation_of.get(f.fact_id), f.indicator,
             f.value, f.qualifier, f.low, f.high, f.unit, f.kind, f.place, f.as_of,
             f.period_start, f.period_end, f.currency, f.value_usd, f.fx_rate, f.fx_date,
             f.fx_source, f.quote, f.char_start, f.char_end, f.line, f.rule_id,
             f.rule_file, f.rule_line, f.publisher, f.speaker, f.page, f.cell or None)
            for f in facts))
        _insert(db, "findings", ((f.finding_id, f.severity, f.code, f.message,
                                  " ".join(f.fact_ids), f.observation_id or None)
                                 for f in report.findings))
        _insert(db, "rates", ((r.currency, r.published.isoformat(), r.per_usd, r.table,
                               r.row, r.basis, r.source)
                              for _, r in sorted(report.rates_used.items())))
        unread = sorted(report.unread, key=lambda u: (u.source, u.char_start))
        _insert(db, "unread", ((u.source, u.char_start, u.char_end, u.value, u.text,
                                u.sentence, u.reason, int(u.likely)) for u in unread))
        _insert(db, "facts_text", ((f.fact_id, f.quote) for f in facts))
        _insert(db, "unread_text", ((u.source, u.char_start, u.sentence) for u in unread))
        for statement in filter(str.strip, INDEXES.split(";")):
            db.execute(statement)
        db.execute("COMMIT")
    finally:
        db.close()
