"""Reconcile: statements become observations in series; disagreements and checks become findings.

Public surface: `reconcile(facts, settings, decisions, parties, gazetteer)` returns
observations and findings; `ReconcileSettings`, `POLICIES`, `DEFAULT_POLICY`.

- A **series** is an indicator at a place, of one kind and unit. A **point** of it is one day
  (and, for a flow, one period). Statements of one point are intersected as intervals: those
  that overlap support one value ("more than 7,000" and "some 7,000" agree); those that cannot
  all hold make a `conflict` finding naming the sources, the values and the difference.
  Interval bounds count as inclusive: "more than 7,000" does not contradict "7,000".
- When the groups that disagree are the two **sides** of one conflict (by who is quoted, not
  who publishes), each side's claim is kept apart as its own observation, marked `disputed`,
  never averaged.
- A stock restated later with the same value (and an interval that agrees), within
  `restatement_days`, is the same observation: the later statements join it as supports
  (`restated_until`).
- **Policy** picks the accepted value of a point: `latest` (default: the group holding the
  latest statement), `conservative` (the lowest, ACLED's rule for fatalities) or `priority`
  (the group holding the statement of the highest-ranked publisher in `source_priority`).
- **Checks**, each a finding: a cumulative series that falls; a flow that does not fit the
  difference of the totals at the ends of its period; a place's figure above that of the place
  containing it; one amount stated in two currencies that disagree.
- **Decisions** from `decisions.yaml` are applied and cited: a rejected fact leaves its point,
  an accepted fact sets its value, series merge, a series gets its own policy. A decision that
  matches nothing is reported as stale.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise

from ledger.copies import COPY_SIMILARITY, Copies
from ledger.decisions import Decision
from ledger.findings import Finding, percent, plain
from ledger.normalise import Fact
from ledger.places import Gazetteer
from ledger.speakers import Parties

DEFAULT_POLICY = "latest"
SeriesKey = tuple[str, str, str, str]


@dataclass(frozen=True)
class ReconcileSettings:
    policy: str = DEFAULT_POLICY
    source_priority: tuple[str, ...] = ()
    restatement_days: int = 7


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


@dataclass
class _Decisions:
    """Decisions indexed for reconciliation, remembering which ones matched something."""

    rejects: dict[str, Decision] = field(default_factory=dict)
    accepts: dict[str, Decision] = field(default_factory=dict)
    merges: dict[SeriesKey, tuple[SeriesKey, Decision]] = field(default_factory=dict)
    policies: dict[SeriesKey, tuple[str, Decision]] = field(default_factory=dict)
    used: set[int] = field(default_factory=set)

    @classmethod
    def index(cls, decisions: Iterable[Decision]) -> _Decisions:
        index = cls()
        for d in decisions:
            spec = d.spec
            if spec.action == "reject" and spec.fact:
                index.rejects[spec.fact] = d
            elif spec.action == "accept" and spec.fact:
                index.accepts[spec.fact] = d
            elif spec.action == "merge_series" and spec.series and spec.into:
                index.merges[spec.series.key] = (spec.into.key, d)
            elif spec.action == "set_policy" and spec.series and spec.policy:
                index.policies[spec.series.key] = (spec.policy, d)
        return index

    def series_of(self, fact: Fact) -> SeriesKey:
        key: SeriesKey = (fact.indicator, fact.place, fact.kind, fact.unit)
        seen = {key}
        while key in self.merges:
            key, decision = self.merges[key]
            self.used.add(decision.line)
            if key in seen:
                break
            seen.add(key)
        return key


def _point_key(series: SeriesKey, fact: Fact) -> tuple[str, ...]:
    period = (fact.period_start, fact.period_end) if fact.kind == "flow" else ("", "")
    return (*series, fact.claim_day, *period)


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
    return Observation(
        observation_id=oid, indicator=indicator, place=place, kind=kind, unit=unit, as_of=day,
        period_start=p_start or chosen.period_start, period_end=p_end or chosen.period_end,
        value=value, qualifier=qualifier, low=low, high=high,
        status=status, policy=policy, fact_ids=tuple(f.fact_id for f in ordered),
        n_sources=len({f.source for f in facts}), value_usd=chosen.value_usd,
        sources=tuple(sorted({f.source for f in facts})), side=side,
        independent_sources=len({(copies or Copies()).of(f.source) for f in facts}),
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


def _rising(groups: list[_Group], copies: Copies) -> bool:
    """True for a running total updated during the day: a cumulative indicator whose groups,
    in the order of their latest statements, never fall, stated either by one publisher or at
    strictly later times."""
    facts = [f for g in groups for f in g.facts]
    if not all(f.cumulative for f in facts):
        return False
    ordered = sorted(groups, key=lambda g: _order(g.latest))
    timed = all(a.latest.as_of < b.latest.as_of and len(b.latest.as_of) > 10
                for a, b in pairwise(ordered))
    publishers: dict[str, set[str]] = defaultdict(set)  # per text, by who published a copy
    for fact in facts:
        publishers[copies.of(fact.source)].add(fact.publisher)
    shared = set.intersection(*publishers.values()) - {""}
    one_publisher = bool(shared) or len(publishers) == 1
    return (timed or one_publisher) and all(
        a.latest.value <= b.latest.value for a, b in pairwise(ordered))


def _disputed_sides(groups: list[_Group], parties: Parties) -> bool:
    """True when two disagreeing groups are each one side of the same conflict."""
    pure = [next(iter(g.sides)) for g in groups if len(g.sides) == 1 and "" not in g.sides]
    return any(parties.opposed(a, b) for a in pure for b in pure)


@dataclass
class _Reconciler:
    settings: ReconcileSettings
    decisions: _Decisions
    parties: Parties
    copies: Copies = field(default_factory=Copies)
    observations: list[Observation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def point(self, key: tuple[str, ...], statements: list[Fact]) -> None:
        rejected = [f for f in statements if f.fact_id in self.decisions.rejects]
        active = [f for f in statements if f.fact_id not in self.decisions.rejects]
        applied = [self.decisions.rejects[f.fact_id] for f in rejected]
        applied += [self.decisions.accepts[f.fact_id] for f in active
                    if f.fact_id in self.decisions.accepts]
        self.decisions.used.update(d.line for d in applied)
        if not active:
            return
        groups = _cluster(active)
        if len(groups) > 1 and _disputed_sides(groups, self.parties):
            self._disputed(key, active, groups)
            return
        if len(groups) > 1 and not applied and _rising(groups, self.copies):
            # a running total raised during the day (58, then 84 servicemen): an update
            accepted = max(groups, key=lambda g: _order(g.latest))
            obs = _observation(key, active, accepted, "updated", self.settings.policy,
                               copies=self.copies)
            self.observations.append(obs)
            values = " then ".join(f"{plain(g.latest.value)}" for g in
                                   sorted(groups, key=lambda g: _order(g.latest)))
            self.findings.append(Finding(
                "info", "updated", f"{obs.indicator} / {obs.place or 'no place'} on "
                f"{obs.as_of}: a running total raised during the day ({values}); the latest "
                "is the value", obs.fact_ids, obs.observation_id))
            return
        one_text = len({self.copies.of(f.source) for f in statements}) == 1
        if len(groups) > 1 and not applied and (one_text or _is_transfer(key)):
            # figures that differ within one document (or its copies) count different things
            # (a table of countries, refugees in a country and worldwide), and different
            # amounts given or promised are different transfers: separate points, no conflict
            self._apart(key, groups)
            if not one_text:
                amounts = "; ".join(", ".join(_describe(f) for f in g.facts) for g in groups)
                self.findings.append(Finding(
                    "info", "amounts-apart", f"{key[0]} / {key[1] or 'no place'} / {key[2]} on "
                    f"{key[4]}: {len(groups)} different amounts, read as different transfers "
                    f"and listed apart (merge them with a decision if they are one): "
                    f"{amounts}", tuple(f.fact_id for g in groups for f in g.facts)))
            return
        series: SeriesKey = (key[0], key[1], key[2], key[3])
        policy_name, policy_decision = self.decisions.policies.get(
            series, (self.settings.policy, None))
        if policy_decision is not None:
            self.decisions.used.add(policy_decision.line)
            applied.append(policy_decision)
        accepted_fact = next((f for f in active if f.fact_id in self.decisions.accepts), None)
        if accepted_fact is not None:
            accepted = next(g for g in groups if accepted_fact in g.facts)
            policy_label = self.decisions.accepts[accepted_fact.fact_id].decision_id
        else:
            accepted = POLICIES[policy_name](groups, self.settings)
            policy_label = policy_name
        all_groups = _cluster(statements) if rejected else groups  # before any rejection
        conflicting = len(all_groups) > 1
        resolved = conflicting and (len(groups) == 1 or accepted_fact is not None)
        status = ("resolved" if resolved else "conflict" if len(groups) > 1
                  else "single" if len(statements) == 1 else "consistent")
        obs = _observation(key, active, accepted, status, policy_label,
                           rejected=tuple(f.fact_id for f in rejected),
                           decisions=tuple(applied), chosen=accepted_fact, copies=self.copies)
        self.observations.append(obs)
        if conflicting:
            self.findings.append(self._conflict(obs, all_groups, accepted,
                                                tuple(applied) if resolved else ()))

    def _apart(self, key: tuple[str, ...], groups: list[_Group]) -> None:
        """One observation per group, each id keeping the group's place in the text."""
        in_text_order = sorted(groups, key=lambda g: min((self.copies.of(f.source),
                                                          f.char_start) for f in g.facts))
        for position, group in enumerate(in_text_order):
            status = "single" if len(group.facts) == 1 else "consistent"
            self.observations.append(_observation(
                key, group.facts, group, status, self.settings.policy,
                variant=f"#{position}", copies=self.copies))

    def _conflict(self, obs: Observation, groups: list[_Group], accepted: _Group,
                  resolution: tuple[Decision, ...]) -> Finding:
        values = [min(f.value for f in g.facts) for g in groups]
        spread = max(values) - min(values)
        relative = spread / min(values) if min(values) else float("inf")
        sides = "; ".join(", ".join(_describe(f) for f in g.facts) for g in groups)
        head = (f"{obs.indicator} / {obs.place or 'no place'} / {obs.kind} on {obs.as_of}: "
                f"sources disagree: {sides}; difference {plain(spread)} ({percent(relative)}); ")
        fact_ids = tuple(f.fact_id for g in groups for f in g.facts)
        if resolution:
            how = "; ".join(d.describe() for d in resolution)
            return Finding("info", "conflict-resolved", head + f"resolved: {how}; accepted "
                           f"{plain(obs.value)}", fact_ids, obs.observation_id)
        return Finding("warning", "conflict", head + f"accepted {plain(obs.value)} by "
                       f"policy '{obs.policy}'", fact_ids, obs.observation_id)

    def _disputed(self, key: tuple[str, ...], active: list[Fact], groups: list[_Group]) -> None:
        by_side: dict[str, list[Fact]] = defaultdict(list)
        for fact in active:
            by_side[fact.side].append(fact)
        claims = []
        for side, facts in sorted(by_side.items()):
            side_groups = _cluster(facts)
            accepted = POLICIES[self.settings.policy](side_groups, self.settings)
            obs = _observation(key, facts, accepted, "disputed", self.settings.policy, side,
                               copies=self.copies)
            self.observations.append(obs)
            claims.append(f"{side or 'unattributed'}: " + ", ".join(_describe(f) for f in facts))
        self.findings.append(Finding(
            "warning", "disputed",
            f"{key[0]} / {key[1] or 'no place'} / {key[2]} on {key[4]}: the sides give "
            f"figures that cannot all be true and are kept apart, not averaged: "
            f"{'; '.join(claims)}", tuple(f.fact_id for f in sorted(active, key=_order))))

    # --- series-level steps ----------------------------------------------------------------

    def merge_restatements(self) -> None:
        """A stock restated later with the same value joins the earlier point."""
        by_series: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for position, obs in enumerate(self.observations):
            if obs.kind == "stock" and obs.status in ("single", "consistent", "updated"):
                by_series[obs.series_key].append(position)
        dropped: set[int] = set()
        for positions in by_series.values():
            positions.sort(key=lambda i: self.observations[i].as_of)
            base_at = positions[0]
            for later_at in positions[1:]:
                base, later = self.observations[base_at], self.observations[later_at]
                gap = (date.fromisoformat(later.as_of) - date.fromisoformat(
                    base.restated_until or base.as_of)).days
                if (later.value == base.value and gap <= self.settings.restatement_days
                        and _intersect(base.low, base.high, later.low, later.high)):
                    sources = tuple(sorted(set(base.sources) | set(later.sources)))
                    self.observations[base_at] = replace(
                        base, fact_ids=base.fact_ids + later.fact_ids, sources=sources,
                        n_sources=len(sources), restated_until=later.as_of,
                        status="updated" if base.status == "updated" else "consistent")
                    dropped.add(later_at)
                else:
                    base_at = later_at
        self.observations = [o for i, o in enumerate(self.observations) if i not in dropped]

    def check_series(self, facts: dict[str, Fact], gazetteer: Gazetteer | None) -> None:
        stocks: dict[tuple[str, ...], dict[str, Observation]] = defaultdict(dict)
        for obs in self.observations:
            if obs.kind == "stock" and not obs.side:
                stocks[obs.series_key][obs.as_of] = obs
        for points in stocks.values():
            if any(facts[i].cumulative for o in points.values() for i in o.fact_ids):
                self._check_cumulative(sorted(points.values(), key=lambda o: o.as_of))
        for obs in self.observations:
            if obs.kind == "flow" and obs.period_start and obs.period_end and not obs.side:
                points = stocks.get((obs.indicator, obs.place, "stock", obs.unit, ""), {})
                start, end = points.get(obs.period_start), points.get(obs.period_end)
                if start is not None and end is not None:
                    self._check_flow(obs, start, end)
        if gazetteer is not None:
            self._check_containment(stocks, gazetteer)
        self._check_currencies(facts)
        self._check_sides(facts)
        self._check_parts(list(facts.values()))

    def _check_cumulative(self, points: list[Observation]) -> None:
        for before, after in pairwise(points):
            if after.high is not None and before.low is not None and after.high < before.low:
                self.findings.append(Finding(
                    "warning", "cumulative-decrease",
                    f"{after.indicator} / {after.place or 'no place'} is a running total but "
                    f"falls from {plain(before.value)} on {before.as_of} "
                    f"({', '.join(before.sources)}) to {plain(after.value)} on {after.as_of} "
                    f"({', '.join(after.sources)})",
                    before.fact_ids + after.fact_ids, after.observation_id))

    def _check_flow(self, flow: Observation, start: Observation, end: Observation) -> None:
        low = None if end.low is None or start.high is None else end.low - start.high
        high = None if end.high is None or start.low is None else end.high - start.low
        fits = _intersect(flow.low, flow.high, low, high) is not None
        difference = end.value - start.value
        text = (f"{flow.indicator} / {flow.place or 'no place'}: the flow of {plain(flow.value)} "
                f"from {flow.period_start} to {flow.period_end} "
                f"{'fits' if fits else 'does not fit'} the change in the total, "
                f"{plain(start.value)} to {plain(end.value)} ({difference:+,g})")
        self.findings.append(Finding("info" if fits else "warning",
                                     "flow-matches-totals" if fits else "flow-total-mismatch",
                                     text, flow.fact_ids + start.fact_ids + end.fact_ids,
                                     flow.observation_id))

    def _check_containment(self, stocks: dict[tuple[str, ...], dict[str, Observation]],
                           gazetteer: Gazetteer) -> None:
        by_day: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
        for points in stocks.values():
            for obs in points.values():
                if obs.place:
                    by_day[(obs.indicator, obs.unit, obs.as_of)].append(obs)
        for same_day in by_day.values():
            for whole in same_day:
                for part in same_day:
                    if part is whole or not gazetteer.contains(whole.place, part.place):
                        continue
                    exceeds = (part.low is not None and whole.high is not None
                               and part.low > whole.high)
                    self.findings.append(Finding(
                        "warning" if exceeds else "info",
                        "part-exceeds-whole" if exceeds else "part-within-whole",
                        f"{part.indicator} on {part.as_of}: {part.place} ({part.qualifier} "
                        f"{plain(part.value)}) lies in {whole.place} ({whole.qualifier} "
                        f"{plain(whole.value)}); the part {'exceeds' if exceeds else 'fits'} "
                        "the whole", whole.fact_ids + part.fact_ids, part.observation_id))

    def _check_parts(self, facts: list[Fact]) -> None:
        """A stated total and the parts stated with it ("€148 million, out of which €140
        million for Ukraine and €8 million for Moldova"; "Of this, …" in the next sentence)
        are checked against each other: a finding either way."""
        by_sentence: dict[tuple[str, int], list[Fact]] = defaultdict(list)
        for fact in facts:
            by_sentence[(fact.source, fact.quote_start)].append(fact)
        sentences = sorted(by_sentence)
        for index, key in enumerate(sentences):
            stated = sorted(by_sentence[key], key=lambda f: f.char_start)
            for i, total in enumerate(stated):
                between_end = stated[i + 1].char_start if i + 1 < len(stated) else total.quote_end
                tail = total.quote[total.char_end - total.quote_start:
                                   between_end - total.quote_start]
                parts = [f for f in stated[i + 1:] if f.unit == total.unit]
                if not _PARTS_BEFORE.search(tail):
                    parts = []
                    following = sentences[index + 1] if index + 1 < len(sentences) else None
                    if (i == len(stated) - 1 and following is not None
                            and following[0] == key[0]):
                        later = sorted(by_sentence[following], key=lambda f: f.char_start)
                        if later and _PARTS.match(later[0].quote):
                            parts = [f for f in later if f.unit == total.unit]
                if len(parts) >= 2:
                    self._total_and_parts(total, parts)
                    break

    def _total_and_parts(self, total: Fact, parts: list[Fact]) -> None:
        low = sum(p.low or 0 for p in parts)
        highs = [p.high for p in parts]
        high = None if any(h is None for h in highs) else sum(h for h in highs if h is not None)
        fits = _intersect(total.low, total.high, low, high) is not None
        named = " + ".join(f"{plain(p.value)}" for p in parts)
        whole = f"{total.qualifier.replace('_', ' ')} {plain(total.value)} {total.unit}"
        text = (f"{total.indicator} in {total.source}: the total, {whole}, and its parts, "
                f"{named} = {plain(sum(p.value for p in parts))} {total.unit}, "
                f"{'agree' if fits else 'do not agree'}")
        self.findings.append(Finding("info" if fits else "warning",
                                     "total-and-parts" if fits else "total-and-parts-differ",
                                     text, (total.fact_id, *(p.fact_id for p in parts))))

    def _check_currencies(self, facts: dict[str, Fact]) -> None:
        money = [o for o in self.observations if o.value_usd is not None and o.unit.isupper()
                 and len(o.unit) == 3]
        by_point: dict[tuple[str, str, str], list[Observation]] = defaultdict(list)
        for obs in money:
            by_point[(obs.indicator, obs.kind, obs.as_of)].append(obs)
        for same in by_point.values():
            for i, a in enumerate(same):
                for b in same[i + 1:]:
                    if a.unit == b.unit or not set(a.sources) & set(b.sources):
                        continue
                    fits = _intersect(*_usd_bounds(a), *_usd_bounds(b)) is not None
                    self.findings.append(Finding(
                        "info" if fits else "warning",
                        "amounts-agree-across-currencies" if fits
                        else "amounts-disagree-across-currencies",
                        f"{a.indicator} on {a.as_of}: {a.qualifier} {plain(a.value)} {a.unit} "
                        f"(= {a.value_usd:,.2f} USD) and {b.qualifier} {plain(b.value)} {b.unit} "
                        f"(= {b.value_usd:,.2f} USD) in the same document "
                        f"{'agree' if fits else 'disagree'} at the official rate",
                        a.fact_ids + b.fact_ids, a.observation_id))

    def _check_sides(self, facts: dict[str, Fact]) -> None:
        """Casualty claims of opposed sides about one place and time (Azerbaijan's "2,300
        neutralised" against the separatists' "84 servicemen killed") are kept apart, marked
        disputed and reported together: never merged, never averaged."""
        claims = []
        for obs in self.observations:
            base, _, population = obs.indicator.partition("_")
            if obs.indicator.startswith("killed_or_injured"):
                base, population = "killed_or_injured", obs.indicator[18:]
            sides = {facts[i].side for i in obs.fact_ids} - {""}
            if base in CASUALTIES and obs.kind == "stock" and len(sides) == 1:
                claims.append((obs, population, sides.pop()))
        for i, (a, population, side_a) in enumerate(claims):
            for b, population_b, side_b in claims[i + 1:]:
                if (population != population_b or a.place != b.place
                        or not self.parties.opposed(side_a, side_b)
                        or not _overlap(a, b) or {a.status, b.status} == {"disputed"}):
                    continue
                for obs, side in ((a, side_a), (b, side_b)):
                    obs.status, obs.side = "disputed", side
                self.findings.append(Finding(
                    "warning", "disputed",
                    f"{a.place or 'no place'} on {max(a.as_of, b.as_of)}: the sides' casualty "
                    f"claims differ and are kept apart, not averaged: {side_a} says "
                    f"{a.indicator.replace('_', ' ')} {a.qualifier.replace('_', ' ')} "
                    f"{plain(a.value)} ({', '.join(a.sources)}); {side_b} says "
                    f"{b.indicator.replace('_', ' ')} {b.qualifier.replace('_', ' ')} "
                    f"{plain(b.value)} ({', '.join(b.sources)})",
                    a.fact_ids + b.fact_ids, a.observation_id))

    def report_copies(self, facts: list[Fact]) -> None:
        """A finding for each set of documents that are copies of one text."""
        publishers = {f.source: f.publisher for f in facts}
        for members in self.copies.clusters:
            named = ", ".join(f"{m} ({publishers[m]})" if publishers.get(m) else m
                              for m in members)
            self.findings.append(Finding(
                "info", "copies", f"{len(members)} documents are copies of one text (their word "
                f"runs overlap by {COPY_SIMILARITY:.0%} or more): {named}; their statements "
                "support the same points and count as one source",
                tuple(f.fact_id for f in facts if f.source in members)))

    def stale(self, decisions: Iterable[Decision]) -> None:
        for d in decisions:
            if d.line in self.decisions.used:
                self.findings.append(Finding("info", "decision-applied", d.describe(),
                                             (d.spec.fact,) if d.spec.fact else ()))
            else:
                target = d.spec.fact or (d.spec.series.key if d.spec.series else "")
                self.findings.append(Finding(
                    "warning", "stale-decision",
                    f"{d.where}: the decision to {d.spec.action.replace('_', ' ')} {target} "
                    f"({d.spec.by}, {d.spec.date}) matches nothing in this build: the fact or "
                    "series is gone. Review the decision or remove it."
                    , ()))


CASUALTIES = {"killed", "injured", "killed_or_injured", "missing"}
_PARTS = re.compile(
    r"[\s,;:(\-–—]*(?:out\s+of\s+(?:which|this|these|that|them)|of\s+(?:which|whom|this|these|"
    r"them|those)|including|includes|among\s+them|из\s+(?:них|которых|этой\s+суммы)|"
    r"в\s+том\s+числе)\b", re.IGNORECASE)
"""Words that open the parts of a total just stated."""
_PARTS_BEFORE = re.compile(_PARTS.pattern.removeprefix("[\\s,;:(\\-–—]*") + r"[\s,:]*\Z",
                           re.IGNORECASE)
"""The same words just before the first part, after the total and its context."""


def _overlap(a: Observation, b: Observation) -> bool:
    """True when the days two observations cover (as of, through any restatement) meet."""
    return (a.as_of <= (b.restated_until or b.as_of)
            and b.as_of <= (a.restated_until or a.as_of))


def _usd_bounds(obs: Observation) -> tuple[float | None, float | None]:
    scale = (obs.value_usd or 0) / obs.value if obs.value else 0
    return (None if obs.low is None else obs.low * scale,
            None if obs.high is None else obs.high * scale)


def reconcile(facts: list[Fact], settings: ReconcileSettings | None = None,
              decisions: Iterable[Decision] = (), parties: Parties | None = None,
              gazetteer: Gazetteer | None = None, copies: Copies | None = None
              ) -> tuple[list[Observation], list[Finding]]:
    """Observations for every series point, with findings for what needs review. Documents
    that are `copies` of one text count as one source of evidence."""
    settings = settings or ReconcileSettings()
    decisions = tuple(decisions)
    index = _Decisions.index(decisions)
    work = _Reconciler(settings, index, parties or Parties.load()[0], copies or Copies())
    points: dict[tuple[str, ...], list[Fact]] = defaultdict(list)
    for fact in facts:
        if fact.claim_day:
            points[_point_key(index.series_of(fact), fact)].append(fact)
    for key in sorted(points):
        work.point(key, points[key])
    if settings.restatement_days > 0:
        work.merge_restatements()
    work.check_series({f.fact_id: f for f in facts}, gazetteer)
    work.report_copies(facts)
    work.stale(decisions)
    observations = sorted(work.observations, key=lambda o: (o.indicator, o.place, o.kind,
                                                            o.unit, o.side, o.as_of,
                                                            o.period_end))
    return observations, work.findings
