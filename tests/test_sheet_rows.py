"""The workbook's long sheets are written as SpreadsheetML text (`ledger.render.sheet_rows`):
what they hold must read back cell for cell in openpyxl and in LibreOffice."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import numpy
import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ledger.render.sheet_rows import StreamedRows, pack

MOMENT = datetime(2020, 11, 21, 9, 30)
AWKWARD = ["  two spaces either side  ", 'a <b> & "c"', "first line\nsecond line",
           "=1+1 stays text", "Ստեփանակերտ, Степанакерт"]


def _workbook() -> bytes:
    """Two sheets: a plain one from openpyxl and a streamed one with every kind of cell and
    both kinds of link."""
    wb = Workbook(write_only=True)
    wb.create_sheet("Plain").append(["made by openpyxl"])
    ws = wb.create_sheet("Rows")
    ws.freeze_panes = "A2"
    rows = StreamedRows(ws)
    try:
        bold, day = rows.style(font=Font(bold=True)), rows.style("yyyy-mm-dd")
        rows.append(["text", "number", "day", "flag"], [bold] * 4)
        for text in AWKWARD:
            rows.append([text, 1234.5, date(2020, 11, 21), True],
                        [rows.style(quote=text.startswith("=")), 0, day, 0])
        at = rows.append([None, 2e20, None, False], [0, 0, 0, 0])
        rows.append([None, numpy.int64(12), numpy.float64(0.25), None], [0, 0, 0, 0])
        rows.append(["", 7, float("inf"), None], [0, 0, 0, 0])
        rows.link(at, 2, "Plain!A1", web=False)
        rows.link(2, 1, "https://example.org/a?b=1&c=2", web=True)
        raw = io.BytesIO()
        wb.save(raw)
        return pack(raw.getvalue(), MOMENT, {"xl/worksheets/sheet2.xml": rows})
    finally:
        rows.close()


def test_streamed_cells_read_back_in_openpyxl(tmp_path: Path) -> None:
    path = tmp_path / "rows.xlsx"
    path.write_bytes(_workbook())
    book = load_workbook(path)
    assert book["Plain"]["A1"].value == "made by openpyxl"
    ws = book["Rows"]
    assert [c.value for c in ws[1]] == ["text", "number", "day", "flag"]
    assert ws["A1"].font.bold and ws.freeze_panes == "A2"
    assert [ws.cell(row, 1).value for row in range(2, 7)] == AWKWARD
    formula = ws["A5"]
    assert formula.data_type == "s" and formula.quotePrefix
    assert ws["B2"].value == 1234.5 and ws["B7"].value == 2e20
    assert ws["C2"].is_date and ws["C2"].value.date() == date(2020, 11, 21)
    assert ws["D2"].value is True and ws["D7"].value is False
    assert ws["B8"].value == 12 and ws["C8"].value == 0.25  # numpy's numbers are numbers
    assert ws["A7"].value is None and ws["A9"].value is None and ws["B9"].value == 7
    assert ws["C9"].value == "inf"  # no cell holds an infinity
    assert ws["B7"].hyperlink.location == "Plain!A1"
    assert ws["A2"].hyperlink.target == "https://example.org/a?b=1&c=2"


def test_every_member_carries_the_pinned_time_and_the_bytes_repeat() -> None:
    data = _workbook()
    assert data == _workbook()
    members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert {m.date_time for m in members} == {(2020, 11, 21, 9, 30, 0)}


def test_libreoffice_reads_the_streamed_sheet(tmp_path: Path) -> None:
    """LibreOffice (the spreadsheet many NGO offices use) opens the hand-written sheet: the
    values, in order, as CSV."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (libreoffice-calc-nogui): see .ci/run")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    (tmp_path / "rows.xlsx").write_bytes(_workbook())
    # the CSV filter's options: comma, double quote, UTF-8, first line 1, formatted text,
    # then the sheet to export (2: "Rows")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to",
                    'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,2',
                    "--outdir", str(tmp_path), str(tmp_path / "rows.xlsx")],
                   check=True, capture_output=True, timeout=180)
    exported = next(tmp_path.glob("rows*.csv")).read_text("utf-8")
    rows = list(csv.reader(io.StringIO(exported)))
    assert rows[0] == ["text", "number", "day", "flag"]
    assert [r[0] for r in rows[1:6]] == AWKWARD
    assert rows[1][2] == "2020-11-21" and rows[1][3] == "TRUE"
    assert rows[7][:3] == ["", "12", "0.25"] and rows[8][:2] == ["", "7"]
