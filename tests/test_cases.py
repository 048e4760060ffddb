"""Reconciliation case folders (tests/cases/reconcile/*): documents written for each case, with
the observations and findings a correct ledger gives; each folder's README says what it proves.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import html_pages, needs_shared
from openpyxl import load_workbook

from ledger.cli import main

CASES = Path(__file__).parent / "cases" / "reconcile"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _build(case: Path, tmp_path: Path) -> Path:
    project = tmp_path / case.name
    shutil.copytree(case, project)
    assert main(["build", str(project), "-q"]) == 0
    return project / "build"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_case(case: Path, tmp_path: Path) -> None:
    expected = yaml.safe_load((case / "expected.yaml").read_text("utf-8"))
    out = _build(case, tmp_path)
    observations = _rows(out / "observations.csv")
    assert len(observations) == len(expected["observations"])
    for want in expected["observations"]:
        found = [o for o in observations
                 if (o["indicator"], o["place"], o["kind"], o["as_of"]) ==
                 (want["indicator"], want["place"], want["kind"], str(want["as_of"]))]
        assert len(found) == 1, want
        got = found[0]
        assert float(got["value"]) == want["value"]
        assert got["status"] == want["status"]
        if "facts" in want:
            assert len(got["fact_ids"].split()) == want["facts"]
        for key in ("n_sources", "restated_until", "period_start"):
            if key in want:
                assert got[key] == str(want[key]), key
    assert sorted(f["code"] for f in _rows(out / "findings.csv")) == sorted(expected["findings"])


DECISIONS = """decisions:
  - action: reject
    fact: {fact}
    reason: Agency B counted the people sheltered in tents twice.
    by: A. Analyst
    date: 2020-09-11
"""


def test_a_decision_rejects_one_of_two_conflicting_facts(tmp_path: Path) -> None:
    case = CASES / "two-agencies-disagree"
    first = _rows(_build(case, tmp_path / "first") / "facts.csv")
    b_fact = next(f["fact_id"] for f in first if f["source"] == "agency-b.txt")
    a_fact = next(f["fact_id"] for f in first if f["source"] == "agency-a.txt")
    project = tmp_path / "project"
    shutil.copytree(case, project)
    (project / "decisions.yaml").write_text(DECISIONS.format(fact=b_fact), "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    (obs,) = _rows(project / "build" / "observations.csv")
    assert (obs["value"], obs["status"], obs["fact_ids"]) == ("12000", "resolved", a_fact)
    assert obs["rejected_fact_ids"] == b_fact and obs["decisions"] == "D2"
    assert "by A. Analyst on 2020-09-11 (decisions.yaml:2)" in obs["note"]
    findings = {f["code"]: f for f in _rows(project / "build" / "findings.csv")}
    assert "conflict" not in findings
    resolved = findings["conflict-resolved"]["message"]
    assert "resolved: reject by A. Analyst on 2020-09-11 (decisions.yaml:2): Agency B counted" in (
        resolved)
    assert "decision-applied" in findings
    workbook = load_workbook(project / "build" / "ledger.xlsx")
    sheet = workbook["Observations"]
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[header.index("decision")].startswith("reject by A. Analyst on 2020-09-11")
    assert row[header.index("rejected_fact_ids")] == b_fact
    html = html_pages(project / "build")
    assert "Analyst decision: reject by A. Analyst on 2020-09-11 (decisions.yaml:2)" in html

    (project / "sources" / "agency-b.txt").unlink()
    catalogue = project / "sources" / "sources.csv"
    catalogue.write_text("".join(line for line in catalogue.read_text("utf-8").splitlines(True)
                                 if "agency-b" not in line), "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    stale = [f for f in _rows(project / "build" / "findings.csv") if f["code"] == "stale-decision"]
    assert len(stale) == 1
    assert stale[0]["message"].startswith(f"decisions.yaml:2: the decision to reject {b_fact}")
    assert "matches nothing in this build" in stale[0]["message"]


def test_accept_merge_and_policy_decisions(tmp_path: Path) -> None:
    case = CASES / "two-agencies-disagree"
    first = _rows(_build(case, tmp_path / "first") / "facts.csv")
    a_fact = next(f["fact_id"] for f in first if f["source"] == "agency-a.txt")
    project = tmp_path / "project"
    shutil.copytree(case, project)
    (project / "sources" / "agency-c.txt").write_text(
        "On Moria, 12,100 people are homeless after the fire.\n", "utf-8")
    with (project / "sources" / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("agency-c.txt,2020-09-10,Agency C\n")
    (project / "decisions.yaml").write_text(f"""decisions:
  - action: accept
    fact: {a_fact}
    reason: Agency A counted at the camp itself.
    by: B. Analyst
    date: 2020-09-12
  - action: merge_series
    series: {{indicator: displaced, place: Moria, kind: stock, unit: person}}
    into: {{indicator: displaced, place: Lesbos, kind: stock, unit: person}}
    reason: Everyone made homeless on Lesbos came from the Moria camp.
    by: B. Analyst
    date: 2020-09-12
""", "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    (obs,) = _rows(project / "build" / "observations.csv")
    assert (obs["value"], obs["status"], obs["policy"]) == ("12000", "resolved", "D2")
    assert len(obs["fact_ids"].split()) == 3 and obs["decisions"] == "D2"


def test_bad_decisions_file_is_reported_at_its_line(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "project"
    shutil.copytree(CASES / "two-agencies-disagree", project)
    (project / "decisions.yaml").write_text(
        "decisions:\n  - action: reject\n    fact: F0123456789ab\n    reason: wrong\n"
        "    date: 2020-09-11\n  - action: set_policy\n    reason: x y z\n    by: C. D.\n"
        "    date: 2020-09-11\n", "utf-8")
    assert main(["build", str(project)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert ("decisions.yaml:2:5: error D002 missing key 'by': every decision needs a reason, "
            "by and date") in err
    assert "decisions.yaml:6:5: error D002 'set_policy' needs 'series' and 'policy'" in err


def test_seed_reconciliation_checks(seed_project: Path) -> None:
    needs_shared(seed_project)
    assert main(["build", str(seed_project), "-q"]) == 0
    findings = _rows(seed_project / "build" / "findings.csv")
    codes = {f["code"]: f["message"] for f in findings}
    assert "conflict" not in codes and "disputed" not in codes
    assert "Stepanakert (more_than 7,000) lies in Nagorno-Karabakh (approx 7,000)" in (
        codes["part-within-whole"])
    assert "exact 300,000 AMD (= 596.16 USD) and approx 600 USD (= 600.00 USD)" in (
        codes["amounts-agree-across-currencies"])
