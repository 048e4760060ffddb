"""Findings: what the ledger tells an analyst about the figures (conflicts, missing rates,
ambiguous numbers, checked conversions). Normalise and reconcile both produce them.

Codes are stable slugs documented in docs/findings.md; ids derive from the code and facts.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True)
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
