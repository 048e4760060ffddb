"""Builds at scale: 100, 1,000 (and with --big 10,000) generated news items, each built cold
with --jobs 1 and --jobs 2, then rebuilt with nothing changed and after one document changed.

Prints a table of wall and CPU seconds, peak memory (the largest process of the build) and the
sizes of index.html and ledger.xlsx. The documents come from tests/generated_corpus.py (this
project's own sentences, places and numbers drawn from a seeded generator). Run from the
repository root:

    .venv/bin/python benchmarks/scale.py [--big]
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


def main() -> None:
    from generated_corpus import write_corpus

    parser = argparse.ArgumentParser()
    parser.add_argument("--big", action="store_true", help="also 10,000 documents")
    sizes = [100, 1000] + ([10_000] if parser.parse_args().big else [])
    print("| documents | build | wall s | CPU s | peak MiB | index.html | ledger.xlsx |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            project = Path(tmp) / "generated"
            write_corpus(project, n)
            rows = []
            for label, flags in (("cold, --jobs 1", ("--jobs", "1", "--no-cache")),
                                 ("cold, --jobs 2", ("--jobs", "2", "--no-cache"))):
                shutil.rmtree(project / "build", ignore_errors=True)
                rows.append((label, _run(project, *flags)))
            _run(project, "--jobs", "2")  # fills the cache
            rows.append(("no-op rebuild", _run(project, "--jobs", "2")))
            item = project / "sources" / "item-00003.txt"
            item.write_text(item.read_text("utf-8").replace("said", "reported", 1), "utf-8")
            rows.append(("one document changed", _run(project, "--jobs", "2")))
            for label, (wall, cpu, peak) in rows:
                print(f"| {n:,} | {label} | {wall:.1f} | {cpu:.1f} | {peak:,.0f} | "
                      f"{_sizes(project)} |")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
