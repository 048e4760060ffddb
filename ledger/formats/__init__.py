"""Documents as people receive them: plain text, web pages, PDF and Word files, each turned
into the one normalised text every offset of a build refers to.

Public surface: `Extracted` (with `Table` and `Cell` for spreadsheets), `FormatProblem`, the
suffix lists and `extract(data, suffix, encoding, name)`.

PDF and Word files are parsed in a child process with a memory and CPU limit
(`ledger.formats.limits`), so a decompression bomb or a parser stuck on a hostile file ends
that file's reading with a message, never the build or the machine.
"""

from __future__ import annotations

from ledger.formats.model import Cell, Extracted, FormatProblem, Table
from ledger.formats.office import docx_text
from ledger.formats.pdf import pdf_text
from ledger.formats.sheets import sheet_text
from ledger.formats.web import html_to_text, web_text

TEXT_SUFFIXES = (".txt", ".md", ".markdown")
TABLE_SUFFIXES = (".xlsx", ".csv")
"""Spreadsheets: read as tables of cells, their columns mapped in ledger.toml (ledger.sheets)."""
FORMAT_SUFFIXES = (*TEXT_SUFFIXES, ".html", ".htm", ".pdf", ".docx", *TABLE_SUFFIXES)
"""Every suffix ledger reads as a source."""

__all__ = ["FORMAT_SUFFIXES", "TABLE_SUFFIXES", "TEXT_SUFFIXES", "Cell", "Extracted",
           "FormatProblem", "Table", "extract", "html_to_text"]


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
    if suffix in TABLE_SUFFIXES:
        return sheet_text(data, suffix, name, encoding)
    raw = data.decode(encoding or "utf-8-sig")
    if suffix in (".html", ".htm"):
        return web_text(raw)
    return Extracted.single(raw)
