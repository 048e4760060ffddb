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


def test_many_documents_are_read_beside_the_building_process_even_with_one_job(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """From `RELEASE_AFTER_DOCUMENTS` on, one job reads in one forked worker: the building
    process then holds the figures it is sent, not what reading leaves in memory."""
    import os

    from ledger import workers

    project = tmp_path / "many"
    copy_example(project, "sources.csv")
    sources = project / "sources"
    for copy in range(2):
        for path in sorted(p for p in sources.iterdir() if p.is_file()):
            shutil.copy(path, sources / f"copy{copy}-{path.name}")
    log = tmp_path / "readers.log"
    original = workers._read

    def logging(documents: list, *args: object) -> object:  # type: ignore[type-arg]
        with log.open("a") as handle:  # forked workers write here too
            handle.write(f"{os.getpid()} {len(documents)}\n")
        return original(documents, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(workers, "_read", logging)
    monkeypatch.setattr(workers, "RELEASE_AFTER_DOCUMENTS", 4)
    beside = build(project, tmp_path / "beside", jobs=1, use_cache=False)
    readers = [tuple(map(int, line.split())) for line in log.read_text().splitlines()]
    here = sum(n for pid, n in readers if pid == os.getpid())
    assert here == 1 and {pid for pid, _ in readers} - {os.getpid()}  # the first one only
    monkeypatch.setattr(workers, "RELEASE_AFTER_DOCUMENTS", 10**6)
    inside = build(project, tmp_path / "inside", jobs=1, use_cache=False)
    for name in OUTPUT_NAMES:
        assert (tmp_path / "beside" / name).read_bytes() == (
            tmp_path / "inside" / name).read_bytes(), name
    assert len(beside.facts) == len(inside.facts) > 0


def test_texts_set_aside_after_reading_give_the_same_outputs_and_documents(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build of many documents keeps their texts on disk once they are read: the outputs,
    and the texts the result's documents give, are what they are with the texts in memory."""
    import pickle

    project = tmp_path / "example"
    copy_example(project)
    kept = build(project, tmp_path / "kept", use_cache=False)
    monkeypatch.setattr(build_module, "RELEASE_AFTER_DOCUMENTS", 1)
    aside = build(project, tmp_path / "aside", use_cache=False)
    assert all("text" not in d.__dict__ for d in aside.documents if not d.tables)  # on disk
    names = sorted(p.name for p in (tmp_path / "kept").iterdir())
    assert set(OUTPUT_NAMES) < set(names)  # the HTML pages too
    assert names == sorted(p.name for p in (tmp_path / "aside").iterdir())
    for name in names:
        assert (tmp_path / "kept" / name).read_bytes() == (
            tmp_path / "aside" / name).read_bytes(), name
    for before, after in zip(kept.documents, aside.documents, strict=True):
        assert after.text == before.text and after == before
        assert pickle.loads(pickle.dumps(after)).text == before.text


def test_texts_stay_in_memory_when_the_disk_cannot_take_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger.blobs import TextStore

    def full(self: TextStore) -> None:
        raise OSError(28, "No space left on device")

    project = tmp_path / "example"
    copy_example(project)
    monkeypatch.setattr(build_module, "RELEASE_AFTER_DOCUMENTS", 1)
    monkeypatch.setattr(TextStore, "flush", full)
    result = build(project, tmp_path / "out", use_cache=False)
    assert all("text" in d.__dict__ and d.text for d in result.documents)  # still in memory
    assert (tmp_path / "out" / "index.html").is_file()
