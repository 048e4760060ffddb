"""Reconciliation's model: settings, observations, groups of agreeing statements, the
policies that pick a point's value, and the observation a group makes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ledger.copies import Copies
from ledger.decisions import Decision
from ledger.findings import plain
from ledger.normalise import Fact

DEFAULT_POLICY = "latest"
SeriesKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class ReconcileSettings:
    policy: str = DEFAULT_POLICY
    source_priority: tuple[str, ...] = ()
    restatement_days: int = 7


@dataclass(slots=True)
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
    sources: tuple[str, ...] = ()
    side: str = ""
    independent_sources: int = 0
    """Sources once copies of one text count as one (`ledger.copies`)."""
    rejected_fact_ids: tuple[str, ...] = ()
    decisions: tuple[str, ...] = ()
    restated_until: str = ""
    note: str = ""

    @property
    def series_key(self) -> tuple[str, str, str, str, str]:
        return self.indicator, self.place, self.kind, self.unit, self.side


@dataclass
class _Group:
    """Statements whose intervals share at least one value."""

    facts: list[Fact]
    low: float | None
    high: float | None

    def admits(self, fact: Fact) -> tuple[float | None, float | None] | None:
        return _intersect(self.low, self.high, fact.low, fact.high)

    @property
    def latest(self) -> Fact:
        return max(self.facts, key=_order)

    @property
    def sides(self) -> set[str]:
        return {f.side for f in self.facts}


def _order(fact: Fact) -> tuple[str, str, int]:
    return fact.as_of, fact.source, fact.char_start


def _intersect(a_low: float | None, a_high: float | None, b_low: float | None,
               b_high: float | None) -> tuple[float | None, float | None] | None:
    low = b_low if a_low is None else a_low if b_low is None else max(a_low, b_low)
    high = b_high if a_high is None else a_high if b_high is None else min(a_high, b_high)
    if low is not None and high is not None and low > high + 1e-9 * max(1.0, abs(high)):
        return None
    return low, high


def _cluster(facts: Iterable[Fact]) -> list[_Group]:
    groups: list[_Group] = []
    for fact in sorted(facts, key=_order):
        for group in groups:
            bounds = group.admits(fact)
            if bounds is not None:
                group.facts.append(fact)
                group.low, group.high = bounds
                break
        else:
            groups.append(_Group([fact], fact.low, fact.high))
    return groups


Policy = Callable[[list[_Group], ReconcileSettings], _Group]


def _latest(groups: list[_Group], settings: ReconcileSettings) -> _Group:
    return max(groups, key=lambda g: _order(g.latest))


def _conservative(groups: list[_Group], settings: ReconcileSettings) -> _Group:
    return min(groups, key=lambda g: min(f.value for f in g.facts))


def _priority(groups: list[_Group], settings: ReconcileSettings) -> _Group:
    ranks = {name: i for i, name in enumerate(settings.source_priority)}

    def best(group: _Group) -> tuple[int, tuple[str, str, int]]:
        rank = min(ranks.get(f.publisher, len(ranks)) for f in group.facts)
        return -rank, _order(group.latest)

    return max(groups, key=best)


POLICIES: dict[str, Policy] = {"latest": _latest, "conservative": _conservative,
                               "priority": _priority}


def _describe(fact: Fact) -> str:
    who = ", ".join(x for x in (fact.publisher, fact.speaker and f"quoting {fact.speaker}") if x)
    return (f"{fact.qualifier.replace('_', ' ')} {plain(fact.value)} ({fact.source}"
            f"{', ' + who if who else ''})")


def _observation(key: tuple[str, ...], facts: list[Fact], accepted: _Group, status: str,
                 policy: str, side: str = "", rejected: tuple[str, ...] = (),
                 decisions: tuple[Decision, ...] = (), chosen: Fact | None = None,
                 variant: str = "", copies: Copies | None = None) -> Observation:
    """The observation of a point: the value of `chosen` (by default the latest statement of
    the accepted group) within the accepted group's interval."""
    low, high = accepted.low, accepted.high
    if chosen is not None:  # an analyst accepted this statement: its own interval holds
        low, high = chosen.low, chosen.high
    chosen = chosen or _within(accepted)
    value, qualifier = chosen.value, chosen.qualifier
    if not _inside(value, low, high):  # no stated value inside: the nearest the interval allows
        value, qualifier = _clamp(value, low, high), "approx"
    indicator, place, kind, unit, day, p_start, p_end = key
    oid = "O" + hashlib.sha256("|".join((*key, side, variant)).encode()).hexdigest()[:12]
    ordered = sorted(facts, key=_order)
    sources = tuple(sorted({f.source for f in facts}))
    return Observation(
        observation_id=oid, indicator=indicator, place=place, kind=kind, unit=unit, as_of=day,
        period_start=p_start or chosen.period_start, period_end=p_end or chosen.period_end,
        value=value, qualifier=qualifier, low=low, high=high,
        status=status, policy=policy, fact_ids=tuple(f.fact_id for f in ordered),
        n_sources=len(sources), value_usd=chosen.value_usd,
        sources=sources, side=side,
        independent_sources=len({copies.of(s) for s in sources}) if copies else len(sources),
        rejected_fact_ids=rejected, decisions=tuple(d.decision_id for d in decisions),
        note="; ".join(d.describe() for d in decisions))


def _is_transfer(key: tuple[str, ...]) -> bool:
    """Money given, paid or promised (a flow or a plan in a currency)."""
    unit, kind = key[3], key[2]
    return kind in ("flow", "plan") and len(unit) == 3 and unit.isupper()


def _inside(value: float, low: float | None, high: float | None) -> bool:
    tolerance = 1e-9 * max(1.0, abs(value))
    return (low is None or value >= low - tolerance) and (high is None or value <= high + tolerance)


def _clamp(value: float, low: float | None, high: float | None) -> float:
    return min(max(value, low if low is not None else value),
               high if high is not None else value)


def _within(group: _Group) -> Fact:
    """The statement whose value the group's interval allows, the latest of them: "more than
    60" and "about 30,000" agree on 27,000 to 33,000, and 30,000 is the figure, never 60. When
    no stated value lies inside (about 100 and about 120 agree on 108 to 110), the latest
    statement, whose value `_observation` brings within the interval."""
    inside = [f for f in group.facts if _inside(f.value, group.low, group.high)]
    return max(inside, key=_order) if inside else group.latest
