"""Fuzzing the command line with hypothesis: random documents (any Unicode, control characters,
huge numbers, long lines), catalogues, rule files, lexicons and rate tables.

Whatever the input, `ledger check` and `ledger build` end with exit 0 or 1, never 2 (a bug),
print no traceback and write nothing outside the project and the output folder. A few runs go
through a child process with its memory capped. The number of examples is bounded for CI
(`LEDGER_FUZZ_EXAMPLES`, default 25 per strategy); run with a larger one to search longer.
"""

from __future__ import annotations

import io
import os
import resource
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from conftest import write_files
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.cli import main

EXAMPLES = int(os.environ.get("LEDGER_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

SENTENCES = ["More than 1,100 people returned to Stepanakert over the past day.",
             "Some 7,000 have returned since 14 November.", "The fund gave $4m.",
             "Около 5,2 млн украинцев покинули страну.",
             "В Степанакерт вернулись 1,1 тыс. человек.",
             "A 25-person team arrived.", "• 16:13", "Twenty-three posts.", "On 12 May 2021."]
NUMBERS = st.one_of(st.integers(min_value=-10**30, max_value=10**30).map(str),
                    st.floats(allow_nan=True, allow_infinity=True).map(repr),
                    st.text(alphabet="0123456789,. \u00a0\u202f\u200b'’", min_size=1,
                            max_size=40),
                    st.just("1" * 5000))
PIECES = st.one_of(st.sampled_from(SENTENCES), NUMBERS, st.text(max_size=200),
                   st.text(alphabet=st.characters(max_codepoint=0x1f), max_size=30),
                   st.sampled_from([" people", " тонн", " trucks", " $", " €", "\n", "\n\n",
                                    " more than ", " около ", "x" * 3000]))
DOCUMENTS = st.lists(PIECES, max_size=30).map("".join)


def _run(args: list[str]) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(args)
    return code, err.getvalue()


def _project(root: Path, files: dict[str, str | bytes]) -> Path:
    project = write_files(root / f"p{len(list(root.iterdir()))}", files)
    (project / "sources").mkdir(parents=True, exist_ok=True)
    return project


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _assert_clean(root: Path, project: Path, code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err and "bug in ledger" not in err, err
    outside = {p for p in _listing(root) if not p.startswith(project.name)}
    assert outside == set(), f"written outside the project: {sorted(outside)}"


@FUZZ
@given(text=DOCUMENTS, raw=st.binary(max_size=300))
def test_any_document_builds_or_is_refused_cleanly(tmp_path_factory: object, text: str,
                                                   raw: bytes) -> None:
    root = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    project = _project(root, {"sources/a.txt": text, "sources/b.html": text,
                              "sources/c.md": raw})
    for args in (["check"], ["build", "--jobs", "1"]):
        _assert_clean(root, project, *_run([*args[:1], str(project), *args[1:]]))


CELLS = st.one_of(st.sampled_from(["a.txt", "2020-11-21", "en", "ru", "xx", "", '"', "\t",
                                   "../a.txt", "/etc/passwd", "=1+2", "2108-01-01",
                                   "Europe/Kyiv", "+25:00", "cp1251"]),
                  st.text(max_size=20))


@FUZZ
@given(header=st.lists(CELLS, max_size=6), rows=st.lists(st.lists(CELLS, max_size=7),
                                                          max_size=5),
       separator=st.sampled_from([",", ";", "\t"]))
def test_any_catalogue_builds_or_is_refused_cleanly(tmp_path_factory: object,
                                                    header: list[str], rows: list[list[str]],
                                                    separator: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    catalogue = "\n".join(separator.join(r) for r in [["path", *header], *rows]) + "\n"
    project = _project(root, {"sources/a.txt": SENTENCES[0],
                              "sources/sources.csv": catalogue})
    _assert_clean(root, project, *_run(["build", str(project), "--jobs", "1"]))


RULE = """rules:
  - id: fuzz.rule
    indicator: {indicator}
    unit: {unit}
    kind: {kind}
    patterns: [{pattern}]
    examples:
      - {{name: a, text: {text}, expect: {{value: {value}}}}}
      - {{name: b, text: "nothing", expect: none}}
"""
YAMLISH = st.one_of(st.sampled_from(["people", "person", "stock", "'{quantity} x'", "&a [1]",
                                     "*a", "[[[[", "{", "'", "\"", "null", "1e999", "- -",
                                     "'(a+)+$'", "'{money}'", "'{quantity} {quantity}'"]),
                    st.text(max_size=30))


@FUZZ
@given(parts=st.fixed_dictionaries({k: YAMLISH for k in ("indicator", "unit", "kind",
                                                         "pattern", "text", "value")}),
       lexicon=st.text(max_size=300))
def test_any_rule_file_or_lexicon_is_checked_cleanly(tmp_path_factory: object,
                                                     parts: dict[str, str],
                                                     lexicon: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    project = _project(root, {"sources/a.txt": SENTENCES[0],
                              "rules/fuzz.yaml": RULE.format(**parts),
                              "lexicon/fuzz.yaml": "language: en\n" + lexicon})
    for args in (["check"], ["build", "--jobs", "1"]):
        _assert_clean(root, project, *_run([*args[:1], str(project), *args[1:]]))


@FUZZ
@given(rows=st.lists(st.tuples(st.sampled_from(["2020-11-20", "2020-13-01", "x", ""]),
                               st.sampled_from(["AMD", "XYZ", "", "amd"]), NUMBERS),
                     max_size=6),
       sidecar=st.sampled_from(["", "quote: per_usd\n", "units: 0\n", "units: 100\n",
                                "basis: [\n", "a: &x 1\nb: *x\n"]))
def test_any_rate_table_is_read_cleanly(tmp_path_factory: object,
                                        rows: list[tuple[str, str, str]], sidecar: str) -> None:
    root = tmp_path_factory.mktemp("fuzz")  # type: ignore[attr-defined]
    table = "date,currency,per_usd\n" + "".join(f"{d},{c},{v}\n" for d, c, v in rows)
    project = _project(root, {"sources/a.txt": "It cost 300 thousand drams.",
                              "sources/sources.csv": "path,published\na.txt,2020-11-21\n",
                              "rates/own.csv": table, "rates/own.yaml": sidecar})
    _assert_clean(root, project, *_run(["build", str(project), "--jobs", "1"]))


def test_a_hostile_project_stays_under_a_memory_bound(tmp_path: Path) -> None:
    """Every hostile file at once, in a child process whose address space is capped."""
    bomb = "a: &a [x]\n" + "".join(f"{c}: &{c} [{','.join([f'*{p}'] * 9)}]\n"
                                  for p, c in zip("abcdefgh", "bcdefghi", strict=True))
    project = _project(tmp_path, {"sources/a.txt": "9" * 2_000_000 + " people\n" + "x " * 10**6,
                                  "rules/bomb.yaml": bomb, "decisions.yaml": bomb,
                                  "gazetteer.yaml": bomb, "lexicon/bomb.yaml": bomb})

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 * 1024**3, 3 * 1024**3))

    done = subprocess.run([sys.executable, "-m", "ledger", "build", str(project), "--jobs", "1"],
                          capture_output=True, text=True, preexec_fn=cap, timeout=300,
                          check=False)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr


def _mutated(seed: bytes, edits: list[tuple[int, int]]) -> bytes:
    data = bytearray(seed)
    for at, value in edits:
        if data:
            data[at % len(data)] = value
    return bytes(data)


PDF_HEAD = (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type "
            b"/Pages /Kids [3 0 R] /Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R "
            b"/MediaBox [0 0 612 792] >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
ZIP_HEAD = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 20 + b"word/document.xml"


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=20),
       tail=st.binary(max_size=400))
def test_any_pdf_word_or_excel_file_builds_or_is_refused_cleanly(
        tmp_path_factory: object, edits: list[tuple[int, int]], tail: bytes) -> None:
    """Damaged PDF, Word and Excel files: a warning naming each, never a traceback."""
    root = tmp_path_factory.mktemp("formats")  # type: ignore[attr-defined]
    project = _project(root, {"sources/a.pdf": _mutated(PDF_HEAD, edits) + tail,
                              "sources/b.docx": _mutated(ZIP_HEAD, edits) + tail,
                              "sources/c.xlsx": _mutated(ZIP_HEAD, edits) + tail,
                              "sources/d.txt": "About 40 people arrived in Goris.\n"})
    code, err = _run(["build", str(project), "--jobs", "1", "--no-cache"])
    _assert_clean(root, project, code, err)
