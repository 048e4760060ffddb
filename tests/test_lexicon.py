"""Reading by grammar: counted things and events from lexicons, a project's own lexicon words,
their validation at `file:line`, and the unread numbers with their reasons."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import MakeProject

from ledger.build import BuildResult, build
from ledger.cli import main
from ledger.lexicon import word_forms

CATALOGUE = "path,published,language\n"


def _build(make_project: MakeProject, files: dict[str, str]) -> BuildResult:
    return build(make_project(files), None)


def _facts(result: BuildResult) -> list[tuple[float, str, str, str]]:
    return [(f.value, f.qualifier, f.unit, f.indicator) for f in result.facts]


def test_counted_things_of_every_family_are_read_without_a_topical_rule(
        make_project: MakeProject) -> None:
    text = ("Our partners reported that some 420 pupils were moved to a safer school. "
            "The convoy of 35 lorries carried 180 tonnes of seed. "
            "Aid workers pitched 60 family tents. Storms destroyed 75 homes. "
            "A 9-member medical team arrived.\n")
    result = _build(make_project, {"sources/a.txt": text,
                                   "sources/sources.csv": CATALOGUE + "a.txt,2024-03-02,en\n"})
    assert [(f.value, f.qualifier, f.unit, f.kind) for f in result.facts] == [
        (420, "approx", "person", "stock"), (35, "exact", "truck", "stock"),
        (180, "exact", "tonne", "stock"), (60, "exact", "tent", "stock"),
        (75, "exact", "house", "stock"), (9, "exact", "person", "stock")]


def test_a_pledge_makes_a_plan_of_goods(make_project: MakeProject) -> None:
    result = _build(make_project, {"sources/a.txt": "The donor promised 500 tonnes of rice. "
                                                    "The ship carried 200 tonnes of rice.\n"})
    assert [(f.value, f.unit, f.kind) for f in result.facts] == [(500, "tonne", "plan"),
                                                                 (200, "tonne", "stock")]


def test_the_nearest_event_word_names_the_indicator(make_project: MakeProject) -> None:
    text = "The quake killed 40 villagers and injured 130 residents, officials said.\n"
    result = _build(make_project, {"sources/a.txt": text})
    assert [(f.value, f.indicator) for f in result.facts] == [(40, "killed"),
                                                              (130, "injured")]


def test_russian_nouns_are_read_in_every_case(make_project: MakeProject) -> None:
    text = ("Волонтёры привезли 12 палаток. Семьи живут в 40 палатках. "
            "Спасатели вывезли около 300 жителей и 25 детей.\n")
    result = _build(make_project, {"sources/r.txt": text,
                                   "sources/sources.csv": CATALOGUE + "r.txt,2024-03-02,ru\n"})
    assert [(f.value, f.unit) for f in result.facts] == [
        (12, "tent"), (40, "tent"), (300, "person"), (25, "person")]
    assert {"палаток", "палатками", "палатке"} <= set(word_forms("палатка", "ru"))


def test_glued_russian_numbers_from_a_scraper_are_read(make_project: MakeProject) -> None:
    text = "На место прибыли более1 200человек и 14грузовиков.\n"
    result = _build(make_project, {"sources/r.txt": text,
                                   "sources/sources.csv": CATALOGUE + "r.txt,2024-03-02,ru\n"})
    assert _facts(result)[:2] == [(1200, "more_than", "person", "arrivals"),
                                  (14, "exact", "truck", "trucks")]


def test_money_is_always_a_figure_but_not_a_wage_or_a_tax(make_project: MakeProject) -> None:
    text = ("The city set aside €3.5m for winter heating. "
            "The guards' wages rose to $400. The tax bill was $90.\n")
    result = _build(make_project, {"sources/a.txt": text})
    assert [(f.value, f.unit) for f in result.facts] == [(3_500_000, "EUR")]
    assert {u.text for u in result.unread} >= {"400", "90"}


def test_a_project_adds_a_counted_thing_without_a_regular_expression(
        make_project: MakeProject) -> None:
    lexicon = """\
language: en
things:
  - unit: item
    family: goods
    indicator: sandbags
    nouns: [sandbags, sand bags]
    examples:
      - {text: "Volunteers filled 2,000 sandbags.", expect: {value: 2000, unit: item}}
      - {text: "Volunteers filled sandbags.", expect: none}
  - unit: person
    family: people
    nouns: [campers]
    examples:
      - {text: "Some 40 campers were moved.", expect: {value: 40, qualifier: approx}}
events:
  sheltered: {words: [sheltered in, took refuge in]}
"""
    text = "Volunteers filled 8,000 sandbags. About 90 campers took refuge in the hall.\n"
    project = make_project({"sources/a.txt": text, "lexicon/floods.yaml": lexicon})
    assert main(["check", str(project)]) == 0
    result = build(project, None)
    assert _facts(result) == [(8000, "exact", "item", "sandbags"),
                              (90, "approx", "person", "sheltered")]
    assert result.facts[0].rule_file == "lexicon/floods.yaml"


@pytest.mark.parametrize("text, message", [
    ("language: en\nthings:\n  - unit: bucket\n    family: goods\n    nouns: [buckets]\n"
     "    examples:\n      - {text: \"9 buckets.\", expect: {value: 9}}\n",
     "lexicon/x.yaml:3:5: error L002 unknown unit 'bucket'"),
    ("language: en\nthings:\n  - unit: item\n    family: goods\n    noun: [buckets]\n",
     "lexicon/x.yaml:5:5: error L002 unknown key 'noun'"),
    ("language: en\nthings:\n  - unit: item\n    family: goods\n    nouns: [buckets]\n"
     "    examples:\n      - {text: \"No buckets.\", expect: none}\n",
     "lexicon/x.yaml:6:5: error L002 things.0.examples: needs at least one example that must "
     "match"),
    ("language: xx\n", "lexicon/x.yaml:1:1: error L002 language: unknown language 'xx'; known: "
                       "en, "),
    ("language: en\nevents:\n  Killed: {words: [slain]}\n",
     "lexicon/x.yaml:3:3: error L002 event 'Killed' is not an indicator name"),
])
def test_a_bad_project_lexicon_is_reported_at_its_line(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str], text: str,
        message: str) -> None:
    project = make_project({"sources/a.txt": "Nothing here.\n", "lexicon/x.yaml": text})
    assert main(["check", str(project)]) == 1
    err = capsys.readouterr().err
    assert message in err, err


def test_unread_numbers_say_why(make_project: MakeProject) -> None:
    text = ("On 12 March 2024 the agency said 45% of wells were dry. Call +41 22 123 4567. "
            "See page 14. The 3rd convoy left at 10:30. About 600 were stuck at the crossing.\n")
    result = _build(make_project, {"sources/a.txt": text})
    reasons = {u.text: u.reason for u in result.unread}
    assert reasons["12"] == "a date or a year"
    assert reasons["2024"] == "a date or a year"
    assert reasons["45"] == "a percentage"
    assert reasons["14"] == "a reference, article or page number"
    assert reasons["3"] == "an ordinal"
    assert reasons["10"] == "a time of day"
    assert reasons["600"] == "no counted thing found"
    likely = [u for u in result.unread if u.likely]
    assert [u.text for u in likely] == ["600"]  # "crossing" is an event word
    assert result.unread[0] == likely[0]  # the likely figures come first


def test_number_words_are_found_at_their_offsets_whatever_the_letters_before(
        make_project: MakeProject) -> None:
    """Number words are searched in lower case; a letter that lowers to two (the Turkish
    capital İ) must not move the offsets of what follows."""
    for lead in ("Izmir office: ", "İzmir office: "):
        text = lead + "Twenty buses stood at the depot and THIRTY more were on the road.\n"
        result = _build(make_project, {"sources/a.txt": text})
        found = {u.text for u in result.unread} | {text[f.char_start:f.char_end]
                                                   for f in result.facts}
        assert {"Twenty", "THIRTY"} <= found, (lead, found)


def test_unread_csv_the_workbook_sheet_and_the_manifest_share(make_project: MakeProject) -> None:
    project = make_project({"sources/a.txt": "Some 300 people fled on 4 May. 20 were hurt.\n"})
    assert main(["build", str(project), "-q"]) == 0
    out = project / "build"
    with (out / "unread.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[:7] == ["source", "value", "text", "char_start", "char_end",
                                 "sentence", "reason"]
    assert {r["text"] for r in rows} == {"4"}
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["reading"]["facts"] == 2 and manifest["reading"]["unread"] == 1
    assert manifest["reading"]["read_share"] == pytest.approx(2 / 3, abs=1e-3)
    from openpyxl import load_workbook

    sheet = load_workbook(out / "ledger.xlsx")["Unread"]
    assert [c.value for c in sheet[1]][:4] == ["source", "value", "text", "reason"]
    assert "Numbers left unread" in (out / "index.html").read_text("utf-8")


def test_number_past_fifteen_digits_is_refused_not_rounded(make_project: MakeProject) -> None:
    text = "1" * 40 + " people were counted. 1234567890123 people were counted too.\n"
    result = _build(make_project, {"sources/a.txt": text})
    assert [f.value for f in result.facts] == [1234567890123]
    assert any(u.reason.startswith("more than 15 digits") for u in result.unread)


def test_builtin_lexicon_paths_are_listed_as_inputs(make_project: MakeProject) -> None:
    project = make_project({"sources/a.txt": "Some 300 people fled.\n"})
    result = build(project, None)
    manifest = json.loads((result.out / "manifest.json").read_text("utf-8"))
    inputs = {i["path"] for i in manifest["inputs"]}
    assert {"ledger:lexicon/en.yaml", "ledger:lexicon/ru.yaml"} <= inputs
    assert Path(result.out / "unread.csv").is_file()
