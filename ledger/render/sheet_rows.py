"""The workbook's long sheets written as SpreadsheetML text, at the speed of the file format.

openpyxl's write-only mode builds a cell object and an XML element for every cell, about 10 µs
a cell; the Facts sheet of a large build holds millions of cells. Here a sheet's rows are
formatted as text straight into a temporary file (memory stays flat), and `pack` splices them,
with the sheet's hyperlinks, into the sheet openpyxl wrote around them: its column widths,
frozen header, print setup and Excel table stay openpyxl's. Cell styles (number formats, fonts,
wrapping, Excel's quote prefix) are registered in openpyxl's own style table, so the workbook's
styles.xml names every style a row uses.

Public surface: `StreamedRows` (a sheet's rows: `style`, `append`, `link`) and `pack` (the
finished xlsx bytes, with every time stamp pinned).
"""

from __future__ import annotations

import io
import math
import numbers
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from typing import IO, Any, BinaryIO

from openpyxl.cell.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HYPERLINK = _R + "/hyperlink"
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})
_COPY_CHUNK = 1 << 20


def _escaped(text: str) -> str:
    return text.translate(_ESCAPES) if ("&" in text or "<" in text or ">" in text
                                        or '"' in text) else text


def _number(value: numbers.Real) -> str:
    """A number as a cell's text (numpy's numbers too): whole numbers without a point."""
    if isinstance(value, numbers.Integral):
        return str(int(value))
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


def _other_cell(value: Any) -> str:
    """The rest of a cell for a value that is not text, a Python int or a finite float."""
    if isinstance(value, bool):
        return f' t="b"><v>{int(value)}</v></c>'
    if isinstance(value, (date, datetime)):
        return f' t="n"><v>{_number(to_excel(value))}</v></c>'
    if isinstance(value, numbers.Real) and math.isfinite(value):
        return f' t="n"><v>{_number(value)}</v></c>'
    if isinstance(value, numbers.Real):  # a cell holds no infinity: say it in words
        return f' t="inlineStr"><is><t>{float(value)}</t></is></c>'
    raise TypeError(f"no cell for {value!r}")


class StreamedRows:
    """The rows of one write-only sheet, kept as SpreadsheetML in a temporary file until the
    workbook is packed. Rows are numbered from 1 in the order they are appended."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.rows = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close(), once packed)
        self.links = tempfile.TemporaryFile()  # noqa: SIM115
        self.external: list[tuple[str, str]] = []  # (relationship id, address)
        self.count = 0
        self._styles: dict[tuple[str, Font | None, Alignment | None, bool], int] = {}
        self._letters: list[str] = []

    def close(self) -> None:
        self.rows.close()
        self.links.close()

    def style(self, fmt: str = "", font: Font | None = None,
              alignment: Alignment | None = None, quote: bool = False) -> int:
        """The workbook's style index for a number format, font, alignment and quote prefix
        (registered in openpyxl's style table on first use)."""
        key = (fmt, font, alignment, quote)
        found = self._styles.get(key)
        if found is None:
            cell = WriteOnlyCell(self.ws)
            if fmt:
                cell.number_format = fmt
            if font is not None:
                cell.font = font
            if alignment is not None:
                cell.alignment = alignment
            cell.quotePrefix = quote
            found = self._styles[key] = cell.style_id
        return found

    def append(self, values: Iterable[Any], styles: Iterable[int]) -> int:
        """Write a row: text as inline strings, numbers and dates as numbers (an infinite
        number as text), None and empty text as no cell; `styles` gives each cell's style
        index (0: none). Returns the row's number."""
        self.count += 1
        row = self.count
        parts = [f'<row r="{row}">']
        letters = self._letters
        for col, (value, style) in enumerate(zip(values, styles, strict=True)):
            if value is None or value == "":
                continue
            if col >= len(letters):
                letters.extend(get_column_letter(i + 1) for i in range(len(letters), col + 1))
            where = f'<c r="{letters[col]}{row}" s="{style}"' if style else \
                f'<c r="{letters[col]}{row}"'
            kind = type(value)  # the common types first: an ABC check costs ten times more
            if kind is int:
                parts.append(f'{where} t="n"><v>{value}</v></c>')
            elif kind is float and math.isfinite(value):
                parts.append(f'{where} t="n"><v>{_number(value)}</v></c>')
            elif isinstance(value, str):
                space = ' xml:space="preserve"' if (value[0].isspace()
                                                    or value[-1].isspace()) else ""
                parts.append(f'{where} t="inlineStr"><is><t{space}>{_escaped(str(value))}'
                             '</t></is></c>')
            else:
                parts.append(where + _other_cell(value))
        parts.append("</row>")
        self.rows.write("".join(parts).encode("utf-8"))
        return row

    def link(self, row: int, col: int, target: str, *, web: bool) -> None:
        """Make a cell a hyperlink: to an http(s) address (`web`) or a place in the workbook
        such as `Facts!A2:AB4`."""
        ref = f"{get_column_letter(col)}{row}"
        if web:
            rid = f"rIdLink{len(self.external) + 1}"
            self.external.append((rid, target))
            self.links.write(f'<hyperlink ref="{ref}" r:id="{rid}"/>'.encode())
        else:
            self.links.write(f'<hyperlink ref="{ref}" location="{_escaped(target)}"/>'.encode())


_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>.*?</sheetData>", re.DOTALL)
_BEFORE_LINKS = re.compile(rb"<printOptions|<pageMargins|<pageSetup|<headerFooter|<drawing"
                           rb"|<tableParts|</worksheet>")
_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")
_EMPTY_RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
               b'relationships"></Relationships>')


def _copy(source: IO[bytes], target: IO[bytes]) -> None:
    source.seek(0)
    shutil.copyfileobj(source, target, _COPY_CHUNK)


def pack(data: bytes, moment: datetime, streamed: dict[str, StreamedRows]) -> bytes:
    """The xlsx `data` (as openpyxl saved it) with each streamed sheet's rows and links spliced
    in, every member deflated and every time stamp set to `moment`. `streamed` maps a sheet's
    member name (`xl/worksheets/sheet4.xml`) to its rows."""
    out = io.BytesIO()
    pack_into(out, data, moment, streamed)
    return out.getvalue()


def pack_into(out: BinaryIO, data: bytes, moment: datetime,
              streamed: dict[str, StreamedRows]) -> None:
    """`pack`, written into a file as it is made."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    names = set(source.namelist())
    rels = {_rels_name(sheet): rows for sheet, rows in streamed.items() if rows.external}
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist() + sorted(set(rels) - names):
            content = source.read(name) if name in names else _EMPTY_RELS
            if name == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            if name in rels:
                content = content.replace(b"</Relationships>", b"".join(
                    f'<Relationship Type="{_HYPERLINK}" Target="{_escaped(url)}" '
                    f'TargetMode="External" Id="{rid}"/>'.encode()
                    for rid, url in rels[name].external) + b"</Relationships>")
            pinned = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            if name not in streamed:
                target.writestr(pinned, content)
                continue
            _write_sheet(target, pinned, content, streamed[name])


def _write_sheet(target: zipfile.ZipFile, info: zipfile.ZipInfo, frame: bytes,
                 rows: StreamedRows) -> None:
    """A sheet openpyxl framed, its sheetData replaced by the streamed rows and its hyperlinks
    placed where the schema wants them (after the data, before the print settings)."""
    found = _SHEET_DATA.search(frame)
    if found is None:
        raise ValueError(f"{info.filename}: no sheetData to fill")
    head, tail = frame[:found.start()], frame[found.end():]
    links_at = _BEFORE_LINKS.search(tail)
    assert links_at is not None  # </worksheet> at least
    with target.open(info, "w", force_zip64=True) as member:
        member.write(head + b"<sheetData>")
        _copy(rows.rows, member)
        member.write(b"</sheetData>" + tail[:links_at.start()])
        if rows.links.tell():
            member.write(f'<hyperlinks xmlns:r="{_R}">'.encode())
            _copy(rows.links, member)
            member.write(b"</hyperlinks>")
        member.write(tail[links_at.start():])


def _rels_name(sheet: str) -> str:
    folder, _, file = sheet.rpartition("/")
    return f"{folder}/_rels/{file}.rels"
