"""Languages as data: French, Spanish and Ukrainian read from their files, a project's own
language added with two files and no code, and a catalogue language ledger does not read
reported at its row."""

from __future__ import annotations

import pytest
from conftest import MakeProject

from ledger.build import build
from ledger.cli import main
from ledger.numbers import parse_quantity

TOY_LANGUAGE = """\
language: eo
name: Esperanto
numbers:
  words: {unu: 1, du: 2, tri: 3, kvar: 4, kvin: 5, ses: 6, sep: 7, ok: 8, naŭ: 9, dek: 10}
  scales: {cent: 100, mil: 1000, miliono: 1000000, milionoj: 1000000}
qualifiers:
  more_than: [pli ol]
  approx: [ĉirkaŭ, proksimume]
  at_most: [ĝis]
ranges: {between: [inter], and: [kaj]}
months: [januaro, februaro, marto, aprilo, majo, junio, julio, aŭgusto, septembro, oktobro,
         novembro, decembro]
"""
TOY_LEXICON = """\
language: eo
things:
  - unit: person
    family: people
    nouns: [homoj, rifuĝintoj, infanoj]
    examples:
      - {text: "Pli ol 300 homoj fuĝis.", expect: {value: 300, qualifier: more_than}}
      - {text: "La homoj fuĝis.", expect: none}
  - unit: tent
    family: goods
    indicator: tents
    nouns: [tendoj]
    examples:
      - {text: "Oni starigis du mil tendojn.", expect: none}
      - {text: "Oni starigis du mil tendoj.", expect: {value: 2000, unit: tent}}
events:
  displaced: {words: [fuĝis, forlasis]}
"""


def test_a_language_added_with_two_files_and_no_code(make_project: MakeProject) -> None:
    project = make_project({
        "languages/eo.yaml": TOY_LANGUAGE, "lexicon/eo.yaml": TOY_LEXICON,
        "sources/a.txt": "Pli ol 300 homoj fuĝis de la urbo. Volontuloj starigis du mil "
                         "tendoj. Ĉirkaŭ 40 infanoj alvenis la 3 majo.\n",
        "sources/sources.csv": "path,published,language\na.txt,2024-05-04,eo\n"})
    assert main(["check", str(project)]) == 0
    result = build(project, None)
    assert [(f.value, f.qualifier, f.unit, f.indicator) for f in result.facts] == [
        (300, "more_than", "person", "displaced"), (2000, "exact", "tent", "tents"),
        (40, "approx", "person", "people")]
    assert {u.text: u.reason for u in result.unread}["3"] == "a date or a year"


@pytest.mark.parametrize("text, language, expected", [
    ("Un million cinq cent mille", "fr", (1_500_000, "exact")),
    ("plus de 300", "fr", (300, "more_than")),
    ("921.471", "fr", (921_471, "exact")),
    ("511 221", "fr", (511_221, "exact")),
    ("quatre-vingt-dix", "fr", (90, "exact")),
    ("más de mil 300", "es", (1_300, "more_than")),
    ("hasta 13 mil", "es", (13_000, "at_most")),
    ("cuatro millones", "es", (4_000_000, "exact")),
    ("1,5 millones", "es", (1_500_000, "exact")),
    ("casi mil", "es", (1_000, "approx")),
    ("дві тисячі", "uk", (2_000, "exact")),
    ("понад 2 тисячі", "uk", (2_000, "more_than")),
    ("близько 1,5 млн", "uk", (1_500_000, "approx")),
    ("щонайменше 40", "uk", (40, "at_least")),
])
def test_numbers_in_the_languages_of_files(text: str, language: str,
                                           expected: tuple[float, str]) -> None:
    quantity = parse_quantity(text, language)
    assert quantity is not None and (quantity.value, quantity.qualifier) == expected


@pytest.mark.parametrize("value", ["English", "xx", "de"])
def test_a_catalogue_language_ledger_does_not_read_is_a_warning(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str], value: str) -> None:
    project = make_project({"sources/a.txt": "Some 300 people fled the town.\n",
                            "sources/sources.csv": f"path,published,language\n"
                                                   f"a.txt,2024-05-04,{value}\n"})
    assert main(["check", str(project), "--strict"]) == 1
    err = capsys.readouterr().err
    assert (f"sources/sources.csv:2: warning S009 language {value!r} of 'a.txt' is not one "
            "ledger reads") in err
    result = build(project, None)
    assert [f.value for f in result.facts] == [300]  # read as the language detected: English


@pytest.mark.parametrize("text, detected", [
    ("Plus de 300 personnes ont fui la ville et les villages de la région.", "fr"),
    ("Más de 300 personas huyeron de la ciudad y los pueblos de la región.", "es"),
    ("Понад 300 людей залишили місто, повідомили в обласній адміністрації.", "uk"),
    ("Более 300 человек покинули город, сообщили в администрации.", "ru"),
    ("More than 300 people fled the town and the villages of the region.", "en"),
])
def test_a_documents_language_is_detected(text: str, detected: str) -> None:
    from ledger.sources import detect_language

    assert detect_language(text) == detected


@pytest.mark.parametrize("locale, heading", [("fr", "Chiffres clés"), ("es", "Cifras principales"),
                                             ("uk", "Основні показники"),
                                             ("ru", "Основные показатели")])
def test_the_summary_speaks_the_report_locale(make_project: MakeProject, locale: str,
                                              heading: str) -> None:
    project = make_project({"sources/a.txt": "Some 21,300 people fled the town.\n",
                            "sources/sources.csv": "path,published\na.txt,2024-05-04\n",
                            "ledger.toml": f'report_locale = "{locale}"\n'})
    result = build(project, None)
    page = (result.out / "index.html").read_text("utf-8")
    assert heading in page
    written = {"fr": "21\u202f300", "es": "21.300", "uk": "21\xa0300", "ru": "21\xa0300"}
    assert written[locale] in page  # numbers in the locale's own style
