"""For every fact, text[char_start:char_end] of the normalised source is the figure as written."""

from __future__ import annotations

import csv

import pytest

from ledger.build import BuildResult
from ledger.money import parse_money
from ledger.numbers import parse_quantity


@pytest.mark.parametrize("which", ["seed_build", "example_build"])
def test_offsets_point_at_the_figure(which: str, request: pytest.FixtureRequest) -> None:
    result: BuildResult = request.getfixturevalue(which)
    texts = {d.path: d.text for d in result.documents}
    languages = {d.path: d.language for d in result.documents}
    with (result.out / "facts.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        text = texts[row["source"]]
        figure = text[int(row["char_start"]):int(row["char_end"])]
        quote_span = text[int(row["quote_start"]):int(row["quote_end"])]
        assert figure in quote_span
        assert quote_span == row["quote"].lstrip("'") or quote_span == row["quote"]
        language = languages[row["source"]]
        parsed = (parse_money(figure, language) if row["currency"] else None)
        value = (parsed.quantity.value if parsed
                 else parse_quantity(figure, language).value)  # type: ignore[union-attr]
        assert value == float(row["value"]), (row["fact_id"], figure)
