"""Reading sources: live-feed entries, catalogue precedence, HTML, Markdown, sentences."""

from __future__ import annotations

from datetime import date, time

from conftest import MakeProject

from ledger.formats import html_to_text
from ledger.sources import read_sources
from ledger.text import sentence_spans

FEED = """Header 06 December 2020

Preface text.

    • 00:20

      After midnight entry with 5 people.

    • 23:50

      Late entry of the previous day.

    • 16:13

      Afternoon entry.
"""


def test_live_feed_entries_carry_their_own_time_and_cross_midnight(
        make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2020-11-22\n"})
    docs, diagnostics = read_sources(project / "sources")
    assert not diagnostics
    segments = docs[0].segments
    assert [(s.day, s.clock) for s in segments] == [
        (date(2020, 11, 22), None), (date(2020, 11, 22), time(0, 20)),
        (date(2020, 11, 21), time(23, 50)), (date(2020, 11, 21), time(16, 13))]
    text = docs[0].text
    assert text[segments[2].headline_start:segments[2].headline_end] == (
        "Late entry of the previous day.")


def test_catalogue_date_wins_over_the_header_date(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED,
                            "sources/sources.csv": "path,published\nfeed.txt,2020-11-21\n"})
    docs, _ = read_sources(project / "sources")
    assert docs[0].published == date(2020, 11, 21) and docs[0].date_origin == "catalogue"


def test_header_date_is_used_when_there_is_no_catalogue(make_project: MakeProject) -> None:
    project = make_project({"sources/feed.txt": FEED})
    docs, _ = read_sources(project / "sources")
    assert docs[0].published == date(2020, 12, 6)
    assert docs[0].date_origin == "document header"


def test_markdown_front_matter_is_metadata_and_not_text_to_extract(
        make_project: MakeProject) -> None:
    project = make_project({"sources/a.md": "---\npublished: 2020-11-24\npublisher: Wire\n---\n"
                                            "Some 9,500 people have returned.\n"})
    docs, _ = read_sources(project / "sources")
    assert docs[0].published == date(2020, 11, 24) and docs[0].publisher == "Wire"
    assert docs[0].masked == [(0, docs[0].text.index("Some"))]


def test_text_is_normalised_once_to_nfc_and_newlines(make_project: MakeProject) -> None:
    project = make_project({"sources/a.txt": "Cafe\u0301 line one\r\nline two\r"})
    docs, _ = read_sources(project / "sources")
    assert docs[0].text == "Caf\u00e9 line one\nline two\n"


def test_html_reduced_to_paragraphs_without_script_or_style() -> None:
    text, title = html_to_text(
        "<html><head><title>T &amp; C</title><style>p{}</style></head><body>"
        "<script>var x = 1;</script><p>First\n   wrapped line.</p><p>Second</p></body></html>")
    assert title == "T & C"
    assert text == "First wrapped line.\n\nSecond\n"


def test_sentences_split_at_full_stops_but_not_abbreviations_or_wraps() -> None:
    text = ("Headline Without Stop\nDr. Smith said 40 people left. They came back.\n\n"
            "A long wrapped line of running text that continues on the\nnext line here.")
    found = [text[s:e] for s, e in sentence_spans(text)]
    assert found == ["Headline Without Stop", "Dr. Smith said 40 people left.",
                     "They came back.",
                     "A long wrapped line of running text that continues on the\nnext line here."]


def test_a_possessive_names_an_actor_not_a_place() -> None:
    from ledger.places import Gazetteer, choose_place

    gazetteer, _ = Gazetteer.load()
    text = "Azerbaijan's defence ministry said 16 people were killed in Nagorno-Karabakh."
    mentions = gazetteer.mentions(text)
    assert [m.place.name for m in mentions] == ["Nagorno-Karabakh"]
    figure = text.index("16")
    chosen = choose_place(text, mentions, figure, figure + 2)
    assert chosen is not None and chosen.place.name == "Nagorno-Karabakh"


def test_language_is_detected_when_the_catalogue_names_none(make_project: MakeProject) -> None:
    project = make_project({"sources/ru.txt": "В Степанакерт за сутки вернулись более 1,1 тыс. "
                                              "человек.\n",
                            "sources/en.txt": "More than 1,100 people returned.\n"})
    docs, _ = read_sources(project / "sources")
    assert {d.path: d.language for d in docs} == {"en.txt": "en", "ru.txt": "ru"}
