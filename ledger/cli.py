"""The `ledger` command line. Exit codes: 0 success, 1 bad input, 2 internal failure."""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from ledger import __version__
from ledger.diagnostics import EXIT_INPUT_ERROR, EXIT_INTERNAL_ERROR, EXIT_OK, LedgerError


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def _cmd_build(args: argparse.Namespace) -> int:
    from ledger.build import OUTPUT_NAMES, build

    project = Path(args.project)
    result = build(project, Path(args.out) if args.out else None)
    for diag in result.diagnostics:
        print(diag.format(), file=sys.stderr)
    if not args.quiet:
        warnings = sum(1 for f in result.findings if f.severity != "info")
        print(f"ledger build: {_plural(len(result.documents), 'document')}, "
              f"{_plural(len(result.facts), 'fact')}, "
              f"{_plural(len(result.observations), 'observation')}, "
              f"{_plural(len(result.findings), 'finding')} ({warnings} to review)")
        print(f"wrote {result.out}/: {', '.join(OUTPUT_NAMES)}")
    return EXIT_OK


def _cmd_rates(args: argparse.Namespace) -> int:
    from ledger.rates import RateBook

    project_rates = Path(args.project) / "rates" if args.project else None
    book, diagnostics = RateBook.load(project_rates)
    for diag in diagnostics:
        print(diag.format(), file=sys.stderr)
    wanted = {c.strip().upper() for c in args.currency.split(",")} if args.currency else None
    rows = [c for c in book.coverage() if wanted is None or c.currency in wanted]
    order = {c: [t.id for t in book.ordered_for(c)] for c in {r.currency for r in rows}}
    rows.sort(key=lambda c: (c.currency, order[c.currency].index(c.table)))
    print(f"{'currency':<9}{'table':<22}{'basis':<17}{'first':<12}{'last':<12}{'rows':>8}")
    for c in rows:
        print(f"{c.currency:<9}{c.table:<22}{c.basis:<17}{c.first!s:<12}{c.last!s:<12}"
              f"{c.rows:>8,}")
    print("\nsources (in the order a lookup tries them for a currency):")
    for table in book.tables:
        if any(c.table == table.id for c in rows):
            print(f"  {table.id}: {table.source}")
    return EXIT_INPUT_ERROR if any(d.severity == "error" for d in diagnostics) else EXIT_OK


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="ledger",
        description="Extract, reconcile and report the figures in humanitarian sources.")
    top.add_argument("--version", action="version", version=f"ledger {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build = commands.add_parser("build", help="build the ledger of a project folder")
    build.add_argument("project", metavar="PROJECT", help="folder with sources/ (and optionally "
                       "rules/, rates/, ledger.toml)")
    build.add_argument("--out", metavar="DIR", help="output folder (default PROJECT/build)")
    build.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    build.set_defaults(run=_cmd_build)
    rates = commands.add_parser("rates", help="print the exchange-rate coverage per currency "
                                "and source")
    rates.add_argument("project", metavar="PROJECT", nargs="?",
                       help="also show the project's own tables in PROJECT/rates/")
    rates.add_argument("--currency", metavar="CODES", help="only these ISO codes, e.g. AMD,EUR")
    rates.set_defaults(run=_cmd_rates)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        code: int = args.run(args)
        return code
    except LedgerError as exc:
        for diag in exc.diagnostics:
            print(diag.format(), file=sys.stderr)
        errors = sum(1 for d in exc.diagnostics if d.severity == "error")
        print(f"ledger: stopped with {_plural(errors, 'error')}; nothing was written",
              file=sys.stderr)
        return EXIT_INPUT_ERROR
    except KeyboardInterrupt:
        print("ledger: interrupted; nothing was written", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    except Exception:
        traceback.print_exc()
        print("ledger: internal error (a bug in ledger, not in your input); nothing was "
              "written. Please report it with the traceback above.", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
