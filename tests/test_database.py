"""`ledger.sqlite`: the same rows as the CSV files, typed and indexed, a full-text index over
the quotes, and the same bytes from the same input."""

from __future__ import annotations

import csv
import sqlite3
from pathlib import Path

from conftest import MakeProject

from ledger.build import BuildResult, build


def _count(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def test_the_database_holds_what_the_csv_files_hold(example_build: BuildResult) -> None:
    db = sqlite3.connect(example_build.out / "ledger.sqlite")
    for table, name in (("facts", "facts.csv"), ("observations", "observations.csv"),
                        ("findings", "findings.csv"), ("unread", "unread.csv")):
        (rows,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        assert rows == _count(example_build.out / name), table
    (documents,) = db.execute("SELECT count(*) FROM sources").fetchone()
    assert documents == len(example_build.documents)
    found = db.execute("SELECT f.value, f.source FROM facts_text JOIN facts f USING (fact_id) "
                       "WHERE facts_text MATCH 'peacekeepers' ORDER BY f.value").fetchall()
    assert (1960.0, "wire-2020-11-25.md") in found
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(facts)")}
    assert (types["value"], types["char_start"], types["as_of"]) == ("REAL", "INTEGER", "TEXT")


def test_the_database_is_the_same_bytes_for_the_same_input(make_project: MakeProject,
                                                           tmp_path: Path) -> None:
    project = make_project({"sources/a.txt": "Some 1,300 people fled. The EU gave €4m.\n",
                            "sources/sources.csv": "path,published\na.txt,2024-05-04\n"})
    one, two = build(project, tmp_path / "one"), build(project, tmp_path / "two")
    assert (one.out / "ledger.sqlite").read_bytes() == (two.out / "ledger.sqlite").read_bytes()
