"""Reconciliation at scale: 100,000 facts over 2,000 series and 60 days, with restatements,
disagreements and flows, reconciled with the default settings.

    .venv/bin/python benchmarks/reconcile.py [--n 100000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from ledger.normalise import Fact
from ledger.places import Gazetteer
from ledger.reconcile import reconcile

PLACES = ["Stepanakert", "Martuni", "Askeran", "Hadrut", "Shusha", "Lachin", "Goris", "Ganja",
          "Barda", "Tartar"]
INDICATORS = ["returnees", "killed", "injured", "displaced", "houses_damaged"]


def make_facts(n: int) -> list[Fact]:
    picker = random.Random(5)
    facts = []
    for i in range(n):
        series = picker.randrange(2_000)
        indicator = f"{INDICATORS[series % len(INDICATORS)]}_{series // 50}"
        place = PLACES[series % len(PLACES)]
        day = date(2020, 10, 1) + timedelta(days=picker.randrange(60))
        flow = picker.random() < 0.2
        value = float(100 * (day.toordinal() % 97) + picker.choice([0, 0, 0, 10]))
        qualifier = picker.choice(["exact", "exact", "approx", "more_than"])
        low, high = (value, value) if qualifier == "exact" else (
            (value * 0.9, value * 1.1) if qualifier == "approx" else (value, None))
        facts.append(Fact(
            fact_id=f"F{i:012x}", source=f"doc-{i % 5_000}.txt", indicator=indicator,
            value=value, qualifier=qualifier, low=low, high=high, unit="person",
            kind="flow" if flow else "stock", place=place, as_of=day.isoformat(),
            period_start=(day - timedelta(days=1)).isoformat() if flow else "",
            period_end=day.isoformat() if flow else "", period="P1D" if flow else "",
            quote="", quote_start=0, quote_end=0, char_start=i % 1000, char_end=i % 1000 + 5,
            line=1, rule_id="bench", rule_file="bench.yaml", rule_line=1,
            publisher=f"Publisher {i % 40}", cumulative=indicator.startswith("killed")))
    return facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    facts = make_facts(args.n)
    gazetteer, _ = Gazetteer.load()
    start = time.perf_counter()
    observations, findings = reconcile(facts, gazetteer=gazetteer)
    elapsed = time.perf_counter() - start
    print(f"{args.n:,} facts reconciled in {elapsed:.2f} s: {len(observations):,} observations,"
          f" {len(findings):,} findings")


if __name__ == "__main__":
    main()
