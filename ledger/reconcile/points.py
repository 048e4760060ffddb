"""Reconciling one series point: statements grouped by agreement, copies and transfers kept
apart, sides of a conflict kept apart, the policy's choice and the conflict findings; then
restatements across days, the copies found and the analyst's decisions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from itertools import pairwise

from ledger.copies import COPY_SIMILARITY, Copies
from ledger.decisions import Decision
from ledger.findings import Finding, percent, plain
from ledger.normalise import Fact
from ledger.reconcile.checks import SeriesChecks
from ledger.reconcile.model import (
    POLICIES,
    Observation,
    ReconcileSettings,
    SeriesKey,
    _cluster,
    _describe,
    _Group,
    _intersect,
    _is_transfer,
    _observation,
    _order,
)
from ledger.speakers import Parties


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
class _Reconciler(SeriesChecks):
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

    def report_copies(self, facts: list[Fact]) -> None:
        """A finding for each set of documents that are copies of one text."""
        publishers = {f.source: f.publisher for f in facts}
        cluster_of = {m: i for i, members in enumerate(self.copies.clusters) for m in members}
        fact_ids: list[list[str]] = [[] for _ in self.copies.clusters]
        for f in facts:
            if f.source in cluster_of:
                fact_ids[cluster_of[f.source]].append(f.fact_id)
        for members, ids in zip(self.copies.clusters, fact_ids, strict=True):
            named = ", ".join(f"{m} ({publishers[m]})" if publishers.get(m) else m
                              for m in members)
            self.findings.append(Finding(
                "info", "copies", f"{len(members)} documents are copies of one text (their word "
                f"runs overlap by {COPY_SIMILARITY:.0%} or more): {named}; their statements "
                "support the same points and count as one source", tuple(ids)))

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
