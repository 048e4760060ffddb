"""The build's outputs: the contract's columns, atomic replacement, reproducible bytes,
exit codes, and safety of source text in the workbook and the HTML."""

from __future__ import annotations

import base64
import csv
import hashlib
import json
import re
from pathlib import Path

import pytest
from conftest import MakeProject, html_pages
from openpyxl import load_workbook

from ledger import build as build_module
from ledger.build import BuildResult
from ledger.cli import main

CONTRACT = {
    "facts.csv": "fact_id, source, indicator, value, qualifier, low, high, unit, kind, place, "
                 "as_of, period_start, period_end, currency, value_usd, fx_rate, fx_date, "
                 "fx_source, quote, char_start, char_end, rule_id",
    "observations.csv": "observation_id, indicator, place, kind, unit, as_of, period_start, "
                        "period_end, value, low, high, status, policy, fact_ids, n_sources",
    "findings.csv": "finding_id, severity, code, message, fact_ids",
}
FEED = ("• 10:00\n\nMore than 1,100 people returned to Stepanakert over the past day.\n\n"
        "• 09:00\n\nSome 300 servicemen were deployed to the Lachin corridor.\n")


def _hashes(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("name", sorted(CONTRACT))
def test_outputs_carry_the_contract_columns(example_build: BuildResult, name: str) -> None:
    with (example_build.out / name).open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    required = CONTRACT[name].split(", ")
    assert header[:len(required)] == required


def test_manifest_lists_every_input_and_output_with_sha256(example_build: BuildResult) -> None:
    manifest = json.loads((example_build.out / "manifest.json").read_text("utf-8"))
    assert manifest["schema_version"] == 1 and manifest["tool"]["name"] == "ledger"
    outputs = {o["path"]: o["sha256"] for o in manifest["outputs"]}
    on_disk = _hashes(example_build.out)
    del on_disk["manifest.json"]
    assert outputs == on_disk
    kinds = {i["kind"] for i in manifest["inputs"]}
    assert {"source", "catalogue", "config", "rules", "rates"} <= kinds
    project = example_build.out.parent
    for item in manifest["inputs"]:
        if not item["path"].startswith("ledger:"):
            digest = hashlib.sha256((project / item["path"]).read_bytes()).hexdigest()
            assert digest == item["sha256"], item["path"]


def test_two_builds_give_identical_bytes(make_project: MakeProject, tmp_path: Path) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2020-11-21\n"})
    assert main(["build", str(project), "--out", str(tmp_path / "one"), "-q"]) == 0
    assert main(["build", str(project), "--out", str(tmp_path / "two"), "-q"]) == 0
    assert _hashes(tmp_path / "one") == _hashes(tmp_path / "two")


def test_source_date_epoch_pins_the_workbook_time(make_project: MakeProject, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project({"sources/feed.txt": FEED})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert main(["build", str(project), "-q"]) == 0
    workbook = load_workbook(project / "build" / "ledger.xlsx")
    assert workbook.properties.modified.isoformat() == "2023-11-14T22:13:20"


def test_rebuild_replaces_a_previous_build(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    (project / "sources" / "feed.txt").write_text(FEED.replace("1,100", "1,200"), "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    assert "1200" in (project / "build" / "facts.csv").read_text("utf-8")
    leftovers = [p.name for p in project.iterdir() if p.name.startswith(".build")]
    assert leftovers == []


def test_refuses_to_replace_a_folder_with_other_files(make_project: MakeProject,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED, "notes/todo.txt": "keep me"})
    assert main(["build", str(project), "--out", str(project / "notes")]) == 1
    assert ("refusing to replace a folder that holds files ledger did not write or that were "
            "edited since: todo.txt") in (
        capsys.readouterr().err)
    assert (project / "notes" / "todo.txt").read_text("utf-8") == "keep me"


def test_failure_while_writing_leaves_the_previous_build(make_project: MakeProject,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    before = _hashes(project / "build")

    def broken_workbook(*args: object) -> None:
        raise RuntimeError("disk trouble")

    monkeypatch.setattr(build_module, "write_workbook", broken_workbook)
    assert main(["build", str(project), "-q", "--no-cache"]) == 2
    assert _hashes(project / "build") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == [".ledger"]


def test_hostile_source_text_is_inert(make_project: MakeProject) -> None:
    project = make_project({
        "sources/hostile.txt": "=HYPERLINK(\"http://example.invalid\",\"x\") 12 people were "
                               "killed in Ganja.\n\n<script>alert(1)</script> 40 people were "
                               "killed in Barda.\n",
        "sources/sources.csv": "path,published,url\nhostile.txt,2020-10-11,javascript:alert(1)\n",
    })
    assert main(["build", str(project), "-q"]) == 0
    out = project / "build"
    workbook = load_workbook(out / "ledger.xlsx")
    quotes = [row[20] for row in workbook["Facts"].iter_rows(min_row=2, values_only=True)]
    cells = [c for row in workbook["Facts"].iter_rows(min_row=2) for c in row]
    assert any(str(q).startswith("=HYPERLINK") for q in quotes)
    assert all(c.data_type != "f" for c in cells)
    formula_cell = next(c for c in cells if str(c.value).startswith("=HYPERLINK"))
    assert formula_cell.data_type == "s" and formula_cell.quotePrefix
    html = html_pages(out)
    assert "<script>alert" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "javascript:" not in html
    with (out / "facts.csv").open(encoding="utf-8", newline="") as handle:
        quotes_csv = [row["quote"] for row in csv.DictReader(handle)]
    assert any(q.startswith("'=HYPERLINK") for q in quotes_csv)


def test_html_is_self_contained(example_build: BuildResult) -> None:
    """Every page: a strict policy, no file or request outside itself, and its one inline
    script (sort, filter, search) allowed by the hash of exactly its bytes."""
    pages = sorted(example_build.out.glob("*.html"))
    assert len(pages) > 3
    for page in pages:
        html = page.read_text("utf-8")
        policy = re.search(r'Content-Security-Policy" content="([^"]+)"', html)
        assert policy and "default-src 'none'" in policy[1] and "connect-src" not in policy[1]
        scripts = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
        assert len(scripts) == 1 and html.count("<script") == 1
        digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
        assert f"script-src 'sha256-{digest}'" in policy[1]
        assert "<link" not in html and "@import" not in html and 'src="http' not in html
        assert "fetch(" not in scripts[0] and "XMLHttpRequest" not in scripts[0]
