"""Web pages (.html, .htm): the article only, without navigation, header, footer, tickers,
counters or related links (trafilatura), with tables kept row by row.

Public surface: `web_text(markup)` and `html_to_text(markup)`.

trafilatura finds the main text by the page's structure and text density, even when the
article is short; its tables come back as rows whose cells are joined by " | ". The page's own
title (its headline) and date (from its metadata) fill in where the catalogue gives none. A
page where trafilatura finds no main text (a fragment, a bare list) is read whole by
`html_to_text`, one paragraph per block element.
"""

from __future__ import annotations

import html
import html.parser
import re
from functools import cache
from typing import Any

from ledger.formats.model import Extracted

_BLOCK_TAGS = {
    "address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
    "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav",
    "ol", "p", "pre", "section", "table", "td", "th", "title", "tr", "ul",
}
_SKIPPED_TAGS = {"script", "style", "noscript", "template", "head"}


_BLOCK_BREAK = "\x00"


class _HtmlText(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self._in_title = True
        elif tag in _SKIPPED_TAGS:
            self._skip += 1
        if tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK_BREAK)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        elif tag in _SKIPPED_TAGS and self._skip:
            self._skip -= 1
        if tag in _BLOCK_TAGS:
            self.parts.append(_BLOCK_BREAK)

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data.replace(_BLOCK_BREAK, " "))


def html_to_text(markup: str) -> tuple[str, str]:
    """Reduce HTML to text: one paragraph per block element, blank lines between them,
    whitespace inside a block collapsed; returns (text, title)."""
    parser = _HtmlText()
    parser.feed(markup)
    parser.close()
    blocks = (re.sub(r"\s+", " ", block).strip() for block in "".join(parser.parts).split(
        _BLOCK_BREAK))
    return "\n\n".join(b for b in blocks if b) + "\n", re.sub(r"\s+", " ", parser.title).strip()


_TABLE_RULE = re.compile(r"^\|?(?:\s*:?-{3,}:?\s*\|)+\s*$")


@cache
def _settings() -> Any:
    """trafilatura's settings for ledger: keep a short article (a two-paragraph press release)
    rather than fall back to the whole page's text, read pages up to ledger's own size limit,
    and never set an alarm signal of its own."""
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "1")
    config.set("DEFAULT", "MIN_OUTPUT_SIZE", "1")
    config.set("DEFAULT", "MAX_FILE_SIZE", "1000000000")
    config.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
    return config


def _main_text(markup: str) -> tuple[str, str, str] | None:
    """(text, title, date) of the page's main content, or None when none is found."""
    import trafilatura

    text = trafilatura.extract(markup, include_tables=True, include_comments=False,
                               include_links=False, include_images=False, deduplicate=False,
                               config=_settings())
    if not text or not text.strip():
        return None
    blocks: list[str] = []
    for line in text.splitlines():
        if _TABLE_RULE.match(line):
            continue
        if line.startswith("|"):
            row = " | ".join(cell.strip() for cell in line.strip().strip("|").split("|"))
            if blocks and blocks[-1].startswith("\x00"):
                blocks[-1] += "\n" + row
            else:
                blocks.append("\x00" + row)
        elif line.strip():
            blocks.append(line.strip())
    metadata = trafilatura.extract_metadata(markup)
    title = (metadata.title or "") if metadata else ""
    day = (metadata.date or "") if metadata else ""
    return "\n\n".join(b.lstrip("\x00") for b in blocks) + "\n", title, day


def web_text(markup: str) -> Extracted:
    """The main text of a web page, with its title and date."""
    found = _main_text(markup)
    if found is None:
        text, title = html_to_text(markup)
        return Extracted.single(text, title)
    text, title, day = found
    if not title:
        title = html_to_text(markup)[1]
    return Extracted.single(text, html.unescape(title), day)
