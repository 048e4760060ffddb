"""Copies: the same text published twice is one source of evidence.

Wire copies, syndicated articles, re-posts by aggregators and a live feed published again are
the normal case in news. Their statements support the same points; they must never make new
points nor conflicts, and a figure three outlets copy from one wire is not three sources.

Documents are compared by their word shingles (runs of five words): two documents whose
shingle sets overlap by at least COPY_SIMILARITY (Jaccard) are copies. MinHash signatures with
locality-sensitive hashing find the candidate pairs without comparing every pair, so the work
grows with the number of documents, not its square; each candidate's similarity is then
computed exactly on the shingle sets. Shingles of words (not characters) ignore changes of
layout and punctuation that re-posting brings; an aggregator's added lead-in or a wire's
dateline lowers the overlap only a little.

Public surface: `fingerprint(text)` (a document's shingles and MinHash signature, kept in
the build cache by text) and `find_copies(documents,
fingerprints, measured)`, which returns the `Copies`: for each document its cluster (named
by the cluster's first document) and the clusters of two or more. A rebuild passes the
similarities an earlier build counted, so only pairs with a changed document are counted.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ledger.sources import Document

COPY_SIMILARITY = 0.7
"""Jaccard similarity of word shingles from which two documents are copies of one text."""
SHINGLE_WORDS = 5
BANDS, ROWS = 20, 4
"""MinHash: 80 hash functions in 20 bands of 4; a pair at similarity 0.7 shares a band with
probability 1 - (1 - 0.7^4)^20 > 0.999."""
_PRIME = (1 << 31) - 1
_A = np.array([(i * 0x9E3779B1 + 1) % _PRIME for i in range(1, BANDS * ROWS + 1)], np.int64)
_B = np.array([(i * 0x85EBCA77 + 7) % _PRIME for i in range(1, BANDS * ROWS + 1)], np.int64)
"""Hash functions (a·x + b) mod p; a, b and x below 2^32, so no product overflows 64 bits."""
_WORD = re.compile(r"\w+")


@dataclass
class Copies:
    """Which documents are copies of one text."""

    cluster_of: dict[str, str] = field(default_factory=dict)
    clusters: list[list[str]] = field(default_factory=list)
    similarity: dict[tuple[str, str], float] = field(default_factory=dict)

    def of(self, path: str) -> str:
        """The cluster of a document: the path of its first copy, or its own path."""
        return self.cluster_of.get(path, path)


@dataclass(frozen=True)
class Fingerprint:
    """A document's word shingles (CRC-32 of five words, sorted and unique, as a compact
    array) and their MinHash signature (empty for a document without words)."""

    shingles: np.ndarray
    signature: tuple[int, ...]


def fingerprint(text: str) -> Fingerprint:
    """The shingles and signature of a document's text."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE_WORDS:
        found = {zlib.crc32(" ".join(words).encode())} if words else set()
    else:
        found = {zlib.crc32(" ".join(words[i:i + SHINGLE_WORDS]).encode())
                 for i in range(len(words) - SHINGLE_WORDS + 1)}
    shingles = np.sort(np.fromiter(found, np.uint32, len(found)))
    if not found:
        return Fingerprint(shingles, ())
    values = shingles.astype(np.int64)
    signature = ((_A[:, None] * values[None, :] + _B[:, None]) % _PRIME).min(axis=1)
    return Fingerprint(shingles, tuple(signature.tolist()))


ESTIMATE_MARGIN = 0.3
"""A candidate pair whose MinHash estimate falls this far below COPY_SIMILARITY is not counted
exactly (with 80 hashes the estimate's error is about 0.05: six times that)."""


def _estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """The share of equal MinHash values: an estimate of the Jaccard similarity."""
    return sum(x == y for x, y in zip(a, b, strict=True)) / len(a)


Measured = dict[tuple[str, str], float]
"""Exact similarities already counted, by the pair of the texts' sha256 (in order)."""


def find_copies(documents: list[Document], fingerprints: dict[str, Fingerprint] | None = None,
                measured: Measured | None = None) -> Copies:
    """Clusters of documents that are copies of one text (by COPY_SIMILARITY).
    `fingerprints` holds those already computed, by path (the ones computed now are added to
    it); `measured` the exact similarities counted by an earlier build (likewise)."""
    known = {} if fingerprints is None else fingerprints
    measured = {} if measured is None else measured
    text_of = {d.path: d.text_sha256 for d in documents}
    for doc in documents:
        if doc.path not in known:
            known[doc.path] = fingerprint(doc.text)
    prints = {d.path: known[d.path] for d in documents}
    buckets: dict[tuple[int, tuple[int, ...]], list[str]] = defaultdict(list)
    signatures: dict[str, tuple[int, ...]] = {}
    for path in sorted(prints):
        signature = prints[path].signature
        if not signature:
            continue
        signatures[path] = signature
        for band in range(BANDS):
            buckets[(band, signature[band * ROWS:(band + 1) * ROWS])].append(path)
    parent = {path: path for path in prints}

    def root(path: str) -> str:
        while parent[path] != path:
            parent[path] = parent[parent[path]]
            path = parent[path]
        return path

    def similarity(a: str, b: str) -> float:
        pair = (min(text_of[a], text_of[b]), max(text_of[a], text_of[b]))
        value = measured.get(pair)
        if value is None:  # sorted arrays: no set of Python numbers per document
            first, second = prints[a].shingles, prints[b].shingles
            common = np.intersect1d(first, second, assume_unique=True).size
            value = measured[pair] = common / (first.size + second.size - common)
        return value

    copies = Copies()
    candidates: set[tuple[str, str]] = set()
    for members in buckets.values():
        for i, a in enumerate(members):
            for b in members[i + 1:]:
                if (a, b) in candidates:
                    continue
                candidates.add((a, b))
                if root(a) == root(b):
                    continue  # already one cluster: comparing them changes nothing
                if _estimate(signatures[a], signatures[b]) < COPY_SIMILARITY - ESTIMATE_MARGIN:
                    continue  # their signatures say far apart: no exact count needed
                value = similarity(a, b)
                if value >= COPY_SIMILARITY:
                    copies.similarity[(a, b)] = round(value, 3)
                    first, second = sorted((root(a), root(b)))
                    parent[second] = first
    groups: dict[str, list[str]] = defaultdict(list)
    for path in sorted(prints):
        groups[root(path)].append(path)
    for members in groups.values():
        if len(members) > 1:
            copies.clusters.append(members)
            for path in members:
                copies.cluster_of[path] = members[0]
            for path in members[1:]:  # each copy's likeness to the first, as reported
                pair = (members[0], path)
                if pair in candidates and pair not in copies.similarity:
                    value = similarity(*pair)
                    if value >= COPY_SIMILARITY:
                        copies.similarity[pair] = round(value, 3)
    return copies
