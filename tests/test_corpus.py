"""The development corpus (../shared/corpus): extraction scored against its gold files, and
reconciliation of the rolling war coverage. Skipped, with the reason, when it is absent."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SHARED, needs_shared

from ledger.build import BuildResult, build

CORPUS = SHARED / "corpus"


@pytest.fixture(scope="module")
def corpus_build(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    needs_shared(CORPUS / "sources.csv")
    project = tmp_path_factory.mktemp("corpus")
    (project / "sources").mkdir()
    for path in CORPUS.glob("*.txt"):
        shutil.copy(path, project / "sources")
    shutil.copy(CORPUS / "sources.csv", project / "sources")
    return build(project, project / "build")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_corpus_recall_and_precision_over_ninety_five_percent(
        corpus_build: BuildResult) -> None:
    found = total = facts = false_positives = 0
    table = []
    for gold in sorted((CORPUS / "gold").glob("*.gold.yaml")):
        out = subprocess.run(
            [sys.executable, str(SHARED / "tools" / "score_facts.py"), str(gold),
             str(corpus_build.out.parent / "sources"), str(corpus_build.out), "--json"],
            capture_output=True, text=True, check=False).stdout
        s = json.loads(out[:out.rindex("}") + 1])
        found, total = found + s["found_must"], total + s["gold_must"]
        facts, false_positives = facts + s["facts"], false_positives + s["false_positives"]
        table.append(f"{gold.name:<22} recall {s['recall']:.3f} precision {s['precision']:.3f}")
        right, scored = map(int, s["qualifier"].split("/"))
        assert right == scored, f"{gold.name}: qualifier {s['qualifier']}"
    print("\n".join(table))
    assert found / total >= 0.95, f"recall {found}/{total}"
    assert (facts - false_positives) / facts >= 0.95, (
        f"precision {facts - false_positives}/{facts}")


def test_restated_claims_collapse_and_the_sides_are_kept_apart(
        corpus_build: BuildResult) -> None:
    observations = _rows(corpus_build.out / "observations.csv")
    claim = [o for o in observations if o["indicator"] == "killed_or_injured_military"
             and o["value"] == "2300"]
    assert len(claim) == 1  # Azerbaijan's claim, restated in three rolling stories
    assert claim[0]["sources"].split() == ["nk-006.txt", "nk-007.txt", "nk-008.txt"]
    assert (claim[0]["status"], claim[0]["side"]) == ("disputed", "Azerbaijan")
    own = [o for o in observations if o["indicator"] == "killed_military"
           and o["side"] == "Armenia"]
    assert len(own) == 1 and own[0]["value"] == "84" and own[0]["status"] == "disputed"
    assert own[0]["n_sources"] == "5"  # 58 then 84 on the 29th, restated to 1 October
    disputed = [f for f in _rows(corpus_build.out / "findings.csv") if f["code"] == "disputed"]
    assert any("Azerbaijan says" in f["message"] and "Armenia says killed military exact 84"
               in f["message"] for f in disputed)
    updated = [f for f in _rows(corpus_build.out / "findings.csv") if f["code"] == "updated"]
    assert any("58 then 84" in f["message"] for f in updated)
