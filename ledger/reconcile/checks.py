"""Checks across the points of a ledger, each a finding: running totals that fall, flows
against the change of totals, parts against wholes (places, stated totals and their parts),
amounts in two currencies, casualty claims of opposed sides."""

from __future__ import annotations

import re
from collections import defaultdict
from itertools import pairwise

from ledger.copies import Copies
from ledger.findings import Finding, plain
from ledger.normalise import Fact
from ledger.places import Gazetteer
from ledger.reconcile.model import Observation, _intersect
from ledger.speakers import Parties


class SeriesChecks:
    """The checks, as methods of the reconciler whose observations and findings they read
    and add to."""

    observations: list[Observation]
    findings: list[Finding]
    parties: Parties
    copies: Copies

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
                if _PARTS_BEFORE.search(tail):
                    parts = [f for f in stated[i + 1:] if f.unit == total.unit]
                else:
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
