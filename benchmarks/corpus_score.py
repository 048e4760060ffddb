"""Score builds of every development corpus (../shared/seed, ../shared/corpus and
../shared/corpus2) document by document with ../shared/tools/score_facts.py, and print recall,
precision and qualifier/unit/kind agreement per document and per language.

    .venv/bin/python benchmarks/corpus_score.py [--corpus seed|corpus|corpus2 ...] [--show]

Each corpus is built into a temporary folder first. `--show` lists the misses and false
positives under each document.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ledger.build import build

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
CORPORA = ("seed", "corpus", "corpus2")


@dataclass
class Tally:
    """Counts summed over documents: must figures found, facts, false positives, and the
    agreement of qualifier, unit and kind on matched pairs."""

    must: int = 0
    found: int = 0
    facts: int = 0
    false_positives: int = 0
    agree: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add(self, score: dict[str, object]) -> None:
        self.must += int(score["gold_must"])  # type: ignore[call-overload]
        self.found += int(score["found_must"])  # type: ignore[call-overload]
        self.facts += int(score["facts"])  # type: ignore[call-overload]
        self.false_positives += int(score["false_positives"])  # type: ignore[call-overload]
        for name in ("qualifier", "unit", "kind"):
            hit, _, total = str(score.get(name, "0/0")).partition("/")
            self.agree[name][0] += int(hit)
            self.agree[name][1] += int(total or 0)

    @property
    def recall(self) -> float:
        return self.found / self.must if self.must else 0.0

    @property
    def precision(self) -> float:
        return (self.facts - self.false_positives) / self.facts if self.facts else 0.0

    def agreement(self, name: str) -> str:
        hit, total = self.agree[name]
        return f"{hit / total:.2f}" if total else "-"


def _gold_files(corpus: str) -> list[Path]:
    if corpus == "seed":
        return [SHARED / "seed" / "seed.gold.yaml"]
    return sorted((SHARED / corpus / "gold").glob("*.gold.yaml"))


def _language(gold: Path, corpus: str) -> str:
    return gold.name.split("-")[0] if corpus == "corpus2" else "en"


def _score(gold: Path, sources: Path, build_dir: Path, show: bool) -> tuple[dict[str, object],
                                                                              str]:
    args = [sys.executable, str(SHARED / "tools" / "score_facts.py"), str(gold), str(sources),
            str(build_dir)]
    out = subprocess.run([*args, "--json"], capture_output=True, text=True, check=False).stdout
    score = json.loads(out[out.index("{"):out.rindex("}") + 1])
    shown = ""
    if show:
        lines = subprocess.run([*args, "--show"], capture_output=True, text=True,
                               check=False).stdout
        shown = "\n".join("    " + x for x in lines.splitlines() if x.startswith(("MISS", "FP")))
    return score, shown


def score_corpus(corpus: str, show: bool) -> dict[str, Tally]:
    """Build one corpus in a temporary folder; print its table; return tallies per language."""
    folder = SHARED / corpus
    tallies: dict[str, Tally] = defaultdict(Tally)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / corpus
        (project / "sources").mkdir(parents=True)
        for path in folder.glob("*.txt"):
            shutil.copy(path, project / "sources")
        shutil.copy(folder / "sources.csv", project / "sources")
        result = build(project, project / "build")
        print(f"\n{corpus}: {len(result.documents)} documents, {len(result.facts)} facts")
        print(f"{'document':<22}{'recall':>8}{'precision':>11}{'figures':>10}{'facts':>7}"
              f"{'FP':>5}")
        for gold in _gold_files(corpus):
            score, shown = _score(gold, project / "sources", result.out, show)
            tallies[_language(gold, corpus)].add(score)
            print(f"{gold.name.split('.')[0]:<22}{score['recall']:>8.3f}"
                  f"{score['precision']:>11.3f}{score['found_must']:>5}/{score['gold_must']:<4}"
                  f"{score['facts']:>7}{score['false_positives']:>5}")
            if shown:
                print(shown)
    return tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", choices=CORPORA,
                        help="score only this corpus (repeatable; default all)")
    parser.add_argument("--show", action="store_true", help="list misses and false positives")
    args = parser.parse_args()
    if not (SHARED / "seed").is_dir():
        sys.exit(f"{SHARED} is absent: the development corpora live in ../shared")
    rows = []
    for corpus in args.corpus or CORPORA:
        for language, t in sorted(score_corpus(corpus, args.show).items()):
            rows.append(f"| {corpus} | {language} | {t.recall:.3f} ({t.found}/{t.must}) | "
                        f"{t.precision:.3f} ({t.facts - t.false_positives}/{t.facts}) | "
                        f"{t.agreement('qualifier')} | {t.agreement('unit')} | "
                        f"{t.agreement('kind')} |")
    print("\n| corpus | language | recall | precision | qualifier | unit | kind |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
