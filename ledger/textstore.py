"""Document texts set aside on disk once read, so a build of thousands of documents need not
hold them all in memory.

Public surface: `TextStore` with `put(path, text)`, `flush()`, `get(path)` and `close()`.
"""

from __future__ import annotations

import os
import tempfile
import weakref


class TextStore:
    """Texts by document path in one unnamed temporary file (gone when the store is), read
    back whenever asked for. Reads name their offset (`os.pread`), so processes forked after
    the texts were put share the file safely."""

    def __init__(self) -> None:
        self._handle = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the store)
        weakref.finalize(self, self._handle.close)
        self._where: dict[str, tuple[int, int]] = {}
        self._last = ("", "")  # the text read last: a document's figures ask for it in turn
        self._unwritten = False
        self._size = 0

    def put(self, path: str, text: str) -> None:
        data = text.encode("utf-8", "surrogatepass")
        self._where[path] = (self._size, len(data))
        self._handle.write(data)
        self._size += len(data)
        self._unwritten = True

    def flush(self) -> None:
        """Write out what `put` has buffered (an OSError here, a full disk, means the texts
        are not all on disk)."""
        self._handle.flush()
        self._unwritten = False

    def close(self) -> None:
        self._handle.close()

    def get(self, path: str) -> str:
        if self._last[0] != path:
            if self._unwritten:
                self.flush()
            offset, size = self._where[path]
            data = os.pread(self._handle.fileno(), size, offset)
            self._last = (path, data.decode("utf-8", "surrogatepass"))
        return self._last[1]
