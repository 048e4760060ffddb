"""What reading a file gives: the normalised text, page starts, and the file's own metadata."""

from __future__ import annotations

from dataclasses import dataclass

from ledger.text import normalise_text


class FormatProblem(Exception):
    """A file ledger cannot read (encrypted, corrupt, truncated, over a limit): the message
    says why in words for the person who has the file."""


@dataclass(frozen=True)
class Cell:
    """A spreadsheet cell: `Sheet!C7`, its value as stored, its text and its span in the text."""

    ref: str
    value: object
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Table:
    """A sheet: rows of cells (an empty tuple for an empty row), and its merged ranges."""

    name: str
    rows: tuple[tuple[Cell, ...], ...]
    merged: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extracted:
    """A document's normalised text. `page_starts[i]` is where page i + 1 begins (empty for
    formats without pages); `title` and `published` (ISO date) come from the file's own
    metadata and fill in where the catalogue says nothing."""

    text: str
    page_starts: tuple[int, ...] = ()
    title: str = ""
    published: str = ""
    notes: tuple[str, ...] = ()
    """Things worth a warning that did not stop the reading (pages without text, …)."""
    tables: tuple[Table, ...] = ()
    """The sheets of a spreadsheet source."""

    @classmethod
    def single(cls, raw: str, title: str = "", published: str = "") -> Extracted:
        return cls(normalise_text(raw), (), title, published)

    @classmethod
    def paged(cls, pages: list[str], joins: list[str], title: str = "", published: str = "",
              notes: tuple[str, ...] = ()) -> Extracted:
        """Pages of text joined by `joins[i]` between page i and i + 1 (a space where a
        sentence runs on, a blank line where it does not)."""
        parts: list[str] = []
        starts: list[int] = []
        at = 0
        for i, page in enumerate(pages):
            if i:
                parts.append(joins[i - 1])
                at += len(joins[i - 1])
            starts.append(at)
            piece = normalise_text(page)
            parts.append(piece)
            at += len(piece)
        return cls("".join(parts), tuple(starts), title, published, notes)
