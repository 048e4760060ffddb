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
