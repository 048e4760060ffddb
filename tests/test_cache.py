"""Incremental builds: a rebuild with nothing changed writes nothing and reads nothing again;
after one document changed only that document is read, and the outputs are the bytes of a
cold build; a damaged, edited or foreign cache is never trusted."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest
import re2
from conftest import copy_example

from ledger import build as build_module
from ledger.build import build
from ledger.cli import main
from ledger.diagnostics import LedgerError
from ledger.rules import LazyPattern, compile_pattern, trust_patterns


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "karabakh"
    copy_example(root)
    return root


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def _reading(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The documents each build reads from scratch, recorded."""
    read: list[str] = []
    original = build_module.read_figures

    def recording(documents: list, *args: object, **kwargs: object) -> object:  # type: ignore[type-arg]
        read.extend(d.path for d in documents)
        return original(documents, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(build_module, "read_figures", recording)
    return read


def test_a_rebuild_with_nothing_changed_reads_and_writes_nothing(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = build(project, None)
    before = _outputs(first.out)
    stamps = {p.name: p.stat().st_mtime_ns for p in first.out.iterdir()}

    def no_build(*args: object) -> None:
        raise AssertionError("a rebuild with nothing changed must not build again")

    monkeypatch.setattr(build_module, "_build", no_build)
    again = build(project, None)
    assert _outputs(again.out) == before
    assert {p.name: p.stat().st_mtime_ns for p in again.out.iterdir()} == stamps
    assert len(again.facts) == len(first.facts) and again.out == first.out


def test_a_rebuild_with_nothing_changed_loads_its_lists_only_when_asked_for(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger import cache as cache_module
    from ledger.cache import BuildCache

    monkeypatch.setattr(cache_module, "KEPT_CHUNK", 3)  # the lists kept in many parts
    first = build(project, None)
    loads: list[str] = []
    original = BuildCache.load_result

    def recording(self: BuildCache, key: str) -> object:
        loads.append(key)
        return original(self, key)

    monkeypatch.setattr(BuildCache, "load_result", recording)
    again = build(project, None)
    assert again.summary == first.summary and not loads  # the counts come without the lists
    assert again.read_share == first.read_share and again.diagnostics == first.diagnostics
    assert [f.fact_id for f in again.facts] == [f.fact_id for f in first.facts]
    assert again.observations == first.observations and again.unread == first.unread
    assert len(loads) == 1  # every list in one load
    stale = build(project, None)
    (project / "sources" / "note.txt").write_text("On 3 March 2021 some 40 families "
                                                   "returned to Lachin.\n", "utf-8")
    build(project, None)  # another build keeps its own result
    with pytest.raises(LedgerError) as raised:
        _ = stale.facts
    assert raised.value.diagnostics[0].code == "B002"


def test_after_one_change_only_that_document_is_read_and_the_bytes_are_a_cold_builds(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(project, None)
    feed = project / "sources" / "feed-2020-11-25.txt"
    feed.write_text(feed.read_text("utf-8").replace("1,970", "1,975"), "utf-8")
    read = _reading(monkeypatch)
    articles = _articles_rendered(monkeypatch)
    warm = build(project, None, jobs=2)  # the one document read in a process of its own
    assert read == ["feed-2020-11-25.txt"]
    assert 0 < len(articles) < len(warm.observations)  # the others were kept from the last build
    cold = build(project, project / "cold", use_cache=False)
    assert _outputs(warm.out) == _outputs(cold.out)
    assert any(f.value == 1975 for f in warm.facts)


def _articles_rendered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The observations whose HTML article each build renders, recorded."""
    rendered: list[str] = []
    original = jinja2.Template.render

    def recording(self: jinja2.Template, *args: object, **kwargs: object) -> str:
        observation = kwargs.get("o")
        if observation is not None:
            rendered.append(observation.observation_id)  # type: ignore[attr-defined]
        return original(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", recording)
    return rendered


def _touch_catalogue(project: Path) -> None:
    """A new byte in the catalogue: the build runs again, every document's figures key holds."""
    catalogue = project / "sources" / "sources.csv"
    catalogue.write_text(catalogue.read_text("utf-8") + "\n", "utf-8")


def test_a_damaged_or_foreign_cache_is_rebuilt_not_trusted(
        project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reference = _outputs(build(project, None).out)
    entries = sorted((project / ".ledger" / "figures").glob("*/*"))
    assert len(entries) == 4
    damaged = bytearray(entries[0].read_bytes())
    damaged[-1] ^= 0xFF
    entries[0].write_bytes(bytes(damaged))
    _touch_catalogue(project)
    read = _reading(monkeypatch)
    rebuilt = _outputs(build(project, None).out)
    assert len(read) == 1  # the damaged entry alone was read again
    hashed = ("manifest.json", "ledger.xlsx")  # they list the catalogue's new sha256
    assert {k: v for k, v in rebuilt.items() if k not in hashed} == {
        k: v for k, v in reference.items() if k not in hashed}
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "someone-else"))
    _touch_catalogue(project)
    read.clear()
    build(project, None)
    assert len(read) == 4  # sealed with another user's key: nothing trusted


def test_an_edited_rule_file_reads_every_document_again(project: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build(project, None)
    rule = next((project / "rules").glob("*.yaml"))
    rule.write_text(rule.read_text("utf-8") + "\n# reviewed\n", "utf-8")
    read = _reading(monkeypatch)
    build(project, None)
    assert len(read) == 4


def test_no_cache_builds_cold_and_leaves_the_cache_alone(project: Path,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    assert main(["build", str(project), "-q", "--no-cache"]) == 0
    assert not (project / ".ledger").exists()
    assert main(["build", str(project), "-q"]) == 0
    read = _reading(monkeypatch)
    assert main(["build", str(project), "-q", "--no-cache"]) == 0
    assert len(read) >= 4
    assert os.listdir(project / ".ledger")


def test_patterns_an_earlier_build_compiled_are_compiled_when_first_used() -> None:
    """A rebuild trusts the patterns its cache says RE2 accepted and compiles each when a
    document needs it; a pattern never seen is still compiled (and refused) at once."""
    known = r"(?P<count>\d+)\s+(?:tents|tarpaulins)\s+(?:reached|arrived)"
    trust_patterns({known})
    lazy = compile_pattern(known)
    assert isinstance(lazy, LazyPattern)
    assert lazy.search("yesterday 40 tents arrived").group("count") == "40"
    with pytest.raises(re2.error):
        compile_pattern(r"(?P<count>\d+\s+(?:blankets")  # never compiled: checked now


def test_the_result_kept_beside_the_rendering_is_reused_only_after_its_build_succeeded(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_module, "BACKGROUND_WORKBOOK_FACTS", 1)  # workbook and result beside
    first = build(project, None, jobs=2)
    feed = project / "sources" / "feed-2020-11-25.txt"
    original = feed.read_text("utf-8")
    feed.write_text(original.replace("1,970", "1,975"), "utf-8")

    def failing(*args: object) -> bytes:
        raise OSError("the disk is full")

    with monkeypatch.context() as failure:  # fails after the background kept its result
        failure.setattr(build_module, "render_datapackage", failing)
        with pytest.raises(OSError):
            build(project, None, jobs=2)
    feed.write_text(original, "utf-8")  # the first build's files again, outputs untouched
    again = build(project, None, jobs=2)
    assert not any(f.value == 1975 for f in again.facts)  # the failed build's result not taken
    assert _outputs(again.out) == _outputs(first.out)
    feed.write_text(original.replace("1,970", "1,975"), "utf-8")
    changed = build(project, None, jobs=2)

    def no_build(*args: object) -> None:
        raise AssertionError("a rebuild with nothing changed must not build again")

    monkeypatch.setattr(build_module, "_build", no_build)
    kept = build(project, None, jobs=2)
    assert any(f.value == 1975 for f in kept.facts)
    assert (len(kept.facts), len(kept.observations), len(kept.unread)) == (
        len(changed.facts), len(changed.observations), len(changed.unread))


def test_fingerprints_are_kept_by_text_so_a_rule_edit_does_not_redo_them(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ledger import copies as copies_module

    build(project, None)
    made: list[int] = []
    original = copies_module.fingerprint

    def recording(text: str) -> copies_module.Fingerprint:
        made.append(len(text))
        return original(text)

    monkeypatch.setattr(copies_module, "fingerprint", recording)
    rule = next((project / "rules").glob("*.yaml"))
    rule.write_text(rule.read_text("utf-8") + "\n# reviewed\n", "utf-8")
    read = _reading(monkeypatch)
    build(project, None)
    assert len(read) == 4 and made == []  # every document read again, none fingerprinted
    feed = project / "sources" / "feed-2020-11-25.txt"
    feed.write_text(feed.read_text("utf-8").replace("1,970", "1,975"), "utf-8")
    build(project, None)
    assert len(made) == 1  # the changed text alone


def test_fingerprints_made_by_the_copies_process_are_kept(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With copies found by a process of their own, the fingerprints it made are kept, and a
    rebuild keeps them (the building process marks them used before pruning)."""
    monkeypatch.setattr(build_module, "EARLY_COPIES", 1)
    prints = project / ".ledger" / "prints"
    first = build(project, None, jobs=2)
    made = sorted(p.name for p in prints.glob("*/*"))
    assert len(made) == len(first.documents) == 4
    rule = next((project / "rules").glob("*.yaml"))
    rule.write_text(rule.read_text("utf-8") + "\n# reviewed\n", "utf-8")
    build(project, None, jobs=2)
    assert sorted(p.name for p in prints.glob("*/*")) == made
