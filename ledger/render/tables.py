"""The machine-readable outputs: facts.csv, observations.csv, findings.csv (the contract of
docs/outputs.md), and the row dictionaries the workbook and HTML share.

Every text cell (quotes, messages, titles, but also paths and urls, which a hostile catalogue
or file name controls) follows OWASP's advice against CSV injection: a value beginning with
`=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`. Numbers stay numbers.
Rows are sorted so identical input gives identical bytes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from itertools import islice

from ledger.findings import Finding
from ledger.normalise import Fact
from ledger.reconcile import Observation
from ledger.unread import Unread

FACT_COLUMNS = (
    "fact_id", "source", "indicator", "value", "qualifier", "low", "high", "unit", "kind",
    "place", "as_of", "period_start", "period_end", "currency", "value_usd", "fx_rate",
    "fx_date", "fx_source", "quote", "char_start", "char_end", "rule_id",
    # additions beyond the contract's minimum
    "period", "vague", "line", "quote_start", "quote_end", "publisher", "speaker", "side",
    "cumulative", "rule_file",
    "rule_line", "rule_sha256", "parse_steps", "fx_table", "fx_row", "fx_lag_days", "fx_basis",
    "stated_value",    "stated_currency", "stated_qualifier", "report_currency", "value_report",
    "report_fx_rate", "report_fx_date", "report_fx_source", "report_fx_table", "report_fx_row",
    "observation_id", "page", "cell",
)
OBSERVATION_COLUMNS = (
    "observation_id", "indicator", "place", "kind", "unit", "as_of", "period_start",
    "period_end", "value", "low", "high", "status", "policy", "fact_ids", "n_sources",
    "qualifier", "value_usd", "sources", "side", "rejected_fact_ids", "decisions",
    "restated_until", "note", "independent_sources",
)
FINDING_COLUMNS = ("finding_id", "severity", "code", "message", "fact_ids", "observation_id")
UNREAD_COLUMNS = ("source", "value", "text", "char_start", "char_end", "sentence", "reason",
                  "likely", "line")
_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def number(value: float | int) -> str:
    """A number as CSV text: integers without a decimal point, others to 10 digits."""
    if float(value).is_integer():
        return str(int(value))
    return format(float(value), ".10g")


def defuse(text: str) -> str:
    """OWASP's CSV-injection guard for free text."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def fact_row(fact: Fact, observation_of: dict[str, str]) -> dict[str, object]:
    row: dict[str, object] = {c: getattr(fact, c, "") for c in FACT_COLUMNS}
    row["observation_id"] = observation_of.get(fact.fact_id, "")
    return row


def observation_row(obs: Observation) -> dict[str, object]:
    row: dict[str, object] = {c: getattr(obs, c) for c in OBSERVATION_COLUMNS}
    for name in ("fact_ids", "sources", "rejected_fact_ids", "decisions"):
        row[name] = " ".join(getattr(obs, name))
    return row


def finding_row(finding: Finding) -> dict[str, object]:
    return {"finding_id": finding.finding_id, "severity": finding.severity,
            "code": finding.code, "message": finding.message,
            "fact_ids": " ".join(finding.fact_ids), "observation_id": finding.observation_id}


def unread_row(unread: Unread, line: int) -> dict[str, object]:
    row: dict[str, object] = {c: getattr(unread, c, "") for c in UNREAD_COLUMNS}
    row["line"] = line
    return row


def _cell(value: object) -> str:
    """A value as CSV text: numbers by `number`, true/false, free text defused."""
    if type(value) is str:  # the common cases first, by exact type
        return defuse(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):  # numpy's numbers too
        return number(value)
    return defuse(str(value))


CSV_ROWS_AT_ONCE = 2000
"""Rows encoded into one part of a CSV output."""


def csv_chunks(columns: tuple[str, ...], rows: Iterable[dict[str, object]]) -> Iterator[bytes]:
    """A CSV table in UTF-8, a few thousand rows at a time, from rows made as they are
    asked for: the whole table is never in memory."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    remaining = iter(rows)
    while batch := list(islice(remaining, CSV_ROWS_AT_ONCE)):
        writer.writerows([_cell(row.get(column)) for column in columns] for row in batch)
        yield out.getvalue().encode("utf-8")
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode("utf-8")
