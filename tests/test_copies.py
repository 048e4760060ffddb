"""Copies of one text are one source of evidence: a corpus built twice over, under other names
and publishers, gives the same points and no new conflict."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import SHARED, MakeProject, needs_shared

from ledger.build import BuildResult, build
from ledger.copies import find_copies
from ledger.sources import Document, Segment


def _doc(path: str, text: str) -> Document:
    return Document(path=path, file_sha256="", text=text, published=None, published_at=None,
                    date_origin="", segments=[Segment(0, len(text), None)])


def test_wire_copies_and_rewrites_are_told_apart() -> None:
    story = ("Some 1,200 people returned to the city over the past day, the command said. "
             "Since the ceasefire more than 9,500 residents have come back, and schools in "
             "three districts reopened on Monday with help from aid groups. ") * 3
    docs = [_doc("wire.txt", story),
            _doc("repost.txt", "AGGREGATOR NEWS - " + story + " Read more stories."),
            _doc("other.txt", "The river flooded four villages and 300 families left their "
                              "homes, officials said on Tuesday. " * 4)]
    copies = find_copies(docs)
    assert copies.clusters == [["repost.txt", "wire.txt"]]
    assert copies.of("wire.txt") == copies.of("repost.txt") != copies.of("other.txt")


def test_similarities_counted_before_are_taken_and_new_ones_kept() -> None:
    """A rebuild passes what the last build counted: only pairs with a changed text are
    counted again (the pair's key is the two texts' sha256, so a changed text is a new pair)."""
    story = ("Some 1,200 people returned to the city over the past day, the command said. "
             "Schools in three districts reopened on Monday with help from aid groups. ") * 3
    docs = [_doc("wire.txt", story), _doc("repost.txt", "NEWS - " + story + " More.")]
    measured: dict[tuple[str, str], float] = {}
    assert find_copies(docs, measured=measured).clusters == [["repost.txt", "wire.txt"]]
    pair = tuple(sorted(d.text_sha256 for d in docs))
    assert list(measured) == [pair] and measured[pair] >= 0.7
    measured[pair] = 0.1  # taken as counted: no exact count again
    assert find_copies(docs, measured=measured).clusters == []


def _edited(words: list[str], *positions: int) -> list[str]:
    return [f"edit{n}" if n in positions else word for n, word in enumerate(words)]


def test_a_rebuild_compares_only_what_changed_and_finds_what_a_full_comparison_finds() -> None:
    """A chain of edits: `b` is a copy of `a` and `c` of `b`, but `c` is no copy of `a`. The
    clusters an earlier build kept give, after documents come and go, what comparing every
    pair gives: a cluster splits when the link between its ends goes, and joins when it
    comes back."""
    a = [f"word{n}" for n in range(100)]
    b, c = _edited(a, 20, 60), _edited(a, 20, 60, 40, 80)
    chain = [_doc("a.txt", " ".join(a)), _doc("b.txt", " ".join(b)), _doc("c.txt", " ".join(c))]
    whole = find_copies(chain)
    assert whole.clusters == [["a.txt", "b.txt", "c.txt"]]
    assert whole.similarity.get(("a.txt", "c.txt")) is None  # in the cluster through b
    for changed in ([chain[0], chain[2]],  # the link goes: two documents alone
                    [chain[0], _doc("b.txt", "Another text entirely, about a river. " * 9),
                     chain[2]],  # the link changes
                    [*chain, _doc("d.txt", " ".join(_edited(c, 90)))]):  # one more copy
        again = find_copies(changed, earlier=whole.kept())
        full = find_copies(changed)
        assert (again.clusters, again.similarity, again.kept()) == (
            full.clusters, full.similarity, full.kept())
    apart = find_copies([chain[0], chain[2]])
    assert apart.clusters == []
    joined = find_copies(chain, earlier=apart.kept())  # the link comes back
    assert joined.clusters == whole.clusters and joined.kept() == whole.kept()


def _daily_report(day: int) -> str:
    """One of a series of daily reports written from one template: the frame is shared, the
    figures of the day are not (one in about every seventeen words)."""
    return (f"Situation report {day}. As of this morning {1000 + day * 13} people were staying "
            "in collective centres across the region, and partners continued water trucking "
            f"to {20 + day} sites. Health teams held {day * 7 + 3} consultations at mobile "
            "clinics in the northern districts, most of them for respiratory infections and "
            f"injuries. Hygiene kits reached {day * 41 + 9} families, and three more "
            "trucks crossed into the area through the main checkpoint during the day. Schools "
            f"in {day % 9 + 2} towns stayed closed, and {day * 11 + 5} teachers were reported "
            "displaced with their families. The next report will be issued tomorrow by the "
            "coordination office, which thanks every partner for the figures shared today.")


def test_a_series_from_one_template_is_not_counted_pair_by_pair() -> None:
    """Daily reports from one template share their frame but are no copies: their signatures
    tell them apart, so few of their pairs are counted exactly, while a re-post in the
    series is still found."""
    docs = [_doc(f"report-{day:02}.txt", _daily_report(day)) for day in range(1, 41)]
    docs.append(_doc("repost-07.txt", "FROM OUR PARTNERS: " + _daily_report(7)))
    measured: dict[tuple[str, str], float] = {}
    copies = find_copies(docs, measured=measured)
    assert copies.clusters == [["report-07.txt", "repost-07.txt"]]
    pairs = len(docs) * (len(docs) - 1) // 2
    assert len(measured) < pairs // 20

def _points(result: BuildResult) -> set[tuple[str, str, str, str, float]]:
    return {(o.indicator, o.place, o.kind, o.as_of, o.value) for o in result.observations}


def _conflicts(result: BuildResult) -> set[tuple[str, str]]:
    return {(f.code, f.observation_id) for f in result.findings
            if f.code in ("conflict", "disputed")}


@pytest.mark.parametrize("corpus", ["seed", "corpus", "corpus2"])
def test_a_copy_of_every_document_changes_no_point(tmp_path: Path, corpus: str) -> None:
    folder = SHARED / corpus
    needs_shared(folder / "sources.csv")
    once, twice = tmp_path / "once", tmp_path / "twice"
    for project in (once, twice):
        (project / "sources").mkdir(parents=True)
    with (folder / "sources.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        for project in (once, twice):
            shutil.copy(folder / row["path"], project / "sources")
        shutil.copy(folder / row["path"], twice / "sources" / f"copy-{row['path']}")
    columns = list(rows[0])
    copied = [{**row, "path": f"copy-{row['path']}", "publisher": "A re-posting aggregator"}
              for row in rows]
    for project, listed in ((once, rows), (twice, rows + copied)):
        with (project / "sources" / "sources.csv").open("w", encoding="utf-8",
                                                        newline="") as handle:
            writer = csv.DictWriter(handle, columns)
            writer.writeheader()
            writer.writerows(listed)
    first, second = build(once, None, jobs=1), build(twice, None, jobs=1)
    assert _points(second) == _points(first)
    assert _conflicts(second) <= _conflicts(first)
    copies = find_copies(second.documents)
    assert all(copies.of(row["path"]) == copies.of(f"copy-{row['path']}") for row in rows)
    assert any(f.code == "copies" for f in second.findings)


def test_copies_sheet_lists_the_copies(make_project: MakeProject) -> None:
    text = ("More than 1,100 people returned to Stepanakert over the past day, the command "
            "said in its daily bulletin on the situation in the region.\n")
    project = make_project({"sources/a.txt": text, "sources/b.txt": text,
                            "sources/sources.csv": "path,published,publisher\n"
                                                   "a.txt,2020-11-21,Wire\nb.txt,2020-11-21,Blog\n"})
    result = build(project, None)
    (observation,) = result.observations
    assert observation.n_sources == 2 and observation.independent_sources == 1
    from openpyxl import load_workbook

    sheet = load_workbook(result.out / "ledger.xlsx")["Copies"]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2)] == [
        ["a.txt", "a.txt", "Wire", None], ["a.txt", "b.txt", "Blog", 1.0]]
