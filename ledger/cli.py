"""The `ledger` command line. Exit codes: 0 success, 1 bad input (or, with --strict, warnings;
or a failed verification), 2 internal failure."""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ledger import __version__
from ledger.diagnostics import (
    EXIT_INPUT_ERROR,
    EXIT_INTERNAL_ERROR,
    EXIT_OK,
    Diagnostic,
    LedgerError,
    Severity,
    line_col,
)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return value


def _plural(n: int, word: str) -> str:
    ending = "es" if word.endswith(("s", "sh", "ch", "x")) else "s"
    return f"{n:,} {word}{'' if n == 1 else ending}"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (an escape sequence hidden in a
    source or a file name could rewrite the screen) shown as U+FFFD."""
    return _CONTROL.sub("\ufffd", text)


def emit(diagnostics: Sequence[Diagnostic], fmt: str, root: str = "") -> None:
    """Print diagnostics: `text` (file:line:col: severity CODE message, paths relative to the
    project) to stderr, `github` (workflow annotations, paths relative to the working folder,
    `root` being the project as given) to stdout; `json` is printed by the caller."""
    for d in diagnostics:
        if fmt == "github":
            kind = {"error": "error", "warning": "warning"}.get(d.severity.value, "notice")
            file = d.file if d.file.startswith(("/", "ledger:")) or not root else (
                os.path.normpath(os.path.join(root, d.file)))
            where = f"file={file}" + (f",line={d.line}" if d.line else "") + (
                f",col={d.col}" if d.col else "")
            message = d.message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            print(f"::{kind} {where},title={d.code}::{message}")
        elif fmt == "text":
            print(printable(d.format()), file=sys.stderr)


def _as_json(diagnostics: Sequence[Diagnostic]) -> list[dict[str, Any]]:
    return [{"file": d.file, "line": d.line, "col": d.col, "severity": d.severity.value,
             "code": d.code, "message": d.message} for d in diagnostics]


def _progress(enabled: bool) -> Callable[[int, int], None] | None:
    """A progress line on stderr when it is a terminal (never in CI)."""
    if not enabled or not sys.stderr.isatty() or os.environ.get("CI"):
        return None

    def show(done: int, total: int) -> None:
        width = 30
        filled = width * done // max(total, 1)
        end = "\n" if done == total else ""
        print(f"\rextracting [{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
              "documents", end=end, file=sys.stderr, flush=True)
    return show


def _finding_diagnostics(result: Any) -> list[Diagnostic]:
    """Warning findings as diagnostics at the first statement they concern."""
    facts = {f.fact_id: f for f in result.facts}
    texts = {d.path: d.text for d in result.documents}
    out = []
    for finding in result.findings:
        if finding.severity != "warning":
            continue
        fact = facts.get(finding.fact_ids[0]) if finding.fact_ids else None
        line, col = line_col(texts[fact.source], fact.char_start) if fact else (0, 0)
        out.append(Diagnostic(f"sources/{fact.source}" if fact else "build", line, col,
                              Severity.WARNING, finding.code, finding.message))
    return out


def _cmd_build(args: argparse.Namespace) -> int:
    from ledger.build import build
    from ledger.outfolder import OUTPUT_NAMES

    result = build(Path(args.project), Path(args.out) if args.out else None,
                   progress=_progress(not args.quiet), follow_symlinks=args.follow_symlinks,
                   jobs=args.jobs, ocr=args.ocr, use_cache=not args.no_cache,
                   cluster=args.cluster or "")
    warnings = [d for d in result.diagnostics if d.severity is Severity.WARNING]
    if args.strict:
        warnings += _finding_diagnostics(result)
    shown = warnings if args.strict else result.diagnostics
    code = EXIT_INPUT_ERROR if args.strict and warnings else EXIT_OK
    counts = result.summary
    summary = {"documents": counts.documents, "facts": counts.facts,
               "unread": counts.unread, "read_share": counts.read_share,
               "observations": counts.observations, "findings": counts.findings,
               "out": str(result.out), "strict": args.strict, "exit_code": code}
    if args.format == "json":
        print(json.dumps({"summary": summary, "diagnostics": _as_json(shown)}, indent=2))
        return code
    emit(shown, args.format, args.project)
    if not args.quiet:
        print(f"ledger build: {_plural(counts.documents, 'document')}, "
              f"{_plural(counts.facts, 'fact')}, "
              f"{_plural(counts.observations, 'observation')}, "
              f"{_plural(counts.findings, 'finding')} ({counts.findings_to_review} to review)")
        print(f"read {counts.read_share:.0%} of the numbers: "
              f"{_plural(counts.unread, 'number')} left unread, {counts.likely_unread} of "
              "them near a counted thing or event (unread.csv)")
        pages = sum(1 for p in result.out.glob("*.html") if p.name != "index.html")
        names = [f"{n} (and {_plural(pages, 'linked page')})" if n == "index.html" else n
                 for n in OUTPUT_NAMES]
        print(f"wrote {result.out}/: {', '.join(names)}")
    if code:
        print(f"ledger: --strict: {_plural(len(warnings), 'warning')}; failing the build "
              "(the outputs were written)", file=sys.stderr)
    return code


def _cmd_check(args: argparse.Namespace) -> int:
    from ledger.check import check_project

    diagnostics, examples = check_project(Path(args.project), args.follow_symlinks)
    errors = [d for d in diagnostics if d.severity is Severity.ERROR]
    failing = errors or (args.strict and diagnostics)
    code = EXIT_INPUT_ERROR if failing else EXIT_OK
    if args.format == "json":
        print(json.dumps({"summary": {"examples": examples, "errors": len(errors),
                                      "exit_code": code}, "diagnostics": _as_json(diagnostics)},
                         indent=2))
        return code
    emit(diagnostics, args.format, args.project)
    print(f"ledger check: {_plural(examples, 'rule example')} run, "
          f"{_plural(len(errors), 'error')}, "
          f"{_plural(len(diagnostics) - len(errors), 'warning')}")
    return code


def _cmd_rules(args: argparse.Namespace) -> int:
    from ledger.build import project_rulebook

    project = Path(args.project) if args.project else Path(".")
    book, diagnostics = project_rulebook(project, True)
    emit(diagnostics, "text")
    print(f"{'rule':<34}{'indicator':<28}{'unit':<11}{'kind':<6}{'lang':<5}{'ex':>3}  where")
    for rule in sorted(book.rules, key=lambda r: r.id):
        s = rule.spec
        print(f"{s.id:<34}{s.indicator:<28}{s.unit:<11}{s.kind:<6}{s.language:<5}"
              f"{len(s.examples):>3}  {rule.file}:{rule.line}")
    print(f"{_plural(len(book.rules), 'rule')}")
    return EXIT_INPUT_ERROR if any(d.severity is Severity.ERROR for d in diagnostics) else EXIT_OK


def _cmd_rates(args: argparse.Namespace) -> int:
    from ledger.rates import RateBook

    project_rates = Path(args.project) / "rates" if args.project else None
    book, diagnostics = RateBook.load(project_rates)
    emit(diagnostics, "text")
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
    return EXIT_INPUT_ERROR if any(d.severity is Severity.ERROR for d in diagnostics) else EXIT_OK


def _cmd_explain(args: argparse.Namespace) -> int:
    from ledger.audit import explain, find_observations, format_explanation, load_build

    build_ = load_build(Path(args.build))
    if args.text:
        from ledger.audit import read_source_text

        sys.stdout.write(read_source_text(build_, args.text))
        return EXIT_OK
    ids = [args.id] if args.id else find_observations(build_, args.indicator or "",
                                                      args.place or "", args.date or "")
    if not ids:
        print("ledger explain: nothing matches", file=sys.stderr)
        return EXIT_INPUT_ERROR
    items = [explain(build_, item_id) for item_id in ids]
    if args.json:
        print(json.dumps(items if len(items) > 1 else items[0], indent=2, ensure_ascii=False))
    else:
        print(printable("\n\n".join("\n".join(format_explanation(item)) for item in items)))
    return EXIT_OK


def _cmd_verify(args: argparse.Namespace) -> int:
    from ledger.audit import verify

    result = verify(Path(args.build))
    for problem in result.problems:
        print(f"{args.build}: {problem}", file=sys.stderr)
    if result.ok:
        print(f"ledger verify: {_plural(result.checked, 'file')} match the manifest and a "
              "rebuild from the inputs reproduces every output")
        return EXIT_OK
    print(f"ledger verify: FAILED with {_plural(len(result.problems), 'mismatch')}",
          file=sys.stderr)
    return EXIT_INPUT_ERROR


def _cmd_diff(args: argparse.Namespace) -> int:
    from ledger.audit import diff, format_diff, load_build

    result = diff(load_build(Path(args.old)), load_build(Path(args.new)))
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(printable("\n".join(format_diff(result))))
    return EXIT_OK


def _cmd_fetch(args: argparse.Namespace) -> int:
    from ledger.fetch import fetch

    report = fetch(Path(args.project), timeout=args.timeout, refresh=args.refresh)
    for note in report.notes:
        print(f"ledger fetch: {note}")
    emit(report.problems, "text", args.project)
    print(f"ledger fetch: {_plural(len(report.fetched), 'document')} fetched, "
          f"{len(report.unchanged)} unchanged, {_plural(len(report.problems), 'problem')}; "
          "recorded in sources/sources.lock.json")
    return EXIT_INPUT_ERROR if report.problems else EXIT_OK


def _cmd_serve(args: argparse.Namespace) -> int:
    from ledger.serve import serve

    return serve(Path(args.build), args.port)


def _port(text: str) -> int:
    value = _positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port (1 to 65535)")
    return value


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="ledger",
        description="Extract, reconcile and report the figures in humanitarian sources.",
        epilog="Exit codes: 0 success; 1 bad input, --strict warnings or a failed verify; "
               "2 internal failure.")
    top.add_argument("--version", action="version", version=f"ledger {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    formats = ("text", "json", "github")

    build = commands.add_parser("build", help="build the ledger of a project folder")
    build.add_argument("project", metavar="PROJECT", help="folder with sources/ (and optionally "
                       "rules/, rates/, ledger.toml)")
    build.add_argument("--out", metavar="DIR", help="output folder (default PROJECT/build)")
    build.add_argument("--strict", action="store_true", help="fail (exit 1) on any warning: "
                       "unconverted money, conflicts, ambiguous numbers, undated sources")
    build.add_argument("--format", choices=formats, default="text",
                       help="diagnostics as text, JSON or GitHub Actions annotations")
    build.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    build.add_argument("--follow-symlinks", action="store_true", help="read linked files that "
                       "lie outside the project folder (refused by default)")
    build.add_argument("--jobs", "-j", type=_positive, metavar="N", help="processes that read "
                       "documents (default: every processor); the outputs are the same")
    build.add_argument("--ocr", action="store_true", help="read the pages of PDFs that have no "
                       "text layer (scans) with tesseract, where it is installed")
    build.add_argument("--cluster", metavar="ADDRESS", help="read the documents on a Dask "
                       "cluster: a scheduler's tcp://HOST:PORT, or 'local' (pip install "
                       "'ledger[dask]'); the outputs are those of a local build")
    build.add_argument("--no-cache", action="store_true", help="read every document again "
                       "and leave PROJECT/.ledger/ alone (a cold build)")
    build.set_defaults(run=_cmd_build)

    check = commands.add_parser("check", help="validate a project and run every rule's "
                                "examples, without building")
    check.add_argument("project", metavar="PROJECT")
    check.add_argument("--strict", action="store_true", help="fail on warnings too")
    check.add_argument("--format", choices=formats, default="text")
    check.add_argument("--follow-symlinks", action="store_true", help="as for build")
    check.set_defaults(run=_cmd_check)

    rules = commands.add_parser("rules", help="list the rules with indicator, unit, kind, "
                                "language and number of examples")
    rules.add_argument("project", metavar="PROJECT", nargs="?",
                       help="include the project's own rules")
    rules.set_defaults(run=_cmd_rules)

    rates = commands.add_parser("rates", help="print the exchange-rate coverage per currency "
                                "and source")
    rates.add_argument("project", metavar="PROJECT", nargs="?",
                       help="also show the project's own tables in PROJECT/rates/")
    rates.add_argument("--currency", metavar="CODES", help="only these ISO codes, e.g. AMD,EUR")
    rates.set_defaults(run=_cmd_rates)

    explain = commands.add_parser("explain", help="walk a figure back to its sentence, rule "
                                  "and rate")
    explain.add_argument("id", metavar="ID", nargs="?",
                         help="a fact (F…), observation (O…) or finding (N…) id")
    explain.add_argument("--build", metavar="DIR", default="build",
                         help="the build folder (default ./build)")
    explain.add_argument("--indicator", help="find observations of this indicator")
    explain.add_argument("--place", help="… at this place")
    explain.add_argument("--date", help="… as of this date (YYYY-MM-DD)")
    explain.add_argument("--json", action="store_true", help="machine-readable output")
    explain.add_argument("--text", metavar="SOURCE", help="print the normalised text of a "
                         "source (its path in sources/) that every offset refers to: "
                         "text[char_start:char_end] is the figure as written")
    explain.set_defaults(run=_cmd_explain)

    verify = commands.add_parser("verify", help="check a build against its manifest and "
                                 "reproduce it from its inputs")
    verify.add_argument("build", metavar="BUILD_DIR")
    verify.set_defaults(run=_cmd_verify)

    diff = commands.add_parser("diff", help="observations and findings added, removed and "
                               "changed between two builds")
    diff.add_argument("old", metavar="OLD_BUILD")
    diff.add_argument("new", metavar="NEW_BUILD")
    diff.add_argument("--json", action="store_true")
    diff.set_defaults(run=_cmd_diff)

    fetch = commands.add_parser("fetch", help="download the catalogue's documents that have a "
                                "url and no file yet into sources/")
    fetch.add_argument("project", metavar="PROJECT")
    fetch.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                       help="give up on a server silent this long (default 30)")
    fetch.add_argument("--refresh", action="store_true", help="fetch again the documents "
                       "already fetched; never overwrites a file edited since")
    fetch.set_defaults(run=_cmd_fetch)

    serve = commands.add_parser("serve", help="browse and query a build's ledger.sqlite in "
                                "Datasette on 127.0.0.1 (pip install 'ledger[serve]')")
    serve.add_argument("build", metavar="BUILD_DIR", nargs="?", default="build")
    serve.add_argument("--port", type=_port, default=8001, help="port (default 8001)")
    serve.set_defaults(run=_cmd_serve)
    return top


EXIT_INTERRUPTED = 130
"""Interrupted by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it): nothing was written."""


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _stop)  # a CI runner's stop cleans up like Ctrl-C
    try:
        code: int = args.run(args)
        sys.stdout.flush()
        return code
    except LedgerError as exc:
        fmt = getattr(args, "format", "text")
        if fmt == "json":
            print(json.dumps({"summary": {"exit_code": EXIT_INPUT_ERROR},
                              "diagnostics": _as_json(exc.diagnostics)}, indent=2))
        else:
            emit(exc.diagnostics, fmt, getattr(args, "project", "") or "")
        errors = sum(1 for d in exc.diagnostics if d.severity is Severity.ERROR)
        print(f"ledger: stopped with {_plural(errors, 'error')}; nothing was written",
              file=sys.stderr)
        return EXIT_INPUT_ERROR
    except BrokenPipeError:
        # the reader of our output went away (`ledger explain … | head`): not a failure
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        print("ledger: interrupted; nothing was written (the previous outputs are unchanged)",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except (OSError, MemoryError) as exc:
        print(f"ledger: {printable(str(exc)) or type(exc).__name__}: a problem of the machine "
              "or the files, not of ledger; nothing was written", file=sys.stderr)
        return EXIT_INPUT_ERROR
    except Exception:
        traceback.print_exc()
        print("ledger: internal error (a bug in ledger, not in your input); nothing was "
              "written. Please report it with the traceback above.", file=sys.stderr)
        return EXIT_INTERNAL_ERROR
    finally:
        signal.signal(signal.SIGTERM, previous)
