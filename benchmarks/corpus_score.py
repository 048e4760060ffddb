"""Score a build of the development corpus (../shared/corpus) document by document with
../shared/tools/score_facts.py, and print the table and the overall recall and precision.

    .venv/bin/python benchmarks/corpus_score.py [--build DIR] [--show]

Without --build it builds the corpus into a temporary folder first.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ledger.build import build

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPUS = SHARED / "corpus"


def score(build_dir: Path, sources: Path, show: bool) -> tuple[int, int, int, int]:
    total = found = facts = false_positives = 0
    print(f"{'document':<12}{'recall':>8}{'precision':>11}{'figures':>10}{'facts':>7}{'FP':>5}")
    for gold in sorted((CORPUS / "gold").glob("*.gold.yaml")):
        args = [sys.executable, str(SHARED / "tools" / "score_facts.py"), str(gold),
                str(sources), str(build_dir)]
        out = subprocess.run([*args, "--json"], capture_output=True, text=True).stdout
        s = json.loads(out[:out.rindex("}") + 1])
        total += s["gold_must"]
        found += s["found_must"]
        facts += s["facts"]
        false_positives += s["false_positives"]
        print(f"{gold.name.split('.')[0]:<12}{s['recall']:>8.3f}{s['precision']:>11.3f}"
              f"{s['found_must']:>5}/{s['gold_must']:<4}{s['facts']:>7}{s['false_positives']:>5}")
        if show:
            lines = subprocess.run([*args, "--show"], capture_output=True, text=True).stdout
            print("\n".join("    " + x for x in lines.splitlines()
                            if x.startswith(("MISS", "FP"))))
    return total, found, facts, false_positives


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path)
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "corpus"
        (project / "sources").mkdir(parents=True)
        for path in CORPUS.glob("*.txt"):
            shutil.copy(path, project / "sources")
        shutil.copy(CORPUS / "sources.csv", project / "sources")
        build_dir = args.build or build(project, project / "build").out
        total, found, facts, fps = score(build_dir, project / "sources", args.show)
    print(f"overall: recall {found / total:.3f} ({found}/{total}), precision "
          f"{(facts - fps) / facts if facts else 0:.3f} ({facts - fps}/{facts})")


if __name__ == "__main__":
    main()
