"""Which PDF library reads situation-report PDFs best: pypdfium2, pdfplumber and pypdf side by
side on PDFs that Chromium prints here from the example's documents, the generated corpus'
items and a flash update with a table and hyphenated words (all this project's own texts).

For each library: seconds per page (median of 3 runs), the share of the numbers of the pages'
bodies found intact in the text, and whether a table row ("Poland | 2,900,000") comes out on
one line.
Run from the repository root (needs /usr/bin/chromium; pip install pdfplumber pypdf):

    .venv/bin/python benchmarks/pdf_readers.py
"""

from __future__ import annotations

import html
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

FLASH_UPDATE = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Flash update</title><style>p.narrow{width:16em;text-align:justify}
td,th{padding:4px 40px;border:1px solid #999}</style></head><body><h1>Flash update</h1>
<p class="narrow">International humani&shy;tarian organi&shy;sations coordi&shy;nated the
distribution of emergency supplies to approxi&shy;mately 4,500 dis&shy;placed households
sheltering in collective accommodation centres.</p>
<table><tr><th>Country</th><th>Refugees</th></tr><tr><td>Poland</td><td>2,900,000</td></tr>
<tr><td>Moldova</td><td>104,000</td></tr></table>
<p>About 12,000 people crossed into Moldova over the weekend, the agency said.</p>
</body></html>"""


def _pages_as_html(folder: Path) -> list[Path]:
    """HTML pages to print: the example's documents, 40 generated items in one page, and the
    flash update."""
    from generated_corpus import write_corpus

    pages = []
    for source in sorted((REPO / "examples" / "karabakh-returns" / "sources").glob("*.txt")):
        body = "".join(f"<p>{html.escape(p)}</p>" for p in source.read_text("utf-8").split("\n\n"))
        pages.append((source.stem, body))
    write_corpus(folder / "generated", 40)
    items = sorted((folder / "generated" / "sources").glob("item-*.txt"))
    pages.append(("generated-40", "".join(f"<p>{html.escape(p.read_text('utf-8'))}</p>"
                                          for p in items)))
    written = []
    for name, body in pages:
        path = folder / f"{name}.html"
        path.write_text(f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{name}"
                        f"</title></head><body>{body}</body></html>", "utf-8")
        written.append(path)
    flash = folder / "flash.html"
    flash.write_text(FLASH_UPDATE, "utf-8")
    return [*written, flash]


def _print(page: Path) -> Path:
    pdf = page.with_suffix(".pdf")
    subprocess.run(["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True)
    return pdf


def _pdfium(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


def _plumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def _pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


def _ledger(path: Path) -> list[str]:
    from ledger.formats.pdf import pdf_text

    return [pdf_text(path.read_bytes()).text]


READERS: dict[str, Callable[[Path], list[str]]] = {
    "pypdfium2": _pdfium, "pdfplumber": _plumber, "pypdf": _pypdf,
    "ledger (pypdfium2 + layout)": _ledger}


def _body(page: Path) -> str:
    """The page's body: the numbers a reader should find (not the title or the style)."""
    return page.read_text("utf-8").split("<body>", 1)[1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        pages = _pages_as_html(folder)
        pdfs = [_print(p) for p in pages]
        numbers = {pdf: set(re.findall(r"\d[\d,.]*\d|\d", re.sub(r"<[^>]+>", " ", _body(p))))
                   for p, pdf in zip(pages, pdfs, strict=True)}
        print("| library | s per page | numbers intact | table row on one line | hyphenation "
              "mended |")
        print("| --- | --- | --- | --- | --- |")
        for name, read in READERS.items():
            try:
                times, texts = [], {}
                n_pages = 0
                for _ in range(3):
                    start = time.perf_counter()
                    texts = {pdf: read(pdf) for pdf in pdfs}
                    times.append(time.perf_counter() - start)
                n_pages = sum(len(_pdfium(pdf)) for pdf in pdfs)
            except ImportError:
                print(f"| {name} | not installed | | | |")
                continue
            found = sum(len({n for n in numbers[pdf] if n in "\n".join(texts[pdf])})
                        for pdf in pdfs)
            total = sum(len(numbers[pdf]) for pdf in pdfs)
            flash = "\n".join(texts[pdfs[-1]])
            row = any("Poland" in line and "2,900,000" in line for line in flash.splitlines())
            mended = "humanitarian" in flash and "displaced" in flash
            print(f"| {name} | {statistics.median(times) / n_pages:.4f} | "
                  f"{found}/{total} | {'yes' if row else 'no'} | {'yes' if mended else 'no'} |")


if __name__ == "__main__":
    main()
