"""Who says a figure, and for which side of a conflict: "Azerbaijan's defence ministry said".

Public surface: `Parties.load(extra)`, `Parties.speaker(sentence)` and `Parties.opposed(a, b)`.
The publisher of a document is recorded apart from the speaker of a statement in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ledger.diagnostics import Diagnostic, error
from ledger.yaml_lines import Positions, YamlProblem, load

_VERB = (r"(?:said|say|says|claimed|claims|reported|reports|announced|stated|told|added|"
         r"insisted|confirmed|alleged|alleges|estimated|estimates)(?!\s+the\s+lives)")
_SPEAKER = re.compile(
    rf"(?:according\s+to|{_VERB})\s+(?:the\s+)?(?P<after>[A-Z][\w'’-]*(?:\s+[\w'’-]+){{0,5}})"
    rf"|(?P<before>[A-Z][\w'’-]*(?:\s+[\w'’-]+){{0,5}}?)\s+(?:has\s+|had\s+|have\s+)?{_VERB}\b")


_NOT_A_NAME = {"a", "an", "the", "it", "this", "that", "these", "those", "they", "he", "she",
               "we", "i", "you", "there", "here", "some", "many", "most", "all", "one"}
"""Words that begin a sentence, not a speaker's name ("An estimated 10 million, it said")."""


@dataclass
class Parties:
    """Conflicts and their sides, each with the aliases that identify it."""

    side_conflict: dict[str, str] = field(default_factory=dict)
    aliases: list[tuple[re.Pattern[str], str]] = field(default_factory=list)
    _sides: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, extra: Path | None = None) -> tuple[Parties, list[Diagnostic]]:
        """The built-in conflicts, extended by a project's `parties.yaml` when given."""
        parties = cls()
        text = resources.files("ledger").joinpath("data/parties.yaml").read_text("utf-8")
        parties._add(load(text)[0], "ledger:parties.yaml", Positions())
        diags: list[Diagnostic] = []
        if extra is not None and extra.is_file():
            try:
                data, positions = load(extra.read_text("utf-8"))
            except UnicodeDecodeError as exc:
                return parties, [error(extra.name, "Y001", f"not UTF-8 (byte {exc.start})")]
            except YamlProblem as exc:
                return parties, [error(extra.name, "Y001", exc.message, exc.line, exc.col)]
            diags = parties._add(data, extra.name, positions)
        return parties, diags

    def _add(self, data: Any, shown: str, positions: Positions) -> list[Diagnostic]:
        """Add `conflicts: [{name, sides: {side: [alias, ...]}}]`; report what is malformed."""
        def problem(path: tuple[str | int, ...], message: str) -> Diagnostic:
            line, col = positions.of(path)
            return error(shown, "Y002", message, line, col)

        if data is None:
            return []
        if not isinstance(data, dict) or not isinstance(data.get("conflicts", []), list):
            return [problem((), "expected 'conflicts:' followed by a list of conflicts")]
        diags: list[Diagnostic] = []
        for i, conflict in enumerate(data.get("conflicts", [])):
            where: tuple[str | int, ...] = ("conflicts", i)
            if not isinstance(conflict, dict) or not conflict.get("name"):
                diags.append(problem(where, "a conflict needs a 'name'"))
                continue
            sides = conflict.get("sides", {})
            if not isinstance(sides, dict):
                diags.append(problem((*where, "sides"), "'sides' maps each side to its names"))
                continue
            for side, names in sides.items():
                if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                    diags.append(problem((*where, "sides", side),
                                         f"side {side!r} needs a list of names"))
                    continue
                self.side_conflict[side] = str(conflict["name"])
                self._sides.clear()
                for name in names:
                    self.aliases.append((re.compile(rf"\b{re.escape(name)}(?:'s|’s)?\b"), side))
        return diags

    def side_of(self, phrase: str) -> str:
        """The side whose name the phrase holds (the first listed), or ""."""
        if phrase not in self._sides:
            self._sides[phrase] = next(
                (side for pattern, side in self.aliases if pattern.search(phrase)), "")
        return self._sides[phrase]

    def speaker(self, sentence: str) -> tuple[str, str]:
        """(speaker, side) of a sentence's attribution, or ("", "") when it has none."""
        for match in _SPEAKER.finditer(sentence):
            who = (match.group("after") or match.group("before") or "").strip()
            if who and who.split()[0].lower() not in _NOT_A_NAME:
                return who, self.side_of(who)
        return "", ""

    def opposed(self, a: str, b: str) -> bool:
        """True when a and b are different sides of one conflict."""
        return bool(a and b and a != b
                    and self.side_conflict.get(a) == self.side_conflict.get(b) is not None)
