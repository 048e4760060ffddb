"""Byte strings and texts by key in one file, written one after another and read back by
offset: what a build need not hold in memory (the HTML articles, the documents' texts once
read).

Public surface: `Blobs` (bytes by key, in a file of the cache or a temporary one) and
`TextStore` (document texts by path, in a temporary file).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import weakref
from typing import BinaryIO


class Blobs:
    """Byte strings by key in one file. `digest` is the sha256 of what `put` wrote, hashed on
    the way. Reads name their offset (`os.pread`), so processes forked after the blobs were
    put share the file safely."""

    def __init__(self, handle: BinaryIO, index: dict[str, tuple[int, int]] | None = None
                 ) -> None:
        self.handle = handle
        self.index = {} if index is None else index
        self.digest = hashlib.sha256()
        self._size = handle.seek(0, os.SEEK_END)
        self._unwritten = False

    @classmethod
    def temporary(cls) -> Blobs:
        """Blobs in an unnamed temporary file, gone when it is closed."""
        return cls(tempfile.TemporaryFile())

    def __bool__(self) -> bool:
        return bool(self.index)

    def put(self, key: str, data: bytes) -> None:
        self.index[key] = (self._size, len(data))
        self.handle.write(data)
        self.digest.update(data)
        self._size += len(data)
        self._unwritten = True

    def flush(self) -> None:
        """Write out what `put` has buffered (an OSError here, a full disk, means the blobs
        are not all on disk)."""
        self.handle.flush()
        self._unwritten = False

    def get(self, key: str) -> bytes | None:
        where = self.index.get(key)
        if where is None:
            return None
        if self._unwritten:
            self.flush()
        return os.pread(self.handle.fileno(), where[1], where[0])

    def close(self) -> None:
        self.handle.close()


class TextStore:
    """Document texts by path in temporary `Blobs` (closed with the store), read back
    whenever asked for."""

    def __init__(self) -> None:
        self._blobs = Blobs.temporary()
        weakref.finalize(self, self._blobs.close)
        self._last = ("", "")  # the text read last: a document's figures ask for it in turn

    def put(self, path: str, text: str) -> None:
        self._blobs.put(path, text.encode("utf-8", "surrogatepass"))

    def flush(self) -> None:
        self._blobs.flush()

    def close(self) -> None:
        self._blobs.close()

    def get(self, path: str) -> str:
        if self._last[0] != path:
            data = self._blobs.get(path)
            assert data is not None, f"no text was put for {path}"
            self._last = (path, data.decode("utf-8", "surrogatepass"))
        return self._last[1]
