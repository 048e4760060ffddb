"""Who says a figure, and for which side of a conflict: "Azerbaijan's defence ministry said".

Public surface: `Parties.load(extra)`, `Parties.speaker(sentence)` and `Parties.opposed(a, b)`.
The publisher of a document is recorded apart from the speaker of a statement in it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

_VERB = (r"(?:said|say|says|claimed|claims|reported|reports|announced|stated|told|added|"
         r"insisted|confirmed|alleged|alleges|estimated|estimates)(?!\s+the\s+lives)")
_SPEAKER = re.compile(
    rf"(?:according\s+to|{_VERB})\s+(?:the\s+)?(?P<after>[A-Z][\w'’-]*(?:\s+[\w'’-]+){{0,5}})"
    rf"|(?P<before>[A-Z][\w'’-]*(?:\s+[\w'’-]+){{0,5}}?)\s+(?:has\s+|had\s+|have\s+)?{_VERB}\b")


@dataclass
class Parties:
    """Conflicts and their sides, each with the aliases that identify it."""

    side_conflict: dict[str, str] = field(default_factory=dict)
    aliases: list[tuple[re.Pattern[str], str]] = field(default_factory=list)

    @classmethod
    def load(cls, extra: Path | None = None) -> Parties:
        parties = cls()
        text = resources.files("ledger").joinpath("data/parties.yaml").read_text("utf-8")
        parties._add(yaml.safe_load(text))
        if extra is not None and extra.is_file():
            parties._add(yaml.safe_load(extra.read_text("utf-8")))
        return parties

    def _add(self, data: dict[str, list[dict[str, object]]] | None) -> None:
        for conflict in (data or {}).get("conflicts", []):
            sides = conflict.get("sides", {})
            assert isinstance(sides, dict)
            for side, names in sides.items():
                self.side_conflict[side] = str(conflict["name"])
                for name in names:
                    self.aliases.append((re.compile(rf"\b{re.escape(name)}(?:'s|’s)?\b"), side))

    def side_of(self, phrase: str) -> str:
        for pattern, side in self.aliases:
            if pattern.search(phrase):
                return side
        return ""

    def speaker(self, sentence: str) -> tuple[str, str]:
        """(speaker, side) of a sentence's attribution, or ("", "") when it has none."""
        for match in _SPEAKER.finditer(sentence):
            who = (match.group("after") or match.group("before") or "").strip()
            if who:
                return who, self.side_of(who)
        return "", ""

    def opposed(self, a: str, b: str) -> bool:
        """True when a and b are different sides of one conflict."""
        return bool(a and b and a != b
                    and self.side_conflict.get(a) == self.side_conflict.get(b) is not None)
