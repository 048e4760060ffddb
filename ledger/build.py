"""`ledger build`: the whole pipeline, stage by stage, and the atomic write of its outputs.

Public surface: `build(project, out)` returns a `BuildResult`; it raises `LedgerError` when
the input has errors (nothing is written then). Outputs are written to a temporary folder
beside the output folder and moved into place only when all of them are complete; an output
folder that holds anything other than a previous build is never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager, nullcontext
from datetime import datetime, timedelta
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from ledger import __version__
from ledger.blobs import TextStore
from ledger.boundary import project_file_problems
from ledger.cache import BuildCache, context_key
from ledger.catalogue import CATALOGUE_NAME
from ledger.cluster import read_on_cluster
from ledger.config import CONFIG_NAME, ProjectConfig, load_config
from ledger.copies import Copies, Fingerprint, find_copies
from ledger.decisions import DECISIONS_NAME, Decision, load_decisions
from ledger.diagnostics import Diagnostic, LedgerError, error, has_errors, warning
from ledger.languages import register_folder
from ledger.lexicon import builtin_lexicon_dir, hint_patterns, lexicon_rules, load_lexicons
from ledger.outfolder import Staging, exclusive, staged_outputs
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.reconcile import ReconcileSettings, reconcile
from ledger.render.database import write_database
from ledger.render.html import render_html
from ledger.render.open_data import hxl_chunks, render_datapackage
from ledger.render.report import Report
from ledger.render.tables import (
    FACT_COLUMNS,
    FINDING_COLUMNS,
    OBSERVATION_COLUMNS,
    UNREAD_COLUMNS,
    csv_chunks,
    fact_row,
    finding_row,
    observation_row,
    unread_row,
)
from ledger.render.xlsx import write_workbook
from ledger.result import BuildResult, KeptResult
from ledger.rules import (
    RuleBook,
    builtin_rules_dir,
    load_rulebook,
    trust_patterns,
    valid_patterns,
)
from ledger.sheets import table_facts
from ledger.sources import Document, read_sources
from ledger.speakers import Parties
from ledger.unread import in_report_order
from ledger.workers import (
    RELEASE_AFTER_DOCUMENTS,
    Context,
    Figures,
    default_jobs,
    give_back_memory,
    in_background,
    read_figures,
    shared,
)

MANIFEST_SCHEMA_VERSION = 1


def build(project: Path, out: Path | None = None,
          progress: Callable[[int, int], None] | None = None,
          follow_symlinks: bool = False, jobs: int | None = None,
          ocr: bool = False, use_cache: bool = True, cluster: str = "") -> BuildResult:
    """Read, load, extract, normalise, reconcile, render and write one project.
    `progress(done, total)` hears of each document extracted; nothing outside the project
    folder is read unless `follow_symlinks`; documents are read on `jobs` processes (default:
    every processor), with the same outputs whatever the number; `ocr` reads the scanned pages
    of PDFs with tesseract. With `use_cache`, a rebuild reads only the documents whose key
    changed, and does nothing when no file of the project changed (ledger.cache). `cluster`
    (a Dask scheduler's address, or "local") reads the documents there (ledger.cluster)."""
    out = out if out is not None else project / "build"
    if not project.is_dir():
        raise LedgerError([error(str(project), "P002", "project folder not found")])
    with exclusive(out):
        cache = BuildCache(project, enabled=use_cache)
        key = ""
        if cache.enabled and not follow_symlinks:  # linked files could change unseen
            key = cache.build_key(project, out, {"ocr": ocr})
            kept = KeptResult.load(cache, key, out) if cache.unchanged(key, out) else None
            if kept is not None:
                return kept
        return _build(project, out, progress, follow_symlinks, jobs, ocr, cache, cluster, key)


BACKGROUND_WORKBOOK_FACTS = 2000
"""From this many facts on, with more than one job, the workbook and the CSV tables render in
a process of their own while the other outputs render here (the outputs are the same
bytes)."""


def _workbook_and_tables(report: Report, moment: datetime, keep: Callable[[], None] | None,
                         staging: Staging) -> dict[str, tuple[str, int]]:
    """The workbook and the CSV tables of facts, observations and findings written into
    `staging`, after `keep()` (the build's result kept in the cache) when given: about half
    of the rendering, done in a process of its own beside the other half when the build has
    more than one job. Returns what `staging.written` says of them."""
    if keep is not None:
        keep()
    staging.put_chunks("facts.csv", csv_chunks(
        FACT_COLUMNS, (fact_row(f, report.observation_of) for f in report.facts)))
    staging.put_chunks("observations.csv", csv_chunks(
        OBSERVATION_COLUMNS, (observation_row(o) for o in report.observations)))
    staging.put_chunks("findings.csv", csv_chunks(
        FINDING_COLUMNS, (finding_row(f) for f in report.findings)))
    staging.put_file("ledger.xlsx", lambda handle: write_workbook(report, moment, handle))
    return {name: staging.written[name]
            for name in ("facts.csv", "observations.csv", "findings.csv", "ledger.xlsx")}


def _unread_table(report: Report, document_of: dict[str, Document]) -> Iterator[bytes]:
    return csv_chunks(UNREAD_COLUMNS, (unread_row(u, document_of[u.source].line_of(u.char_start))
                                       for u in report.unread))


@contextmanager
def _later(function: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """`in_background`'s shape for work done in this process, when its value is asked for."""
    yield lambda: function(*args)


EARLY_COPIES = 50
"""From this many documents on, with more than one job, the copies among them are found by a
process of their own from the start of the build: it fingerprints the documents no earlier
build fingerprinted while the rules load (the second core is idle then) and compares them
while the documents are read, and the building process never holds their fingerprints."""


def copies_of(texts: list[Document], cache: BuildCache) -> Copies:
    """The copies among the documents, from the fingerprints, copy similarities and clusters
    earlier builds kept where there are (those made here are kept for the next build)."""
    prints: dict[str, Fingerprint] = {}
    for doc in texts:
        found = cache.load_fingerprint(doc.text_sha256)
        if isinstance(found, Fingerprint):
            prints[doc.path] = found
    kept_prints = set(prints)
    context = context_key({"copies": "similarities"})
    measured = cache.load_kept("similarities", context)
    counted_before = set(measured)
    earlier = cache.load_kept("clusters", context)
    copies = find_copies(texts, prints, measured,  # fingerprints the rest into prints
                         earlier if earlier.get("documents") else None)
    clusters = copies.kept()
    if clusters != earlier:
        cache.store_kept("clusters", context, clusters)
    for doc in texts:
        if doc.path not in kept_prints:
            cache.store_fingerprint(doc.text_sha256, prints[doc.path])
    current = {d.text_sha256 for d in texts}
    kept = {pair: value for pair, value in sorted(measured.items())
            if pair[0] in current and pair[1] in current}
    if set(kept) != counted_before:  # pairs counted or documents gone: kept for the next build
        cache.store_kept("similarities", context, kept)
    return copies


def _set_aside(texts: list[Document]) -> None:
    """The documents' texts moved to a temporary file (ledger.blobs), and the memory
    they took given back; where the file cannot take them all (a full disk) they stay."""
    store = TextStore()
    try:
        for doc in texts:
            store.put(doc.path, doc.text)
        store.flush()
    except OSError:
        store.close()
        return
    for doc in texts:
        doc.set_aside(store)
    give_back_memory()


def _read_with_cache(texts: list[Document], context: Context, jobs: int,
                     progress: Callable[[int, int], None] | None, cache: BuildCache,
                     reading: str, cluster: str) -> Figures:
    """The figures of every document: from the cache where its key is there, else read (on
    `jobs` processes) and kept for the next build, in document order. The kept figures are
    loaded here while the new documents are read."""
    keys = {d.path: cache.figures_key(reading, d) for d in texts} if cache.enabled else {}
    kept_paths = {path for path, key in keys.items() if cache.has_figures(key)}
    stored = [d for d in texts if d.path in kept_paths]
    todo = [d for d in texts if d.path not in kept_paths]
    known: dict[str, Figures] = {}

    def meanwhile() -> None:
        """While the new documents are read: the kept figures loaded, their repeated values
        made one object across documents as a cold build's workers make them."""
        same: dict[Any, Any] = {}
        for doc in stored:
            found = cache.load_figures(keys[doc.path])
            if isinstance(found, Figures):
                known[doc.path] = shared(found, same)

    read = (read_on_cluster(todo, context, cluster, progress, meanwhile) if cluster
            else read_figures(todo, context, jobs, progress, meanwhile))
    damaged = [d for d in stored if d.path not in known]  # kept figures that did not load
    if damaged:
        read.extend(read_figures(damaged, context, 1))
    fresh = read.by_source()
    for doc in todo + damaged:
        part = fresh.get(doc.path, Figures())
        known[doc.path] = part
        if cache.enabled:
            cache.store_figures(keys[doc.path], part)
    figures = Figures()
    for doc in texts:
        figures.extend(known[doc.path])
    return figures


def _build(project: Path, out: Path, progress: Callable[[int, int], None] | None,
           follow_symlinks: bool, jobs: int | None, ocr: bool, cache: BuildCache,
           cluster: str, key: str) -> BuildResult:
    diagnostics: list[Diagnostic] = []

    if out.resolve().is_relative_to((project / "sources").resolve()):
        raise LedgerError([error(str(out), "O001", "the output folder cannot be inside "
                                 "sources/: its files would be read as documents")])
    diagnostics += boundary_diagnostics(project, follow_symlinks)
    if has_errors(diagnostics):
        raise LedgerError(diagnostics)
    config, found = load_config(project)
    diagnostics += found
    documents, found = read_sources(project / "sources", shown_root=project,
                                    follow_symlinks=follow_symlinks,
                                    max_bytes=int(config.max_document_mb * 1_000_000),
                                    ocr=ocr)
    diagnostics += found
    texts = [d for d in documents if not d.tables]  # spreadsheets are read by their mapping
    jobs = default_jobs() if jobs is None else jobs
    with (in_background(copies_of, texts, cache) if jobs > 1 and len(texts) >= EARLY_COPIES
          else _later(copies_of, texts, cache)) as copies_found:
        rulebook, rates, gazetteer, decisions, parties = _load_inputs(project, config, cache,
                                                                      diagnostics)
        tabled, table_findings, found = table_facts(documents, config.tables, project,
                                                    gazetteer, rates, config.report_currency)
        diagnostics += found
        if has_errors(diagnostics):
            raise LedgerError(sorted(diagnostics, key=lambda d: (d.file, d.line, d.col)))
        reading = context_key({
            "rules": rulebook.files, "rates": rates.file_hashes({t.id for t in rates.tables}),
            "currency": config.report_currency, "ocr": ocr,
            "project": {name: _sha256((project / name).read_bytes())
                        for name in ("gazetteer.yaml", "parties.yaml")
                        if (project / name).is_file()},
            "languages": {p.name: _sha256(p.read_bytes())
                          for p in sorted((project / "languages").glob("*.yaml"))}})
        figures = _read_with_cache(
            texts, Context(rulebook, rates, gazetteer, parties, config.report_currency),
            jobs, progress, cache, reading, cluster)
        if len(texts) >= RELEASE_AFTER_DOCUMENTS:  # read: what is left needs them seldom
            _set_aside(texts)
        copies = copies_found()
    give_back_memory()  # what finding the copies here (with one job) took
    cache.mark_fingerprints_used(d.text_sha256 for d in texts)  # loaded or made for the copies
    cache.prune()
    facts, findings = figures.facts + tabled, figures.findings + table_findings
    unread = in_report_order(figures.unread)
    settings = ReconcileSettings(config.policy, tuple(config.source_priority),
                                 config.restatement_days)
    observations, conflicts = reconcile(facts, settings, decisions, parties, gazetteer, copies)
    findings = sorted(findings + conflicts, key=lambda f: (f.code, f.fact_ids, f.message))

    title = config.title or project.resolve().name
    moment, found = _pinned_moment(documents)
    diagnostics += found
    used_tables = {t for f in facts for t in (f.fx_table, f.report_fx_table) if t}
    inputs = _inputs(project, documents, rulebook, rates, used_tables)
    rule_library = _rule_library_version(rulebook)
    about = [("Title", title), ("Tool", f"ledger {__version__}"),
             ("Rule library", rule_library), ("Policy", config.policy),
             ("Built at (pinned)", moment.isoformat()),
             ("How to verify", "Run `ledger verify` on this build folder: it re-hashes every "
                               "input and output listed in manifest.json and rebuilds from the "
                               "inputs. `ledger explain ID` walks any figure back to its "
                               "sentence, rule and exchange rate.")]
    about += [(f"Input: {i['path']}", f"sha256 {i['sha256']}") for i in inputs]
    report = Report.build(title, documents, facts, observations, findings, about, unread,
                          copies)
    document_of = {d.path: d for d in documents}
    beside = jobs > 1 and len(facts) >= BACKGROUND_WORKBOOK_FACTS
    articles_context = f"{reading} {config.report_locale}"
    earlier = cache.load_blobs("articles", articles_context)
    result = BuildResult(out, documents, facts, observations, findings, diagnostics, unread)
    summary = result.summary
    cache.forget_result()

    # The result is kept for a rebuild with nothing changed (under `key` once the build is
    # done) by the process with less to render: the second one, unless the HTML articles were
    # kept by an earlier build, which makes the pages here quick to render.
    keep_here = bool(earlier)

    def keep() -> None:
        if key:
            result.keep(cache, key)

    keep_there = None if keep_here else keep

    # Each output is written as soon as it is made, so they are never all in memory at once.
    articles = cache.new_blobs("articles")
    with staged_outputs(out) as staging, (
            in_background(_workbook_and_tables, report, moment, keep_there, staging) if beside
            else _later(_workbook_and_tables, report, moment, keep_there, staging)) as rendered, (
            closing(articles)), (closing(earlier) if earlier is not None else nullcontext()):
        for name, data in render_html(report, config.report_locale, __version__, articles,
                                      earlier):
            staging.put(name, data)
        staging.put_chunks("facts.hxl.csv", hxl_chunks(report))
        staging.put_chunks("unread.csv", _unread_table(report, document_of))
        write_database(report, staging.folder / "ledger.sqlite")
        staging.adopt("ledger.sqlite")
        if keep_here:
            keep()
        staging.written.update(rendered())
        staging.put("datapackage.json", render_datapackage(staging.written, report, moment))
        staging.put("manifest.json", _manifest(
            inputs, staging.written, moment, rule_library,
            {"title": title, "policy": config.policy, "ocr": ocr,
             "root": os.path.relpath(project.resolve(), out.resolve()).replace(os.sep, "/")},
            diagnostics, {"facts": summary.facts, "unread": summary.unread,
                          "likely_figures_unread": summary.likely_unread,
                          "read_share": summary.read_share}))
        cache.keep_blobs("articles", articles_context, articles)
    if key:
        cache.keep_result_key(key)
    return result


def _load_inputs(project: Path, config: ProjectConfig, cache: BuildCache,
                 diagnostics: list[Diagnostic]
                 ) -> tuple[RuleBook, RateBook, Gazetteer, list[Decision], Parties]:
    """The rules (their patterns compiled, or trusted where an earlier build compiled them),
    rate tables, gazetteer, decisions and parties; their problems go to `diagnostics`, and
    errors among them stop the build."""
    patterns_context = context_key({"re2": package_version("google-re2")})
    trusted = set(cache.load_kept("patterns", patterns_context))
    trust_patterns(trusted)
    rulebook, found = project_rulebook(project, config.builtin_rules)
    diagnostics += found
    if valid_patterns() != trusted:  # new patterns compiled: kept for the next build
        cache.store_kept("patterns", patterns_context, dict.fromkeys(sorted(valid_patterns())))
    if not rulebook.rules and not has_errors(diagnostics):
        diagnostics.append(error("rules", "R006", "no rules: enable the built-in library or "
                                 "add rule files to PROJECT/rules/"))
    rates, found = RateBook.load(project / "rates")
    diagnostics += found
    gazetteer, found = Gazetteer.load(project / "gazetteer.yaml")
    diagnostics += found
    decisions, found = load_decisions(project)
    diagnostics += found
    parties, found = Parties.load(project / "parties.yaml")
    diagnostics += found
    if has_errors(diagnostics):
        raise LedgerError(sorted(diagnostics, key=lambda d: (d.file, d.line, d.col)))
    return rulebook, rates, gazetteer, decisions, parties


def boundary_diagnostics(project: Path, follow_symlinks: bool) -> list[Diagnostic]:
    """An error for each settings, rule or rate file that lies outside the project."""
    return [error(shown, "P003", problem)
            for shown, problem in project_file_problems(project, follow_symlinks)]


def project_rulebook(project: Path, with_builtin: bool) -> tuple[RuleBook, list[Diagnostic]]:
    """The rule files (built-in, then the project's) and the rules the lexicons (built-in,
    then `PROJECT/lexicon/`) compile into, after them: a topical rule wins a tie."""
    diagnostics = register_folder(project / "languages", "languages")
    rulebook, found = load_rulebook(rule_dirs(project, with_builtin))
    diagnostics += found
    dirs = [(builtin_lexicon_dir(), "ledger:lexicon")] if with_builtin else []
    dirs.append((project / "lexicon", "lexicon"))
    lexicons, found = load_lexicons(dirs)
    diagnostics += found
    for lexicon in lexicons.values():
        rulebook.files.update(lexicon.files)
    rules, found = lexicon_rules(lexicons)
    diagnostics += found
    rulebook.hints = hint_patterns(lexicons)
    replaced = {r.id for r in rulebook.rules}
    rulebook.rules += [r for r in rules if r.id not in replaced]
    return rulebook, diagnostics


def rule_dirs(project: Path, with_builtin: bool) -> list[tuple[Path, str]]:
    dirs = [(builtin_rules_dir(), "ledger:rules")] if with_builtin else []
    if (project / "rules").is_dir():
        dirs.append((project / "rules", "rules"))
    return dirs


def _rule_library_version(rulebook: RuleBook) -> str:
    builtin = sorted((k, v) for k, v in rulebook.files.items() if k.startswith("ledger:"))
    digest = hashlib.sha256("".join(f"{k}={v}\n" for k, v in builtin).encode()).hexdigest()
    return f"{__version__}+{digest[:12]}"


EARLIEST, LATEST = datetime(1980, 1, 1), datetime(2107, 12, 31, 23, 59, 58)
"""The times a workbook (a zip file) can hold."""


def _pinned_moment(documents: list[Document]) -> tuple[datetime, list[Diagnostic]]:
    """SOURCE_DATE_EPOCH when set, else midnight UTC of the newest source's date; kept within
    the times a zip file can hold (a warning says so when it had to be moved)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        if not epoch.isdigit() or len(epoch) > 12:
            return datetime(2000, 1, 1), [warning(
                "SOURCE_DATE_EPOCH", "B001", f"{epoch[:20]!r} is not a number of seconds since "
                "1970; the outputs are stamped 2000-01-01")]
        moment = datetime(1970, 1, 1) + timedelta(seconds=int(epoch))
        if not EARLIEST <= moment <= LATEST:
            kept = min(max(moment, EARLIEST), LATEST)
            return kept, [warning("SOURCE_DATE_EPOCH", "B001", f"{epoch} is {moment:%Y-%m-%d}, "
                                  "outside the years 1980 to 2107 a workbook can hold; the "
                                  f"outputs are stamped {kept:%Y-%m-%d}")]
        return moment, []
    days = [d.published for d in documents if d.published]
    newest = max(days) if days else None
    if newest is None or newest.year < 1980:
        return datetime(2000, 1, 1), []
    return min(datetime(newest.year, newest.month, newest.day), LATEST), []


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _inputs(project: Path, documents: list[Document], rulebook: RuleBook, rates: RateBook,
            used_tables: set[str]) -> list[dict[str, str]]:
    """Every input the build read, with its sha256: documents, catalogue, settings, rules,
    and the rate tables it used."""
    inputs = [{"path": f"sources/{d.path}", "kind": "source", "sha256": d.file_sha256,
               "text_sha256": d.text_sha256} for d in documents]
    for name, kind in ((f"sources/{CATALOGUE_NAME}", "catalogue"), (CONFIG_NAME, "config"),
                       ("gazetteer.yaml", "gazetteer"), ("parties.yaml", "parties"),
                       (DECISIONS_NAME, "decisions")):
        path = project / name
        if path.is_file():
            inputs.append({"path": name, "kind": kind, "sha256": _sha256(path.read_bytes())})
    inputs += [{"path": name, "kind": "rules", "sha256": digest}
               for name, digest in sorted(rulebook.files.items())]
    inputs += [{"path": name, "kind": "rates", "sha256": digest}
               for name, digest in sorted(rates.file_hashes(used_tables).items())]
    return inputs


def _manifest(inputs: list[dict[str, str]], written: dict[str, tuple[str, int]],
              moment: datetime,
              rule_library: str, project: dict[str, str | bool],
              diagnostics: list[Diagnostic], reading: dict[str, float]) -> bytes:
    manifest = {
        "schema_version": MANIFEST_SCHEMA_VERSION,
        "tool": {"name": "ledger", "version": __version__},
        "rule_library_version": rule_library,
        "project": project,
        "built_at": moment.isoformat() + "Z",
        "inputs": inputs,
        "outputs": [{"path": name, "sha256": sha256, "bytes": size}
                    for name, (sha256, size) in sorted(written.items())],
        "reading": reading,
        "diagnostics": [d.format() for d in diagnostics],
    }
    return (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
