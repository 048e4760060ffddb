"""Incremental builds: what a build can take from the last one, kept in `PROJECT/.ledger/`.

Public surface: `BuildCache(project, enabled)` with `build_key`, `unchanged`, `load_summary`,
`load_result`, `forget_result`, `keep_result`, `keep_result_key`, `figures_key`, `has_figures`,
`load_figures`, `store_figures`, `load_fingerprint`, `store_fingerprint`,
`mark_fingerprints_used`, `load_kept`, `store_kept`, `load_blobs`, `new_blobs`, `keep_blobs`
and `prune`; `CACHE_FOLDER`. The blobs are `ledger.blobs.Blobs`.

Three kinds of things are kept. Per document, the figures read from it (facts, findings and
unread numbers), keyed by the document's bytes and catalogue data and by everything
else that shapes them: the tool itself (every file of the package), the rule and lexicon
files, the rate tables, the gazetteer, the parties, the settings and `--ocr`; and the
fingerprint copies are found by, keyed by the text and the tool alone. A rebuild reads again
only documents whose key changed. What a rebuild need not redo for unchanged parts: the exact
copy similarities counted between documents, by the pair of their texts, and the HTML
articles of observations, by what they show. And for the whole build, a key over every file
of the project (the output folder and this cache aside), the flags and `SOURCE_DATE_EPOCH`:
when it is the key of the last build and that build's outputs are on disk as its manifest
lists them, nothing is read or written again.

Entries are sealed with an HMAC whose key lives in the user's own cache folder
(`$XDG_CACHE_HOME/ledger/cache-key`, mode 0600), never in the project: a cache that was
edited, damaged or copied from someone else fails the check and is rebuilt, never unpickled.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import io
import json
import os
import pickle
import secrets
from collections.abc import Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from ledger import __version__
from ledger.blobs import Blobs
from ledger.builtin import builtin_dir
from ledger.outfolder import outputs_intact, write_atomically_with
from ledger.sources import Document

CACHE_FOLDER = ".ledger"
FORMAT = 1
"""Bumped when the layout of cache entries changes."""


@cache
def tool_fingerprint() -> str:
    """A hash of ledger itself: its version and every file of the package, rule library and
    report templates (an edited lexicon or module is a new tool)."""
    digest = hashlib.sha256(f"ledger {__version__} cache {FORMAT}".encode())
    roots = [Path(__file__).resolve().parent, builtin_dir("rules"), builtin_dir("reports")]
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _user_key() -> bytes | None:
    """This user's secret for sealing cache entries, made on first use."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ledger"
    path = base / "cache-key"
    try:
        if path.is_file():
            key = path.read_bytes()
            return key if len(key) == 32 else None
        base.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(32))
        return path.read_bytes()
    except OSError:
        return None


def _hash_json(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()


SEAL_BYTES = 32
"""A kept file begins with its seal: the HMAC-SHA256 of the rest under this user's key."""


class _Sealing:
    """A file being written, with the HMAC of what is written to it."""

    def __init__(self, handle: BinaryIO, key: bytes) -> None:
        self.handle = handle
        self.mac = hmac.new(key, digestmod="sha256")

    def write(self, data: bytes) -> int:
        self.mac.update(data)
        return self.handle.write(data)


KEPT_CHUNK = 2000
"""Items of a build's kept lists pickled together."""


class BuildCache:
    """The cache of one project; every method is a no-op when it is disabled."""

    def __init__(self, project: Path, enabled: bool = True) -> None:
        self.folder = project / CACHE_FOLDER
        self.key = _user_key() if enabled else None
        self.used: set[str] = set()

    @property
    def enabled(self) -> bool:
        return self.key is not None

    # --- sealed files ---------------------------------------------------------------------

    def _read(self, path: Path) -> Any | None:
        """What `_write` wrote, or None (the file is removed when damaged or foreign)."""
        parts = self._read_parts(path)
        return parts[0] if parts else None

    def _read_parts(self, path: Path) -> list[Any] | None:
        """What `_write_parts` wrote, or None."""
        assert self.key is not None
        try:
            data = path.read_bytes()
        except OSError:
            return None
        seal, body = data[:SEAL_BYTES], memoryview(data)[SEAL_BYTES:]
        if len(seal) < SEAL_BYTES or not hmac.compare_digest(seal, hmac.digest(self.key, body,
                                                                      "sha256")):
            path.unlink(missing_ok=True)  # damaged, edited or someone else's: rebuilt
            return None
        parts, stream = [], io.BytesIO(body)
        try:
            while stream.tell() < len(body):
                parts.append(pickle.load(stream))  # sealed with this user's key: our bytes
        except Exception:
            path.unlink(missing_ok=True)
            return None
        return parts

    def _write(self, path: Path, value: Any) -> None:
        self._write_parts(path, [value])

    def _write_parts(self, path: Path, values: Iterable[Any]) -> None:
        """The pickles of `values`, one after another, after their seal; written as they are
        made, each pickled on its own (the pickler holds every object it wrote until its
        pickle ends: a whole build's result at once took half a gigabyte more)."""
        assert self.key is not None
        key = self.key

        def sealed(out: BinaryIO) -> None:
            out.write(bytes(SEAL_BYTES))  # the seal's place, written once the body is
            sealing = _Sealing(out, key)
            for value in values:
                pickle.dump(value, sealing, protocol=pickle.HIGHEST_PROTOCOL)
            out.seek(0)
            out.write(sealing.mac.digest())

        with contextlib.suppress(OSError):  # a read-only project builds, without a cache
            write_atomically_with(path, sealed)

    # --- the whole build -----------------------------------------------------------------

    def build_key(self, project: Path, out: Path, flags: dict[str, Any]) -> str:
        """A key over every file of the project but the outputs and hidden files (which no
        stage reads; this cache is one), and the flags."""
        skip = out.resolve()
        files: list[tuple[str, str]] = []
        for root, dirs, names in os.walk(project):
            here = Path(root)
            dirs[:] = sorted(d for d in dirs
                             if not d.startswith(".") and (here / d).resolve() != skip)
            for name in sorted(n for n in names if not n.startswith(".")):
                path = here / name
                rel = path.relative_to(project).as_posix()
                if path.is_symlink():
                    files.append((rel, "link:" + os.readlink(path)))
                elif path.is_file():
                    files.append((rel, hashlib.sha256(path.read_bytes()).hexdigest()))
        return _hash_json({"tool": tool_fingerprint(), "files": files, "flags": flags,
                           "epoch": os.environ.get("SOURCE_DATE_EPOCH", ""),
                           "out": os.path.relpath(out.resolve(), project.resolve())})

    def unchanged(self, key: str, out: Path) -> bool:
        """Whether the last build had this key and its outputs are on disk unedited."""
        if not self.enabled:
            return False
        return self._read(self.folder / "last-build-key") == key and outputs_intact(out)

    def load_summary(self, key: str) -> Any | None:
        """What `keep_result` kept to tell of the build with this key, or None."""
        kept = self._read(self.folder / "last-build-summary") if self.enabled else None
        return kept["summary"] if isinstance(kept, dict) and kept.get("key") == key else None

    def load_result(self, key: str) -> dict[str, list[Any]] | None:
        """The lists `keep_result` kept of the build with this key, or None (another build
        kept its own since)."""
        parts = self._read_parts(self.folder / "last-build") if self.enabled else None
        if not parts or not isinstance(parts[0], dict) or parts[0].get("key") != key:
            return None
        lists: dict[str, list[Any]] = {}
        chunks = iter(parts[1:])
        try:
            for name, count in parts[0]["lists"]:
                items = lists[name] = []
                while len(items) < count:
                    items += next(chunks)
        except (StopIteration, KeyError, TypeError, ValueError):  # not as keep_result wrote
            return None
        return lists

    def forget_result(self) -> None:
        """Remove the last build's key: from here to `keep_result_key` no result is reused (a
        rebuild reads the small key first, the result only when nothing changed)."""
        if self.enabled:
            (self.folder / "last-build-key").unlink(missing_ok=True)

    def keep_result(self, key: str, lists: dict[str, list[Any]], summary: Any) -> None:
        """Write a build's lists (in parts of KEPT_CHUNK items), and apart from them the
        small summary a rebuild with nothing changed reads (another process may do this while
        the build goes on)."""
        if not self.enabled:
            return

        def parts() -> Iterator[Any]:
            yield {"key": key, "lists": [(name, len(items)) for name, items in lists.items()]}
            for items in lists.values():
                for start in range(0, len(items), KEPT_CHUNK):
                    yield items[start:start + KEPT_CHUNK]

        self._write_parts(self.folder / "last-build", parts())
        self._write(self.folder / "last-build-summary", {"key": key, "summary": summary})

    def keep_result_key(self, key: str) -> None:
        """Write the key of the result `keep_result` wrote, once the build has succeeded."""
        if self.enabled:
            self._write(self.folder / "last-build-key", key)

    # --- per document ----------------------------------------------------------------------

    def figures_key(self, context: str, doc: Document) -> str:
        """The key of a document's figures under a reading context (`context_key`)."""
        return _hash_json({
            "context": context, "path": doc.path, "file": doc.file_sha256,
            "text": doc.text_sha256, "published": doc.published,
            "published_at": doc.published_at, "origin": doc.date_origin,
            "tz": str(doc.tz), "language": doc.language, "publisher": doc.publisher,
            "url": doc.url, "title": doc.title})

    def load_kept(self, name: str, context: str) -> dict[Any, Any]:
        """What an earlier build kept under `name` (the copy similarities, the rendered
        articles), when it was kept under the same context; else empty."""
        if not self.enabled:
            return {}
        found = self._read(self.folder / name)
        if not isinstance(found, dict) or found.get("context") != context:
            return {}
        kept = found.get("kept")
        return kept if isinstance(kept, dict) else {}

    def store_kept(self, name: str, context: str, kept: dict[Any, Any]) -> None:
        if self.enabled:
            self._write(self.folder / name, {"context": context, "kept": kept})

    def load_blobs(self, name: str, context: str) -> Blobs | None:
        """The blobs an earlier build kept under `name` and the same context (their file's
        sha256 sealed with their index), else None."""
        kept = self.load_kept(name, context)
        path = self.folder / f"{name}.blobs"
        try:
            handle = open(path, "rb")  # noqa: SIM115 (the Blobs own it)
        except OSError:
            return None
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        if not kept or kept.get("sha256") != digest or not isinstance(kept.get("index"), dict):
            handle.close()
            return None
        return Blobs(handle, kept["index"])

    def new_blobs(self, name: str) -> Blobs:
        """An empty store to write blobs into: in the cache folder, for `keep_blobs` to keep,
        or a temporary file when the cache is off."""
        if self.enabled:
            with contextlib.suppress(OSError):
                self.folder.mkdir(parents=True, exist_ok=True)
                return Blobs(open(self.folder / f"{name}.blobs.new", "w+b"))
        return Blobs.temporary()

    def keep_blobs(self, name: str, context: str, blobs: Blobs) -> None:
        """Keep a store `new_blobs` made for the next build, sealed by its sha256."""
        blobs.handle.flush()
        if not self.enabled or not isinstance(getattr(blobs.handle, "name", None), str):
            return
        with contextlib.suppress(OSError):
            os.replace(blobs.handle.name, self.folder / f"{name}.blobs")
            self.store_kept(name, context, {"sha256": blobs.digest.hexdigest(),
                                            "index": blobs.index})

    def _entry(self, key: str) -> Path:
        return self.folder / "figures" / key[:2] / key

    def _print_entry(self, text_sha256: str) -> Path:
        key = _hash_json({"tool": tool_fingerprint(), "text": text_sha256})
        return self.folder / "prints" / key[:2] / key

    def _has(self, path: Path) -> bool:
        return self.enabled and path.is_file()

    def _load(self, path: Path) -> Any | None:
        """A per-document entry, marked used (`prune` keeps it)."""
        if not self.enabled:
            return None
        self.used.add(path.name)
        return self._read(path)

    def _store(self, path: Path, value: Any) -> None:
        if self.enabled:
            self.used.add(path.name)
            self._write(path, value)

    def load_fingerprint(self, text_sha256: str) -> Any | None:
        """A text's fingerprint for finding copies (kept by the text alone: the rules do not
        shape it)."""
        return self._load(self._print_entry(text_sha256))

    def store_fingerprint(self, text_sha256: str, fingerprint: Any) -> None:
        self._store(self._print_entry(text_sha256), fingerprint)

    def mark_fingerprints_used(self, text_sha256s: Iterable[str]) -> None:
        """Keep these texts' fingerprints at `prune` (another process loaded or made them)."""
        if self.enabled:
            self.used.update(self._print_entry(text).name for text in text_sha256s)

    def has_figures(self, key: str) -> bool:
        """Whether figures are kept under `key` (`load_figures` may still find them damaged)."""
        return self._has(self._entry(key))

    def load_figures(self, key: str) -> Any | None:
        return self._load(self._entry(key))

    def store_figures(self, key: str, figures: Any) -> None:
        self._store(self._entry(key), figures)

    def prune(self) -> None:
        """Remove the figures and fingerprints of documents this build did not use."""
        if not self.enabled:
            return
        for kind in ("figures", "prints"):
            for path in (self.folder / kind).glob("*/*"):
                if path.name not in self.used:
                    path.unlink(missing_ok=True)


def context_key(parts: dict[str, Any]) -> str:
    """The reading context's key: the tool and whatever else shapes a document's figures."""
    return _hash_json({"tool": tool_fingerprint(), **parts})
