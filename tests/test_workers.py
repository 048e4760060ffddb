"""Reading on every core: a build on two processes writes the bytes one process writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import copy_example

from ledger import build as build_module
from ledger.build import build
from ledger.cli import main
from ledger.outfolder import OUTPUT_NAMES
from ledger.workers import MIN_DOCUMENTS_PER_JOB


def test_two_processes_write_the_bytes_of_one(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "BACKGROUND_WORKBOOK_FACTS", 1)  # the workbook beside
    monkeypatch.setattr(build_module, "EARLY_COPIES", 1)  # and the copies
    project = tmp_path / "many"
    copy_example(project, "sources.csv")
    sources = project / "sources"
    originals = sorted(p for p in sources.iterdir() if p.is_file())
    for copy in range(3):  # enough documents that two processes share them
        for path in originals:
            shutil.copy(path, sources / f"copy{copy}-{path.name}")
    assert len(list(sources.iterdir())) >= 2 * MIN_DOCUMENTS_PER_JOB
    one = build(project, tmp_path / "one", jobs=1, use_cache=False)
    two = build(project, tmp_path / "two", jobs=2, use_cache=False)
    assert len(one.facts) == len(two.facts) > 0
    names = sorted(p.name for p in (tmp_path / "one").iterdir())
    assert set(OUTPUT_NAMES) < set(names)  # the HTML pages too
    assert names == sorted(p.name for p in (tmp_path / "two").iterdir())
    for name in names:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes(), (
            name)


def test_a_failure_in_the_background_workbook_fails_the_build_and_keeps_the_outputs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = tmp_path / "example"
    copy_example(project)
    assert main(["build", str(project), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir()}

    def broken(*args: object) -> bytes:
        raise OSError("the disk is full")

    monkeypatch.setattr(build_module, "BACKGROUND_WORKBOOK_FACTS", 1)
    monkeypatch.setattr(build_module, "write_workbook", broken)
    # a full disk there is told as here: O002, bad input (exit 1), the outputs unchanged
    assert main(["build", str(project), "-q", "--jobs", "2", "--no-cache"]) == 1
    assert "the disk is full" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir()} == before
