"""Sources as NGO staff receive them: the seed printed to PDF by Chromium, saved as a Word file
and wrapped in a web page full of furniture gives exactly the seed's facts; PDF facts carry
their page; tables stay rows; hyphenation is mended; a mapped spreadsheet gives facts with
their cells that reconcile with the same figures in text; and broken files end in a message
naming them, never a traceback. Every file here is made by the test itself."""

from __future__ import annotations

import csv
import html
import io
import os
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import docx
import pytest
from conftest import SEED, MakeProject, needs_shared
from openpyxl import Workbook

from ledger.build import BuildResult, build
from ledger.cli import main
from ledger.formats import extract

CHROMIUM = Path("/usr/bin/chromium")
FIELDS = ("indicator", "value", "qualifier", "unit", "kind", "as_of", "place", "low", "high")


def _chromium() -> Path:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("CI must install Debian's chromium (see .ci/run)")
        pytest.skip("/usr/bin/chromium is not installed (apt-get install chromium)")
    return CHROMIUM


def print_to_pdf(page: Path, pdf: Path) -> bytes:
    """Chromium's own print to PDF, with its default header (date, title) and footer
    (address, page counter)."""
    subprocess.run([str(_chromium()), "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--no-first-run",
                    f"--print-to-pdf={pdf}", page.as_uri()], check=True, capture_output=True,
                   timeout=120)
    return pdf.read_bytes()


def _facts(out: Path) -> list[dict[str, str]]:
    with (out / "facts.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _figures(out: Path) -> list[tuple[str, ...]]:
    return sorted(tuple(row[f] for f in FIELDS) for row in _facts(out))


def _seed_as(tmp_path: Path, name: str, data: bytes) -> BuildResult:
    """The seed's catalogue row, pointing at the seed in another format."""
    sources = tmp_path / Path(name).stem / "sources"
    sources.mkdir(parents=True)
    (sources / name).write_bytes(data)
    catalogue = (SEED / "sources.csv").read_text("utf-8")
    (sources / "sources.csv").write_text(catalogue.replace("000_cc935aa015bef0f5.txt", name),
                                         "utf-8")
    return build(sources.parent, None)


def _seed_paragraphs() -> list[str]:
    text = (SEED / "000_cc935aa015bef0f5.txt").read_text("utf-8")
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_the_seed_printed_to_pdf_by_chromium_gives_the_seeds_facts_with_pages(
        seed_build: BuildResult, tmp_path: Path) -> None:
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    page = tmp_path / "seed.txt"
    shutil.copy(SEED / "000_cc935aa015bef0f5.txt", page)
    pdf = print_to_pdf(page, tmp_path / "seed.pdf")
    result = _seed_as(tmp_path, "seed.pdf", pdf)
    assert _figures(result.out) == _figures(seed_build.out)
    pages = [int(row["page"]) for row in _facts(result.out)]
    assert all(p >= 1 for p in pages) and max(pages) >= 3  # the seed spans several pages
    text = "".join(d.text for d in result.documents)
    assert "file://" not in text and "1/6" not in text  # Chromium's footer is gone
    assert "PM\n" not in text  # and its header's time stamp
    for fact in result.facts:  # each page number is where the figure stands
        assert result.documents[0].page_of(fact.char_start) == fact.page


def test_the_seed_as_a_word_file_gives_the_seeds_facts(seed_build: BuildResult,
                                                       tmp_path: Path) -> None:
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    document = docx.Document()
    for paragraph in _seed_paragraphs():
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    result = _seed_as(tmp_path, "seed.docx", buffer.getvalue())
    assert _figures(result.out) == _figures(seed_build.out)
    assert all(row["page"] == "" for row in _facts(result.out))


FURNITURE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Live updates</title>
</head><body><header><div class="brand">Example Wire</div><nav><a href="/">Home</a>
<a href="/top">Top 17 stories</a> <a href="/world">World</a></nav>
<div class="ticker">48,213 views · 250,000 readers this week</div></header>
<main><article><h1>Live updates</h1><p class="byline">By the live desk · 48,213 views</p>
{body}</article>
<aside><h2>Related</h2><ul><li><a href="/a">12 people killed in a storm</a></li>
<li><a href="/b">5,000 people march in the capital</a></li>
<li><a href="/c">300 migrants rescued at sea</a></li></ul></aside></main>
<footer><p>© 2020 Example Wire · 250,000 readers · Top 17 stories</p></footer>
</body></html>"""


def test_the_seed_in_a_web_page_gives_the_seeds_facts_and_nothing_of_the_furniture(
        seed_build: BuildResult, tmp_path: Path) -> None:
    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in _seed_paragraphs())
    result = _seed_as(tmp_path, "seed.html", FURNITURE.format(body=body).encode())
    assert _figures(result.out) == _figures(seed_build.out)
    text = result.documents[0].text
    for furniture in ("Top 17 stories", "48,213", "250,000", "5,000 people march"):
        assert furniture not in text


def test_a_pdf_keeps_table_rows_and_mends_hyphenation(tmp_path: Path,
                                                      make_project: MakeProject) -> None:
    page = tmp_path / "flash.html"
    page.write_text("""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Flash update 3</title><style>p.narrow{width:15em;text-align:justify}
td,th{padding:4px 40px}</style></head><body><h1>Flash update 3</h1>
<p class="narrow">Relief organi&shy;sations distri&shy;buted emergency supplies to
approxi&shy;mately 4,500 dis&shy;placed households in collective centres this week.</p>
<table><tr><th>Country</th><th>Refugees</th></tr><tr><td>Poland</td><td>2,900,000</td></tr>
<tr><td>Moldova</td><td>104,000</td></tr></table>
<p>More than 12,000 people crossed into Moldova over the weekend.</p></body></html>""",
                    "utf-8")
    pdf = print_to_pdf(page, tmp_path / "flash.pdf")
    text = extract(pdf, ".pdf").text
    assert "Poland | 2,900,000\nMoldova | 104,000" in text
    assert "distributed emergency supplies to approximately 4,500 displaced households" in text
    project = make_project({"sources/flash.pdf": pdf,
                            "sources/sources.csv": "path,published\nflash.pdf,2022-03-20\n"})
    result = build(project, None)
    values = {(f.value, f.page) for f in result.facts}
    assert (4500, 1) in values and (12000, 1) in values


def _tracking_workbook() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Returns"
    sheet.append(["Partner tracking of returns"])
    sheet.merge_cells("A1:C1")
    sheet.append(["Town", "Date", "Returned"])
    sheet.append(["Stepanakert", date(2020, 11, 25), 9500])
    sheet.append(["Shushi", date(2020, 11, 25), "n/a"])
    sheet.append(["Martuni", date(2020, 11, 25), 310])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


MAPPING = """[[tables]]
file = "tracking.xlsx"
sheet = "Returns"
header_row = {row}
value = "Returned"
place = "Town"
date = "Date"
indicator = "returnees"
unit = "person"
"""


def test_a_mapped_spreadsheet_gives_facts_with_cells_that_reconcile_with_text(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({
        "sources/tracking.xlsx": _tracking_workbook(),
        "sources/feed.txt": "Since 14 November, 9,500 residents have returned to Stepanakert, "
                            "the ministry said.\n",
        "sources/sources.csv": "path,published,publisher\nfeed.txt,2020-11-25,Ministry\n"
                               "tracking.xlsx,2020-11-25,Partner\n",
        "ledger.toml": MAPPING.format(row=2)})
    assert main(["build", str(project), "-q"]) == 0
    assert "Returns!C4: 'n/a' is not a number" in capsys.readouterr().err
    rows = {r["cell"]: r for r in _facts(project / "build") if r["cell"]}
    assert set(rows) == {"Returns!C3", "Returns!C5"}
    assert (rows["Returns!C3"]["value"], rows["Returns!C3"]["place"],
            rows["Returns!C3"]["as_of"]) == ("9500", "Stepanakert", "2020-11-25")
    with (project / "build" / "observations.csv").open(encoding="utf-8") as handle:
        observations = list(csv.DictReader(handle))
    joined = next(o for o in observations if o["place"] == "Stepanakert")
    assert joined["sources"] == "feed.txt tracking.xlsx" and joined["status"] == "consistent"
    assert main(["explain", "--build", str(project / "build"),
                 rows["Returns!C3"]["fact_id"]]) == 0
    assert "cell Returns!C3" in capsys.readouterr().out


def test_spreadsheet_problems_name_the_file_and_what_it_has(make_project: MakeProject,
                                                            capsys: pytest.CaptureFixture[str]
                                                            ) -> None:
    files: dict[str, str | bytes] = {
        "sources/tracking.xlsx": _tracking_workbook(),
        "sources/sources.csv": "path,published\ntracking.xlsx,2020-11-25\n"}
    unmapped = make_project(files, "unmapped")
    assert main(["build", str(unmapped), "-q"]) == 1
    assert "sources/tracking.xlsx: error S012" in capsys.readouterr().err
    merged = make_project({**files, "ledger.toml": MAPPING.format(row=1)}, "merged")
    assert main(["build", str(merged), "-q"]) == 1
    err = capsys.readouterr().err
    assert "no column 'Returned' (value) in row 1" in err and "merged cells (A1:C1)" in err


def _pdf_bytes(tmp_path: Path) -> bytes:
    page = tmp_path / "plain.html"
    page.write_text("<p>About 700 people were evacuated from the village.</p>", "utf-8")
    return print_to_pdf(page, tmp_path / "plain.pdf")


def _encrypted(pdf: bytes) -> bytes:
    pypdf = pytest.importorskip("pypdf")
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt("secret")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _bomb() -> bytes:
    """A valid PDF whose one stream inflates to 300 MB of text drawing."""
    import zlib

    stream = zlib.compress(b"BT /F1 12 Tf 72 720 Td (1) Tj ET\n" * 9_000_000, 9)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream
               + b"\nendstream",
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def test_broken_files_end_in_a_message_naming_them(tmp_path: Path, make_project: MakeProject,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    pdf = _pdf_bytes(tmp_path)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    bad = {
        "encrypted.pdf": (_encrypted(pdf), "is encrypted"),
        "truncated.pdf": (pdf[: len(pdf) // 3], "not a readable PDF"),
        "corrupt.pdf": (b"%PDF-1.7\n" + os.urandom(4000), "not a readable PDF"),
        "renamed.pdf": (b"<html>not a pdf</html>", "is not a PDF"),
        "plain.docx": (b"just text, not a zip", "not a Word .docx file"),
        "other.docx": (zipped.getvalue(), "not a Word document"),
        "old.xlsx": (b"\xd0\xcf\x11\xe0 an old binary workbook", "not an .xlsx workbook"),
    }
    files: dict[str, str | bytes] = {f"sources/{name}": data for name, (data, _) in bad.items()}
    files["sources/good.pdf"] = pdf
    files["sources/sources.csv"] = "path,published\n" + "".join(
        f"{name},2024-01-0{1 + i % 9}\n" for i, name in enumerate([*bad, "good.pdf"]))
    project = make_project(files)
    assert main(["build", str(project), "-q"]) == 0  # a warning each, and the good file built
    err = capsys.readouterr().err
    for name, (_, reason) in bad.items():
        line = next(x for x in err.splitlines() if x.startswith(f"sources/{name}:"))
        assert "warning S010" in line and reason in line, line
    assert "Traceback" not in err
    assert [row["value"] for row in _facts(project / "build")] == ["700"]
    assert main(["build", str(project), "-q", "--strict"]) == 1


def test_a_pdf_bomb_is_refused_within_the_limits(make_project: MakeProject,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from ledger.formats import limits

    project = make_project({"sources/bomb.pdf": _bomb(),
                            "sources/sources.csv": "path,published\nbomb.pdf,2024-01-01\n",
                            "sources/note.txt": "About 50 people were evacuated.\n"})
    original = limits.MEMORY_BYTES
    limits.MEMORY_BYTES = 200 * 1024 * 1024  # a small limit keeps the test quick
    try:
        assert main(["build", str(project), "-q"]) == 0
    finally:
        limits.MEMORY_BYTES = original
    err = capsys.readouterr().err
    line = next(x for x in err.splitlines() if x.startswith("sources/bomb.pdf:"))
    assert "warning S010" in line and "Traceback" not in err


def test_a_web_page_of_fifty_megabytes_is_skipped_with_a_warning(
        make_project: MakeProject, capsys: pytest.CaptureFixture[str]) -> None:
    page = "<html><body>" + "<p>About 20 people arrived.</p>" * 1_700_000 + "</body></html>"
    project = make_project({"sources/huge.html": page,
                            "sources/small.txt": "About 30 people arrived in Goris.\n"})
    assert len(page.encode()) > 50_000_000
    assert main(["build", str(project), "-q"]) == 0
    assert "sources/huge.html: warning S008 skipped" in capsys.readouterr().err


def test_explain_text_prints_the_text_offsets_refer_to(seed_build: BuildResult,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    assert main(["explain", "--build", str(seed_build.out), "--text",
                 "000_cc935aa015bef0f5.txt"]) == 0
    text = capsys.readouterr().out
    for fact in seed_build.facts:
        assert text[fact.char_start:fact.char_end] in fact.quote


def _scanned(tmp_path: Path) -> bytes:
    """A PDF of one page that is only a picture of its text, as a scanner makes."""
    import pypdfium2 as pdfium

    page = tmp_path / "scan.html"
    page.write_text("<p style='font-size:20px'>More than 3,200 people were evacuated from the "
                    "flooded districts of Kharkiv on Tuesday, the regional administration "
                    "said.</p>", "utf-8")
    printed = pdfium.PdfDocument(print_to_pdf(page, tmp_path / "printed.pdf"))
    picture = printed[0].render(scale=200 / 72).to_pil().convert("L")
    buffer = io.BytesIO()
    picture.save(buffer, format="PDF", resolution=200)
    return buffer.getvalue()


def test_a_scan_is_named_without_ocr_and_read_with_it(tmp_path: Path,
                                                       make_project: MakeProject,
                                                       capsys: pytest.CaptureFixture[str]
                                                       ) -> None:
    if shutil.which("tesseract") is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs tesseract-ocr: see .ci/run")
        pytest.skip("tesseract is not installed (apt-get install tesseract-ocr)")
    project = make_project({"sources/scan.pdf": _scanned(tmp_path),
                            "sources/sources.csv": "path,published,language\n"
                                                   "scan.pdf,2024-05-07,en\n"})
    assert main(["build", str(project), "-q"]) == 0
    err = capsys.readouterr().err
    assert "sources/scan.pdf: warning S010" in err and "--ocr" in err
    assert _facts(project / "build") == []
    assert main(["build", str(project), "-q", "--ocr"]) == 0
    assert "read by OCR (tesseract" in capsys.readouterr().err
    [fact] = _facts(project / "build")
    assert (fact["value"], fact["qualifier"], fact["place"], fact["page"]) == (
        "3200", "more_than", "Kharkiv", "1")
    assert main(["verify", str(project / "build")]) == 0  # the rebuild reads it by OCR too


def test_a_pdf_with_too_many_pages_is_refused(tmp_path: Path, make_project: MakeProject,
                                              monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from ledger.formats import pdf

    needs_shared(SEED / "000_cc935aa015bef0f5.txt")
    page = tmp_path / "seed.txt"
    shutil.copy(SEED / "000_cc935aa015bef0f5.txt", page)
    monkeypatch.setattr(pdf, "MAX_PAGES", 3)  # the seed prints on six
    project = make_project({"sources/long.pdf": print_to_pdf(page, tmp_path / "long.pdf"),
                            "sources/note.txt": "About 40 people arrived in Goris.\n"})
    assert main(["build", str(project), "-q"]) == 0
    assert "more than the 3 ledger reads; refused" in capsys.readouterr().err


def test_a_web_page_gives_its_own_title_and_date_and_its_tables_as_rows(
        make_project: MakeProject) -> None:
    page = FURNITURE.format(body=(
        "<p>More than 2,900,000 refugees have crossed into Poland since the war began, the "
        "border guard said.</p><table><tr><th>Country</th><th>Refugees</th></tr>"
        "<tr><td>Poland</td><td>2,900,000</td></tr><tr><td>Moldova</td><td>104,000</td></tr>"
        "</table><p>Aid agencies expect more arrivals in the coming days as trains run "
        "again.</p>")).replace(
        "<title>Live updates</title>", '<title>Refugee arrivals</title><meta property='
        '"article:published_time" content="2022-03-20T09:00:00Z">')
    project = make_project({"sources/page.html": page})  # no catalogue at all
    result = build(project, None)
    [document] = result.documents
    assert (document.title, str(document.published), document.date_origin) == (
        "Live updates", "2022-03-20", "page metadata")  # the article's headline
    assert "Country | Refugees\nPoland | 2,900,000\nMoldova | 104,000" in document.text
    assert "Top 17 stories" not in document.text


def test_a_word_table_is_read_row_by_row_with_a_merged_cell_once() -> None:
    document = docx.Document()
    document.add_paragraph("Arrivals by country, as of 20 March.")
    table = document.add_table(rows=3, cols=2)
    table.cell(0, 0).merge(table.cell(0, 1)).text = "Refugees from Ukraine"
    for row, (country, count) in enumerate((("Poland", "2,900,000"), ("Moldova", "104,000")),
                                           start=1):
        table.cell(row, 0).text, table.cell(row, 1).text = country, count
    buffer = io.BytesIO()
    document.save(buffer)
    text = extract(buffer.getvalue(), ".docx").text
    assert text == ("Arrivals by country, as of 20 March.\n\nRefugees from Ukraine\n"
                    "Poland | 2,900,000\nMoldova | 104,000\n")


def test_check_names_an_unmapped_spreadsheet(make_project: MakeProject,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project({"sources/tracking.xlsx": _tracking_workbook()})
    assert main(["check", str(project)]) == 1
    assert "sources/tracking.xlsx: error S012" in capsys.readouterr().err
