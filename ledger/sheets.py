"""Spreadsheets of figures: a partner's tracking sheet or a displacement table gives facts
with cell provenance (`Returns!C7`), through a mapping of its columns in ledger.toml.

Public surface: `TableMapping` (one `[[tables]]` entry) and `table_facts(...)`.

    [[tables]]
    file = "partner-tracking.xlsx"   # a path in sources/, or a pattern: "dtm-*.csv"
    sheet = "Returns"                # default: the first sheet
    header_row = 1                   # the row that names the columns
    value = "Returned"               # the column of the numbers
    place = "Town"                   # the column of the places (gazetteer names or aliases)
    date = "Date"                    # the column of the dates (default: the catalogue's date)
    indicator = "returnees"          # every row's indicator, or indicator_column = "Indicator"
    unit = "person"                  # every row's unit (a currency code for money), or
                                     # unit_column = "Unit"
    kind = "stock"                   # stock, flow, plan or rate

Nothing is guessed: a spreadsheet no mapping names, a sheet or column that is not there, is an
error naming the file, the sheet and the columns it does have. A cell that is not a number is
a warning naming the cell; its row gives no fact.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledger.catalogue import parse_published
from ledger.diagnostics import Diagnostic, error, warning
from ledger.findings import Finding
from ledger.formats import Cell, Table
from ledger.money import CURRENCIES
from ledger.normalise import Fact, convert_amount
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.sources import Document

CONFIG = "ledger.toml"


class TableMapping(BaseModel):
    """Which columns of a spreadsheet hold the value, place, date, indicator and unit."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    file: str = Field(min_length=1, description="Path in sources/, or a pattern (*, ?).")
    sheet: str = Field("", description="The sheet; the first one if empty.")
    header_row: int = Field(1, ge=1, description="The row holding the column names.")
    value: str = Field(min_length=1, description="Column of the numbers.")
    place: str = Field("", description="Column of the places.")
    date: str = Field("", description="Column of the dates; else the source's date.")
    indicator: str = Field("", description="Indicator of every row.")
    indicator_column: str = Field("", description="Column naming each row's indicator.")
    unit: str = Field("", description="Unit of every row (a currency code for money).")
    unit_column: str = Field("", description="Column naming each row's unit.")
    kind: Literal["stock", "flow", "plan", "rate"] = "stock"

    @model_validator(mode="after")
    def _one_of_each(self) -> TableMapping:
        if bool(self.indicator) == bool(self.indicator_column):
            raise ValueError("give either indicator or indicator_column")
        if bool(self.unit) == bool(self.unit_column):
            raise ValueError("give either unit or unit_column")
        return self


def _mapping_lines(project: Path) -> list[int]:
    """The line of each [[tables]] header in the project's ledger.toml, in order."""
    path = project / CONFIG
    text = path.read_text("utf-8") if path.is_file() else ""
    return [text.count("\n", 0, m.start()) + 1
            for m in re.finditer(r"^\s*\[\[\s*tables\s*\]\]", text, re.MULTILINE)]


def _number(cell: Cell) -> float | None:
    if isinstance(cell.value, bool):
        return None
    if isinstance(cell.value, int | float):
        return float(cell.value)
    text = re.sub(r"[\s\u00a0\u202f,]", "", cell.text)
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _day(cell: Cell | None, fallback: date | None) -> str:
    if cell is not None:
        if isinstance(cell.value, datetime):
            return cell.value.date().isoformat()
        if isinstance(cell.value, date):
            return cell.value.isoformat()
        parsed, _ = parse_published(cell.text[:10]) if cell.text else (None, None)
        if parsed is not None:
            return parsed.isoformat()
    return fallback.isoformat() if fallback else ""


def _place(text: str, gazetteer: Gazetteer) -> str:
    mentions = gazetteer.mentions(text)
    return mentions[0].place.name if mentions else text.strip()


def _cell(row: tuple[Cell, ...], columns: dict[str, int], role: str) -> Cell | None:
    """The row's cell in the column mapped to `role`, if the row reaches it."""
    at = columns.get(role)
    return row[at] if at is not None and at < len(row) else None


class _Sheet:
    """One mapped sheet: its header's column positions, or the problem with them."""

    def __init__(self, doc: Document, mapping: TableMapping, shown: str) -> None:
        self.mapping = mapping
        self.problems: list[Diagnostic] = []
        tables = {t.name: t for t in doc.tables}
        table: Table | None = tables.get(mapping.sheet) if mapping.sheet else (
            doc.tables[0] if doc.tables else None)
        self.table = table
        self.columns: dict[str, int] = {}
        if table is None:
            self.problems.append(error(shown, "S013", f"no sheet {mapping.sheet!r} (its sheets: "
                                       f"{', '.join(tables) or 'none'})"))
            return
        header = (table.rows[mapping.header_row - 1]
                  if mapping.header_row <= len(table.rows) else ())
        names = {c.text.strip(): i for i, c in enumerate(header) if c.text.strip()}
        wanted = {"value": mapping.value, "place": mapping.place, "date": mapping.date,
                  "indicator": mapping.indicator_column, "unit": mapping.unit_column}
        for role, name in wanted.items():
            if not name:
                continue
            if name in names:
                self.columns[role] = names[name]
                continue
            merged = [r for r in table.merged
                      if re.search(rf"[A-Z]+{mapping.header_row}\b", r.split(":")[0])]
            hint = (f"; row {mapping.header_row} has merged cells ({', '.join(merged[:3])}): set "
                    "header_row to the row that names the columns" if merged else "")
            self.problems.append(error(shown, "S013", f"sheet {table.name!r}: no column "
                                       f"{name!r} ({role}) in row {mapping.header_row}; its "
                                       f"columns: {', '.join(names) or 'none'}{hint}"))


def _row_fact(doc: Document, sheet: _Sheet, row: tuple[Cell, ...], rule_id: str,
              rule_line: int, gazetteer: Gazetteer) -> Fact | Diagnostic | None:
    """The fact of one row of a mapped sheet, a warning when its value cell is not a number,
    or None for a row without a value."""
    mapping = sheet.mapping
    cell = _cell(row, sheet.columns, "value")
    if cell is None or not cell.text:
        return None
    value = _number(cell)
    if value is None:
        return warning(f"sources/{doc.path}", "S014", f"{cell.ref}: {cell.text!r} is not a "
                       "number; the row gives no fact")
    named = _cell(row, sheet.columns, "indicator")
    indicator = mapping.indicator or re.sub(
        r"\W+", "_", named.text if named else "").strip("_").lower()
    unit_cell = _cell(row, sheet.columns, "unit")
    place_cell = _cell(row, sheet.columns, "place")
    as_of = _day(_cell(row, sheet.columns, "date"), doc.published)
    line_start = doc.text.rfind("\n", 0, cell.start) + 1
    line_end = doc.text.find("\n", cell.end)
    return Fact(
        fact_id="F" + hashlib.sha256(f"{doc.path}|{cell.ref}|{indicator}".encode())
        .hexdigest()[:12],
        source=doc.path, indicator=indicator or "unnamed", value=value,
        qualifier="exact", low=value, high=value,
        unit=mapping.unit or (unit_cell.text.strip() if unit_cell else ""), kind=mapping.kind,
        place=_place(place_cell.text, gazetteer) if place_cell else "", as_of=as_of,
        period_start="", period_end="", period="",
        quote=doc.text[line_start:line_end], quote_start=line_start,
        quote_end=line_end, char_start=cell.start, char_end=cell.end,
        line=doc.line_of(cell.start), rule_id=rule_id, rule_file=CONFIG,
        rule_line=rule_line, publisher=doc.publisher, cell=cell.ref,
        steps=(f"{cell.ref} read as {value:g} by the [[tables]] mapping at "
               f"{CONFIG}:{rule_line}",))


def table_facts(documents: list[Document], mappings: list[TableMapping], project: Path,
                gazetteer: Gazetteer, rates: RateBook, report_currency: str
                ) -> tuple[list[Fact], list[Finding], list[Diagnostic]]:
    """Facts from every spreadsheet source of the project, by its mapping."""
    facts: list[Fact] = []
    findings: list[Finding] = []
    problems: list[Diagnostic] = []
    if not any(doc.tables for doc in documents):
        return facts, findings, problems
    lines = _mapping_lines(project)
    for doc in documents:
        if not doc.tables:
            continue
        shown = f"sources/{doc.path}"
        number = next((i for i, m in enumerate(mappings) if fnmatch.fnmatch(doc.path, m.file)),
                      None)
        if number is None:
            problems.append(error(shown, "S012", "a spreadsheet no [[tables]] entry of "
                                  "ledger.toml names: map its columns (value, place, date, "
                                  "indicator, unit) to read its figures (docs/sources.md)"))
            continue
        mapping = mappings[number]
        sheet = _Sheet(doc, mapping, shown)
        problems += sheet.problems
        if sheet.problems or sheet.table is None:
            continue
        rule_line = lines[number] if number < len(lines) else 0
        for row in sheet.table.rows[mapping.header_row:]:
            read = _row_fact(doc, sheet, row, f"tables[{number}]", rule_line, gazetteer)
            if isinstance(read, Diagnostic):
                problems.append(read)
            elif read is not None:
                if read.unit in CURRENCIES:
                    claim = date.fromisoformat(read.as_of) if read.as_of else None
                    convert_amount(read, read.unit, rates, claim, report_currency, findings)
                facts.append(read)
    return facts, findings, problems
