"""What a build returns: its documents, facts, observations, findings, unread numbers and
diagnostics, and the counts the command line prints.

Public surface: `BuildResult`, `BuildSummary` and `KeptResult` (the result of a rebuild with
nothing changed, whose lists load from the cache when first asked for).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.cache import BuildCache
from ledger.diagnostics import Diagnostic, LedgerError, error
from ledger.findings import Finding
from ledger.normalise import Fact
from ledger.reconcile import Observation
from ledger.sources import Document
from ledger.unread import Unread, read_share


@dataclass(frozen=True)
class BuildSummary:
    """The counts a build tells of (the command line prints them)."""

    documents: int
    facts: int
    observations: int
    findings: int
    findings_to_review: int
    unread: int
    likely_unread: int

    @property
    def read_share(self) -> float:
        return read_share(self.facts, self.unread)


@dataclass
class BuildResult:
    out: Path
    documents: list[Document]
    facts: list[Fact]
    observations: list[Observation]
    findings: list[Finding]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    @property
    def summary(self) -> BuildSummary:
        return BuildSummary(len(self.documents), len(self.facts), len(self.observations),
                            len(self.findings),
                            sum(1 for f in self.findings if f.severity != "info"),
                            len(self.unread), sum(1 for u in self.unread if u.likely))

    @property
    def read_share(self) -> float:
        return self.summary.read_share

    def keep(self, cache: BuildCache, key: str) -> None:
        """Keep this result in `cache` under the build's key, for `KeptResult.load`."""
        cache.keep_result(key, {name: getattr(self, name) for name in _KEPT_LISTS},
                          (self.summary, self.diagnostics))


_KEPT_LISTS = ("documents", "facts", "observations", "findings", "unread")


class KeptResult(BuildResult):
    """The result of a rebuild with nothing changed: its summary and diagnostics at once,
    its lists (which at 10,000 documents are a gigabyte) loaded from the cache when first
    asked for."""

    def __init__(self, out: Path, summary: BuildSummary, diagnostics: list[Diagnostic],
                 cache: BuildCache, key: str) -> None:
        self.out, self.diagnostics = out, diagnostics
        self._summary, self._cache, self._key = summary, cache, key

    @classmethod
    def load(cls, cache: BuildCache, key: str, out: Path) -> KeptResult | None:
        """The result `BuildResult.keep` kept under this key, or None."""
        kept = cache.load_summary(key)
        if isinstance(kept, tuple) and isinstance(kept[0], BuildSummary):
            return cls(out, kept[0], kept[1], cache, key)
        return None

    @property
    def summary(self) -> BuildSummary:
        return self._summary

    def __getattr__(self, name: str) -> Any:
        if name not in _KEPT_LISTS:
            raise AttributeError(name)
        kept = self._cache.load_result(self._key)
        if kept is None:
            raise LedgerError([error(str(self._cache.folder), "B002", "the kept result of "
                                     "this build is gone (another build ran since): build "
                                     "again")])
        for part in _KEPT_LISTS:
            setattr(self, part, kept[part])
        return getattr(self, name)
