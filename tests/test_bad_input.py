"""Bad input gives a clear error naming the file (and line), exit code 1, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import MakeProject

from ledger.cli import main

FEED = "• 10:00\n\nMore than 1,100 people returned to Stepanakert over the past day.\n"
BAD_RULES = Path(__file__).parent / "fixtures" / "bad-rules"

# each fixture in tests/fixtures/bad-rules/ with the message it must give
RULE_FILE_MESSAGES = {
    "unknown-key": "7:5: error R002 unknown key 'patern' (did you mean 'patterns'?)",
    "yaml-syntax": "4:1: error R001 invalid YAML: expected ',' or ']', but got '<stream end>'",
    "duplicate-key": "3:5: error R001 duplicate key 'id'",
    "unknown-unit": "4:5: error R002 unit: unknown unit 'persn' (see ledger/data/units.txt)",
    "bad-kind": "5:5: error R002 kind: Input should be 'stock', 'flow', 'plan' or 'rate'",
    "unknown-block": "6:16: error R003 pattern: unknown block {quantty} (did you mean "
                     "{quantity}?)",
    "invalid-re2": "7:9: error R003 pattern is not valid RE2: missing ) in '{quantity} (people'",
    "lookbehind": "7:9: error R003 pattern is not valid RE2: invalid perl operator: (?<= in "
                  "'(?<=x){quantity} people'",
    "no-figure": "7:9: error R003 pattern: a pattern needs {quantity} or {money}: the figure "
                 "it extracts",
    "no-negative-example": "7:5: error R002 examples: needs at least one example that must "
                           "not match (`expect: none`)",
    "bad-expect": "8:58: error R002 unknown key 'colour'; known keys: value, indicator, "
                  "qualifier, high, unit, kind, place, period, period_start, stated_usd",
}


def test_every_fixture_has_its_message() -> None:
    fixtures = {p.stem for p in BAD_RULES.glob("*.yaml")} - {"failing-example"}
    assert fixtures == set(RULE_FILE_MESSAGES)


@pytest.mark.parametrize("command", ["build", "check"])
@pytest.mark.parametrize("name", sorted(RULE_FILE_MESSAGES))
def test_bad_rule_file_is_reported_at_its_line(make_project: MakeProject, name: str,
                                                command: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = (BAD_RULES / f"{name}.yaml").read_text("utf-8")
    project = make_project({"sources/feed.txt": FEED, f"rules/{name}.yaml": text})
    assert main([command, str(project)]) == 1
    err = capsys.readouterr().err
    assert f"rules/{name}.yaml:{RULE_FILE_MESSAGES[name]}" in err.splitlines(), err
    assert not (project / "build").exists()


def test_non_utf8_source_names_file_line_and_column(make_project: MakeProject,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/ok.txt": FEED,
                            "sources/legacy.txt": "first line\ncaf\xe9".encode("latin-1")})
    assert main(["build", str(project)]) == 1
    err = capsys.readouterr().err
    assert ("sources/legacy.txt:2:4: error S002 not valid UTF-8 at byte 14; name its encoding "
            "(cp1251, koi8-r, ...) in the catalogue's 'encoding' column") in err


def test_catalogue_encoding_column_reads_a_legacy_russian_source(
        make_project: MakeProject) -> None:
    project = make_project({
        "sources/sources.csv": "path,published,encoding\nru.txt,2020-11-21,cp1251\n",
        "sources/ru.txt": "Степанакерт: 1,100 people returned to Stepanakert.\n".encode("cp1251"),
    })
    assert main(["build", str(project), "-q"]) == 0
    assert "Stepanakert" in (project / "build" / "facts.csv").read_text("utf-8")


def test_missing_sources_folder(make_project: MakeProject,
                                capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"ledger.toml": "title = 'x'\n"})
    assert main(["build", str(project)]) == 1
    assert ("sources: error S001 sources folder not found: a project keeps its documents in "
            "PROJECT/sources/") in capsys.readouterr().err


def test_catalogue_row_naming_a_missing_file(make_project: MakeProject,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2020-11-21\n"
                                                   "gone.txt,2020-11-22\n"})
    assert main(["build", str(project)]) == 1
    assert ("sources/sources.csv:3: error S003 row names 'gone.txt', which is not in sources/"
            in capsys.readouterr().err)


def test_catalogue_date_that_is_not_iso(make_project: MakeProject,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,21/11/2020\n"})
    assert main(["build", str(project)]) == 1
    assert ("sources/sources.csv:2: error S004 published date '21/11/2020' of 'feed.txt' is not "
            "an ISO 8601 date (YYYY-MM-DD)") in capsys.readouterr().err


def test_config_unknown_key_and_bad_value(make_project: MakeProject,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "ledger.toml": "titel = 'x'\npolicy = 'newest'\n"})
    assert main(["build", str(project)]) == 1
    err = capsys.readouterr().err
    assert "ledger.toml:1: error P001 unknown key 'titel' (did you mean 'title'?)" in err
    assert ("ledger.toml:2: error P001 policy: Input should be 'latest', 'conservative' or "
            "'priority'") in err


def test_missing_project(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build", str(tmp_path / "nowhere")]) == 1
    assert "error P002 project folder not found" in capsys.readouterr().err


def test_bad_input_keeps_the_previous_build(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    (project / "rules").mkdir()
    (project / "rules" / "bad.yaml").write_text("rules: [\n", encoding="utf-8")
    assert main(["build", str(project), "-q"]) == 1
    after = {p.name: p.read_bytes() for p in (project / "build").iterdir()}
    assert after == before


def test_broken_link_in_sources_is_an_error(make_project: MakeProject,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    (project / "sources" / "gone.txt").symlink_to(project / "nowhere.txt")
    assert main(["build", str(project)]) == 1
    assert ("sources/gone.txt: error S007 broken link: the file it points to is gone"
            in capsys.readouterr().err)


def test_output_inside_sources_is_refused(make_project: MakeProject,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/feed.txt": FEED})
    assert main(["build", str(project), "--out", str(project / "sources" / "out")]) == 1
    assert "the output folder cannot be inside sources/" in capsys.readouterr().err
    assert not (project / "sources" / "out").exists()
