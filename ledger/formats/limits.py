"""Parse a hostile file in a child process that cannot take the machine down with it.

Public surface: `in_child(function, *args)`, `zip_members(data, limit, not_zip)`,
`MEMORY_BYTES`, `CPU_SECONDS`.

The child is forked, limits its address space to what it has plus `MEMORY_BYTES` and its CPU
time to `CPU_SECONDS`, runs the parser and sends back the result (or the `FormatProblem` it
raised). A child that runs out of memory or time, or that a bug in a C library kills, becomes a
`FormatProblem` naming the limit; the parent carries on with the next file.
"""

from __future__ import annotations

import faulthandler
import io
import os
import pickle
import resource
import signal
import zipfile
from collections.abc import Callable
from typing import TypeVar

from ledger.formats.model import FormatProblem

MEMORY_BYTES = 1536 * 1024 * 1024
"""Memory a parser may add to the process: a PDF or Word file that needs more is refused."""
CPU_SECONDS = 120
"""CPU time a parser may take for one file."""

T = TypeVar("T")


def zip_members(data: bytes, limit: int, not_zip: str) -> set[str]:
    """The member names of an Office file (a zip archive), checked before any parser opens
    it: not a zip at all is `not_zip`, members unpacking past `limit` bytes a zip bomb."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
            names = set(archive.namelist())
    except zipfile.BadZipFile as exc:
        raise FormatProblem(not_zip) from exc
    if unpacked > limit:
        raise FormatProblem(f"unpacks to {unpacked:,} bytes, more than the {limit:,} ledger "
                            "reads (a zip bomb?)")
    return names


def _address_space() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[0]) * resource.getpagesize()


def in_child(function: Callable[..., T], *args: object) -> T:
    """`function(*args)` run in a forked child under the memory and CPU limits."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            faulthandler.disable()  # a parser that aborts is reported by the parent
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            limit = _address_space() + MEMORY_BYTES
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 5))
            try:
                outcome: tuple[str, object] = ("ok", function(*args))
            except FormatProblem as exc:
                outcome = ("problem", str(exc))
            except MemoryError:
                outcome = ("problem", f"needs more than {MEMORY_BYTES // 2**20:,} MB of memory "
                                      "to read (a decompression bomb?)")
            except Exception as exc:  # a parser's own failure on a broken file
                outcome = ("problem", f"cannot be read: {exc.__class__.__name__}: {exc}"[:300])
            payload = pickle.dumps(outcome)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        payload = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not payload:
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) in (signal.SIGXCPU, signal.SIGKILL):
            raise FormatProblem(f"took more than {CPU_SECONDS} s of CPU to read; refused")
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
            raise KeyboardInterrupt
        raise FormatProblem("the reader stopped on this file (out of memory or a crash in the "
                            "parser); refused")
    kind, value = pickle.loads(payload)
    if kind == "problem":
        raise FormatProblem(str(value))
    return value  # type: ignore[no-any-return]
