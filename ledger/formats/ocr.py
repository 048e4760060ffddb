"""OCR for PDF pages without a text layer (scans), with tesseract where it is installed.

Public surface: `tesseract_version()`, `ocr_pages(data, pages, language)`.

Each page is rendered at 300 dpi in grey by PDFium and read by the `tesseract` command in the
document's language when its data is installed (English otherwise). OCR is slow and can be
wrong, so it runs only when asked (`ledger build --ocr`) and the build says which pages it
read so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from ledger.formats.model import FormatProblem

DPI = 300
TESSERACT_LANGUAGES = {"en": "eng", "ru": "rus", "uk": "ukr", "fr": "fra", "es": "spa"}
PAGE_SECONDS = 120


@cache
def tesseract_version() -> str | None:
    """The installed tesseract's version line, or None."""
    if shutil.which("tesseract") is None:
        return None
    result = subprocess.run(["tesseract", "--version"], capture_output=True, text=True,
                            check=False)
    lines = (result.stdout or result.stderr).splitlines()
    return lines[0].strip() if lines else "tesseract"


@cache
def _installed_languages() -> frozenset[str]:
    result = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True,
                            check=False)
    return frozenset(line.strip() for line in result.stdout.splitlines()[1:])


def ocr_pages(data: bytes, pages: list[int], language: str = "en") -> dict[int, str]:
    """The text tesseract reads on the given 0-based pages."""
    import pypdfium2 as pdfium

    if tesseract_version() is None:
        raise FormatProblem("has no text layer and tesseract is not installed: install it "
                            "(apt-get install tesseract-ocr) to read scans with --ocr")
    code = TESSERACT_LANGUAGES.get(language, "eng")
    if code not in _installed_languages():
        code = "eng"
    pdf = pdfium.PdfDocument(data)
    texts: dict[int, str] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for number in pages:
                bitmap = pdf[number].render(scale=DPI / 72, grayscale=True)
                image = Path(tmp) / f"page-{number}.pgm"
                width, height, stride = bitmap.width, bitmap.height, bitmap.stride
                buffer = bytes(bitmap.buffer)
                rows = b"".join(buffer[r * stride:r * stride + width] for r in range(height))
                image.write_bytes(b"P5\n%d %d\n255\n" % (width, height) + rows)
                result = subprocess.run(["tesseract", str(image), "stdout", "-l", code,
                                         "--dpi", str(DPI)], capture_output=True, text=True,
                                        timeout=PAGE_SECONDS, check=False)
                if result.returncode != 0:
                    raise FormatProblem(f"page {number + 1}: tesseract failed: "
                                        f"{result.stderr.strip()[:200]}")
                texts[number] = result.stdout
    finally:
        pdf.close()
    return texts
