"""Reconcile: statements of the same figure become one observation; disagreements become findings.

Public surface: `reconcile(facts, policy)` returns observations and findings; `POLICIES`.

Facts of one indicator, place, kind and unit on one day (and, for a flow, one period) are
statements of one series point. Their intervals are intersected: statements whose intervals
overlap support one value ("more than 7,000" and "some 7,000" agree); statements whose intervals
cannot all hold make a conflict finding naming the sources, the values and the difference.
Interval bounds are treated as inclusive: "more than 7,000" does not contradict "7,000", which
sources use as a rounded figure.

The accepted value of a point comes from a named policy, written on every observation:
- `latest` (default): the group holding the latest statement wins; its latest statement gives
  the value. A later statement is the better-informed one in a developing situation.
- `conservative`: the group holding the lowest value wins (ACLED's rule for fatalities).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ledger.findings import Finding
from ledger.normalise import Fact

DEFAULT_POLICY = "latest"


@dataclass
class Observation:
    observation_id: str
    indicator: str
    place: str
    kind: str
    unit: str
    as_of: str
    period_start: str
    period_end: str
    value: float
    qualifier: str
    low: float | None
    high: float | None
    status: str
    policy: str
    fact_ids: tuple[str, ...]
    n_sources: int
    value_usd: float | None = None
    sources: tuple[str, ...] = field(default_factory=tuple)

    @property
    def series_key(self) -> tuple[str, str, str, str]:
        return self.indicator, self.place, self.kind, self.unit


@dataclass
class _Group:
    """Statements whose intervals share at least one value."""

    facts: list[Fact]
    low: float | None
    high: float | None

    def admits(self, fact: Fact) -> tuple[float | None, float | None] | None:
        low = _max(self.low, fact.low)
        high = _min(self.high, fact.high)
        if low is not None and high is not None and low > high + 1e-9 * max(1.0, abs(high)):
            return None
        return low, high


def _max(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else max(a, b)


def _min(a: float | None, b: float | None) -> float | None:
    return b if a is None else a if b is None else min(a, b)


def _point_key(fact: Fact) -> tuple[str, ...]:
    period = (fact.period_start, fact.period_end) if fact.kind == "flow" else ("", "")
    return (fact.indicator, fact.place, fact.kind, fact.unit, fact.claim_day, *period)


def _latest(groups: list[_Group]) -> _Group:
    return max(groups, key=lambda g: max((f.as_of, f.source, f.char_start) for f in g.facts))


def _conservative(groups: list[_Group]) -> _Group:
    return min(groups, key=lambda g: min(f.value for f in g.facts))


POLICIES: dict[str, Callable[[list[_Group]], _Group]] = {
    "latest": _latest,
    "conservative": _conservative,
}


def _describe(fact: Fact) -> str:
    who = f", {fact.publisher}" if fact.publisher else ""
    return f"{fact.qualifier.replace('_', ' ')} {fact.value:,g} ({fact.source}{who})"


def _observation(key: tuple[str, ...], facts: list[Fact], accepted: _Group, status: str,
                 policy: str) -> Observation:
    chosen = max(accepted.facts, key=lambda f: (f.as_of, f.source, f.char_start))
    indicator, place, kind, unit, day, p_start, p_end = key
    oid = "O" + hashlib.sha256("|".join(key).encode()).hexdigest()[:12]
    ordered = sorted(facts, key=lambda f: (f.as_of, f.source, f.char_start))
    return Observation(
        observation_id=oid, indicator=indicator, place=place, kind=kind, unit=unit, as_of=day,
        period_start=p_start or chosen.period_start, period_end=p_end or chosen.period_end,
        value=chosen.value, qualifier=chosen.qualifier, low=accepted.low, high=accepted.high,
        status=status, policy=policy, fact_ids=tuple(f.fact_id for f in ordered),
        n_sources=len({f.source for f in facts}), value_usd=chosen.value_usd,
        sources=tuple(sorted({f.source for f in facts})),
    )


def reconcile(facts: list[Fact], policy: str = DEFAULT_POLICY
              ) -> tuple[list[Observation], list[Finding]]:
    """Observations for every series point, with conflict findings where statements disagree."""
    pick = POLICIES[policy]
    points: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.claim_day:
            points[_point_key(fact)].append(fact)
    observations: list[Observation] = []
    findings: list[Finding] = []
    for key in sorted(points):
        statements = sorted(points[key], key=lambda f: (f.as_of, f.source, f.char_start))
        groups: list[_Group] = []
        for fact in statements:
            for group in groups:
                bounds = group.admits(fact)
                if bounds is not None:
                    group.facts.append(fact)
                    group.low, group.high = bounds
                    break
            else:
                groups.append(_Group([fact], fact.low, fact.high))
        accepted = pick(groups)
        status = "conflict" if len(groups) > 1 else "single" if len(statements) == 1 else (
            "consistent")
        obs = _observation(key, statements, accepted, status, policy)
        observations.append(obs)
        if len(groups) > 1:
            findings.append(_conflict(obs, groups, accepted))
    return observations, findings


def _conflict(obs: Observation, groups: list[_Group], accepted: _Group) -> Finding:
    values = [min(g.facts, key=lambda f: f.value).value for g in groups]
    spread = max(values) - min(values)
    relative = spread / min(values) if min(values) else float("inf")
    sides = "; ".join(", ".join(_describe(f) for f in g.facts) for g in groups)
    chosen = max(accepted.facts, key=lambda f: (f.as_of, f.source, f.char_start))
    message = (f"{obs.indicator} / {obs.place or 'no place'} / {obs.kind} on {obs.as_of}: "
               f"sources disagree: {sides}; difference {spread:,g} ({relative:.1%}); "
               f"accepted {chosen.value:,g} by policy '{obs.policy}'")
    fact_ids = tuple(f.fact_id for g in groups for f in g.facts)
    return Finding("warning", "conflict", message, fact_ids, obs.observation_id)
