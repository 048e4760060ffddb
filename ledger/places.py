"""Places: a gazetteer of names and aliases, and the choice of the place a figure is about.

Public surface: `Gazetteer.load(extra)`, `Gazetteer.mentions(text, start, end)`,
`Gazetteer.contains(outer, inner)`, `choose_place(...)` and `is_locative(text, mention)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import re2

from ledger.diagnostics import Diagnostic, error
from ledger.numbers import longest_first
from ledger.text import paragraph_spans
from ledger.utf8 import Utf8Text
from ledger.yaml_lines import Positions, YamlProblem, load

_LOCATIVE = frozenset({"in", "to", "into", "from", "at", "near", "across", "of", "inside",
                       "around", "outside", "throughout", "for", "в", "во", "на", "из", "для"})
"""Prepositions that introduce a place ("in X", "to the X region", "for Moldova", "в Карабахе")."""


_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    within: str = ""


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    place: Place


@dataclass
class Gazetteer:
    places: dict[str, Place] = field(default_factory=dict)
    alias_to_name: dict[str, str] = field(default_factory=dict)
    _pattern: Any = None

    @classmethod
    def load(cls, extra: Path | None = None) -> tuple[Gazetteer, list[Diagnostic]]:
        """The built-in gazetteer, extended by a project's file when given."""
        gaz = cls()
        builtin = resources.files("ledger").joinpath("data/gazetteer.yaml").read_text("utf-8")
        diags = gaz._add(load(builtin)[0], "gazetteer.yaml", Positions())
        if extra is not None and extra.is_file():
            try:
                data, positions = load(extra.read_text("utf-8"))
            except UnicodeDecodeError as exc:
                return gaz, [error(extra.name, "G001", f"invalid gazetteer: not UTF-8 "
                                   f"(byte {exc.start})")]
            except YamlProblem as exc:
                return gaz, [error(extra.name, "G001", f"invalid gazetteer: {exc.message}",
                                   exc.line, exc.col)]
            diags += gaz._add(data, extra.name, positions)
        return gaz, diags

    def _add(self, data: Any, shown: str, positions: Positions) -> list[Diagnostic]:
        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("places", []), list):
            line, col = positions.of(())
            return [error(shown, "G001", "expected 'places:' followed by a list of places",
                          line, col)]
        diags: list[Diagnostic] = []
        for index, entry in enumerate(data.get("places", [])):
            line, col = positions.of(("places", index))
            if not isinstance(entry, dict) or not entry.get("name"):
                diags.append(error(shown, "G001", f"place #{index + 1} has no name", line, col))
                continue
            aliases = entry.get("aliases", []) or []
            if not isinstance(aliases, list) or any(isinstance(a, dict | list) for a in aliases):
                diags.append(error(shown, "G001", f"place {entry['name']!r}: 'aliases' must be "
                                   "a list of names", line, col))
                continue
            place = Place(str(entry["name"]), str(entry.get("country", "")),
                          str(entry.get("within", "") or ""))
            self.places[place.name] = place
            for alias in [place.name, *[str(a) for a in aliases]]:
                if alias.strip():
                    self.alias_to_name[alias.lower()] = place.name
        self._pattern = None
        return diags

    def _compiled(self) -> Any:
        if self._pattern is None:
            aliases = longest_first(self.alias_to_name)
            body = "|".join(re2.escape(a).replace(r"\ ", r"\s+") for a in aliases)
            options = re2.Options()
            options.case_sensitive = False
            options.log_errors = False
            self._pattern = re2.compile(rf"(?:^|[^\pL\pN])({body})(?:$|[^\pL\pN])", options)
        return self._pattern

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """Place names in text[start:end] that begin with a capital letter. A possessive
        ("Azerbaijan's defence ministry") names an actor, not a location, and is left out.
        The text is searched a paragraph at a time, each encoded once (see `ledger.utf8`)."""
        end = len(text) if end is None else end
        found: list[Mention] = []
        pattern = self._compiled()
        for p_start, p_end in paragraph_spans(text):
            if p_end <= start or p_start >= end:
                continue
            offset = max(start, p_start)
            chunk = Utf8Text(text[offset:min(end, p_end)])
            pos = 0
            while (match := chunk.search(pattern, pos)) is not None:
                m_start, m_end = (offset + i for i in match.span(1))
                if text[m_start].isupper() and text[m_end:m_end + 2] not in ("'s", "’s"):
                    name = self.alias_to_name[_SPACES.sub(" ", text[m_start:m_end]).lower()]
                    found.append(Mention(m_start, m_end, self.places[name]))
                pos = m_end - offset  # the delimiter after a name may begin the next one
        return found

    def contains(self, outer: str, inner: str) -> bool:
        """True when `inner` lies within `outer` (or is it)."""
        seen: set[str] = set()
        while inner and inner not in seen:
            if inner == outer:
                return True
            seen.add(inner)
            inner = self.places[inner].within if inner in self.places else ""
        return False


def is_locative(text: str, mention: Mention) -> bool:
    """True when a locative preposition introduces the mention ("in X", "to the X region")."""
    before = text[max(0, mention.start - 20):mention.start]
    if not before[-1:].isspace():
        return False
    words = [w.strip("([\"'«“‘—-") for w in before.lower().split()]
    if words and words[-1] == "the":
        words.pop()
    return bool(words) and words[-1] in _LOCATIVE


def choose_place(text: str, mentions: list[Mention], start: int, end: int) -> Mention | None:
    """The mention a figure at text[start:end] is most likely about.

    Mentions introduced by a locative preposition ("in X", "to the X region") are preferred
    over bare ones (a demonym-like "the Nagorno-Karabakh Republic" aside a city); among equals,
    the nearest to the figure wins, and a mention after the figure wins a tie.
    """
    def score(m: Mention) -> tuple[int, int, int]:
        distance = m.start - end if m.start >= end else start - m.end
        return (0 if is_locative(text, m) else 1, max(distance, 0), 0 if m.start >= end else 1)

    return min(mentions, key=score) if mentions else None
