"""Every rule's examples are tests: `pytest -k returnees.returned` runs one rule's cases.

The built-in library and the example projects' own rules are collected; a failure names the
example's `file:line` so it can be opened at once.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.examples import ExampleContext, check_example
from ledger.rules import Rule, builtin_rules_dir, load_rulebook

REPO = Path(__file__).resolve().parent.parent


def _rules() -> list[Rule]:
    dirs = [(builtin_rules_dir(), "rules")]
    dirs += [(p, f"examples/{p.parent.name}/rules")
             for p in sorted((REPO / "examples").glob("*/rules"))]
    rules: list[Rule] = []
    for folder, prefix in dirs:
        book, diagnostics = load_rulebook([(folder, prefix)])
        assert not diagnostics, "\n".join(d.format() for d in diagnostics)
        rules += book.rules
    return rules


CASES = [(rule, index) for rule in _rules() for index in range(len(rule.spec.examples))]


@pytest.fixture(scope="module")
def context() -> ExampleContext:
    return ExampleContext.default()


@pytest.mark.parametrize(
    ("rule", "index"), CASES,
    ids=[f"{rule.id}::{rule.spec.examples[index].name}" for rule, index in CASES])
def test_rule_example(rule: Rule, index: int, context: ExampleContext) -> None:
    problems = check_example(rule, index, context)
    where = f"{rule.file}:{rule.example_lines[index]}"
    assert not problems, f"{where}: {rule.id}::{rule.spec.examples[index].name}: " + "; ".join(
        problems)


def test_library_covers_the_seed_families() -> None:
    indicators = {rule.spec.indicator for rule in _rules()}
    assert {"returnees", "peacekeepers", "observation_posts", "cash_assistance_per_person",
            "aid_flights", "settlements_assisted", "killed", "injured", "displaced"} <= indicators
