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

from collections import defaultdict
from collections.abc import Iterable

from ledger.copies import Copies
from ledger.decisions import Decision
from ledger.findings import Finding
from ledger.normalise import Fact
from ledger.places import Gazetteer
from ledger.reconcile.model import DEFAULT_POLICY, POLICIES, Observation, ReconcileSettings
from ledger.reconcile.points import _Decisions, _point_key, _Reconciler
from ledger.speakers import Parties

__all__ = ["DEFAULT_POLICY", "POLICIES", "Observation", "ReconcileSettings", "reconcile"]


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
