"""Builds at scale: 100, 1,000 (and with --big 10,000) documents, each built cold with
--jobs 1 and --jobs 2, then rebuilt with nothing changed and after one document changed.

Prints a table of wall and CPU seconds, peak memory (the largest process of the build) and the
sizes of index.html and ledger.xlsx. By default the documents are short generated news items
(tests/generated_corpus.py: this project's own sentences, places and numbers drawn from a
seeded generator, about 500 bytes and 5 figures each). With --shared they are real-shaped: the
seed and the development corpus of ../shared (16 documents, 27 KB on average) repeated with
their numbers and dates shifted, read from ../shared at run time. Run from the repository root:

    .venv/bin/python benchmarks/scale.py [--big] [--shared]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))


def _run(project: Path, *flags: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak resident MiB of one `ledger build` (in a process of
    its own, so the numbers are the build's)."""
    code = ("import resource, subprocess, sys, time; start = time.perf_counter(); "
            "subprocess.run(sys.argv[1:], check=True); wall = time.perf_counter() - start; "
            "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
            "print(wall, u.ru_utime + u.ru_stime, u.ru_maxrss / 1024)")
    ledger = str(Path(sys.executable).parent / "ledger")
    out = subprocess.run([sys.executable, "-c", code, ledger, "build", str(project), "-q",
                          *flags], check=True, capture_output=True, text=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def _sizes(project: Path) -> str:
    build = project / "build"
    return (f"{(build / 'index.html').stat().st_size / 1e6:.2f} MB | "
            f"{(build / 'ledger.xlsx').stat().st_size / 1e6:.1f} MB")


SHARED = REPO.parent / "shared"


def write_shared_shaped(project: Path, documents: int) -> None:
    """The seed and ../shared/corpus repeated, copy k with every number of 10 or more (years
    aside) raised by k and its catalogue date k days later, so no two copies state the same
    figures."""
    import csv
    import re
    from datetime import date, timedelta

    originals = [(SHARED / "seed" / "000_cc935aa015bef0f5.txt", SHARED / "seed" / "sources.csv")]
    originals += [(p, SHARED / "corpus" / "sources.csv")
                  for p in sorted((SHARED / "corpus").glob("*.txt"))]
    rows = {}
    for _, catalogue in originals:
        with catalogue.open(encoding="utf-8", newline="") as handle:
            rows.update({r["path"]: r for r in csv.DictReader(handle)})
    sources = project / "sources"
    sources.mkdir(parents=True)
    lines = ["path,published,publisher,language"]
    def shifted(number: str, k: int) -> str:
        value = int(number.replace(",", ""))
        return number if 1900 <= value <= 2100 and "," not in number else f"{value + k:,}"

    for n in range(documents):
        path, _ = originals[n % len(originals)]
        k = n // len(originals)
        text = re.sub(r"\b\d{2,}(?:,\d{3})*\b",
                      lambda m, k=k: shifted(m.group(), k),
                      path.read_text("utf-8"))
        name = f"{n:05d}-{path.name}"
        (sources / name).write_text(text, "utf-8")
        row = rows[path.name]
        day = date.fromisoformat(row["published"]) + timedelta(days=k)
        lines.append(f"{name},{day.isoformat()},\"{row['publisher']}\",{row['language']}")
    (sources / "sources.csv").write_text("\n".join(lines) + "\n", "utf-8")


def main() -> None:
    from generated_corpus import write_corpus

    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true", help="also 10,000 documents")
    parser.add_argument("--shared", action="store_true", help="real-shaped documents from "
                        "../shared instead of short generated ones")
    args = parser.parse_args()
    sizes = [100, 1000] + ([10_000] if args.big else [])
    write = write_shared_shaped if args.shared else write_corpus
    print("| documents | build | wall s | CPU s | peak MiB | index.html | ledger.xlsx |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "generated"
            write(project, n)
            rows = []
            for label, flags in (("cold, --jobs 1", ("--jobs", "1", "--no-cache")),
                                 ("cold, --jobs 2", ("--jobs", "2", "--no-cache"))):
                shutil.rmtree(project / "build", ignore_errors=True)
                rows.append((label, _run(project, *flags)))
            _run(project, "--jobs", "2")  # fills the cache
            rows.append(("no-op rebuild", _run(project, "--jobs", "2")))
            item = sorted((project / "sources").glob("0*"))[3] if args.shared else (
                project / "sources" / "item-00003.txt")
            item.write_text(item.read_text("utf-8").replace("said", "reported", 1), "utf-8")
            rows.append(("one document changed", _run(project, "--jobs", "2")))
            for label, (wall, cpu, peak) in rows:
                print(f"| {n:,} | {label} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} | "
                      f"{_sizes(project)} |")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
