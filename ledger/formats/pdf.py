"""PDF: the text layer in reading order, with page numbers (pypdfium2, PDFium's bindings).

Public surface: `pdf_text(data)` and the limit `MAX_PAGES`.

A page's text runs are grouped into lines by their baselines; runs of one line far apart
(table cells) are joined with " | " so that a table row stays one statement. Lines that
repeat at the top or bottom of the pages (running headers and footers, page counters, the
printing browser's date and address) are dropped. A line that reaches the right margin runs on
into the next (a wrapped sentence is re-joined, across pages too), and a word hyphenated at a
line end is mended: "humani-/tarian" becomes "humanitarian", while "Nagorno-/Karabakh" keeps
its hyphen (a capital or a digit after the break says the hyphen is the word's own).
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from statistics import median

from ledger.formats.limits import in_child
from ledger.formats.model import Extracted, FormatProblem
from ledger.formats.ocr import ocr_pages, tesseract_version

MAX_PAGES = 5000
"""A PDF with more pages is refused (a page-count bomb)."""
MARGIN_BAND = 0.09
"""Top and bottom share of a page where running headers and footers stand."""
LINE_HYPHEN = "\x02"
"""PDFium's mark for a hyphen that ends a line."""
HYPHENS = (LINE_HYPHEN, "-", "\u2010", "\u00ad")
"""What a word broken at a line end may end with."""
SOFT_HYPHENS = ("\u2010", "\u00ad")
"""The hyphens of hyphenation (a soft hyphen drawn at a break): removed when a word is mended.
A plain hyphen at a line end is the word's own ("six-/week" stays "six-week")."""


@dataclass
class Line:
    text: str
    left: float
    right: float
    top: float
    bottom: float

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)


Rect = tuple[float, float, float, float]
"""A run of text on a page: left, bottom, right, top."""


def _cell_starts(runs: list[Rect]) -> list[float]:
    """Where the runs after a wide gap begin: the candidates for a table's cells."""
    return [run[0] for before, run in itertools.pairwise(runs)
            if run[0] - before[2] > 2.5 * max(run[3] - run[1], 1.0)]


def _runs_to_text(textpage: object, runs: list[Rect], columns: list[float]) -> str:
    """The text of one line's runs. A wide gap whose next run starts where a run of the line
    above or below also starts (a column) separates table cells, joined with " | "; any other
    gap (a justified line's wide spaces) is a space."""
    parts: list[str] = []
    group = [runs[0]]
    for run in runs[1:]:
        wide = run[0] - group[-1][2] > 2.5 * max(run[3] - run[1], 1.0)
        if wide and any(abs(run[0] - x) <= 2.0 for x in columns):
            parts.append(_box_text(textpage, group))
            group = []
        group.append(run)
    parts.append(_box_text(textpage, group))
    return " | ".join(p for p in parts if p)


def _box_text(textpage: object, runs: list[Rect]) -> str:
    left = min(r[0] for r in runs)
    bottom = min(r[1] for r in runs)
    right = max(r[2] for r in runs)
    top = max(r[3] for r in runs)
    text = textpage.get_text_bounded(left, bottom, right, top)  # type: ignore[attr-defined]
    return re.sub(r"[ \t\r\n]+", " ", str(text)).strip()


def _page_lines(page: object) -> tuple[list[Line], float]:
    """The lines of a page in the order the file draws them, and the page's height."""
    textpage = page.get_textpage()  # type: ignore[attr-defined]
    _, height = page.get_size()  # type: ignore[attr-defined]
    grouped: list[list[Rect]] = []
    for rect in (textpage.get_rect(i) for i in range(textpage.count_rects())):
        if grouped:
            top = max(r[3] for r in grouped[-1])
            bottom = min(r[1] for r in grouped[-1])
            overlap = min(top, rect[3]) - max(bottom, rect[1])
            if overlap >= 0.5 * min(top - bottom, rect[3] - rect[1]):
                grouped[-1].append(rect)
                continue
        grouped.append([rect])
    runs = [sorted(group) for group in grouped]
    starts = [_cell_starts(line) for line in runs]
    lines: list[Line] = []
    for i, line_runs in enumerate(runs):
        columns = [x for j in (i - 1, i + 1) if 0 <= j < len(runs) for x in starts[j]]
        text = _runs_to_text(textpage, line_runs, columns)
        if text:
            lines.append(Line(text, line_runs[0][0], max(r[2] for r in line_runs),
                              max(r[3] for r in line_runs), min(r[1] for r in line_runs)))
    return lines, float(height)


def _mask(text: str) -> str:
    return re.sub(r"\d+", "#", text.lower())


def _spacing(lines: list[Line]) -> float:
    """The usual distance between the baselines of consecutive lines."""
    return median([a.bottom - b.bottom for a, b in itertools.pairwise(lines)
                   if a.bottom - b.bottom > 0] or [lines[0].height * 1.2])


def _apart(lines: list[Line], i: int, spacing: float) -> bool:
    """Whether line i stands apart from its neighbours (a header above the text, a footer
    below it), farther than a line of the text from the next."""
    gaps = [abs(lines[j].bottom - lines[i].bottom) for j in (i - 1, i + 1)
            if 0 <= j < len(lines)]
    return bool(gaps) and min(gaps) > 1.4 * spacing


def _furniture(pages: list[tuple[list[Line], float]]) -> set[tuple[int, int]]:
    """(page, line) of the running headers and footers: lines in the top or bottom band,
    apart from the text, whose text (digits aside) repeats at the same height on at least two
    pages, or that look like a page counter or a printing stamp."""
    counts: Counter[tuple[str, int]] = Counter()
    banded: list[tuple[int, int, tuple[str, int]]] = []
    for p, (lines, height) in enumerate(pages):
        if not lines:
            continue
        spacing = _spacing(lines)
        for i, line in enumerate(lines):
            in_band = line.top > height * (1 - MARGIN_BAND) or line.bottom < height * MARGIN_BAND
            if in_band and _apart(lines, i, spacing):
                key = (_mask(line.text), round(line.bottom / 3))
                banded.append((p, i, key))
                counts[key] += 1
    stamp = re.compile(r"^(?:page )?# ?(?:/|of) ?#$|^#/#/#, #:# [ap]m|^(?:file|https?)://",
                       re.IGNORECASE)
    return {(p, i) for p, i, key in banded
            if (counts[key] >= 2 and len(pages) >= 2) or stamp.search(key[0])}


def _join(previous: str, following: str) -> str:
    """What goes between a wrapped line and the next: a mended hyphen or a space."""
    if previous.endswith(HYPHENS):
        head = previous.rstrip("".join(HYPHENS))
        if previous.endswith(SOFT_HYPHENS) and head[-1:].islower() and following[:1].islower():
            return ""  # humani-/tarian, broken by hyphenation
        return "-"  # six-/week, Nagorno-/Karabakh: the word's own hyphen
    return " "


def _wraps(line: Line, following: Line | None, margin: float) -> bool:
    """Whether a line was broken by the margin: the next line's first word would not have fit
    after it, and the next line is not indented. Table rows never run on."""
    if following is None or " | " in line.text or " | " in following.text:
        return False
    width = max(line.right - line.left, 1.0) / max(len(line.text), 1)
    if following.left > line.left + 2 * width:
        return False  # the next line is indented: a new paragraph
    word = following.text.split(" ", 1)[0]
    return line.right + (len(word) + 1) * width >= margin - width


def _margins(lines: list[Line], spacing: float) -> list[float]:
    """Each line's right margin. A block (a run of lines at the usual spacing) where two or
    more lines end at its farthest right edge (within three characters) is a column of wrapped
    text with that edge; any other block wraps at the page's farthest right edge."""
    page_edge = max(line.right for line in lines)
    margins: list[float] = []
    block: list[Line] = []
    for i, line in enumerate(lines):
        block.append(line)
        if i + 1 == len(lines) or not 0 < line.bottom - lines[i + 1].bottom <= spacing * 1.4:
            edge = max(b.right for b in block)
            near = [b for b in block
                    if edge - b.right <= 3 * (b.right - b.left) / max(len(b.text), 1)]
            margins += [edge if len(near) >= 2 else page_edge] * len(block)
            block = []
    return margins


def _page_text(lines: list[Line], next_page: Line | None) -> tuple[str, str]:
    """A page's text with wrapped lines re-joined, and what joins it to the next page (whose
    first line is `next_page`): a space or nothing where a sentence runs on, else a blank
    line."""
    if not lines:
        return "", "\n\n"
    spacing = _spacing(lines)
    margins = _margins(lines, spacing)
    out: list[str] = []
    for i, (line, following) in enumerate(itertools.pairwise(lines)):
        gap = line.bottom - following.bottom
        if 0 < gap <= spacing * 1.4 and _wraps(line, following, margins[i]):
            glue = _join(line.text, following.text)
            out.append(line.text + " " if glue == " " else
                       line.text.rstrip("".join(HYPHENS)) + glue)
        else:
            out.append(line.text + ("\n\n" if abs(gap) > spacing * 1.4 else "\n"))
    last, join = lines[-1].text, "\n\n"
    if next_page is not None and _wraps(lines[-1], next_page, margins[-1]):
        glue = _join(last, next_page.text)
        last, join = (last, " ") if glue == " " else (last.rstrip("".join(HYPHENS)) + glue, "")
    return ("".join(out) + last).replace(LINE_HYPHEN, "-"), join


def _read(data: bytes, ocr: bool = False, language: str = "en") -> Extracted:
    import pypdfium2 as pdfium

    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        reason = str(exc)
        if "password" in reason.lower():
            raise FormatProblem("is encrypted: ledger cannot read it without its password; "
                                "save an unprotected copy") from exc
        raise FormatProblem(f"is not a readable PDF ({reason}): damaged, truncated or "
                            "not a PDF") from exc
    try:
        count = len(pdf)
        if count > MAX_PAGES:
            raise FormatProblem(f"has {count:,} pages, more than the {MAX_PAGES:,} ledger "
                                "reads; refused")
        pages = [_page_lines(pdf[i]) for i in range(count)]
        title = str(pdf.get_metadata_dict().get("Title", "") or "")
    finally:
        pdf.close()
    furniture = _furniture(pages)
    body = [[line for i, line in enumerate(lines) if (p, i) not in furniture]
            for p, (lines, _) in enumerate(pages)]
    blank = [i for i, lines in enumerate(body) if not lines]
    if ocr and blank:
        return _with_ocr(data, body, blank, language)
    if not any(body):
        raise FormatProblem("has no text layer (a scan or images only): nothing to read; "
                            "build with --ocr (tesseract) or OCR it first")
    texts: list[str] = []
    joins: list[str] = []
    for p, lines in enumerate(body):
        following = body[p + 1][0] if p + 1 < len(body) and body[p + 1] else None
        text, join = _page_text(lines, following)
        texts.append(text)
        joins.append(join)
    notes = (f"pages without text (scanned?): {', '.join(str(p + 1) for p in blank[:10])}; "
             "build with --ocr to read them",) if blank else ()
    return Extracted.paged(texts, joins[:-1], title=title, notes=notes)


def _with_ocr(data: bytes, body: list[list[Line]], blank: list[int], language: str
              ) -> Extracted:
    """The text layer where there is one and tesseract's reading of the other pages."""
    read = ocr_pages(data, blank, language)
    texts = [read[p] if p in read else _page_text(lines, None)[0]
             for p, lines in enumerate(body)]
    shown = ", ".join(str(p + 1) for p in blank[:10]) + ("…" if len(blank) > 10 else "")
    return Extracted.paged(texts, ["\n\n"] * (len(texts) - 1),
                           notes=(f"pages {shown} read by OCR ({tesseract_version()}): check "
                                  "their figures against the page",))


def pdf_text(data: bytes, ocr: bool = False, language: str = "en") -> Extracted:
    """The text of a PDF, read under the memory and CPU limits of a child process; with `ocr`,
    pages without text are read by tesseract."""
    if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise FormatProblem("is not a PDF (no %PDF- header)")
    return in_child(_read, data, ocr, language)
