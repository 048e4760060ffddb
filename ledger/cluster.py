"""Reading documents on a Dask cluster, when one machine is not enough.

Public surface: `read_on_cluster(documents, context, address, progress, meanwhile)` returns
the same `Figures` a local build reads, in the same order.

`address` is a running scheduler (`tcp://HOST:PORT`) or `local`, which starts a
`LocalCluster` of one single-threaded process per core here. The reading context (rules,
lexicons, rate tables, gazetteer, parties) is sent once to every worker; documents go out as
contiguous runs of about equal text length, several per worker thread so a slow run does not
leave a worker idle, and the figures come back and are put in document order: the outputs are
the bytes of a local build. Workers need the same version of ledger; project rate tables are
read from the project's path, so workers on other machines need the project folder at that
path (a shared file system). Dask is an optional extra: `pip install 'ledger[dask]'`.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from typing import Any

from ledger.diagnostics import LedgerError, error
from ledger.sources import Document
from ledger.workers import CHUNKS_PER_JOB, Context, Figures, default_jobs, read_run, runs

CONNECT_SECONDS = 10
"""How long to wait for a scheduler to answer."""


def _problem(code: str, message: str) -> LedgerError:
    return LedgerError([error("--cluster", code, message)])


def _client(address: str) -> Any:
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise _problem("C001", "building on a Dask cluster needs Dask: "
                               "pip install 'ledger[dask]'") from exc
    try:
        if address == "local":
            with warnings.catch_warnings():  # "port 8787 in use": its own web page moves
                warnings.simplefilter("ignore")
                cluster = LocalCluster(n_workers=default_jobs(), threads_per_worker=1,
                                       processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
            return Client(cluster)
        return Client(address, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise _problem("C002", f"cannot reach the Dask scheduler at {address}: {exc}; start "
                               "one (dask scheduler) or use --cluster local") from exc


def read_on_cluster(documents: list[Document], context: Context, address: str,
                    progress: Callable[[int, int], None] | None = None,
                    meanwhile: Callable[[], None] | None = None) -> Figures:
    """Extract and normalise every document on the cluster's workers; `meanwhile()` runs
    here while they read."""
    if not documents:
        if meanwhile is not None:
            meanwhile()
        return Figures()
    client = _client(address)
    try:
        from dask.distributed import as_completed

        threads = sum(client.nthreads().values()) or 1
        parts = runs(documents, threads * CHUNKS_PER_JOB)
        shared = client.scatter(context, broadcast=True)
        futures = [client.submit(read_run, documents[a:b], shared, pure=False)
                   for a, b in parts]
        sizes = {f.key: b - a for f, (a, b) in zip(futures, parts, strict=True)}
        if meanwhile is not None:
            meanwhile()
        done = 0
        for future in as_completed(futures):
            done += sizes[future.key]
            if progress:
                progress(done, len(documents))
        try:
            results = client.gather(futures)
        except Exception as exc:  # a worker's failure, reported by Dask
            raise _problem("C003", f"a worker failed: {exc.__class__.__name__}: "
                                   f"{exc}"[:400]) from exc
    finally:
        cluster = getattr(client, "cluster", None)
        client.close()
        if cluster is not None:
            cluster.close()
    figures = Figures()
    for part in results:
        figures.extend(part)
    return figures
