"""The workbook at scale: write ledger.xlsx for 100,000 facts, time and peak memory, next to
openpyxl's write-only mode writing the same Facts rows in the same run.

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
from datetime import datetime

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
    documents, facts = make_facts(n)
    start = time.perf_counter()
    observations, findings = reconcile(facts)
    report = Report.build("benchmark", documents, facts, observations, findings, [])
    data = render_workbook(report, datetime(2020, 11, 21))
    elapsed = time.perf_counter() - start
    print(f"{elapsed:.1f} {len(data)} {len(observations)}")


def run_write_only(n: int) -> None:
    from openpyxl import Workbook

    _, facts = make_facts(n)
    start = time.perf_counter()
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Facts")
    columns = ["fact_id", "source", "line", "indicator", "value", "qualifier", "low", "high",
               "unit", "kind", "place", "as_of", "quote", "char_start", "char_end", "rule_id"]
    ws.append(columns)
    for f in facts:
        ws.append([getattr(f, c) for c in columns])
    out = io.BytesIO()
    wb.save(out)
    print(f"{time.perf_counter() - start:.1f} {len(out.getvalue())} 0")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--mode", choices=["ledger", "write-only"])
    args = parser.parse_args()
    if args.mode:
        (run_ledger if args.mode == "ledger" else run_write_only)(args.n)
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{peak_mb:.0f}")
        return
    print(f"{args.n:,} facts")
    for mode, label in (("ledger", "ledger.xlsx (all sheets, tables, links, charts)"),
                        ("write-only", "openpyxl write-only (the Facts rows alone)")):
        out = subprocess.run([sys.executable, __file__, "--n", str(args.n), "--mode", mode],
                             capture_output=True, text=True, check=True).stdout.split()
        seconds, size, observations, peak = out
        extra = f", {int(observations):,} observations" if mode == "ledger" else ""
        print(f"{label}: {seconds} s, peak memory {peak} MB, {int(size) / 1e6:.1f} MB file"
              f"{extra}")


if __name__ == "__main__":
    main()
