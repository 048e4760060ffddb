"""The catalogue `sources/sources.csv`: one row of metadata per document, read strictly.

Public surface: `CATALOGUE_NAME`, `CATALOGUE_COLUMNS`, `OPTIONAL_COLUMNS`, `CatalogueRow`,
`read_catalogue(path, shown)`, `parse_published(value)` and `parse_timezone(value)`.
A quote left open, a row with more fields than the header, a column named twice or a
delimiter other than a comma is an error at its line: a lenient reader would silently lose
the rows after an open quote.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import timezone as dt_timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from ledger.diagnostics import Diagnostic, error, warning

CATALOGUE_NAME = "sources.csv"
CATALOGUE_COLUMNS = ("path", "published", "publisher", "url", "language", "title")
OPTIONAL_COLUMNS = ("encoding", "timezone")


@dataclass(frozen=True)
class CatalogueRow:
    line: int
    path: str
    published: str
    publisher: str
    url: str
    language: str
    title: str
    encoding: str
    timezone: str
    catalogue: str = CATALOGUE_NAME


def read_catalogue(path: Path, shown: str) -> tuple[list[CatalogueRow], list[Diagnostic]]:
    """Read the catalogue strictly: a quote left open, a row with more fields than the header,
    a column named twice or a delimiter other than a comma is an error at its line (a lenient
    reader would silently swallow the rows after an open quote)."""
    diags: list[Diagnostic] = []
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [error(shown, "S004", f"catalogue is not UTF-8 (byte {exc.start})")]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        records = [(reader.line_num, record) for record in reader]
    except csv.Error as exc:
        opened = _unclosed_quote_line(text)
        if opened:
            return [], [error(shown, "S004", "a quote opened on this line is never closed: "
                              "every later row would be read as part of this one", opened)]
        return [], [error(shown, "S004", f"malformed CSV: {exc}", reader.line_num)]
    if not records:
        return [], [error(shown, "S004", "catalogue is empty: it needs a header with 'path'")]
    header = [c.strip() for c in records[0][1]]
    if "path" not in header:
        hint = next((f"; it looks separated by {name}, but a catalogue uses commas"
                     for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "bars"))
                     if sep in ",".join(header)), "")
        return [], [error(shown, "S004", f"catalogue has no 'path' column{hint}", line=1)]
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        return [], [error(shown, "S004", f"column {twice[0]!r} is named twice", line=1)]
    known = set(CATALOGUE_COLUMNS) | set(OPTIONAL_COLUMNS)
    for col in header:
        if col not in known:
            diags.append(warning(shown, "S004", f"unknown catalogue column {col!r} ignored",
                                 line=1))
    rows: list[CatalogueRow] = []
    for line, record in records[1:]:
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            diags.append(error(shown, "S004", f"row has {len(record)} fields but the header "
                               f"has {len(header)}: quote a value that holds a comma", line))
            continue
        fields = dict(zip(header, record, strict=False))
        values = {k: (fields.get(k) or "").strip() for k in known}
        if not values["path"]:
            diags.append(error(shown, "S004", "row has an empty 'path'", line=line))
            continue
        rows.append(CatalogueRow(line=line, catalogue=shown, **values))
    return rows, diags


def _unclosed_quote_line(text: str) -> int:
    """The line where a double quote opens that is never closed, or 0."""
    quoted, opened, line = False, 0, 1
    for char in text:
        if char == '"':
            quoted = not quoted
            opened = line if quoted else opened
        elif char == "\n":
            line += 1
    return opened if quoted else 0


def parse_published(value: str) -> tuple[date | None, datetime | None]:
    if not value:
        return None, None
    try:
        if len(value) == 10:
            return date.fromisoformat(value), None
        moment = datetime.fromisoformat(value)
        return moment.date(), moment
    except ValueError:
        return None, None


def parse_timezone(value: str) -> tzinfo | None:
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", value)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))
        return dt_timezone(sign * delta)
    return ZoneInfo(value)
