"""Properties of reconciliation over random statement sets (hypothesis): whatever the
statements and the policy, an observation's value lies inside the interval its accepted
statements allow."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.normalise import Fact
from ledger.numbers import Quantity
from ledger.reconcile import POLICIES, ReconcileSettings, reconcile

QUALIFIERS = ("exact", "approx", "more_than", "at_least", "less_than", "at_most", "range")


def _fact(i: int, value: float, qualifier: str, day: int, source: int, place: str,
          indicator: str) -> Fact:
    high = value * 1.5 if qualifier == "range" else None
    low, upper = Quantity(value, qualifier, high).low_high
    return Fact(
        fact_id=f"F{i:012d}", source=f"doc{source}.txt", indicator=indicator, value=value,
        qualifier=qualifier, low=low, high=upper, unit="person", kind="stock", place=place,
        as_of=f"2020-11-{day:02d}", period_start="", period_end="", period="",
        quote=f"statement {i}", quote_start=0, quote_end=10, char_start=i, char_end=i + 1,
        line=1, rule_id="test.rule", rule_file="test.yaml", rule_line=1,
        publisher=f"Agency {source}", cumulative=bool(source % 2))


STATEMENTS = st.lists(
    st.tuples(st.sampled_from([60, 100, 120, 1_000, 7_000, 7_500, 30_000, 230_000, 800_000]),
              st.sampled_from(QUALIFIERS), st.integers(20, 24), st.integers(0, 3),
              st.sampled_from(["Stepanakert", "Ganja", ""]), st.sampled_from(["killed",
                                                                             "returnees"])),
    min_size=1, max_size=25)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(statements=STATEMENTS, policy=st.sampled_from(sorted(POLICIES)),
       restatement_days=st.sampled_from([0, 7]))
def test_the_accepted_value_lies_in_the_interval_its_statements_allow(
        statements: list[tuple[int, str, int, int, str, str]], policy: str,
        restatement_days: int) -> None:
    facts = [_fact(i, *s) for i, s in enumerate(statements)]
    observations, _ = reconcile(facts, ReconcileSettings(policy, ("Agency 2",),
                                                         restatement_days))
    assert {i for o in observations for i in o.fact_ids} == {f.fact_id for f in facts}
    for obs in observations:
        assert obs.low is None or obs.value >= obs.low - 1e-6, obs
        assert obs.high is None or obs.value <= obs.high + 1e-6, obs
