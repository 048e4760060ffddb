"""The HTML report in Debian's Chromium, driven by Playwright: the click-through from a
headline to its highlighted sentences, sorting, filtering and search by keyboard, pages that
read without scripts, no console errors, no network request, and a summary that prints short."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ledger.build import BuildResult

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu",
                  "--disable-background-networking"])
        yield launched
        launched.close()


class Watched:
    """A page with its console errors and every request it made."""

    def __init__(self, browser: Any, **options: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1100, "height": 900}, **options)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text)
                     if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))


def _values(page: Any) -> list[str]:
    return page.locator("table.headlines tbody tr:visible td:nth-child(5)").all_inner_texts()


def test_a_headline_opens_its_sentences_highlighted(browser: Any,
                                                     example_build: BuildResult) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((example_build.out / "index.html").as_uri())
    page.locator("#headlines").get_by_role("link", name="1,970 people").click()
    assert re.search(r"/statements-peacekeepers\.html#O[0-9a-f]+$", page.url)
    statements = page.locator("article.obs:target blockquote")
    assert statements.first.is_visible()
    assert sorted(statements.locator("mark").all_inner_texts()) == ["1,960", "1,970"]
    assert "Russian peacekeepers are deployed in Nagorno-Karabakh" in (
        statements.all_inner_texts()[1])
    others = page.locator("article.obs:not(:target) .panel")
    assert all(not others.nth(i).is_visible() for i in range(others.count()))
    watched.context.close()
    assert watched.errors == []
    assert all(url.startswith(example_build.out.as_uri() + "/") for url in watched.requests)


def test_tables_sort_and_filter_from_the_keyboard(browser: Any,
                                                   example_build: BuildResult) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((example_build.out / "index.html").as_uri())
    sort_by_value = page.locator("table.headlines th").nth(4).get_by_role("button")
    sort_by_value.focus()
    page.keyboard.press("Enter")
    assert page.locator("table.headlines th").nth(4).get_attribute("aria-sort") == "ascending"
    numbers = [float(re.sub(r"[^0-9.]", "", v.split()[-2] if v.startswith(("about", "more"))
                            else v.split()[0])) for v in _values(page)]
    assert numbers == sorted(numbers) and len(numbers) > 5
    page.keyboard.press("Enter")
    assert page.locator("table.headlines th").nth(4).get_attribute("aria-sort") == "descending"
    assert _values(page)[0].startswith("2,000,000,000.00 AMD")

    box = page.get_by_label("Filter").first
    box.focus()
    page.keyboard.type("stepanakert stock")
    rows = page.locator("table.headlines tbody tr:visible").all_inner_texts()
    assert rows and all("Stepanakert" in r and "stock" in r for r in rows)
    assert len(rows) < page.locator("table.headlines tbody tr").count()
    assert page.locator(".controls .count").first.inner_text() == (
        f"{len(rows)} / {page.locator('table.headlines tbody tr').count()}")
    box.fill("")
    assert page.locator("table.headlines tbody tr:visible").count() == (
        page.locator("table.headlines tbody tr").count())
    watched.context.close()
    assert watched.errors == []


def test_search_finds_a_quote_and_opens_its_statements(browser: Any,
                                                       example_build: BuildResult) -> None:
    watched = Watched(browser)
    page = watched.page
    page.goto((example_build.out / "statements-returnees.html").as_uri())
    page.get_by_label("Search figures and quotes").fill("peacekeeping command")
    shown = page.locator("article.obs:visible")
    assert shown.count() >= 1
    assert all("peacekeeping command" in t for t in shown.all_inner_texts())
    assert shown.first.locator("mark").first.is_visible()  # the panel opened
    assert page.locator("article.obs").count() > shown.count()
    watched.context.close()
    assert watched.errors == []


def test_pages_read_and_link_without_scripts(browser: Any, example_build: BuildResult) -> None:
    watched = Watched(browser, java_script_enabled=False)
    page = watched.page
    page.goto((example_build.out / "index.html").as_uri())
    assert page.locator("input, button").count() == 0  # no dead controls
    assert page.locator("table.headlines tbody tr").count() > 5
    page.locator("#headlines").get_by_role("link", name="1,970 people").click()
    assert page.locator("article.obs:target mark").first.is_visible()
    watched.context.close()


def _pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def test_the_seed_summary_prints_on_two_pages(browser: Any, seed_build: BuildResult) -> None:
    page = browser.new_page()
    page.goto((seed_build.out / "index.html").as_uri())
    pdf = page.pdf(format="A4")
    assert pdf[:4] == b"%PDF" and 1 <= _pdf_pages(pdf) <= 2
    page.close()


def test_a_statements_page_prints_every_statement(browser: Any,
                                                  example_build: BuildResult) -> None:
    page = browser.new_page()
    page.goto((example_build.out / "statements-returnees.html").as_uri())
    page.emulate_media(media="print")
    panels = page.locator("article.obs .panel")
    assert panels.count() > 3
    assert all(panels.nth(i).is_visible() for i in range(panels.count()))
    assert page.locator(".controls").first.is_hidden()
    page.close()


def test_a_large_corpus_keeps_every_page_light(tmp_path: Path) -> None:
    """2,000 generated news items: index.html stays under 2 MB, no page passes 5 MB, and
    every observation and every link of the summary lands on a page that holds it."""
    from generated_corpus import write_corpus

    from ledger.build import build

    write_corpus(tmp_path / "many", 2000)
    result = build(tmp_path / "many", None)
    pages = {p.name: p.read_text("utf-8") for p in result.out.glob("*.html")}
    sizes = {name: len(text.encode()) for name, text in pages.items()}
    assert sizes["index.html"] <= 2_000_000
    assert max(sizes.values()) <= 5_000_000
    assert any(re.fullmatch(r"statements-\w+-2\.html", name) for name in pages)  # paginated
    anchors = {(name, m) for name, text in pages.items()
               for m in re.findall(r'<article class="obs" id="(O[0-9a-f]+)"', text)}
    assert sorted(a for _, a in anchors) == sorted(o.observation_id
                                                   for o in result.observations)
    links = set(re.findall(r'href="(statements-[\w-]+\.html)#(O[0-9a-f]+)"',
                           pages["index.html"]))
    assert links and links <= anchors


def test_chart_axis_labels_are_short_and_inside_the_chart(browser: Any,
                                                          make_project: Any) -> None:
    project = make_project({
        "sources/a.txt": "The appeal has received $1.4 billion so far.\n",
        "sources/b.txt": "The appeal has received $1.9 billion so far.\n",
        "sources/c.txt": "The appeal has received $2.35 billion so far.\n",
        "sources/sources.csv": "path,published\na.txt,2024-03-01\nb.txt,2024-04-01\n"
                               "c.txt,2024-05-01\n"})
    from ledger.build import build

    result = build(project, None)
    index = (result.out / "index.html").read_text("utf-8")
    assert ">2.4B</text>" in index and ">1.4B</text>" in index
    page = browser.new_page()
    page.goto((result.out / "index.html").as_uri())
    lefts = page.eval_on_selector_all("figure.chart svg text",
                                      "els => els.map(e => e.getBBox().x)")
    assert lefts and min(lefts) >= 0  # no label starts left of the drawing
    assert "2,350,000,000.00 USD" in index  # money with two decimals
    page.close()


@pytest.mark.parametrize("locale, documents, one", [
    ("en", "3 documents", "1 finding"), ("ru", "3 документа", "1 замечание")])
def test_counts_take_the_plural_of_the_report_locale(make_project: Any, locale: str,
                                                     documents: str, one: str) -> None:
    from ledger.render.html import template_environment

    count = template_environment(locale).filters["count"]
    assert count(3, "document") == documents and count(1, "finding") == one
    if locale == "ru":
        assert count(5, "document") == "5 документов" and count(21, "document") == "21 документ"
    project = make_project({"sources/a.txt": "Some 2,100 people fled the town.\n",
                            "sources/sources.csv": "path,published\na.txt,2024-05-04\n",
                            "ledger.toml": f'report_locale = "{locale}"\n'})
    from ledger.build import build

    index = (build(project, None).out / "index.html").read_text("utf-8")
    assert ("1 document ·" if locale == "en" else "1 документ ·") in index
