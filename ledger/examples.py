"""Run a rule's examples: each is a tiny document built with that rule alone.

Public surface: `check_example(rule, index, rates, gazetteer)` returns the problems found
(an empty list when the example passes); `ExampleContext` caches the rate book and gazetteer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ledger.extract import extract
from ledger.normalise import Fact, normalise
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.rules import ExpectedFact, Rule, RuleBook
from ledger.sources import Document, Segment
from ledger.text import normalise_text


@dataclass
class ExampleContext:
    rates: RateBook
    gazetteer: Gazetteer

    @classmethod
    def default(cls) -> ExampleContext:
        rates, _ = RateBook.load()
        gazetteer, _ = Gazetteer.load()
        return cls(rates, gazetteer)


def example_facts(rule: Rule, index: int, context: ExampleContext) -> list[Fact]:
    example = rule.spec.examples[index]
    text = normalise_text(example.text)
    day = date.fromisoformat(example.date)
    doc = Document(path=f"{rule.id}::{example.name}", file_sha256="", text=text, published=day,
                   published_at=None, date_origin="example", language=rule.spec.language,
                   segments=[Segment(0, len(text), day)])
    matches = extract([doc], RuleBook(rules=[rule]))
    facts, _ = normalise(matches, context.rates, context.gazetteer)
    return facts


def _compare(expected: ExpectedFact, fact: Fact) -> list[str]:
    problems = []
    wanted = expected.model_dump(exclude_none=True)
    actual: dict[str, object] = {
        "value": fact.value, "indicator": fact.indicator, "qualifier": fact.qualifier,
        "high": fact.high, "unit": fact.unit,
        "kind": fact.kind, "place": fact.place, "period": fact.period,
        "period_start": fact.period_start, "stated_usd": fact.stated_value,
    }
    for key, want in wanted.items():
        got = actual[key]
        same = (abs(float(got) - want) < 1e-9
                if isinstance(want, float) and isinstance(got, (int, float)) else got == want)
        if not same:
            problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


def check_example(rule: Rule, index: int, context: ExampleContext) -> list[str]:
    """Problems with one example of a rule, each as a sentence; empty when it passes."""
    example = rule.spec.examples[index]
    facts = example_facts(rule, index, context)
    if example.expect == "none":
        return [f"must not match, but gave {f.value:g} {f.unit} from {f.quote!r}"
                for f in facts]
    if not facts:
        return ["must match, but the rule found no figure"]
    if len(facts) > 1:
        found = ", ".join(f"{f.value:g}" for f in facts)
        return [f"must give one figure, but gave {len(facts)}: {found}"]
    return _compare(example.expect, facts[0])
