"""Extraction throughput: MB of source text per second through extract and normalise.

Builds a corpus of at least --mb megabytes by repeating the example project's documents
(each copy a separate document), then times reading, extraction (rule matching) and
normalisation (numbers, places, periods, rates) separately in one process, after a start-up
that loads the rules and lexicons and compiles the pattern sets (reported apart: it is paid
once a build); then all of a document's reading as a build runs it (extract, normalise and
the unread numbers) on --jobs processes (default: every processor). Run from the repository root:

    .venv/bin/python benchmarks/extraction.py [--mb 5]
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from ledger.build import project_rulebook
from ledger.extract import extract
from ledger.normalise import normalise
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.sources import read_sources
from ledger.speakers import Parties
from ledger.workers import Context, default_jobs, read_figures

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "karabakh-returns"


def make_corpus(target: Path, megabytes: float) -> int:
    """Copy the example's documents into `target` until it holds `megabytes` of text."""
    documents = sorted(p for p in (EXAMPLE / "sources").iterdir() if p.suffix != ".csv")
    size, copy = 0, 0
    while size < megabytes * 1_000_000:
        for doc in documents:
            name = f"{copy:05d}-{doc.name}"
            shutil.copy(doc, target / name)
            size += doc.stat().st_size
        copy += 1
    return size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=5.0, help="corpus size in MB (default 5)")
    parser.add_argument("--jobs", type=int, default=default_jobs(),
                        help="processes for the build's reading (default: every processor)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sources = Path(tmp) / "sources"
        sources.mkdir()
        size = make_corpus(sources, args.mb)
        start = time.perf_counter()
        documents, _ = read_sources(sources)
        read_s = time.perf_counter() - start
        start = time.perf_counter()
        rules, _ = project_rulebook(EXAMPLE, with_builtin=True)
        rates, _ = RateBook.load()
        gazetteer, _ = Gazetteer.load()
        parties, _ = Parties.load()
        normalise(extract(documents[:4], rules), rates, gazetteer)  # compile the pattern sets
        startup_s = time.perf_counter() - start
        start = time.perf_counter()
        matches = extract(documents, rules)
        extract_s = time.perf_counter() - start
        start = time.perf_counter()
        facts, _ = normalise(matches, rates, gazetteer)
        normalise_s = time.perf_counter() - start
        start = time.perf_counter()
        figures = read_figures(documents, Context(rules, rates, gazetteer, parties), args.jobs)
        parallel_s = time.perf_counter() - start
        assert len(figures.facts) == len(facts), "the pool must read what one process reads"
    mb = size / 1_000_000
    print(f"corpus: {mb:.2f} MB in {len(documents):,} documents, {len(rules.rules)} rules "
          "(topical and lexicon)")
    print(f"read:      {read_s:6.2f} s  {mb / read_s:6.2f} MB/s")
    print(f"start-up:  {startup_s:6.2f} s  (loading rules and lexicons, compiling pattern sets; "
          "once per build)")
    print(f"extract:   {extract_s:6.2f} s  {mb / extract_s:6.2f} MB/s  ({len(matches):,} matches)")
    print(f"normalise: {normalise_s:6.2f} s  {mb / normalise_s:6.2f} MB/s  ({len(facts):,} facts)")
    total = extract_s + normalise_s
    print(f"one process (extract + normalise): {mb / total:.2f} MB/s")
    print(f"reading as a build runs it (extract, normalise and the unread numbers, --jobs "
          f"{args.jobs}): {mb / parallel_s:.2f} MB/s")


if __name__ == "__main__":
    main()
