"""Exchange-rate lookups: 100,000 conversions, and whether lookups rescan tables.

Loads the shipped tables once, then times 100,000 lookups of random currencies and dates
(2015 to 2023). A lookup is a bisection in one currency's sorted array, so its time should
not grow with the table: compare the small CBA AMD table (6,039 rows) with the ECB table
(221,702 rows). Run from the repository root:

    .venv/bin/python benchmarks/rates.py [--n 100000]
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import date, timedelta

from ledger.rates import RateBook

CURRENCIES = ["AMD", "EUR", "RUB", "UAH", "GBP", "SEK", "PKR", "AZN"]


def timed(book: RateBook, queries: list[tuple[str, date]]) -> tuple[float, int]:
    start = time.perf_counter()
    found = sum(book.lookup(currency, day) is not None for currency, day in queries)
    return time.perf_counter() - start, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    picker = random.Random(7)
    first = date(2015, 1, 1)

    def some_day() -> date:
        return first + timedelta(days=picker.randrange(9 * 365))

    start = time.perf_counter()
    book, _ = RateBook.load()
    for table in book.tables:
        table.all_series()
    load_s = time.perf_counter() - start
    mixed = [(picker.choice(CURRENCIES), some_day()) for _ in range(args.n)]
    mixed_s, found = timed(book, mixed)
    amd_s, _ = timed(book, [("AMD", some_day()) for _ in range(args.n)])
    eur_s, _ = timed(book, [("EUR", some_day()) for _ in range(args.n)])
    print(f"tables loaded in {load_s:.2f} s")
    print(f"{args.n:,} conversions, 8 currencies: {mixed_s:.2f} s "
          f"({mixed_s / args.n * 1e6:.1f} µs each, {found:,} with a rate)")
    print(f"AMD from the CBA table (6,039 rows):   {amd_s / args.n * 1e6:.1f} µs a lookup")
    print(f"EUR from the ECB table (221,702 rows): {eur_s / args.n * 1e6:.1f} µs a lookup")


if __name__ == "__main__":
    main()
