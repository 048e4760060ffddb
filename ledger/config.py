"""Project configuration: `PROJECT/ledger.toml`, validated, every key documented here.

Public surface: `load_config(project)` returns the `ProjectConfig` and diagnostics.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ledger.diagnostics import Diagnostic, error
from ledger.sheets import TableMapping

CONFIG_NAME = "ledger.toml"


class ProjectConfig(BaseModel):
    """Settings of a ledger project. All keys are optional."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field("", description="Title shown on the reports; the folder name if empty.")
    policy: Literal["latest", "conservative", "priority"] = Field(
        "latest", description="How the accepted value of a series point is chosen.")
    source_priority: list[str] = Field(
        default_factory=list, description="Publishers in order of trust, for policy 'priority'.")
    restatement_days: int = Field(
        7, ge=0, description="A stock restated with the same value within this many days is "
                             "the same observation; 0 turns this off.")
    report_locale: Literal["en", "ru", "fr", "es", "uk"] = Field(
        "en", description="Locale for numbers and dates in index.html.")
    report_currency: str = Field(
        "USD", pattern=r"^[A-Z]{3}$",
        description="Money is converted to USD and, when this is another ISO code, to it too.")
    builtin_rules: bool = Field(
        True, description="Use the built-in rule library as well as PROJECT/rules/.")
    tables: list[TableMapping] = Field(
        default_factory=list, description="Spreadsheet sources: which column holds the value, "
                                          "place, date, indicator and unit ([[tables]]).")
    max_document_mb: float = Field(
        50, gt=0, description="A source file larger than this many megabytes is skipped with "
                              "a warning naming it (a mistaken dump or a hostile file).")


def _line_of(text: str, key: str) -> int:
    match = re.search(rf"^\s*{re.escape(key)}\s*=", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) + 1 if match else 0


def load_config(project: Path) -> tuple[ProjectConfig, list[Diagnostic]]:
    path = project / CONFIG_NAME
    if not path.is_file():
        return ProjectConfig(), []
    try:
        text = path.read_text("utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError as exc:
        return ProjectConfig(), [error(CONFIG_NAME, "P001", f"not valid UTF-8 at byte {exc.start}")]
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        line, col = (int(match.group(1)), int(match.group(2))) if match else (0, 0)
        message = re.sub(r"\s*\(at line.*\)", "", str(exc))
        return ProjectConfig(), [error(CONFIG_NAME, "P001", f"invalid TOML: {message}", line, col)]
    try:
        return ProjectConfig.model_validate(data), []
    except ValidationError as exc:
        diags = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else ""
            if err["type"] == "extra_forbidden":
                close = difflib.get_close_matches(key, list(ProjectConfig.model_fields), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                message = f"unknown key {key!r}{hint}"
            else:
                where = ".".join(str(part) for part in err["loc"])
                message = f"{where}: {err['msg'].removeprefix('Value error, ')}"
            diags.append(error(CONFIG_NAME, "P001", message, _line_of(text, key)))
        return ProjectConfig(), diags
