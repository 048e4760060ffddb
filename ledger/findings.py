"""Findings: what the ledger tells an analyst about the figures (conflicts, missing rates,
ambiguous numbers, checked conversions). Normalise and reconcile both produce them.

Codes are stable slugs documented in docs/findings.md; ids derive from the code and facts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


def plain(value: float) -> str:
    """A number as a report writes it: 1,450,000 and 2.5, never 1.45e+06."""
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def percent(share: float) -> str:
    """A relative difference in words: +2,859 %, -12 %, +0.5 %."""
    if share != share or share in (float("inf"), float("-inf")):  # nan or infinite
        return "of a zero value"
    digits = 0 if abs(share) >= 0.1 else 1
    return f"{share * 100:+,.{digits}f} %"


@dataclass(frozen=True, slots=True)
class Finding:
    severity: str
    code: str
    message: str
    fact_ids: tuple[str, ...]
    observation_id: str = ""

    @property
    def finding_id(self) -> str:
        key = f"{self.code}|{' '.join(self.fact_ids)}|{self.observation_id}|{self.message}"
        return "N" + hashlib.sha256(key.encode()).hexdigest()[:12]
