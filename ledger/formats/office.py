"""Word (.docx): paragraphs and tables in document order (python-docx).

Public surface: `docx_text(data)`.

Each paragraph is a line, paragraphs are separated by blank lines, and a table is read row by
row with its cells joined by " | " (a merged cell that spans columns is written once), so a row
such as "Poland | 2,900,000" stays one statement. Page headers and footers are not read.
"""

from __future__ import annotations

import io

from ledger.formats.limits import in_child, zip_members
from ledger.formats.model import Extracted, FormatProblem

MAX_UNPACKED_BYTES = 200_000_000
"""A .docx whose parts unpack to more than this is refused (a zip bomb)."""


def _read(data: bytes) -> Extracted:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:
        raise FormatProblem(f"is not a readable Word file ({exc.__class__.__name__}: "
                            f"{exc})"[:300]) from exc
    blocks: list[str] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = Paragraph(child, document).text.strip()
            if text:
                blocks.append(text)
        elif tag == "tbl":
            rows = []
            for row in Table(child, document).rows:
                cells: list[tuple[object, str]] = []
                for cell in row.cells:
                    if not cells or cell._tc is not cells[-1][0]:  # a merged cell once
                        cells.append((cell._tc, " ".join(cell.text.split())))
                rows.append(" | ".join(text for _, text in cells))
            blocks.append("\n".join(r for r in rows if r.strip(" |")))
    core = document.core_properties
    return Extracted.single("\n\n".join(blocks) + "\n", title=core.title or "")


def docx_text(data: bytes) -> Extracted:
    """The text of a Word file, read under the limits of a child process."""
    names = zip_members(data, MAX_UNPACKED_BYTES, "is not a Word .docx file (not a zip "
                        "archive; an old .doc or a renamed file? save it as .docx)")
    if "word/document.xml" not in names:
        raise FormatProblem("is a zip archive but not a Word document (no word/document.xml)")
    return in_child(_read, data)
