"""Read a project's source documents: decode, reduce HTML to text, normalise, hash, segment.

Public surface: `read_sources(sources_dir)` returns the documents and the diagnostics.
Every offset in the ledger refers to `Document.text`, the text after this stage (NFC, `\\n`
newlines, HTML reduced to text). Metadata comes from the catalogue `sources.csv` beside the
documents, then from Markdown front matter, then from a date printed in the document's header:
the catalogue wins.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfoNotFoundError

from ledger.blobs import TextStore
from ledger.boundary import safe_files
from ledger.catalogue import (
    CATALOGUE_NAME,
    CatalogueRow,
    parse_published,
    parse_timezone,
    read_catalogue,
)
from ledger.diagnostics import Diagnostic, LedgerError, error, warning
from ledger.formats import (
    BINARY_SUFFIXES,
    FORMAT_SUFFIXES,
    Extracted,
    FormatProblem,
    Table,
    extract,
    extract_text,
)
from ledger.languages import base_language
from ledger.languages import codes as language_codes
from ledger.languages import known as known_language
from ledger.text import sentence_spans
from ledger.yaml_lines import YamlProblem, load

SOURCE_SUFFIXES = FORMAT_SUFFIXES


@dataclass(frozen=True)
class Segment:
    """A stretch of a document with its own claim time: a live-feed entry, or the whole text."""

    start: int
    end: int
    day: date | None
    clock: time | None = None
    headline_start: int = -1
    headline_end: int = -1


class Spans(Sequence[tuple[int, int]]):
    """(start, end) offsets in two arrays of machine integers: about a sixth of the memory of
    a list of tuples (a build holds every document's sentences)."""

    __slots__ = ("ends", "starts")

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.starts, self.ends = array("q"), array("q")
        for start, end in spans:
            self.starts.append(start)
            self.ends.append(end)

    def __len__(self) -> int:
        return len(self.starts)

    def __getitem__(self, i: int) -> tuple[int, int]:  # type: ignore[override]
        if isinstance(i, slice):
            raise TypeError("Spans are looked up one at a time")
        return self.starts[i], self.ends[i]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self.starts, self.ends, strict=True)


@dataclass
class Document:
    """One source document after reading. `text` is the normalised text all offsets refer to."""

    path: str
    file_sha256: str
    text: str
    published: date | None
    published_at: datetime | None
    date_origin: str
    publisher: str = ""
    url: str = ""
    language: str = "en"
    title: str = ""
    tz: tzinfo | None = None
    segments: list[Segment] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)
    page_starts: tuple[int, ...] = ()
    """Where each page begins in `text` (PDF); empty for formats without pages."""
    tables: tuple[Table, ...] = ()
    """The sheets of a spreadsheet source (its text is their rows, one line each)."""

    @cached_property
    def text_sha256(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @cached_property
    def sentences(self) -> Spans:
        """The sentences as (start, end) offsets, found when first asked for (where the
        document is read: in a worker when a build runs several)."""
        return Spans(sentence_spans(self.text))

    @cached_property
    def _segment_starts(self) -> list[int]:
        return [seg.start for seg in self.segments]

    @cached_property
    def _line_starts(self) -> array[int]:
        return array("q", [0, *(m.end() for m in re.finditer("\n", self.text))])

    def segment_at(self, offset: int) -> Segment:
        """The segment holding the offset (the last one for an offset before them all)."""
        i = bisect.bisect_right(self._segment_starts, offset) - 1
        if i >= 0 and offset < self.segments[i].end:
            return self.segments[i]
        return self.segments[-1]

    def sentence_at(self, offset: int) -> tuple[int, int]:
        """The sentence holding the offset, or an empty span at it."""
        i = bisect.bisect_right(self.sentences.starts, offset) - 1
        if i >= 0 and offset < self.sentences[i][1]:
            return self.sentences[i]
        return offset, offset

    def page_of(self, offset: int) -> int | None:
        """The 1-based page of an offset, or None for a format without pages."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def line_of(self, offset: int) -> int:
        """The 1-based line of an offset."""
        return bisect.bisect_right(self._line_starts, offset)

    def set_aside(self, store: TextStore) -> None:
        """Leave the text to `store`, which holds it (`put` and `flush`), instead of memory;
        `text` reads it back when asked for, and a pickle holds it as before."""
        self.__dict__["_text_store"] = store
        del self.__dict__["text"]

    if not TYPE_CHECKING:  # to the type checker `text` is the field it always is
        def __getattr__(self, name: str) -> Any:
            store = self.__dict__.get("_text_store")
            if name == "text" and store is not None:
                return store.get(self.path)
            raise AttributeError(name)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        store = state.pop("_text_store", None)
        if store is not None:
            state["text"] = store.get(self.path)
        return state


_UKRAINIAN_LETTERS = set("іїєґІЇЄҐ")
_FUNCTION_WORDS = {
    "en": {"the", "and", "of", "to", "in", "is", "that", "for", "with", "was", "were", "have"},
    "fr": {"le", "les", "des", "et", "est", "une", "dans", "du", "au", "pour", "sont", "qui"},
    "es": {"el", "los", "las", "del", "y", "que", "una", "por", "con", "para", "fue", "según",
           "se"},
}
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def detect_language(text: str) -> str:
    """The language of a text when the catalogue names none: Cyrillic letters make Russian
    (Ukrainian when its own letters і ї є ґ are there), else the language whose commonest
    short words the text uses most (English, French or Spanish)."""
    sample = text[:20_000]
    letters = [c for c in sample if c.isalpha()]
    cyrillic = sum(1 for c in letters if "\u0400" <= c <= "\u04ff")
    if letters and cyrillic / len(letters) > 0.5:
        ukrainian = sum(1 for c in letters if c in _UKRAINIAN_LETTERS)
        return "uk" if ukrainian / max(cyrillic, 1) > 0.01 else "ru"
    words = [w.lower() for w in _LETTER_RUN.findall(sample)]
    counts = {code: sum(1 for w in words if w in common)
              for code, common in _FUNCTION_WORDS.items()}
    best = max(counts, key=lambda code: (counts[code], code == "en"))
    return best if counts[best] else "en"


# --- decoding and HTML -------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)


def _front_matter(text: str) -> tuple[dict[str, str], int]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, 0
    try:
        data, _ = load(match.group(1), plain_text=True)
    except YamlProblem:
        return {}, 0
    if not isinstance(data, dict):
        return {}, 0
    return {str(k): str(v) for k, v in data.items() if isinstance(v, str)}, match.end()


# --- dates printed in a header -----------------------------------------------------------------

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "января", "январь"), ("february", "feb", "февраля", "февраль"),
            ("march", "mar", "марта", "март"), ("april", "apr", "апреля", "апрель"),
            ("may", "мая", "май"), ("june", "jun", "июня", "июнь"),
            ("july", "jul", "июля", "июль"), ("august", "aug", "августа", "август"),
            ("september", "sep", "sept", "сентября", "сентябрь"),
            ("october", "oct", "октября", "октябрь"), ("november", "nov", "ноября", "ноябрь"),
            ("december", "dec", "декабря", "декабрь"),
        ],
        start=1,
    )
    for name in names
}
_HEADER_DATE = re.compile(
    r"(?P<iso>(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2}))"
    r"|(?P<dmy>(?P<d2>\d{1,2}) (?P<mon>[A-Za-z]+)\.? (?P<y2>\d{4}))"
    r"|(?P<mdy>(?P<mon3>[A-Za-z]+)\.? (?P<d3>\d{1,2}), (?P<y3>\d{4}))"
)


def _header_date(text: str) -> date | None:
    """A date printed in the first lines of a document (a capture or post date)."""
    for match in _HEADER_DATE.finditer(text[:400]):
        try:
            if match.group("iso"):
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            if match.group("dmy") and match["mon"].lower() in MONTHS:
                return date(int(match["y2"]), MONTHS[match["mon"].lower()], int(match["d2"]))
            if match.group("mdy") and match["mon3"].lower() in MONTHS:
                return date(int(match["y3"]), MONTHS[match["mon3"].lower()], int(match["d3"]))
        except ValueError:
            continue
    return None


# --- live-feed entries -----------------------------------------------------------

_ENTRY_MARK = re.compile(r"^[ \t]*(?:[•·▪‣◦*][ \t]*)?(\d{1,2}):(\d{2})[ \t]*$", re.MULTILINE)


def _segments(text: str, published: date | None, start_at: int) -> list[Segment]:
    """Split a live feed at its time stamps (`• 16:13`); entries run newest first.

    The first entry is on the publication day; when a time is later than the entry above
    it, the feed has crossed midnight backwards and the day steps back by one.
    """
    marks = [m for m in _ENTRY_MARK.finditer(text, start_at) if int(m.group(1)) < 24
             and int(m.group(2)) < 60]
    if not marks:
        return [Segment(start_at, len(text), published)]
    segments = [Segment(start_at, marks[0].start(), published)]
    day = published
    previous: time | None = None
    for index, mark in enumerate(marks):
        clock = time(int(mark.group(1)), int(mark.group(2)))
        if previous is not None and clock > previous and day is not None:
            day -= timedelta(days=1)
        previous = clock
        end = marks[index + 1].start() if index + 1 < len(marks) else len(text)
        head = re.search(r"\S[^\n]*", text[mark.end():end])
        h_start = mark.end() + head.start() if head else -1
        h_end = mark.end() + head.end() if head else -1
        segments.append(Segment(mark.start(), end, day, clock, h_start, h_end))
    return segments


# --- reading -----------------------------------------------------------------------------------


def _decode(data: bytes, encoding: str, shown: str) -> tuple[str | None, Diagnostic | None]:
    try:
        return data.decode(encoding or "utf-8-sig"), None
    except LookupError:
        return None, error(shown, "S002", f"unknown encoding {encoding!r} in the catalogue")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = "; name its encoding (cp1251, koi8-r, ...) in the catalogue's 'encoding' column"
        name = encoding or "UTF-8"
        return None, error(shown, "S002", f"not valid {name} at byte {exc.start}{hint}", line, col)


MAX_DOCUMENT_BYTES = 50_000_000
FETCH_LOCK = "sources.lock.json"
"""What `ledger fetch` recorded (ledger.fetch.LOCK_NAME): beside the catalogue, not a source."""


def document_text(suffix: str, data: bytes, encoding: str, shown: str, ocr: bool = False,
                  language: str = "") -> tuple[Extracted | None, list[Diagnostic]]:
    """The normalised text of a file's bytes, as every stage and `ledger explain` see it;
    None with the reason when it cannot be read. `ocr` reads a PDF's scanned pages with
    tesseract, in `language`."""
    name = Path(shown).stem
    try:
        if suffix.lower() in BINARY_SUFFIXES:
            extracted = extract(data, suffix, name=name, ocr=ocr,
                                language=base_language(language or "en"))
        else:
            raw, problem = _decode(data, encoding, shown)
            if raw is None:
                return None, [problem] if problem else []
            extracted = extract_text(raw, suffix, name)
    except FormatProblem as exc:
        return None, [warning(shown, "S010", f"skipped: the file {exc}")]
    return extracted, [warning(shown, "S011", note) for note in extracted.notes]


def read_document(path: Path, rel: str, shown: str, meta: CatalogueRow | None,
                  max_bytes: int = MAX_DOCUMENT_BYTES, ocr: bool = False
                  ) -> tuple[Document | None, list[Diagnostic]]:
    """Read one document; `shown` is the path used in diagnostics. A file larger than
    `max_bytes` is skipped with a warning."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return None, [warning(shown, "S008", f"skipped: {size:,} bytes, more than the "
                                  f"{max_bytes:,} a document may have (max_document_mb in "
                                  "ledger.toml)")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [error(shown, "S007", f"cannot read the file: {exc.strerror}")]
    extracted, problems = document_text(path.suffix, data, meta.encoding if meta else "", shown,
                                        ocr, meta.language if meta else "")
    if extracted is None:
        return None, problems
    diags: list[Diagnostic] = list(problems)
    text, title = extracted.text, extracted.title
    front: dict[str, str] = {}
    body_start = 0
    if path.suffix.lower() in (".md", ".markdown"):
        front, body_start = _front_matter(text)

    published, published_at = parse_published(meta.published if meta else "")
    origin = "catalogue"
    if meta and meta.published and published is None:
        diags.append(error(meta.catalogue, "S004", f"published date {meta.published!r} of "
                           f"{rel!r} is not an ISO 8601 date (YYYY-MM-DD)", meta.line))
    if published is None and front.get("published"):
        published, published_at = parse_published(front["published"])
        origin = "front matter"
    if published is None and extracted.published:
        published, published_at = parse_published(extracted.published)
        origin = "page metadata"
    if published is None:
        published = _header_date(text[body_start:])
        origin = "document header"
    if published is None:
        origin = "none"
        diags.append(warning(shown, "S006", "no publication date: facts get no as_of; "
                             "add 'published' to the catalogue"))
    tz: tzinfo | None = None
    tz_name = meta.timezone if meta else front.get("timezone", "")
    if tz_name:
        try:
            tz = parse_timezone(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            diags.append(error(meta.catalogue if meta else shown, "S004",
                               f"unknown timezone {tz_name!r}", meta.line if meta else 0))

    language = (meta.language if meta else "") or front.get("language", "")
    if language and not known_language(base_language(language)):
        where = (meta.catalogue, meta.line) if meta and meta.language else (shown, 0)
        detected = detect_language(text)
        diags.append(warning(where[0], "S009", f"language {language!r} of {rel!r} is not one "
                             f"ledger reads ({', '.join(language_codes())}); read as "
                             f"{detected!r}, as detected", where[1]))
        language = detected
    doc = Document(
        path=rel,
        file_sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        published=published,
        published_at=published_at,
        date_origin=origin,
        publisher=(meta.publisher if meta else "") or front.get("publisher", ""),
        url=(meta.url if meta else "") or front.get("url", ""),
        language=language or detect_language(text),
        title=(meta.title if meta else "") or front.get("title", "") or title,
        tz=tz,
        masked=[(0, body_start)] if body_start else [],
        page_starts=extracted.page_starts,
        tables=extracted.tables,
    )
    doc.segments = _segments(text, published, body_start)
    return doc, diags


def read_sources(sources_dir: Path, shown_root: Path | None = None,
                 follow_symlinks: bool = False, max_bytes: int = MAX_DOCUMENT_BYTES,
                 ocr: bool = False) -> tuple[list[Document], list[Diagnostic]]:
    """Read every document under `sources_dir`, with the catalogue's metadata.

    `shown_root` is the project folder: paths in diagnostics are relative to it, and no file
    outside it is read unless `follow_symlinks`. Raises `LedgerError` only when the folder
    itself is missing.
    """
    shown_root = shown_root or sources_dir.parent

    def shown(p: Path) -> str:
        try:
            return p.relative_to(shown_root).as_posix()
        except ValueError:
            return p.as_posix()

    if not sources_dir.is_dir():
        raise LedgerError([error(shown(sources_dir), "S001",
                                 "sources folder not found: a project keeps its documents in "
                                 "PROJECT/sources/")])
    diags: list[Diagnostic] = []
    catalogue: dict[str, CatalogueRow] = {}
    cat_path = sources_dir / CATALOGUE_NAME
    files, refused = safe_files(sources_dir, shown_root, follow_symlinks)
    for path, problem in refused:
        diags.append(error(shown(path), "S007", problem))
    readable = {p.relative_to(sources_dir).as_posix() for p in files}
    if cat_path in files:
        rows, cat_diags = read_catalogue(cat_path, shown(cat_path))
        diags += cat_diags
        for row in rows:
            rel = Path(row.path).as_posix()
            if Path(row.path).is_absolute() or ".." in Path(row.path).parts:
                diags.append(error(shown(cat_path), "S003", f"path {row.path!r} leaves the "
                                   "sources folder: catalogue paths are relative to sources/ "
                                   "and stay inside it", row.line))
            elif rel in catalogue:
                diags.append(error(shown(cat_path), "S003", f"{rel!r} is listed twice", row.line))
            elif rel not in readable:
                hint = ("; run `ledger fetch` to download it from its url" if row.url else "")
                diags.append(error(shown(cat_path), "S003",
                                   f"row names {rel!r}, which is not in {shown(sources_dir)}/"
                                   f"{hint}", row.line))
            else:
                catalogue[rel] = row

    docs: list[Document] = []
    for path in files:
        if path == cat_path or path == sources_dir / FETCH_LOCK:
            continue
        rel = path.relative_to(sources_dir).as_posix()
        if path.suffix.lower() not in SOURCE_SUFFIXES:
            diags.append(warning(shown(path), "S005",
                                 f"skipped: not a source type ({', '.join(SOURCE_SUFFIXES)})"))
            continue
        doc, doc_diags = read_document(path, rel, shown(path), catalogue.get(rel), max_bytes,
                                       ocr)
        diags += doc_diags
        if doc is not None:
            docs.append(doc)
    if not docs and not diags:
        diags.append(warning(shown(sources_dir), "S001", "the sources folder holds no documents"))
    return docs, diags
