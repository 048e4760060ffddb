"""Searching one text many times with RE2 in linear time.

RE2's Python wrapper encodes a `str` to UTF-8 and converts character offsets to byte offsets
(and back) from the start of the text on every call, so searching a paragraph once per pattern
and once per match costs time proportional to the paragraph's length each time: quadratic on
a long paragraph. `Utf8Text` encodes a text once and converts offsets with a table, so every
search costs only what RE2 itself reads.

Public surface: `Utf8Text(text)` and its `search(pattern, pos)`, returning a `Found` with
character spans; `groupindex(pattern)`, a pattern's group names, looked up once.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import re2

_UNANCHORED = re2._Anchor.UNANCHORED


@dataclass(frozen=True)
class Found:
    """A match with character offsets: the whole span and each group's (-1, -1 when unset)."""

    spans: tuple[tuple[int, int], ...]
    groupindex: dict[str, int]
    text: str

    def span(self, group: int | str = 0) -> tuple[int, int]:
        index = self.groupindex[group] if isinstance(group, str) else group
        return self.spans[index]

    def start(self, group: int | str = 0) -> int:
        return self.span(group)[0]

    def end(self, group: int | str = 0) -> int:
        return self.span(group)[1]

    def group(self, group: int | str = 0) -> str | None:
        start, end = self.span(group)
        return None if start < 0 else self.text[start:end]


class Utf8Text:
    """A text encoded once, with the table between its character and byte offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.data = text.encode("utf-8")
        self.ascii = len(self.data) == len(text)
        self._bytes_at: array[int] | None = None
        if not self.ascii:
            widths = (1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
                      for o in map(ord, text))
            self._bytes_at = array("q", accumulate(widths, initial=0))

    def byte(self, char: int) -> int:
        return char if self._bytes_at is None else self._bytes_at[char]

    def char(self, byte: int) -> int:
        if self._bytes_at is None or byte < 0:
            return byte
        return bisect.bisect_left(self._bytes_at, byte)

    def search(self, pattern: Any, pos: int = 0, endpos: int | None = None) -> Found | None:
        """The first match of a compiled RE2 pattern at or after character `pos`."""
        end = len(self.data) if endpos is None else self.byte(endpos)
        spans = _raw_search(pattern, self.data, self.byte(pos), end)
        if spans is None:
            return None
        if self._bytes_at is not None:
            spans = [(self.char(s), self.char(e)) if s >= 0 else (-1, -1) for s, e in spans]
        return Found(tuple(spans), groupindex(pattern), self.text)


def _raw_search(pattern: Any, data: bytes, pos: int, end: int) -> list[tuple[int, int]] | None:
    """Byte spans of the first match (whole, then each group), or None. Calls RE2's matcher
    directly when the wrapper exposes it: its Python generator costs more than the search."""
    raw = getattr(pattern, "_regexp", None)
    if raw is None:
        match = pattern.search(data, pos, end)
        return None if match is None else [match.span(i) for i in range(pattern.groups + 1)]
    spans: list[tuple[int, int]] = raw.Match(_UNANCHORED, data, pos, end)
    return None if spans[0][0] < 0 else spans


_GROUPS: dict[str, dict[str, int]] = {}


def groupindex(pattern: Any) -> dict[str, int]:
    """A pattern's group names (the wrapper builds the dictionary anew on each call)."""
    key = pattern.pattern
    if key not in _GROUPS:
        _GROUPS[key] = dict(pattern.groupindex)
    return _GROUPS[key]
