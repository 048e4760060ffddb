"""Hostile input: YAML bombs, links out of the project, forged manifests.

Each test reproduces an attack a pull request or a careless download could carry, and asserts
that it ends in a clear `file:line` error and exit 1, with nothing read or deleted that the
user did not mean.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MakeProject

from ledger.cli import main

FEED = "• 10:00\n\nMore than 1,100 people returned to Stepanakert over the past day.\n"

# nine levels of nine aliases: a few hundred bytes that expand to 9**9 (387 million) strings
ALIAS_BOMB = "a: &a [lol]\n" + "".join(
    f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi", strict=True))


def _run_limited(args: list[str], memory_bytes: int) -> subprocess.CompletedProcess[str]:
    """Run `ledger ARGS` in a child process whose address space is capped."""
    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))

    return subprocess.run([sys.executable, "-m", "ledger", *args], capture_output=True,
                          text=True, preexec_fn=limit, timeout=120, check=False)


@pytest.mark.parametrize("where", ["rules/bomb.yaml", "decisions.yaml", "rates/xyz.yaml",
                                   "gazetteer.yaml", "parties.yaml"])
def test_alias_bomb_is_refused_under_a_memory_limit(make_project: MakeProject,
                                                    where: str) -> None:
    files = {"sources/feed.txt": FEED, where: ALIAS_BOMB}
    if where.startswith("rates/"):
        files["rates/xyz.csv"] = "date,currency,value\n2020-11-20,XYZ,2.0\n"
    project = make_project(files)
    assert len(ALIAS_BOMB) < 400
    for command in ("check", "build"):
        done = _run_limited([command, str(project)], 3 * 1024**3)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert f"{where}:1:" in done.stderr and "anchors (&name) are not allowed" in done.stderr


def test_deep_nesting_is_an_error_with_its_line(make_project: MakeProject,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "rules/deep.yaml": "rules:\n  - " + "[" * 5000 + "]" * 5000 + "\n"})
    assert main(["check", str(project)]) == 1
    err = capsys.readouterr().err
    assert "rules/deep.yaml:2:" in err and "nesting deeper than 64 levels" in err


@pytest.mark.parametrize("name, text", [
    ("gazetteer.yaml", "places: 7\n"),
    ("gazetteer.yaml", "places:\n  - name: X\n    aliases: {a: b}\n"),
    ("parties.yaml", "conflicts:\n  - name: war\n    sides: [a, b]\n"),
    ("parties.yaml", "- just a list\n"),
])
def test_malformed_gazetteer_or_parties_is_an_error_not_a_traceback(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str], name: str,
        text: str) -> None:
    project = make_project({"sources/feed.txt": FEED, name: text})
    for command in ("check", "build"):
        assert main([command, str(project)]) == 1
        err = capsys.readouterr().err
        assert f"{name}:" in err and "Traceback" not in err and "bug in ledger" not in err


def test_symlink_out_of_the_project_is_refused(make_project: MakeProject, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN 4242424242 people\n", "utf-8")
    project = make_project({"sources/feed.txt": FEED})
    (project / "sources" / "leak.txt").symlink_to(secret)
    assert main(["build", str(project)]) == 1
    err = capsys.readouterr().err
    assert ("sources/leak.txt: error S007 a link that leaves the project folder; pass "
            "--follow-symlinks to read files outside it") in err
    assert not (project / "build").exists()
    assert main(["build", str(project), "--follow-symlinks", "-q"]) == 0
    assert "4242424242" in (project / "build" / "facts.csv").read_text("utf-8")


def test_links_to_proc_and_fifos_are_refused_even_when_following(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    (project / "sources" / "env.txt").symlink_to("/proc/self/environ")
    os.mkfifo(project / "sources" / "pipe.txt")
    assert main(["build", str(project), "--follow-symlinks"]) == 1
    err = capsys.readouterr().err
    assert "sources/env.txt: error S007 points into /proc, which holds no documents" in err
    assert "sources/pipe.txt: error S007 not a regular file" in err


def test_linked_folder_and_rule_file_out_of_the_project_are_refused(
        make_project: MakeProject, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    outside = tmp_path / "outside"
    (outside / "docs").mkdir(parents=True)
    (outside / "docs" / "a.txt").write_text(FEED, "utf-8")
    (outside / "r.yaml").write_text("rules: []\n", "utf-8")
    project = make_project({"sources/feed.txt": FEED})
    (project / "sources" / "more").symlink_to(outside / "docs")
    (project / "rules").mkdir()
    (project / "rules" / "r.yaml").symlink_to(outside / "r.yaml")
    assert main(["check", str(project)]) == 1
    err = capsys.readouterr().err
    assert "rules/r.yaml: error P003 a link that leaves the project folder" in err
    (project / "rules" / "r.yaml").unlink()
    assert main(["build", str(project)]) == 1
    assert "sources/more: error S007 a linked folder that leaves the project folder" in (
        capsys.readouterr().err)


def test_link_inside_the_project_is_read(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED, "archive/old.txt": FEED})
    (project / "sources" / "old.txt").symlink_to(project / "archive" / "old.txt")
    assert main(["build", str(project), "-q"]) == 0
    assert "old.txt" in (project / "build" / "facts.csv").read_text("utf-8")


@pytest.mark.parametrize("path", ["../../etc/passwd", "/etc/passwd", "../feed.txt"])
def test_catalogue_path_that_leaves_sources_is_an_error(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str], path: str) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": f"path,published\n{path},2020-11-21\n"})
    assert main(["build", str(project)]) == 1
    assert (f"sources/sources.csv:2: error S003 path {path!r} leaves the sources folder"
            in capsys.readouterr().err)


def test_forged_manifest_cannot_make_a_build_delete_a_users_file(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    out = project / "build"
    out.mkdir()
    (out / "thesis.docx").write_bytes(b"two years of work")
    forged = {"tool": {"name": "ledger"}, "outputs": [{"path": "thesis.docx", "sha256": "0"}]}
    (out / "manifest.json").write_text(json.dumps(forged), "utf-8")
    assert main(["build", str(project)]) == 1
    assert "thesis.docx" in capsys.readouterr().err
    assert (out / "thesis.docx").read_bytes() == b"two years of work"


def test_an_edited_output_is_not_overwritten(make_project: MakeProject,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    facts = project / "build" / "facts.csv"
    facts.write_text(facts.read_text("utf-8") + "my note\n", "utf-8")
    assert main(["build", str(project)]) == 1
    assert "facts.csv" in capsys.readouterr().err
    assert facts.read_text("utf-8").endswith("my note\n")
