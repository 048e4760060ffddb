"""The workbook at scale: write ledger.xlsx for 100,000 facts, time and peak memory, next to
XlsxWriter's constant-memory mode and openpyxl's write-only mode writing the Facts sheet alone
(the same 28 cells a fact, with the same number and date formats) in the same run.

Each mode runs in a process of its own so its peak resident memory is its own. Run from the
repository root:

    .venv/bin/python benchmarks/workbook.py [--n 100000]
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import time
from datetime import date, datetime

from ledger.normalise import Fact
from ledger.reconcile import reconcile
from ledger.render.report import Report
from ledger.render.xlsx import render_workbook
from ledger.sources import Document, Segment

PLACES = ["Stepanakert", "Martuni", "Askeran", "Hadrut", "Shusha", "Lachin", "Goris", "Ganja"]


def make_facts(n: int) -> tuple[list[Document], list[Fact]]:
    text = "About 1,200 people returned to Stepanakert in the past 24 hours.\n"
    doc = Document(path="feed.txt", file_sha256="0" * 64, text=text, published=None,
                   published_at=None, date_origin="benchmark", segments=[Segment(0, len(text),
                                                                                 None)])
    facts = []
    for i in range(n):
        day = f"2020-{10 + i % 2:02d}-{1 + i % 28:02d}"
        facts.append(Fact(
            fact_id=f"F{i:012x}", source="feed.txt", indicator=["returnees", "killed"][i % 2],
            value=float(1000 + i % 997), qualifier="approx", low=900.0, high=1100.0,
            unit="person", kind="stock", place=PLACES[i % len(PLACES)], as_of=day,
            period_start="", period_end="", period="", quote=text.strip(), quote_start=0,
            quote_end=len(text) - 1, char_start=0, char_end=11, line=1,
            rule_id="returnees.returned", rule_file="ledger:rules/returnees.yaml", rule_line=5))
    return [doc], facts


def run_ledger(n: int) -> None:
    """Reconcile, then time the workbook alone: every sheet, tables, links and charts."""
    documents, facts = make_facts(n)
    observations, findings = reconcile(facts)
    report = Report.build("benchmark", documents, facts, observations, findings, [])
    start = time.perf_counter()
    data = render_workbook(report, datetime(2020, 11, 21))
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.2f} {len(data)} {len(observations)}")


COLUMNS = ["fact_id", "observation_id", "source", "line", "indicator", "value", "qualifier",
           "low", "high", "unit", "kind", "place", "as_of", "period_start", "period_end",
           "currency", "value_usd", "fx_rate", "fx_date", "fx_source", "quote", "char_start",
           "char_end", "rule_id", "rule_file", "rule_line", "page", "cell"]
DATES = {"as_of", "period_start", "period_end", "fx_date"}
FORMATS = {"line": "#,##0", "value": "#,##0", "low": "#,##0", "high": "#,##0",
           "value_usd": '"$"#,##0.00', "fx_rate": "0.0000####", "char_start": "#,##0",
           "char_end": "#,##0", "rule_line": "#,##0", **dict.fromkeys(DATES, "yyyy-mm-dd")}


def _values(fact: Fact) -> list[object]:
    values: list[object] = []
    for column in COLUMNS:
        value = getattr(fact, column, "")
        if column in DATES:
            value = date.fromisoformat(value) if value else None
        values.append(value)
    return values


def run_xlsxwriter(n: int) -> None:
    """The Facts sheet in XlsxWriter's constant-memory mode, one cell at a time with its
    format (how XlsxWriter writes cells of different formats)."""
    import xlsxwriter

    _, facts = make_facts(n)
    start = time.perf_counter()
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    ws = wb.add_worksheet("Facts")
    formats = [wb.add_format({"num_format": FORMATS[c]}) if c in FORMATS else None
               for c in COLUMNS]
    bold = wb.add_format({"bold": True})
    ws.write_row(0, 0, COLUMNS, bold)
    for row, fact in enumerate(facts, start=1):
        for col, value in enumerate(_values(fact)):
            if value is not None and value != "":
                ws.write(row, col, value, formats[col])
    wb.close()
    print(f"{time.perf_counter() - start:.2f} {len(out.getvalue())} 0")


def run_write_only(n: int) -> None:
    """The Facts sheet in openpyxl's write-only mode, formatted cells as WriteOnlyCell."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import WriteOnlyCell

    _, facts = make_facts(n)
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Facts")
    ws.append(COLUMNS)
    for fact in facts:
        cells: list[object] = []
        for column, value in zip(COLUMNS, _values(fact), strict=True):
            if column in FORMATS and value is not None:
                cell = WriteOnlyCell(ws, value)
                cell.number_format = FORMATS[column]
                value = cell
            cells.append(value)
        ws.append(cells)
    out = io.BytesIO()
    wb.save(out)
    print(f"{time.perf_counter() - start:.2f} {len(out.getvalue())} 0")


MODES = {"ledger": (run_ledger, "ledger.xlsx (every sheet, tables, links, charts)"),
         "xlsxwriter": (run_xlsxwriter, "XlsxWriter constant-memory (the Facts sheet alone)"),
         "write-only": (run_write_only, "openpyxl write-only (the Facts sheet alone)")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--mode", choices=sorted(MODES))
    args = parser.parse_args()
    if args.mode:
        MODES[args.mode][0](args.n)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{peak_mb:.0f}")
        return
    print(f"{args.n:,} facts")
    seconds = {}
    for mode, (_, label) in MODES.items():
        out = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--mode", mode],
                             capture_output=True, text=True, check=True).stdout.split()
        elapsed, size, observations, peak = out
        seconds[mode] = float(elapsed)
        extra = f", {int(observations):,} observations" if mode == "ledger" else ""
        print(f"{label}: {elapsed} s, peak memory {peak} MB, {int(size) / 1e6:.1f} MB file"
              f"{extra}")
    print(f"ratio of ledger.xlsx to XlsxWriter constant-memory: "
          f"{seconds['ledger'] / seconds['xlsxwriter']:.2f}")


if __name__ == "__main__":
    main()
