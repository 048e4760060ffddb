"""Stable identities: an edit of one figure changes that figure's fact and observation and
nothing else, so `ledger diff` reports exactly what changed; findings read in plain words."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import SEED, MakeProject, needs_shared

from ledger.audit import diff, load_build
from ledger.build import build

FEED = """• 16:13

More than 1,100 people returned to Stepanakert over the past day.

• 12:00

Some 1,960 Russian peacekeepers are deployed in Nagorno-Karabakh.

In Martuni, 23 posts were set up and 40 tonnes of flour arrived.
"""


def _changed(old: Path, new: Path) -> dict[str, list[object]]:
    result = diff(load_build(old), load_build(new))
    return {kind: result["observations"][kind] for kind in ("added", "removed", "changed")}


def test_changing_one_number_changes_one_observation(make_project: MakeProject,
                                                     tmp_path: Path) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2020-11-21\n"})
    before = build(project, tmp_path / "old")
    (project / "sources" / "feed.txt").write_text(
        FEED.replace("1,960", "1,970").replace("• 16:13", "• 16:14"), "utf-8")
    after = build(project, tmp_path / "new")
    changed = _changed(tmp_path / "old", tmp_path / "new")
    assert changed["added"] == [] and changed["removed"] == []
    assert [c["observation"]["value"] for c in changed["changed"]] == ["1970"]  # type: ignore[index]
    kept = {f.fact_id for f in before.facts} & {f.fact_id for f in after.facts}
    assert len(kept) == len(before.facts) - 1  # the other facts keep their ids


def test_changing_one_number_of_the_seed_changes_one_observation(tmp_path: Path) -> None:
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    project = tmp_path / "seed"
    (project / "sources").mkdir(parents=True)
    shutil.copy(SEED / "sources.csv", project / "sources")
    text = (SEED / "000_cc935aa015bef0f5.txt").read_text("utf-8")
    (project / "sources" / "000_cc935aa015bef0f5.txt").write_text(text, "utf-8")
    build(project, tmp_path / "old")
    assert "Overall, 1,960 Russian" in text
    (project / "sources" / "000_cc935aa015bef0f5.txt").write_text(
        text.replace("Overall, 1,960 Russian", "Overall, 1,970 Russian"), "utf-8")
    build(project, tmp_path / "new")
    changed = _changed(tmp_path / "old", tmp_path / "new")
    assert changed["added"] == [] and changed["removed"] == []
    assert len(changed["changed"]) == 1
    result = diff(load_build(tmp_path / "old"), load_build(tmp_path / "new"))
    assert result["findings"] == {"added": [], "removed": []}


def test_findings_write_numbers_as_a_report_does(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "About 1,450,000 people were displaced in the region.\n",
        "sources/b.txt": "Some 49,000 people were displaced in the region.\n",
        "sources/sources.csv": "path,published\na.txt,2020-11-21\nb.txt,2020-11-21\n"})
    result = build(project, None)
    conflict = next(f for f in result.findings if f.code == "conflict")
    assert "1,450,000" in conflict.message and "e+0" not in conflict.message
    assert "(+2,859 %)" in conflict.message
