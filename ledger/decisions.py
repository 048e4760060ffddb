"""Analyst decisions: `PROJECT/decisions.yaml`, a reviewed record of where an analyst overrules
the ledger, applied on every rebuild.

Public surface: `load_decisions(project)` returns the `Decision`s and diagnostics.

```yaml
decisions:
  - action: reject            # leave a fact out of its series point
    fact: F928e79891b33
    reason: The wire misquoted the ministry's figure.
    by: A. Analyst
    date: 2020-11-27
  - action: accept            # take this fact's value for its point, whatever the policy
    fact: F6f8abd39e26a
    ...
  - action: merge_series      # the second series is the same as the first
    series: {indicator: returnees, place: Stepanakert, kind: stock, unit: person}
    into: {indicator: returnees, place: Nagorno-Karabakh, kind: stock, unit: person}
    ...
  - action: set_policy        # this series' points are chosen by another policy
    series: {indicator: killed, place: Nagorno-Karabakh, kind: stock, unit: person}
    policy: conservative
    ...
```
Every decision needs a reason, the analyst's name and the date.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ledger.diagnostics import Diagnostic, error
from ledger.yaml_lines import YamlProblem, load

DECISIONS_NAME = "decisions.yaml"
POLICY_NAMES = ("latest", "conservative", "priority")


class SeriesRef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    indicator: str
    place: str = ""
    kind: Literal["stock", "flow", "plan", "rate"]
    unit: str

    @property
    def key(self) -> tuple[str, str, str, str]:
        return self.indicator, self.place, self.kind, self.unit


class DecisionSpec(BaseModel):
    """One decision as written."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: Literal["accept", "reject", "merge_series", "set_policy"]
    fact: str | None = Field(None, pattern=r"^F[0-9a-f]{12}$")
    series: SeriesRef | None = None
    into: SeriesRef | None = None
    policy: Literal["latest", "conservative", "priority"] | None = None
    reason: str = Field(min_length=3)
    by: str = Field(min_length=2)
    date: date

    @model_validator(mode="after")
    def _fields_for_action(self) -> DecisionSpec:
        needs = {"accept": ("fact",), "reject": ("fact",), "merge_series": ("series", "into"),
                 "set_policy": ("series", "policy")}[self.action]
        missing = [name for name in needs if getattr(self, name) is None]
        if missing:
            raise ValueError(f"'{self.action}' needs {' and '.join(map(repr, missing))}")
        return self


class DecisionsFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    decisions: list[DecisionSpec] = Field(default_factory=list)


@dataclass(frozen=True)
class Decision:
    spec: DecisionSpec
    line: int

    @property
    def where(self) -> str:
        return f"{DECISIONS_NAME}:{self.line}"

    @property
    def decision_id(self) -> str:
        return f"D{self.line}"

    def describe(self) -> str:
        return (f"{self.spec.action.replace('_', ' ')} by {self.spec.by} on {self.spec.date} "
                f"({self.where}): {self.spec.reason}")


def load_decisions(project: Path) -> tuple[list[Decision], list[Diagnostic]]:
    path = project / DECISIONS_NAME
    if not path.is_file():
        return [], []
    try:
        data, positions = load(path.read_text("utf-8"))
    except UnicodeDecodeError as exc:
        return [], [error(DECISIONS_NAME, "D001", f"not valid UTF-8 at byte {exc.start}")]
    except YamlProblem as exc:
        return [], [error(DECISIONS_NAME, "D001", exc.message, exc.line, exc.col)]
    try:
        parsed = DecisionsFile.model_validate(data or {})
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p[:1].isupper()))
            line, col = positions.of(loc)
            if err["type"] == "extra_forbidden":
                known = list(DecisionSpec.model_fields)
                close = difflib.get_close_matches(str(loc[-1]), known, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"unknown key {loc[-1]!r}{hint}"
            elif err["type"] == "missing":
                message = f"missing key {loc[-1]!r}: every decision needs a reason, by and date"
            else:
                where = ".".join(str(p) for p in loc[2:] if isinstance(p, str))
                text = err["msg"].removeprefix("Value error, ")
                message = f"{where}: {text}" if where else text
            diags.append(error(DECISIONS_NAME, "D002", message, line, col))
        return [], diags
    return [Decision(spec, positions.of(("decisions", i))[0])
            for i, spec in enumerate(parsed.decisions)], []
