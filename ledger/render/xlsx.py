"""The Excel workbook: Summary, Observations, Facts, Findings, Sources, Rates and About sheets.

Public surface: `render_workbook(report, moment)` returns the bytes of `ledger.xlsx`.

Every text cell that comes from a source is written as a string with Excel's quote prefix
when it could be read as a formula, never as a formula; characters Excel cannot hold are
shown as visible control pictures, and text past Excel's 32,767-character limit is cut with a
note (the full text stays in facts.csv). Time stamps inside the file are pinned to `moment`
so that identical input gives identical bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ledger.render.report import Report

EXCEL_CELL_LIMIT = 32_767
_TRUNCATED = " […cut: Excel holds 32,767 characters a cell; full text in facts.csv]"
_FORMULA_START = ("=", "+", "-", "@")
INTEGER = "#,##0"
DECIMAL = "#,##0.##"
USD = '"$"#,##0.00'
RATE = "0.0000####"
DATE = "yyyy-mm-dd"


def safe_text(value: str) -> str:
    """Text Excel can hold: control characters made visible, cut at the cell limit."""
    value = ILLEGAL_CHARACTERS_RE.sub(lambda m: chr(0x2400 + ord(m.group())), value)
    if len(value) > EXCEL_CELL_LIMIT:
        value = value[:EXCEL_CELL_LIMIT - len(_TRUNCATED)] + _TRUNCATED
    return value


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _write_sheet(ws: Worksheet, name: str, header: Sequence[str], rows: list[list[Any]],
                 formats: dict[str, str], widths: dict[str, int]) -> None:
    """A header, rows of real cells, an Excel table with filters, frozen header, widths."""
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in rows:
        ws.append([None] * len(header))
        row = ws.max_row
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=col)
            if isinstance(value, str):
                text = safe_text(value)
                cell.value = text
                cell.data_type = "s"
                if text.startswith(_FORMULA_START):
                    cell.quotePrefix = True
            else:
                cell.value = value
            fmt = formats.get(header[col - 1])
            if fmt and value is not None and not isinstance(value, str):
                cell.number_format = fmt
    ws.freeze_panes = "A2"
    for col, title in enumerate(header, start=1):
        letter = get_column_letter(col)
        ws.column_dimensions[letter].width = widths.get(title, max(10, min(len(title) + 4, 40)))
        if widths.get(title, 0) >= 60:
            for cell in ws[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    if rows:
        ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
        table = Table(displayName=name, ref=ref)
        table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
        ws.add_table(table)


def _summary(ws: Worksheet, report: Report) -> None:
    ws.append([report.title])
    ws["A1"].font = Font(bold=True, size=14)
    for line in report.how_to_read:
        ws.append([line])
    ws.append([])
    start = ws.max_row + 1
    header = ["Indicator", "Place", "Kind", "Unit", "As of", "Value", "Low", "High",
              "Value (USD)", "Status", "Statements", "Sources", "Observation"]
    ws.append(header)
    for cell in ws[start]:
        cell.font = Font(bold=True)
    for obs in report.headlines:
        ws.append([obs.indicator, obs.place, obs.kind, obs.unit, _day(obs.as_of), obs.value,
                   obs.low, obs.high, obs.value_usd, obs.status, len(obs.fact_ids),
                   obs.n_sources, obs.observation_id])
        row = ws.max_row
        ws.cell(row, 5).number_format = DATE
        for col in (6, 7, 8):
            ws.cell(row, col).number_format = DECIMAL
        ws.cell(row, 9).number_format = USD
        ws.cell(row, 13).hyperlink = f"#Observations!A{report.observation_row[obs.observation_id]}"
    widths = [26, 18, 8, 10, 12, 14, 12, 12, 14, 12, 11, 9, 16]
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.column_dimensions["A"].width = 30


def render_workbook(report: Report, moment: datetime) -> bytes:
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    _summary(summary, report)

    obs_header = ["observation_id", "indicator", "place", "kind", "unit", "as_of",
                  "period_start", "period_end", "value", "low", "high", "qualifier",
                  "value_usd", "status", "policy", "n_sources", "fact_ids"]
    obs_rows = [[o.observation_id, o.indicator, o.place, o.kind, o.unit, _day(o.as_of),
                 _day(o.period_start), _day(o.period_end), o.value, o.low, o.high, o.qualifier,
                 o.value_usd, o.status, o.policy, o.n_sources, " ".join(o.fact_ids)]
                for o in report.observations]
    number_formats = {"value": DECIMAL, "low": DECIMAL, "high": DECIMAL, "value_usd": USD,
                      "as_of": DATE, "period_start": DATE, "period_end": DATE,
                      "fx_rate": RATE, "fx_date": DATE, "published": DATE, "date": DATE,
                      "per_usd": RATE, "n_sources": INTEGER, "char_start": INTEGER,
                      "char_end": INTEGER, "line": INTEGER, "lag_days": INTEGER}
    _write_sheet(wb.create_sheet("Observations"), "Observations", obs_header, obs_rows,
                 number_formats, {"fact_ids": 40, "indicator": 26})

    fact_header = ["fact_id", "observation_id", "source", "line", "indicator", "value",
                   "qualifier", "low", "high", "unit", "kind", "place", "as_of",
                   "period_start", "period_end", "currency", "value_usd", "fx_rate", "fx_date",
                   "fx_source", "quote", "char_start", "char_end", "rule_id", "rule_file",
                   "rule_line"]
    fact_rows = [[f.fact_id, report.observation_of.get(f.fact_id, ""), f.source, f.line,
                  f.indicator, f.value, f.qualifier, f.low, f.high, f.unit, f.kind, f.place,
                  _day(f.as_of), _day(f.period_start), _day(f.period_end), f.currency,
                  f.value_usd, f.fx_rate, _day(f.fx_date), f.fx_source, f.quote, f.char_start,
                  f.char_end, f.rule_id, f.rule_file, f.rule_line] for f in report.facts]
    facts_ws = wb.create_sheet("Facts")
    _write_sheet(facts_ws, "Facts", fact_header, fact_rows, number_formats,
                 {"quote": 80, "fx_source": 40, "indicator": 26, "rule_id": 30})
    for index, fact in enumerate(report.facts, start=2):
        facts_ws.cell(index, 3).hyperlink = f"#Sources!A{report.source_row[fact.source]}"

    finding_header = ["finding_id", "severity", "code", "message", "fact_ids",
                      "observation_id"]
    finding_rows = [[f.finding_id, f.severity, f.code, f.message, " ".join(f.fact_ids),
                     f.observation_id] for f in report.findings]
    _write_sheet(wb.create_sheet("Findings"), "Findings", finding_header, finding_rows,
                 number_formats, {"message": 90, "fact_ids": 30})

    source_header = ["path", "published", "publisher", "url", "language", "title", "sha256",
                     "date_origin"]
    source_rows = [[d.path, d.published, d.publisher, d.url, d.language, d.title,
                    d.file_sha256, d.date_origin] for d in report.documents]
    sources_ws = wb.create_sheet("Sources")
    _write_sheet(sources_ws, "Sources", source_header, source_rows, number_formats,
                 {"url": 40, "title": 50, "sha256": 66, "path": 30})
    for index, doc in enumerate(report.documents, start=2):
        if re.match(r"https?://", doc.url):
            sources_ws.cell(index, 4).hyperlink = doc.url

    rate_header = ["currency", "date", "per_usd", "table", "row", "basis", "source",
                   "claim_dates", "lag_days"]
    rate_rows = [[r.currency, r.published, r.per_usd, r.table, r.row, r.basis, r.source,
                  " ".join(sorted(report.rate_claims[k])), max(report.rate_lags[k])]
                 for k, r in sorted(report.rates_used.items())]
    _write_sheet(wb.create_sheet("Rates"), "Rates", rate_header, rate_rows, number_formats,
                 {"source": 60, "claim_dates": 24})

    about = wb.create_sheet("About")
    for key, value in report.about:
        about.append([key, safe_text(value)])
        about.cell(about.max_row, 2).data_type = "s"
    about.column_dimensions["A"].width = 28
    about.column_dimensions["B"].width = 100

    wb.properties.creator = "ledger"
    wb.properties.title = report.title
    raw = io.BytesIO()
    wb.save(raw)
    return pin_zip(raw.getvalue(), moment)


_CORE_TIMES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def pin_zip(data: bytes, moment: datetime) -> bytes:
    """Rewrite a zip (an xlsx) with every time stamp set to `moment`."""
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<2>", content)
            pinned = zipfile.ZipInfo(info.filename, date_time=moment.timetuple()[:6])
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o644 << 16
            target.writestr(pinned, content)
    return out.getvalue()
