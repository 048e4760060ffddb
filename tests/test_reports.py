"""The reports as people and tools receive them: the workbook read back with openpyxl, the
HTML in a real browser, facts.hxl.csv through libhxl and datapackage.json through frictionless."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import MakeProject
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from ledger.build import BuildResult
from ledger.cli import main

SHEETS = ["Summary", "Series", "Observations", "Facts", "Findings", "Unread", "Copies",
          "Sources", "Rates", "About"]
TABLE_SHEETS = ["Observations", "Facts", "Findings", "Unread", "Copies", "Sources", "Rates"]


def _header(ws: Worksheet) -> list[str]:
    return [str(c.value) for c in ws[1]]


def _column(ws: Worksheet, name: str) -> list:  # type: ignore[type-arg]
    index = _header(ws).index(name)
    return [row[index] for row in ws.iter_rows(min_row=2)]


@pytest.mark.parametrize("which", ["example_build", "seed_build"])
def test_workbook_sheets_tables_and_frozen_headers(which: str,
                                                   request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(which)
    workbook = load_workbook(result.out / "ledger.xlsx")
    assert workbook.sheetnames == SHEETS
    for name in TABLE_SHEETS:
        ws = workbook[name]
        assert ws.freeze_panes == "A2", name
        if ws.max_row > 1:
            (table,) = ws.tables.values()
            assert table.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{ws.max_row}"
            assert table.tableStyleInfo.showRowStripes and table.autoFilter is not None
    summary = workbook["Summary"]
    assert "how to read" in " ".join(str(c.value) for c in summary["A"][:6]).lower() or any(
        "Each row below" in str(c.value) for c in summary["A"][:6])


@pytest.mark.parametrize("which", ["example_build", "seed_build"])
def test_workbook_numbers_dates_and_currency_formats(which: str,
                                                     request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(which)
    facts = load_workbook(result.out / "ledger.xlsx")["Facts"]
    units = [c.value for c in _column(facts, "unit")]
    for cell, unit in zip(_column(facts, "value"), units, strict=True):
        assert isinstance(cell.value, (int, float))
        assert cell.number_format.startswith("#,##0")
        if len(unit) == 3 and unit.isupper():
            assert cell.number_format.endswith(f'"{unit}"')
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in _column(facts, "as_of"))
    usd = [c for c in _column(facts, "value_usd") if c.value is not None]
    assert usd and all(c.number_format == '"$"#,##0.00' for c in usd)
    sources = load_workbook(result.out / "ledger.xlsx")["Sources"]
    assert all(c.is_date for c in _column(sources, "published"))


def test_workbook_links_observations_facts_and_sources(example_build: BuildResult) -> None:
    workbook = load_workbook(example_build.out / "ledger.xlsx")
    facts, observations = workbook["Facts"], workbook["Observations"]
    fact_rows = {c.value: c.row for c in _column(facts, "fact_id")}
    for cell, ids in zip(_column(observations, "fact_ids"), _column(observations, "fact_ids"),
                         strict=True):
        rows = sorted(fact_rows[i] for i in str(ids.value).split())
        assert cell.hyperlink.location == f"Facts!A{rows[0]}:AB{rows[-1]}"
        assert rows == list(range(rows[0], rows[-1] + 1))  # an observation's facts sit together
    source_rows = {c.value: c.row for c in _column(workbook["Sources"], "path")}
    for cell in _column(facts, "source"):
        assert cell.hyperlink.location == f"Sources!A{source_rows[cell.value]}"
    obs_rows = {c.value: c.row for c in _column(observations, "observation_id")}
    for cell in _column(facts, "observation_id"):
        assert cell.hyperlink.location == f"Observations!A{obs_rows[cell.value]}"
    urls = [c.hyperlink.target for c in _column(workbook["Sources"], "url")]
    assert all(u.startswith("https://example.org/") for u in urls)


def test_series_with_three_points_get_a_native_line_chart(example_build: BuildResult) -> None:
    ws = load_workbook(example_build.out / "ledger.xlsx")["Series"]
    charts = ws._charts
    days: dict[tuple[str, str, str, str, str], set[str]] = {}
    for o in example_build.observations:
        days.setdefault((o.indicator, o.place, o.kind, o.unit, o.side), set()).add(o.as_of[:10])
    assert len(charts) == sum(1 for d in days.values() if len(d) >= 3) >= 1  # one point a day
    assert all(chart.tagname == "lineChart" for chart in charts)
    import zipfile

    chart_xml = zipfile.ZipFile(example_build.out / "ledger.xlsx").read(
        "xl/charts/chart1.xml").decode()
    assert '<smooth val="0"' in chart_xml and '<smooth val="1"' not in chart_xml
    top = next(r for r in range(1, ws.max_row + 1)
               if ws.cell(r, 1).value == "returnees / Stepanakert / stock (person)")
    assert [c.value for c in ws[top + 1]][:7] == ["As of", "Value", "Low", "High",
                                                  "Statements", "Sources", "Status"]
    rows = range(top + 2, top + 6)
    # 8,700 (ministry, Monday), more than 8,500 (Russian bulletin), some 9,500, 9,800
    assert [ws.cell(r, 2).value for r in rows] == [8700, 8500, 9500, 9800]
    assert [ws.cell(r, 7).value for r in rows] == ["single", "single", "consistent", "single"]


def test_long_sentences_and_control_characters(make_project: MakeProject) -> None:
    long_sentence = "About 300 people were evacuated from Martuni " + "and the area " * 3000 + "."
    project = make_project({"sources/a.txt": long_sentence + "\n\n"
                            "Some 40 people were killed in Ganja \x07 on Monday.\n"})
    assert main(["build", str(project), "-q"]) == 0
    workbook = load_workbook(project / "build" / "ledger.xlsx")
    quotes = [c.value for c in _column(workbook["Facts"], "quote")]
    long_quote = next(q for q in quotes if q.startswith("About 300"))
    assert len(long_quote) <= 1_000 and long_sentence.startswith(long_quote)  # cut at a space
    assert any(q == "Some 40 people were killed in Ganja   on Monday." for q in quotes)
    facts_csv = (project / "build" / "facts.csv").read_text("utf-8")
    assert "\x07" not in facts_csv  # a control character is read as a space


def test_a_cell_past_excels_limit_is_cut_with_a_note() -> None:
    from ledger.render.xlsx import EXCEL_CELL_LIMIT, safe_text

    cut = safe_text("x" * 40_000)
    assert len(cut) == EXCEL_CELL_LIMIT and cut.endswith("full text in facts.csv]")
    assert safe_text("bell \x07") == "bell \u2407"


def test_hxl_validates_without_errors(example_build: BuildResult) -> None:
    hxl = pytest.importorskip("hxl")
    from hxl.input import InputOptions

    report = hxl.validate(hxl.data(str(example_build.out / "facts.hxl.csv"),
                                   InputOptions(allow_local=True)))
    assert report["is_valid"], report["issues"]
    assert report["stats"]["error"] == 0 and report["stats"]["warning"] == 0
    second_line = (example_build.out / "facts.hxl.csv").read_text("utf-8").splitlines()[1]
    for tag in ("#date+reported", "#loc+name", "#indicator+code", "#indicator+value+num",
                "#meta+qualifier", "#currency+code", "#value+c_usd", "#org+reporting",
                "#meta+source+url", "#meta+quote", "#meta+rule"):
        assert tag in second_line.split(",")


def test_datapackage_validates_with_frictionless(example_build: BuildResult) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(example_build.out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "message"])
    package = frictionless.Package(str(example_build.out / "datapackage.json"))
    fields = {f.name: f for f in package.get_resource("facts").schema.fields}
    assert fields["value"].type == "number" and fields["value"].to_dict()["hxl"] == (
        "#indicator+value+num")
    assert package.licenses and len(package.sources) == 4


def test_report_locale_formats_numbers_and_dates(make_project: MakeProject) -> None:
    project = make_project({
        "sources/a.txt": "More than 9,500 residents have returned to Stepanakert.\n",
        "sources/sources.csv": "path,published\na.txt,2020-11-25\n",
        "ledger.toml": 'report_locale = "ru"\n'})
    assert main(["build", str(project), "-q"]) == 0
    html = (project / "build" / "index.html").read_text("utf-8")
    assert "9\u00a0500" in html  # Russian groups digits with a no-break space
    assert "25 нояб. 2020" in html


def test_a_chart_draws_one_point_a_day() -> None:
    from ledger.reconcile import Observation
    from ledger.render.report import one_a_day

    def point(day: str, value: float) -> Observation:
        return Observation(f"O{day}{value}", "aid_funding", "Ukraine", "plan", "EUR", day, "",
                           "", value, "exact", value, value, "single", "latest", ("F1",), 1)

    points = [point("2024-01-01", 5), point("2024-01-01", 40), point("2024-01-02", 8),
              point("2024-01-01", 35)]
    assert [(o.as_of, o.value) for o in one_a_day(points)] == [("2024-01-01", 40),
                                                               ("2024-01-02", 8)]


def test_every_sheet_prints_fit_to_width_with_its_header_on_every_page(
        seed_build: BuildResult) -> None:
    workbook = load_workbook(seed_build.out / "ledger.xlsx")
    for sheet in workbook.worksheets:
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows, sheet.title
        assert sheet.oddFooter.center.text == "Page &P of &N"
    summary = workbook["Summary"]
    header = next(r for r in summary.iter_rows(values_only=True) if r and r[0] == "Indicator")
    at = header.index("Stated as")
    stated = [r[at] for r in summary.iter_rows(values_only=True)
              if r and r[0] not in (None, "Indicator") and len(r) > at and r[at]]
    assert "more than 7,000" in stated and "more than 1,100" in stated and "about 600" in stated


def test_the_seed_summary_sheet_prints_on_two_pages_in_libreoffice(
        seed_build: BuildResult, tmp_path: Path) -> None:
    """The Summary as LibreOffice prints it (the print setup the workbook carries): two A4
    pages at most."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs LibreOffice (libreoffice-calc-nogui): see .ci/run")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    workbook = load_workbook(seed_build.out / "ledger.xlsx")
    for name in workbook.sheetnames:
        if name != "Summary":
            del workbook[name]
    workbook.save(tmp_path / "summary.xlsx")
    subprocess.run([soffice, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "summary.xlsx")], check=True, capture_output=True,
                   timeout=180)
    pdf = (tmp_path / "summary.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))
    assert pdf[:4] == b"%PDF" and 1 <= pages <= 2
