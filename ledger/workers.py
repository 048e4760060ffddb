"""Extract and normalise documents on every core.

Documents are independent until reconciliation, so they are read in a pool of processes:
contiguous runs of documents, balanced by size, each extracted and normalised in a worker,
the results put back in document order. The facts, findings and unread reasons are the same,
in the same order, whatever the number of processes (tests compare the bytes).

Workers are forked: they inherit the loaded rule book, rate tables and gazetteer instead of
loading and compiling them again. Where fork is not available the work runs in this process.

Public surface: `read_figures(documents, context, jobs, progress, meanwhile)` returns a
`Figures` (and runs `meanwhile`, this process's own work, while the workers read);
`in_background(function, *args)` runs one function in a forked process beside this one (the
build renders the workbook and the CSV tables so while it renders the other outputs);
`runs(documents, count)` and `read_run(documents, context)` serve a cluster (ledger.cluster);
`shared(figures, same)` makes the repeated values of figures one object;
`give_back_memory()` returns freed memory to the system.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from ledger.diagnostics import LedgerError
from ledger.extract import extract, prepare, release
from ledger.findings import Finding
from ledger.languages import base_language
from ledger.lexicon import release_morphology
from ledger.normalise import Fact, normalise
from ledger.places import Gazetteer
from ledger.rates import RateBook
from ledger.rules import RuleBook
from ledger.sources import Document
from ledger.speakers import Parties
from ledger.unread import Unread, find_unread

CHUNKS_PER_JOB = 4
"""Runs of documents per process: enough that a slow run does not leave a core idle."""
MIN_DOCUMENTS_PER_JOB = 4
"""Below this many documents per process, forking costs more than it saves."""
RELEASE_AFTER_DOCUMENTS = 1000
"""From this many documents on, they are read in forked workers even with one job (one
worker then), and this process drops its compiled pattern sets (the workers have their own):
it holds only the figures it is sent, not what reading leaves behind in memory (half a
gigabyte at 10,000 documents), and the figures of so many documents need the memory more
than a later build in this process needs the second or so it takes to compile them again.
The build sets their texts aside on disk once they are read (ledger.blobs)."""


@dataclass(frozen=True)
class Context:
    """What reading a document needs, loaded once per build."""

    rulebook: RuleBook
    rates: RateBook
    gazetteer: Gazetteer
    parties: Parties
    report_currency: str = "USD"


@dataclass
class Figures:
    """The facts of a run of documents, the findings about them and the numbers no fact
    covers: everything a document gives on its own."""

    facts: list[Fact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    def extend(self, other: Figures) -> None:
        self.facts += other.facts
        self.findings += other.findings
        self.unread += other.unread

    def by_source(self) -> dict[str, Figures]:
        """The figures of each document (every finding here is about facts of one document)."""
        parts: dict[str, Figures] = {}
        source_of: dict[str, str] = {}
        for fact in self.facts:
            parts.setdefault(fact.source, Figures()).facts.append(fact)
            source_of[fact.fact_id] = fact.source
        for finding in self.findings:
            source = next((source_of[i] for i in finding.fact_ids if i in source_of), "")
            parts.setdefault(source, Figures()).findings.append(finding)
        for row in self.unread:
            parts.setdefault(row.source, Figures()).unread.append(row)
        return parts


def default_jobs() -> int:
    """The processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _read(documents: list[Document], context: Context,
          progress: Callable[[int, int], None] | None = None) -> Figures:
    figures = Figures()
    rejected: dict[tuple[str, int], str] = {}  # why a figure a rule read gave no fact
    matches = extract(documents, context.rulebook, progress)
    figures.facts, figures.findings = normalise(
        matches, context.rates, context.gazetteer, context.report_currency, context.parties,
        rejected)
    figures.unread = find_unread(documents, figures.facts, rejected, context.rulebook.hinted)
    return shared(figures, {})


_SHARED_FACT_FIELDS = ("source", "indicator", "qualifier", "unit", "kind", "place", "as_of",
                       "period_start", "period_end", "period", "quote", "rule_id", "rule_file",
                       "rule_sha256", "publisher", "speaker", "side", "currency", "steps",
                       "rate", "report_currency", "report_rate")
"""The fields of facts whose values repeat: a sentence's facts share its quote, a rule's its
file and hash, a day's its date, a table's its rates."""


def shared(figures: Figures, same: dict[Any, Any]) -> Figures:
    """The figures with each repeated value one object, the one in `same` where it is there:
    they are then sent (pickles write a shared object once) and held once, not once per fact
    or number (a third less memory for the facts and unread numbers of real-shaped
    documents). `same` keeps the values for the next figures to share."""
    for fact in figures.facts:
        for name in _SHARED_FACT_FIELDS:
            value = getattr(fact, name)
            setattr(fact, name, same.setdefault(value, value))
    figures.unread = [Unread(same.setdefault(u.source, u.source),
                             same.setdefault(u.value, u.value), same.setdefault(u.text, u.text),
                             u.char_start, u.char_end, u.sentence,
                             same.setdefault(u.reason, u.reason), u.likely)
                      for u in figures.unread]
    return figures


_SHARED: tuple[list[Document], Context] | None = None
"""The documents and context a forked worker inherits."""


def _read_run(run: tuple[int, int]) -> Figures:
    assert _SHARED is not None, "a worker runs only in a forked pool"
    documents, context = _SHARED
    return _read(documents[run[0]:run[1]], context)


def read_run(documents: list[Document], context: Context) -> Figures:
    """The figures of a run of documents, in this process (a cluster's worker calls this)."""
    return _read(documents, context)


_STOPS = {signal.SIGINT, signal.SIGTERM}
"""The signals that stop a build; held while the workers are forked (below)."""


def _default_signals() -> None:
    """A worker stops at SIGTERM as processes do (the command line turns it into Ctrl-C)."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and ends the pool
    signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)


def runs(documents: list[Document], count: int) -> list[tuple[int, int]]:
    """Contiguous runs of documents of about equal text length."""
    total = sum(len(d.text) for d in documents) or 1
    spans: list[tuple[int, int]] = []
    start = size = 0
    for i, doc in enumerate(documents):
        size += len(doc.text)
        if size * count >= total * (len(spans) + 1) and i + 1 < len(documents):
            spans.append((start, i + 1))
            start = i + 1
    spans.append((start, len(documents)))
    return [r for r in spans if r[0] < r[1]]


def read_figures(documents: list[Document], context: Context, jobs: int = 1,
                 progress: Callable[[int, int], None] | None = None,
                 meanwhile: Callable[[], None] | None = None) -> Figures:
    """Extract and normalise every document, on `jobs` processes; `progress(done, total)`
    hears of the documents read. `meanwhile()` is this process's own share of the work: it
    runs while the workers read (or first, where there are none)."""
    global _SHARED
    methods = multiprocessing.get_all_start_methods()
    if jobs > 1 and documents and meanwhile is not None and "fork" in methods and (
            len(documents) < 2 * MIN_DOCUMENTS_PER_JOB):
        # Too few documents for a pool (a rebuild after an edit): one process reads them
        # while this one does its share.
        with in_background(_read, documents, context) as figures_read:
            meanwhile()
            figures: Figures = figures_read()
        if progress is not None:
            progress(len(documents), len(documents))
        return figures
    jobs = min(jobs, len(documents) // MIN_DOCUMENTS_PER_JOB)
    if "fork" not in methods or (jobs <= 1 and len(documents) < RELEASE_AFTER_DOCUMENTS):
        if meanwhile is not None:
            meanwhile()
        return _read(documents, context, progress)
    prepare(context.rulebook, {base_language(d.language) for d in documents})
    context.gazetteer.mentions("")  # compiles the gazetteer's pattern
    # The first document is read here, before the fork: the state the pattern engines build
    # as they match and the rate tables loaded on first use are then inherited by every
    # worker instead of built again in each (about a second a worker).
    figures = _read(documents[:1], context)
    if progress is not None:
        progress(1, len(documents))
    spans = [(a + 1, b + 1) for a, b in runs(documents[1:], jobs * CHUNKS_PER_JOB)]
    _SHARED = (documents, context)
    gc.freeze()  # the workers' collections then leave the inherited objects (and pages) alone
    # A stop that arrives while the workers are forked would be raised inside Python's fork
    # hooks, which print and swallow it: hold it until the pool stands, then let it end the pool.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_default_signals) as pool:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            if len(documents) >= RELEASE_AFTER_DOCUMENTS:
                release()  # the workers have theirs; the figures coming need the memory
                release_morphology()
            parts = pool.imap(_read_run, spans)
            if meanwhile is not None:
                meanwhile()
            for (_, end), part in zip(spans, parts, strict=True):
                figures.extend(part)
                if progress is not None:
                    progress(end, len(documents))
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        _SHARED = None
        gc.unfreeze()
    return figures


def give_back_memory() -> None:
    """Return to the system the memory this process freed inside its heap (glibc keeps it
    otherwise, and the process's size stays at its peak); nothing where there is no glibc."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).malloc_trim(0)


def _send_result(send: Connection, function: Callable[..., Any], args: tuple[Any, ...]) -> None:
    _default_signals()
    try:
        outcome: tuple[str, Any] = ("ok", function(*args))
    except LedgerError as exc:  # a problem to tell the user (a full disk): raised as it is
        outcome = ("ledger", exc)
    except BaseException:  # reported by the parent, which fails the build
        outcome = ("error", traceback.format_exc())
    send.send(outcome)
    send.close()


@contextlib.contextmanager
def in_background(function: Callable[..., Any], *args: Any) -> Iterator[Callable[[], Any]]:
    """Run `function(*args)` in a forked process; the yielded callable waits for its value
    (an error there is raised here). Where fork is not available it runs in this process."""
    if "fork" not in multiprocessing.get_all_start_methods():
        value = function(*args)
        yield lambda: value
        return
    forked = multiprocessing.get_context("fork")
    receive, send = forked.Pipe(duplex=False)
    held = signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)  # as for the pool (above)
    try:
        process = forked.Process(target=_send_result, args=(send, function, args),
                                 daemon=True)
        process.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    send.close()

    def result() -> Any:
        try:
            kind, value = receive.recv()
        except EOFError:
            raise RuntimeError("the background process stopped without a result (out of "
                               "memory or killed)") from None
        if kind == "ledger":
            raise value
        if kind == "error":
            raise RuntimeError(f"in the background process:\n{value}")
        return value

    try:
        yield result
    finally:
        receive.close()
        if process.is_alive():
            process.terminate()
        process.join()
