"""Documents as people receive them: plain text, web pages, PDF and Word files, each turned
into the one normalised text every offset of a build refers to.

Public surface: `Extracted` (with `Table` and `Cell` for spreadsheets), `FormatProblem`, the
suffix lists, `extract(data, suffix, encoding, name)` and, for text already decoded,
`extract_text(raw, suffix, name)`.

PDF and Word files are parsed in a child process with a memory and CPU limit
(`ledger.formats.limits`), so a decompression bomb or a parser stuck on a hostile file ends
that file's reading with a message, never the build or the machine.
"""

from __future__ import annotations

from ledger.formats.model import Cell, Extracted, FormatProblem, Table
from ledger.formats.office import docx_text
from ledger.formats.pdf import pdf_text
from ledger.formats.sheets import csv_text, xlsx_text
from ledger.formats.web import html_to_text, web_text

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
BINARY_SUFFIXES = (".pdf", ".docx", ".xlsx")
"""Files that are not text in an encoding: each has a reader of its own bytes."""
TABLE_SUFFIXES = (".xlsx", ".csv")
"""Spreadsheets: read as tables of cells, their columns mapped in ledger.toml (ledger.sheets)."""
FORMAT_SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx", *TABLE_SUFFIXES)
"""Every suffix ledger reads as a source."""

__all__ = ["BINARY_SUFFIXES", "FORMAT_SUFFIXES", "TABLE_SUFFIXES", "TEXT_SUFFIXES", "Cell",
           "Extracted", "FormatProblem", "Table", "extract", "extract_text", "html_to_text"]


def extract(data: bytes, suffix: str, encoding: str = "", name: str = "", ocr: bool = False,
            language: str = "en") -> Extracted:
    """The text of a file of this suffix (`ocr`: read a PDF's scanned pages with tesseract,
    in `language`). Raises `FormatProblem` for a file that cannot be
    read (encrypted, corrupt, over a limit) and `UnicodeDecodeError`/`LookupError` for text
    in another encoding than the one named."""
    suffix = suffix.lower()
    if suffix == ".pdf":
        return pdf_text(data, ocr, language)
    if suffix == ".docx":
        return docx_text(data)
    if suffix == ".xlsx":
        return xlsx_text(data)
    return extract_text(data.decode(encoding or "utf-8-sig"), suffix, name)


def extract_text(raw: str, suffix: str, name: str = "") -> Extracted:
    """The text of a decoded text file of this suffix: a web page's article, a CSV file's
    cells (one sheet named `name`), else the text itself."""
    suffix = suffix.lower()
    if suffix in (".html", ".htm"):
        return web_text(raw)
    if suffix == ".csv":
        return csv_text(raw, name)
    return Extracted.single(raw)
