"""One long line against the same text in paragraphs: the build time must stay proportional
to the text, whatever its shape.

Writes the example's documents, repeated to --mb megabytes, once as paragraphs and once as a
single line (every run of white space one space), builds each in a fresh project with
--jobs 1, and prints both times and their ratio. Run from the repository root:

    .venv/bin/python benchmarks/long_line.py [--mb 10]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "karabakh-returns"


def _project(root: Path, text: str) -> Path:
    (root / "sources").mkdir(parents=True)
    (root / "sources" / "doc.txt").write_text(text, "utf-8")
    (root / "sources" / "sources.csv").write_text("path,published,language\n"
                                                  "doc.txt,2020-11-25,en\n", "utf-8")
    return root


def _build(project: Path) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "ledger", "build", str(project), "-q", "--jobs", "1"],
                   check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0, help="text size in MB (default 10)")
    args = parser.parse_args()
    texts = [p.read_text("utf-8") for p in sorted((EXAMPLE / "sources").glob("*.txt"))]
    base = "\n\n".join(texts) + "\n\n"
    paragraphs = base * max(1, int(args.mb * 1_000_000 // len(base)))
    line = " ".join(paragraphs.split()) + "\n"
    with tempfile.TemporaryDirectory() as tmp:
        split_s = _build(_project(Path(tmp) / "paragraphs", paragraphs))
        line_s = _build(_project(Path(tmp) / "line", line))
    print(f"paragraphs: {len(paragraphs) / 1e6:.1f} MB in {split_s:.1f} s")
    print(f"one line:   {len(line) / 1e6:.1f} MB in {line_s:.1f} s")
    print(f"ratio one line / paragraphs: {line_s / split_s:.2f}")


if __name__ == "__main__":
    main()
