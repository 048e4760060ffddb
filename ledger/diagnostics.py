"""Diagnostics: problems with the user's input, reported as `file:line:col: severity CODE message`.

Stages never raise for bad data; they return diagnostics beside their result. The build stops
with exit code 1 when any diagnostic is an error. `LedgerError` is only for input so broken
that the stage cannot continue (a missing sources folder, say); it carries its diagnostics.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

EXIT_OK = 0
EXIT_INPUT_ERROR = 1
EXIT_INTERNAL_ERROR = 2


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one input file. `line` and `col` are 1-based; 0 means unknown."""

    file: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str

    def format(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.severity.value} {self.code} {self.message}"


def error(file: str, code: str, message: str, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(file, line, col, Severity.ERROR, code, message)


def warning(file: str, code: str, message: str, line: int = 0, col: int = 0) -> Diagnostic:
    return Diagnostic(file, line, col, Severity.WARNING, code, message)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity is Severity.ERROR for d in diagnostics)


class LedgerError(Exception):
    """Input that stops a stage. Carries the diagnostics that explain why."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = diagnostics
        super().__init__("\n".join(d.format() for d in diagnostics))

    def __reduce__(self) -> tuple[type[LedgerError], tuple[list[Diagnostic]]]:
        """Pickled by its diagnostics (it crosses from a background process)."""
        return LedgerError, (self.diagnostics,)


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a code-point offset into `text`."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col
