"""The output folder: written whole or not at all, by one build at a time, never deleting a
file ledger did not write.

Public surface: `OUTPUT_NAMES`, `is_output_name(name)`, `outputs_intact(out)`,
`exclusive(out)` (a context manager holding the folder's lock), `staged_outputs(out)` (a
context manager yielding a `Staging` to write outputs into as they are made) and, for one
file, `write_atomically(path, data)` and `write_atomically_with(path, write)`.

- Outputs go to a temporary folder beside `out`, then one rename swaps it in: an interrupted
  build (Ctrl-C, SIGTERM, a full disk) leaves the previous outputs as they were. Temporary
  folders left by a build that was killed outright are removed by the next one.
- A lock file beside `out` (`.NAME.lock`) makes a second build into the same folder wait a
  little, then stop with a message, instead of the two mixing their files.
- A folder is replaced only when every file in it is an output of a previous build whose bytes
  still match that build's manifest: a hand-edited output, a user's own file or a forged
  manifest stop the build instead of being deleted.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from ledger.diagnostics import LedgerError, error

OUTPUT_NAMES = ("facts.csv", "observations.csv", "findings.csv", "unread.csv", "ledger.xlsx",
                "ledger.sqlite", "index.html", "facts.hxl.csv", "datapackage.json",
                "manifest.json")
HTML_PAGE = re.compile(r"(?:findings|sources|statements-[a-z0-9_]+)(?:-[0-9]+)?\.html")
"""The HTML report's pages beyond index.html (see ledger/render/html.py)."""
LOCK_WAIT_SECONDS = 10.0
"""How long a build waits for another build writing the same folder before it stops."""


def is_output_name(name: str) -> bool:
    """Whether a build writes files of this name (a forged manifest cannot name others)."""
    return name in OUTPUT_NAMES or HTML_PAGE.fullmatch(name) is not None


def _problem(out: Path, code: str, message: str) -> LedgerError:
    return LedgerError([error(str(out), code, message)])


@contextlib.contextmanager
def exclusive(out: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of the output folder `out` (waiting up to `wait` seconds, by default
    LOCK_WAIT_SECONDS), and clear what interrupted builds into it left behind. The lock file
    is removed on release; a build that locked a file another build had just removed tries
    again on the new one."""
    lock = out.parent / f".{out.name}.lock"
    deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
    while True:
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            handle = open(lock, "a+b")  # noqa: SIM115
        except OSError as exc:
            raise _problem(out, "O002", f"cannot create the output folder's lock file: "
                                        f"{exc.strerror}") from exc
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            if time.monotonic() >= deadline:
                raise _problem(out, "O003", "another ledger build is writing this folder (it "
                               f"holds .{out.name}.lock); run again when it has finished"
                               ) from None
            time.sleep(0.1)
            continue
        if _same_file(handle, lock):
            break
        handle.close()  # locked a lock file that its holder removed meanwhile
    try:
        _clear_leftovers(out)
        yield
    finally:
        with contextlib.suppress(OSError):
            lock.unlink()
        handle.close()


def _same_file(handle: Any, path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except OSError:
        return False


def _clear_leftovers(out: Path) -> None:
    """Remove the temporary folders of builds into `out` that were killed (the lock is held,
    so no running build owns them)."""
    for pattern in (f".{out.name}.tmp-*", f".{out.name}.old-*"):
        for stale in out.parent.glob(pattern):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)


def write_atomically(path: Path, data: bytes) -> None:
    """Write one file whole or not at all: a temporary file beside it, then one rename."""
    write_atomically_with(path, lambda out: out.write(data))


def write_atomically_with(path: Path, write: Callable[[BinaryIO], object]) -> None:
    """`write_atomically` for a file `write(handle)` writes in parts."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    """A file's sha256, read in parts (outputs run to hundreds of megabytes)."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _manifest_outputs(out: Path) -> tuple[set[str], set[str]] | None:
    """The outputs `out`'s manifest lists and, of those, the ones on disk whose bytes still
    match its hash and whose names ledger writes; None when `out` holds no ledger manifest."""
    try:
        manifest = json.loads((out / "manifest.json").read_text("utf-8"))
        if manifest.get("tool", {}).get("name") != "ledger":
            return None
        listed: set[str] = set()
        trusted = {"manifest.json"}
        for entry in manifest.get("outputs", []):
            name = entry.get("path")
            if not isinstance(name, str):
                continue
            listed.add(name)
            if not is_output_name(name) or not (out / name).is_file() or (
                    out / name).is_symlink():
                continue
            if file_sha256(out / name) == entry.get("sha256"):
                trusted.add(name)
        return listed, trusted
    except (OSError, ValueError, AttributeError, TypeError, KeyError):
        return None


def _previous_outputs(out: Path) -> set[str] | None:
    """Names of the files in `out` that a previous build wrote, or None if it is not one.

    A manifest is trusted only for the files it lists whose bytes still match its hash and
    whose names ledger writes: a forged or stale manifest cannot make a build delete anything
    else."""
    found = _manifest_outputs(out)
    return None if found is None else found[1]


def outputs_intact(out: Path) -> bool:
    """Whether `out` holds exactly the outputs its manifest lists, each as it was written."""
    found = _manifest_outputs(out)
    if found is None:
        return False
    listed, trusted = found
    try:
        present = {p.name for p in out.iterdir()}
    except OSError:
        return False
    return listed <= trusted and present == trusted


class Staging:
    """The temporary folder a build writes its outputs into as it makes them (so they need not
    all be held in memory at once), with each output's sha256 and size."""

    def __init__(self, out: Path, folder: Path) -> None:
        self.out = out
        self.folder = folder
        self.written: dict[str, tuple[str, int]] = {}

    def put(self, name: str, data: bytes) -> None:
        """Write one output whole (synced to disk) and remember its hash and size."""
        self.put_chunks(name, (data,))

    def put_chunks(self, name: str, chunks: Iterable[bytes]) -> None:
        """Write one output from its parts as they are made (synced to disk), hashing them
        on the way: the whole output is never in memory."""
        digest, size = hashlib.sha256(), 0
        try:
            with open(self.folder / name, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            raise _cannot_write(self.out, exc) from exc
        self.written[name] = (digest.hexdigest(), size)

    def put_file(self, name: str, write: Callable[[BinaryIO], None]) -> None:
        """Let `write` make one output in its file (a zip it writes and seeks in), then take
        it as `adopt` does."""
        try:
            with open(self.folder / name, "wb") as handle:
                write(handle)
        except OSError as exc:
            raise _cannot_write(self.out, exc) from exc
        self.adopt(name)

    def adopt(self, name: str) -> None:
        """Take a file a writer made in the folder itself (the database): synced to disk and
        hashed in chunks, never read whole."""
        digest = hashlib.sha256()
        try:
            with open(self.folder / name, "rb+") as handle:
                while chunk := handle.read(1 << 20):
                    digest.update(chunk)
                os.fsync(handle.fileno())
                size = handle.tell()
        except OSError as exc:
            raise _cannot_write(self.out, exc) from exc
        self.written[name] = (digest.hexdigest(), size)


def _refuse_a_file(out: Path) -> None:
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise _problem(out, "O001", "output path exists and is not a folder")


def _check_replaceable(out: Path) -> None:
    _refuse_a_file(out)
    if out.exists():
        present = {p.name for p in out.iterdir()}
        if present:
            previous = _previous_outputs(out)
            foreign = sorted(present - previous) if previous is not None else sorted(present)
            if foreign:
                raise _problem(out, "O001", "refusing to replace a folder that holds files "
                               f"ledger did not write or that were edited since: "
                               f"{', '.join(foreign[:5])}; choose another --out")


@contextlib.contextmanager
def staged_outputs(out: Path) -> Iterator[Staging]:
    """A temporary folder beside `out` to write the outputs into one by one; when the block
    ends without an error it is swapped in for `out` in one rename, else removed. A folder
    holding files ledger did not write (checked just before the swap) is refused (O001)."""
    _refuse_a_file(out)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    except OSError as exc:
        raise _problem(out, "O002", f"cannot write beside the output folder: "
                                    f"{exc.strerror}") from exc
    try:
        umask = os.umask(0)
        os.umask(umask)
        tmp.chmod(0o777 & ~umask)
        yield Staging(out, tmp)
        _check_replaceable(out)
        _swap_in(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _swap_in(tmp: Path, out: Path) -> None:
    try:
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            os.rename(out, old)
            os.rename(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.rename(tmp, out)
    except OSError as exc:
        raise _cannot_write(out, exc) from exc


def _cannot_write(out: Path, exc: OSError) -> LedgerError:
    return _problem(out, "O002", f"cannot write the outputs: {exc.strerror or exc}; the previous "
                                 "outputs, if any, are unchanged")
