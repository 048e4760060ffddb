"""Audit trail and CI: check, rules, explain, verify, diff, --strict and diagnostic formats."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import EXAMPLES, SEED, MakeProject, copy_example, needs_shared
from openpyxl import load_workbook
from test_bad_input import BAD_RULES, FEED

from ledger.cli import main


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_check_runs_the_examples(make_project: MakeProject,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = (BAD_RULES / "failing-example.yaml").read_text("utf-8")
    project = make_project({"sources/feed.txt": FEED, "rules/failing-example.yaml": text})
    assert main(["check", str(project)]) == 1
    assert ("rules/failing-example.yaml:8: error R004 example 'hit' of t.one: value: expected "
            "6.0, got 5.0") in capsys.readouterr().err.splitlines()


def test_check_passes_on_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "karabakh-returns")]) == 0
    assert "0 errors" in capsys.readouterr().out


def test_rules_lists_indicator_unit_kind_language_examples(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", str(EXAMPLES / "karabakh-returns")]) == 0
    lines = capsys.readouterr().out.splitlines()
    row = next(line for line in lines if line.startswith("schools.reopened"))
    assert row.split()[:6] == ["schools.reopened", "schools_reopened", "facility", "stock",
                               "en", "2"]
    assert row.endswith("rules/schools.yaml:5")


@pytest.fixture
def seed_built(seed_project: Path) -> Path:
    assert main(["build", str(seed_project), "-q"]) == 0
    return seed_project / "build"


def test_explain_walks_the_amd_fact_to_its_sentence_rule_and_rate(
        seed_built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    amd = next(f for f in _rows(seed_built / "facts.csv") if f["unit"] == "AMD")
    assert main(["explain", amd["fact_id"], "--build", str(seed_built)]) == 0
    out = capsys.readouterr().out
    manifest = json.loads((seed_built / "manifest.json").read_text("utf-8"))
    digest = next(i["sha256"] for i in manifest["inputs"] if i["kind"] == "source")
    assert "one-time aid transfer of 300 thousand [Armenian] drams" in out
    assert f"sha256 {digest}" in out
    assert "aid_money.cash_per_person at ledger:rules/aid_money.yaml:6" in out
    assert "table cba, line 5283: 2020-11-20,AMD,503.22" in out
    assert "Central Bank of Armenia" in out
    assert "scale word 'thousand' = 1,000" in out
    assert "^^^^" in out  # the figure marked under its line


def test_explain_json_and_search_by_indicator(seed_built: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--build", str(seed_built), "--indicator", "returnees",
                 "--place", "Stepanakert", "--date", "2020-11-21", "--json"]) == 0
    items = json.loads(capsys.readouterr().out)
    flow = next(i for i in items if i["observation"]["kind"] == "flow")
    assert len(flow["facts"]) == 3
    assert {f["rule"]["id"] for f in flow["facts"]} == {"returnees.returned",
                                                       "returnees.increase"}


def test_explain_unknown_id(seed_built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "Fnope", "--build", str(seed_built)]) == 1
    assert "error A002 no fact, observation or finding 'Fnope'" in capsys.readouterr().err


@pytest.fixture
def verified_project(tmp_path: Path) -> Path:
    """The example with a project rate table, built: everything verify must watch."""
    project = tmp_path / "karabakh-returns"
    copy_example(project)
    (project / "rates").mkdir()
    (project / "rates" / "field.csv").write_text(
        "date,currency,per_usd,source\n2020-11-26,AMD,508.12,Field office copy of the CBA "
        "rate\n", "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    return project


def test_verify_passes_on_a_fresh_build(verified_project: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(verified_project / "build")]) == 0
    assert "a rebuild from the inputs reproduces every output" in capsys.readouterr().out


def _replace_in(project: Path, name: str, old: str, new: str) -> str:
    path = project / name
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")
    return f"input {name}: changed since the build"


def _edit_source(project: Path) -> str:
    return _replace_in(project, "sources/feed-2020-11-25.txt", "1,970", "1,971")


def _edit_rule(project: Path) -> str:
    return _replace_in(project, "rules/schools.yaml", "reopened|", "reopened|reopen|")


def _edit_rate(project: Path) -> str:
    return _replace_in(project, "rates/field.csv", "508.12", "508.13")


def _edit_workbook_cell(project: Path) -> str:
    path = project / "build" / "ledger.xlsx"
    workbook = load_workbook(path)
    workbook["Facts"]["F2"] = 999
    workbook.save(path)
    return "output ledger.xlsx: edited after the build"


def _delete_fact_row(project: Path) -> str:
    path = project / "build" / "facts.csv"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[:2] + lines[3:]), "utf-8")
    return "output facts.csv: edited after the build"


@pytest.mark.parametrize("tamper", [_edit_source, _edit_rule, _edit_rate, _edit_workbook_cell,
                                    _delete_fact_row])
def test_verify_fails_naming_the_tampered_file(verified_project: Path, tamper: object,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    expected = tamper(verified_project)  # type: ignore[operator]
    assert main(["verify", str(verified_project / "build")]) == 1
    err = capsys.readouterr().err
    assert expected in err
    assert "FAILED" in err


def test_diff_lists_exactly_the_new_and_changed_observations(
        seed_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    needs_shared(SEED)
    assert main(["build", str(seed_project), "--out", str(tmp_path / "old"), "-q"]) == 0
    (seed_project / "sources" / "extra.txt").write_text(
        "Twenty-three posts now operate in Nagorno-Karabakh, the command said.\n\n"
        "Some 40 people were killed in Martuni.\n", "utf-8")
    with (seed_project / "sources" / "sources.csv").open("a", encoding="utf-8") as handle:
        handle.write("extra.txt,2020-11-21,Other Desk,,en,Extra\n")
    assert main(["build", str(seed_project), "--out", str(tmp_path / "new"), "-q"]) == 0
    capsys.readouterr()
    assert main(["diff", str(tmp_path / "old"), str(tmp_path / "new"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    added = [(o["indicator"], o["place"], o["value"]) for o in result["observations"]["added"]]
    changed = [(c["observation"]["indicator"], sorted(c["changes"]))
               for c in result["observations"]["changed"]]
    assert added == [("killed", "Martuni", "40")]
    assert changed == [("observation_posts", ["fact_ids", "n_sources"])]
    assert result["observations"]["removed"] == []


def test_strict_fails_on_warnings_but_writes_the_outputs(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "example"
    copy_example(project)
    assert main(["build", str(project), "-q"]) == 0
    assert main(["build", str(project), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "sources/wire-2020-11-25.md:11:20: warning conflict peacekeepers" in err
    assert "--strict: 1 warning; failing the build" in err
    assert (project / "build" / "facts.csv").is_file()


def test_json_and_github_formats(make_project: MakeProject,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    text = (BAD_RULES / "unknown-key.yaml").read_text("utf-8")
    project = make_project({"sources/feed.txt": FEED, "rules/r.yaml": text})
    assert main(["build", str(project), "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["summary"]["exit_code"] == 1
    assert {"file": "rules/r.yaml", "line": 7, "col": 5, "severity": "error", "code": "R002",
            "message": "unknown key 'patern' (did you mean 'patterns'?)"} in report["diagnostics"]
    assert main(["build", str(project), "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert (f"::error file={project}/rules/r.yaml,line=7,col=5,title=R002::unknown key "
            "'patern' (did you mean 'patterns'?)") in out.splitlines()
