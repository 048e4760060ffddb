"""The Excel workbook: Summary, Series (with native line charts), Observations, Facts, Findings,
Sources, Rates and About sheets.

Public surface: `render_workbook(report, moment)` returns the bytes of `ledger.xlsx`;
`write_workbook(report, moment, out)` writes them into a file as they are made.

Every text cell that comes from a source is written as a string, with Excel's quote prefix when
it could be read as a formula, never as a formula; characters Excel cannot hold are shown as
visible control pictures, and text past Excel's 32,767-character limit is cut with a note (the
full text stays in facts.csv). Numbers are number cells with thousands separators (money in its
currency's format), dates are date cells. The facts of one observation sit together on the
Facts sheet: each observation links to its range of facts, each fact to its observation and to
its source's row. Time stamps inside the file are pinned to `moment`, so identical input gives
identical bytes.
"""

from __future__ import annotations

import io
import math
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.chart import LineChart, Reference
from openpyxl.chart.axis import DateAxis
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

from ledger.render.report import CHART_MIN_POINTS, Report, stated_as
from ledger.render.sheet_rows import StreamedRows, pack_into

EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " […cut: Excel holds 32,767 characters a cell; full text in facts.csv]"
_FORMULA_START = ("=", "+", "-", "@")
INTEGER = "#,##0"
DECIMAL = "#,##0.00"
USD = '"$"#,##0.00'
RATE = "0.0000####"
DATE = "yyyy-mm-dd"


def safe_text(value: str) -> str:
    """Text Excel can hold: control characters made visible, cut at the cell limit."""
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[:EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return value


def _as_number(value: str) -> float | str:
    """An unread number's value as a number cell where it is one (a string of digits too
    long for a number stays as written)."""
    try:
        number = float(value)
    except ValueError:
        return value
    return number if math.isfinite(number) else value


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def amount_format(value: float | None, unit: str = "") -> str:
    """Thousands separators; decimals only when the number has them; a currency's code."""
    base = INTEGER if value is None or float(value).is_integer() else DECIMAL
    return f'{base} "{unit}"' if len(unit) == 3 and unit.isupper() else base


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header, width and the number format of its cells."""

    title: str
    width: int = 14
    fmt: str = ""
    wrap: bool = False


BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
Link = tuple[int, str]  # (column, "Facts!A2:Z4" in the workbook, or an http(s) address)


def _cell(ws: Any, value: Any, fmt: str = "", alignment: Alignment | None = None) -> Any:
    """A value for a streamed row: source text as an inert string (with Excel's quote prefix
    where it could be read as a formula), numbers and dates with their format."""
    if isinstance(value, str):
        text = safe_text(value)
        risky = text.startswith(_FORMULA_START)
        if not risky and alignment is None:
            return text
        cell = WriteOnlyCell(ws, text)
        cell.data_type = "s"
        cell.quotePrefix = risky
    elif (value is None or not fmt) and alignment is None:
        return value
    else:
        cell = WriteOnlyCell(ws, value)
        if fmt and value is not None:
            cell.number_format = fmt
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _styled(ws: Any, value: Any, *, font: Font | None = None,
            alignment: Alignment | None = None) -> Any:
    cell = WriteOnlyCell(ws, safe_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    if font is not None:
        cell.font = font
    if alignment is not None:
        cell.alignment = alignment
    return cell


def _linked(ws: Any, value: Any, row: int, col: int, location: str) -> Any:
    """A cell linking to a place in the workbook, or to an http(s) address."""
    cell = WriteOnlyCell(ws, safe_text(value) if isinstance(value, str) else value)
    if isinstance(value, str):
        cell.data_type = "s"
    ref = f"{get_column_letter(col)}{row}"
    cell.hyperlink = (Hyperlink(ref=ref, target=location) if _WEB.match(location)
                      else Hyperlink(ref=ref, location=location))
    cell.font = LINK_FONT
    return cell


LINK_FONT = Font(color="0563C1", underline="single")
_WEB = re.compile(r"^https?://", re.IGNORECASE)


def _sheet(ws: Any, name: str, columns: Sequence[Column], rows: Iterable[list[Any]],
           count: int, formats: Callable[[int], list[str]] | None = None,
           links: Callable[[int], list[Link]] | None = None) -> StreamedRows:
    """A header and streamed rows of real cells, an Excel table with filters and banded rows,
    a frozen header and column widths. `formats(i)` and `links(i)` give row i's extras. The
    rows are written as SpreadsheetML text (`sheet_rows`), spliced in when the workbook is
    packed."""
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(col)].width = column.width
    ws.freeze_panes = "A2"
    out = StreamedRows(ws)
    out.append([c.title for c in columns], [out.style(font=BOLD)] * len(columns))
    text_styles = [out.style(alignment=WRAP) if c.wrap else 0 for c in columns]
    quoted_styles = [out.style(alignment=WRAP if c.wrap else None, quote=True)
                     for c in columns]
    number_styles = [out.style(c.fmt) if c.fmt else 0 for c in columns]
    # a link's style looked up once: openpyxl's fonts hash slowly as part of a style's key
    link_styles = {False: out.style(font=LINK_FONT), True: out.style(font=LINK_FONT, quote=True)}
    for index, values in enumerate(rows):
        fmts = formats(index) if formats else None
        linked = dict(links(index)) if links else {}
        cells: list[Any] = []
        styles: list[int] = []
        for col, value in enumerate(values):
            risky = False
            if isinstance(value, str):
                value = safe_text(value)
                risky = value.startswith(_FORMULA_START)
                style = quoted_styles[col] if risky else text_styles[col]
            elif value is None:
                style = 0
            elif fmts and fmts[col]:
                style = out.style(fmts[col])
            else:
                style = number_styles[col]
            if col + 1 in linked:
                style = link_styles[risky]
            cells.append(value)
            styles.append(style)
        row = out.append(cells, styles)
        for col, location in linked.items():
            out.link(row, col, location, web=bool(_WEB.match(location)))
    if count:
        ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
        table = Table(displayName=name, ref=ref, autoFilter=AutoFilter(ref=ref))
        table.tableColumns = [TableColumn(id=i, name=c.title)
                              for i, c in enumerate(columns, start=1)]
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        with warnings.catch_warnings():  # openpyxl warns even when, as here, columns are set
            warnings.filterwarnings("ignore", "In write-only mode you must add table columns")
            ws.add_table(table)
    return out


def _summary(ws: Any, report: Report) -> None:
    for col, width in enumerate([28, 16, 7, 8, 11, 22, 12, 11, 11, 12, 11, 9, 8, 15, 12, 40],
                                start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    header_row = 2 + len(report.how_to_read) + 1
    ws.freeze_panes = f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.append([_styled(ws, report.title, font=Font(bold=True, size=14))])
    for line in report.how_to_read:
        ws.append([_styled(ws, line)])
    ws.append([])
    ws.append([_styled(ws, h, font=BOLD) for h in (
        "Indicator", "Place", "Kind", "Unit", "As of", "Stated as", "Value", "Low", "High",
        "Value (USD)", "Status", "Statements", "Sources", "Observation", "Claimed by",
        "Decision")])
    for row, obs in enumerate(report.headlines, start=header_row + 1):
        values = [obs.indicator, obs.place, obs.kind, obs.unit, _day(obs.as_of),
                  stated_as(obs), obs.value, obs.low, obs.high, obs.value_usd, obs.status,
                  len(obs.fact_ids), obs.n_sources]
        formats = ["", "", "", "", DATE, "", amount_format(obs.value, obs.unit),
                   amount_format(obs.low), amount_format(obs.high), USD, "", INTEGER, INTEGER]
        cells = [_cell(ws, v, f) for v, f in zip(values, formats, strict=True)]
        cells.append(_linked(ws, obs.observation_id, row, 14,
                             f"Observations!A{report.observation_row[obs.observation_id]}"))
        cells += [_cell(ws, obs.side), _cell(ws, obs.note)]
        ws.append(cells)


def _print_setup(ws: Any, title: str, moment: datetime, wide: bool) -> None:
    """How a sheet prints: fit to one page wide (landscape when wide), the header row on
    every page, the ledger's title and build date above and page numbers below."""
    ws.page_setup.orientation = "landscape" if wide else "portrait"
    ws.page_setup.paperSize = "9"  # A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.oddHeader.left.text = title.replace("&", "&&")[:100]
    ws.oddHeader.right.text = f"built {moment:%Y-%m-%d}"
    ws.oddFooter.center.text = "Page &P of &N"


def _series(ws: Any, report: Report) -> None:
    """One block per series with enough points: its table and a native line chart."""
    for col, width in enumerate([14, 14, 14, 14, 11, 9, 12, 40], start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.append([_styled(ws, "Series with at least three days: accepted value, the interval "
                           "the statements allow, supports and status, one row a day (where a "
                           "day holds several points, the largest; all are in Observations).",
                       font=BOLD)])
    ws.append([])
    row = 3
    for key, points in report.charted.items():
        if len(points) < CHART_MIN_POINTS:
            continue
        indicator, place, kind, unit, side = key
        claimed = f", as {side} claims" if side else ""  # disputed: each side's claim apart
        title = f"{indicator} / {place or 'no place'} / {kind} ({unit}){claimed}"
        ws.append([_styled(ws, title, font=BOLD)])
        ws.append([_styled(ws, h, font=BOLD) for h in (
            "As of", "Value", "Low", "High", "Statements", "Sources", "Status", "Decision")])
        for obs in points:
            ws.append([_cell(ws, _day(obs.as_of), DATE)] + [
                _cell(ws, v, amount_format(v)) for v in (obs.value, obs.low, obs.high)] + [
                _cell(ws, len(obs.fact_ids), INTEGER), _cell(ws, obs.n_sources, INTEGER),
                _cell(ws, obs.status), _cell(ws, obs.note)])
        last = row + 1 + len(points)
        chart = LineChart()
        chart.title = title
        chart.y_axis.title = unit
        chart.x_axis = DateAxis(crossAx=100)
        chart.x_axis.number_format = DATE
        chart.x_axis.majorTimeUnit = "days"
        chart.height, chart.width = 7.5, 16
        chart.add_data(Reference(ws, min_col=2, max_col=4, min_row=row + 1, max_row=last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=row + 2, max_row=last))
        for series in chart.series:
            series.smooth = False  # straight segments: a curve would invent values
        ws.add_chart(chart, f"F{row}")
        next_row = max(last + 3, row + 17)
        for _ in range(next_row - last - 1):
            ws.append([])
        row = next_row


def render_workbook(report: Report, moment: datetime) -> bytes:
    """The bytes of the workbook (see `write_workbook`)."""
    out = io.BytesIO()
    write_workbook(report, moment, out)
    return out.getvalue()


def write_workbook(report: Report, moment: datetime, out: BinaryIO) -> None:
    """Every sheet streamed (openpyxl's write-only mode, the long sheets as text) into `out`:
    memory stays flat as facts grow."""
    streamed: list[StreamedRows] = []
    try:
        _write(report, moment, streamed, out)
    finally:
        for rows in streamed:
            rows.close()


def _write(report: Report, moment: datetime, streamed: list[StreamedRows],
           out: BinaryIO) -> None:
    wb = Workbook(write_only=True)

    def new_sheet(name: str) -> Any:
        """A sheet with its print setup, set before its first row (write-only mode writes the
        sheet's properties then)."""
        sheet = wb.create_sheet(name)
        _print_setup(sheet, report.title, moment, name != "About")
        return sheet

    def table_sheet(name: str, *args: Any, **kwargs: Any) -> None:
        streamed.append(_sheet(new_sheet(name), name, *args, **kwargs))

    _summary(new_sheet("Summary"), report)
    _series(new_sheet("Series"), report)

    facts = report.facts_in_workbook_order
    fact_row = {f.fact_id: row for row, f in enumerate(facts, start=2)}
    observations = report.observations
    obs_columns = [Column("observation_id", 16), Column("indicator", 26), Column("place", 18),
                   Column("kind", 8), Column("unit", 10), Column("as_of", 12, DATE),
                   Column("period_start", 12, DATE), Column("period_end", 12, DATE),
                   Column("value", 14), Column("low", 14), Column("high", 14),
                   Column("qualifier", 11), Column("value_usd", 14, USD), Column("status", 11),
                   Column("policy", 10), Column("n_sources", 10, INTEGER),
                   Column("statements", 11, INTEGER), Column("fact_ids", 40),
                   Column("side", 12), Column("restated_until", 14, DATE),
                   Column("rejected_fact_ids", 20), Column("decision", 60, wrap=True)]

    def obs_links(i: int) -> list[Link]:
        rows = sorted(fact_row[f] for f in observations[i].fact_ids if f in fact_row)
        return [(18, f"Facts!A{rows[0]}:AB{rows[-1]}")] if rows else []

    table_sheet("Observations", obs_columns,
           ([o.observation_id, o.indicator, o.place, o.kind, o.unit, _day(o.as_of),
             _day(o.period_start), _day(o.period_end), o.value, o.low, o.high, o.qualifier,
             o.value_usd, o.status, o.policy, o.n_sources, len(o.fact_ids),
             " ".join(o.fact_ids), o.side, _day(o.restated_until),
             " ".join(o.rejected_fact_ids), o.note] for o in observations), len(observations),
           lambda i: ["", "", "", "", "", "", "", "",
                      amount_format(observations[i].value, observations[i].unit),
                      amount_format(observations[i].low), amount_format(observations[i].high),
                      *[""] * 11],
           obs_links)

    fact_columns = [Column("fact_id", 16), Column("observation_id", 16), Column("source", 28),
                    Column("line", 7, INTEGER), Column("indicator", 26), Column("value", 14),
                    Column("qualifier", 11), Column("low", 14), Column("high", 14),
                    Column("unit", 10), Column("kind", 8), Column("place", 18),
                    Column("as_of", 12, DATE), Column("period_start", 12, DATE),
                    Column("period_end", 12, DATE), Column("currency", 9),
                    Column("value_usd", 14, USD), Column("fx_rate", 12, RATE),
                    Column("fx_date", 12, DATE), Column("fx_source", 40),
                    Column("quote", 80, wrap=True), Column("char_start", 10, INTEGER),
                    Column("char_end", 10, INTEGER), Column("rule_id", 30),
                    Column("rule_file", 28), Column("rule_line", 9, INTEGER),
                    Column("page", 6, INTEGER), Column("cell", 12)]

    def fact_links(i: int) -> list[Link]:
        fact = facts[i]
        links = [(3, f"Sources!A{report.source_row[fact.source]}")]
        observation = report.observation_of.get(fact.fact_id)
        if observation:
            links.append((2, f"Observations!A{report.observation_row[observation]}"))
        return links

    table_sheet("Facts", fact_columns,
           ([f.fact_id, report.observation_of.get(f.fact_id, ""), f.source, f.line,
             f.indicator, f.value, f.qualifier, f.low, f.high, f.unit, f.kind, f.place,
             _day(f.as_of), _day(f.period_start), _day(f.period_end), f.currency, f.value_usd,
             f.fx_rate, _day(f.fx_date), f.fx_source, f.quote, f.char_start, f.char_end,
             f.rule_id, f.rule_file, f.rule_line, f.page, f.cell] for f in facts), len(facts),
           lambda i: ["", "", "", "", "", amount_format(facts[i].value, facts[i].unit), "",
                      amount_format(facts[i].low), amount_format(facts[i].high), *[""] * 19],
           fact_links)

    table_sheet("Findings",
           [Column("finding_id", 16), Column("severity", 10), Column("code", 28),
            Column("message", 90, wrap=True), Column("fact_ids", 30),
            Column("observation_id", 16)],
           ([f.finding_id, f.severity, f.code, f.message, " ".join(f.fact_ids),
             f.observation_id] for f in report.findings), len(report.findings))

    unread = report.unread
    table_sheet("Unread",
           [Column("source", 24), Column("value", 14, "#,##0.##"), Column("text", 16),
            Column("reason", 36), Column("likely", 8), Column("sentence", 90, wrap=True),
            Column("char_start", 11, INTEGER), Column("char_end", 11, INTEGER)],
           ([u.source, _as_number(u.value), u.text, u.reason, "yes" if u.likely else "",
             u.sentence, u.char_start, u.char_end] for u in unread), len(unread))

    documents = report.documents
    publisher = {d.path: d.publisher for d in documents}
    copied = [(members[0], path, publisher.get(path, ""),
               report.copies.similarity.get((members[0], path)))
              for members in report.copies.clusters for path in members]
    table_sheet("Copies",
           [Column("copy_of", 30), Column("document", 30), Column("publisher", 40),
            Column("similarity", 12, "0.00")],
           ([first, path, pub, similarity] for first, path, pub, similarity in copied),
           len(copied))

    table_sheet("Sources",
           [Column("path", 30), Column("published", 12, DATE), Column("publisher", 24),
            Column("url", 40), Column("language", 9), Column("title", 50),
            Column("sha256", 66), Column("date_origin", 16)],
           ([d.path, d.published, d.publisher, d.url, d.language, d.title, d.file_sha256,
             d.date_origin] for d in documents), len(documents),
           links=lambda i: [(4, documents[i].url)] if _WEB.match(documents[i].url) else [])

    rates = sorted(report.rates_used.items())
    table_sheet("Rates",
           [Column("currency", 9), Column("date", 12, DATE), Column("per_usd", 14, RATE),
            Column("table", 16), Column("row", 9, INTEGER), Column("basis", 16),
            Column("source", 60), Column("claim_dates", 24), Column("lag_days", 9, INTEGER)],
           ([r.currency, r.published, r.per_usd, r.table, r.row, r.basis, r.source,
             " ".join(sorted(report.rate_claims[k])), max(report.rate_lags[k])]
            for k, r in rates), len(rates))

    about = new_sheet("About")
    about.column_dimensions["A"].width = 40
    about.column_dimensions["B"].width = 100
    for key, value in report.about:
        about.append([_cell(about, key), _cell(about, value)])

    wb.properties.creator = "ledger"
    wb.properties.title = report.title
    raw = io.BytesIO()
    wb.save(raw)
    members = {f"xl/worksheets/sheet{wb.worksheets.index(rows.ws) + 1}.xml": rows
               for rows in streamed}
    pack_into(out, raw.getvalue(), moment, members)
