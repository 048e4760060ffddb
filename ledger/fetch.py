"""`ledger fetch PROJECT`: download the catalogue's documents that have a `url` and no file.

Public surface: `fetch(project, timeout, refresh)` returning a `FetchReport`, `LOCK_NAME`,
`USER_AGENT`.

Every row of `sources/sources.csv` with an http(s) `url` and no file at its `path` is
downloaded to that path: with a timeout, a size limit (`max_document_mb`), a user agent that
says who asks, and nothing written until the whole body has arrived. What was fetched is
recorded in `sources/sources.lock.json` beside the catalogue: the url, the retrieval time
(UTC), the HTTP status, the content type, the bytes and the sha256. With `--refresh` rows that
have a file are fetched again; a file that differs from what was fetched before (edited by
hand) is never overwritten, and a page that changed at its source is reported as changed.
"""

from __future__ import annotations

import hashlib
import json
import re
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

from ledger import __version__
from ledger.catalogue import CATALOGUE_NAME, read_catalogue
from ledger.config import load_config
from ledger.diagnostics import Diagnostic, LedgerError, error, has_errors
from ledger.outfolder import write_atomically
from ledger.sources import FETCH_LOCK

LOCK_NAME = FETCH_LOCK
USER_AGENT = (f"ledger/{__version__} (humanitarian figures ledger; fetches the documents a "
              "project's catalogue lists, one request each)")
CHUNK = 65536


@dataclass
class FetchReport:
    fetched: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class _Problem(Exception):
    pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _download(url: str, timeout: float, limit: int) -> tuple[bytes, int, str]:
    """The body, status and content type of a GET, or a `_Problem` saying why not."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT,
                                                   "Accept": "*/*"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            headers: Message = response.headers
            length = headers.get("Content-Length")
            if length and length.isdigit() and int(length) > limit:
                raise _Problem(f"the server announces {int(length):,} bytes, more than the "
                               f"{limit:,} a document may have (max_document_mb)")
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > limit:
                    raise _Problem(f"more than {limit:,} bytes (max_document_mb): stopped "
                                   "reading; nothing was written")
            return bytes(body), int(response.status), headers.get_content_type()
    except urllib.error.HTTPError as exc:
        raise _Problem(f"HTTP {exc.code} {exc.reason}") from exc
    except TimeoutError as exc:
        raise _Problem(f"no answer within {timeout:g} s (--timeout)") from exc
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise _Problem(f"no answer within {timeout:g} s (--timeout)") from exc
        raise _Problem(f"cannot connect: {reason}") from exc
    except (OSError, ValueError) as exc:
        raise _Problem(f"cannot fetch: {exc}") from exc


_OFFICE = "application/vnd.openxmlformats-officedocument"
EXPECTED_TYPES = {
    ".html": ("text/html", "application/xhtml+xml"), ".htm": ("text/html",),
    ".pdf": ("application/pdf",), ".txt": ("text/plain",),
    ".md": ("text/plain", "text/markdown"), ".csv": ("text/csv", "text/plain"),
    ".docx": (f"{_OFFICE}.wordprocessingml.document",),
    ".xlsx": (f"{_OFFICE}.spreadsheetml.sheet",),
}
"""The content types a server may send for a file of each suffix (else a note says so)."""


def _expected_types(path: str) -> tuple[str, ...]:
    return EXPECTED_TYPES.get(Path(path).suffix.lower(), ())


def fetch(project: Path, timeout: float = 30.0, refresh: bool = False) -> FetchReport:
    """Download what the catalogue lists and the sources folder lacks (or, with `refresh`,
    everything it lists with a url)."""
    sources = project / "sources"
    catalogue = sources / CATALOGUE_NAME
    if not catalogue.is_file():
        raise LedgerError([error(f"sources/{CATALOGUE_NAME}", "F001", "no catalogue: list the "
                                 "documents to fetch in sources/sources.csv with a url "
                                 "column")])
    rows, problems = read_catalogue(catalogue, f"sources/{CATALOGUE_NAME}")
    config, found = load_config(project)
    if has_errors(problems + found):
        raise LedgerError(problems + found)
    limit = int(config.max_document_mb * 1_000_000)
    lock_path = sources / LOCK_NAME
    try:
        lock: dict[str, Any] = (json.loads(lock_path.read_text("utf-8"))
                                if lock_path.is_file() else {})
        records: dict[str, dict[str, Any]] = dict(lock.get("documents", {}))
    except (OSError, ValueError, AttributeError) as exc:
        raise LedgerError([error(f"sources/{LOCK_NAME}", "F001", f"unreadable ({exc}); move "
                                 "it aside to fetch afresh")]) from exc
    report = FetchReport()
    for row in rows:
        if not row.url:
            continue
        shown = f"sources/{CATALOGUE_NAME}"
        rel = Path(row.path)
        if rel.is_absolute() or ".." in rel.parts:
            report.problems.append(error(shown, "F002", f"path {row.path!r} leaves the sources "
                                         "folder", row.line))
            continue
        if not re.match(r"^https?://", row.url, re.IGNORECASE):
            report.problems.append(error(shown, "F002", f"{row.path}: only http(s) urls are "
                                         f"fetched, not {row.url.split(':', 1)[0]!r}", row.line))
            continue
        target = sources / rel
        previous = records.get(row.path)
        if target.exists() and not refresh:
            continue
        if target.exists() and previous and _sha256(target.read_bytes()) != previous["sha256"]:
            report.problems.append(error(shown, "F003", f"{row.path}: changed since it was "
                                         "fetched (edited here?); not overwritten: move it "
                                         "aside to fetch it again", row.line))
            continue
        if target.exists() and not previous:
            report.notes.append(f"{row.path}: kept (a file ledger did not fetch)")
            continue
        try:
            body, status, content_type = _download(row.url, timeout, limit)
        except _Problem as exc:
            report.problems.append(error(shown, "F004", f"{row.path} from {row.url}: {exc}",
                                         row.line))
            continue
        digest = _sha256(body)
        if previous and previous["sha256"] == digest:
            report.unchanged.append(row.path)
        else:
            if previous:
                report.notes.append(f"{row.path}: changed at its source since "
                                    f"{previous['retrieved_at']} (sha256 "
                                    f"{previous['sha256'][:12]}… is now {digest[:12]}…)")
            write_atomically(target, body)
            report.fetched.append(row.path)
        expected = _expected_types(row.path)
        if expected and content_type not in expected:
            report.notes.append(f"{row.path}: the server says {content_type}, not what the "
                                f"file name promises ({', '.join(expected)})")
        records[row.path] = {
            "url": row.url, "retrieved_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "status": status, "content_type": content_type, "bytes": len(body),
            "sha256": digest}
    if records != lock.get("documents"):
        write_atomically(lock_path, (json.dumps({"tool": f"ledger {__version__}",
                                       "documents": dict(sorted(records.items()))},
                                      indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    return report
