"""Spreadsheets (.xlsx, .csv) as tables of cells, each cell with its place in a text.

Public surface: `xlsx_text(data)`, `csv_text(text, name)` and `column_letter(n)`.

Every sheet's rows are written one line each, `Sheet!7: Kharkiv | 2024-03-01 | 12500`, so a
figure read from a table has a quote and offsets like any other, and `ledger explain --text`
prints the same lines. Which column is the place, the date and the value is not guessed here:
the project's `[[tables]]` mapping in ledger.toml says (ledger.sheets).
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from ledger.formats.limits import in_child, zip_members
from ledger.formats.model import Cell, Extracted, FormatProblem, Table
from ledger.text import normalise_text

MAX_CELLS = 2_000_000
"""A workbook with more non-empty cells than this is refused."""
MAX_UNPACKED_BYTES = 300_000_000


def column_letter(index: int) -> str:
    """A 1-based column number as Excel names it: 1 -> A, 28 -> AB."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _shown(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else (
            value.isoformat(timespec="minutes"))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(normalise_text(str(value)).split())


def _render(sheets: list[tuple[str, list[list[object]], list[str]]]) -> Extracted:
    """The text of the sheets, one line per non-empty row, and every cell's span in it."""
    parts: list[str] = []
    at = 0
    tables = []
    for name, rows, merged in sheets:
        cells: list[list[Cell]] = []
        for r, row in enumerate(rows, start=1):
            texts = [_shown(v) for v in row]
            if not any(texts):
                cells.append([])
                continue
            prefix = f"{name}!{r}: "
            line_cells = []
            pos = at + len(prefix)
            for c, (value, text) in enumerate(zip(row, texts, strict=True), start=1):
                line_cells.append(Cell(f"{name}!{column_letter(c)}{r}", value, text, pos,
                                       pos + len(text)))
                pos += len(text) + 3
            line = prefix + " | ".join(texts) + "\n"
            parts.append(line)
            at += len(line)
            cells.append(line_cells)
        tables.append(Table(name, tuple(tuple(row) for row in cells), tuple(merged)))
    return Extracted("".join(parts), tables=tuple(tables))


def _xlsx(data: bytes) -> Extracted:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except Exception as exc:
        raise FormatProblem(f"is not a readable .xlsx workbook ({exc.__class__.__name__}: "
                            f"{exc})"[:300]) from exc
    sheets = []
    count = 0
    for sheet in workbook.worksheets:
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        count += sum(1 for row in rows for v in row if v is not None)
        if count > MAX_CELLS:
            raise FormatProblem(f"has more than {MAX_CELLS:,} cells; refused")
        merged = [str(r) for r in sheet.merged_cells.ranges]
        sheets.append((normalise_text(sheet.title), rows, merged))
    return _render(sheets)


def csv_text(text: str, name: str) -> Extracted:
    """The cells of a CSV file, as one sheet named `name`."""
    try:
        rows: list[list[object]] = [list(r) for r in csv.reader(io.StringIO(text))]
    except csv.Error as exc:
        raise FormatProblem(f"is not a readable CSV file ({exc})") from exc
    return _render([(name, rows, [])])


def xlsx_text(data: bytes) -> Extracted:
    """The cells of every sheet of a .xlsx workbook, read under the limits of a child
    process."""
    zip_members(data, MAX_UNPACKED_BYTES, "is not an .xlsx workbook (not a zip archive; an "
                "old .xls? save it as .xlsx)")
    return in_child(_xlsx, data)
