"""Copies: the same text published twice is one source of evidence.

Wire copies, syndicated articles, re-posts by aggregators and a live feed published again are
the normal case in news. Their statements support the same points; they must never make new
points nor conflicts, and a figure three outlets copy from one wire is not three sources.

Documents are compared by their word shingles (runs of five words): two documents whose
shingle sets overlap by at least COPY_SIMILARITY (Jaccard) are copies. MinHash signatures with
locality-sensitive hashing find the candidate pairs without comparing every pair; candidates
whose signatures say they are far apart are dropped, and the rest are counted exactly on the
shingle sets. Pairs already in one cluster are not counted again, so a large family of copies
costs about one count per member. Shingles of words (not characters) ignore changes of
layout and punctuation that re-posting brings; an aggregator's added lead-in or a wire's
dateline lowers the overlap only a little.

Public surface: `fingerprint(text)` (a document's shingles and MinHash signature, kept in
the build cache by text) and `find_copies(documents, fingerprints, measured, earlier)`,
which returns the `Copies`: for each document its cluster (named by the cluster's first
document) and the clusters of two or more; `Copies.kept()` is what the next build passes as
`earlier`. A rebuild passes the similarities and clusters an earlier build found, so only
pairs with a new or changed document are compared.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ledger.sources import Document

COPY_SIMILARITY = 0.7
"""Jaccard similarity of word shingles from which two documents are copies of one text."""
SHINGLE_WORDS = 5
HASHES = 256
"""MinHash values per document: enough to estimate a pair's similarity within about 0.03."""
BANDS, ROWS = 20, 4
"""Locality-sensitive hashing on the first 80 values, in 20 bands of 4: a pair at similarity
0.7 shares a band with probability 1 - (1 - 0.7^4)^20 > 0.999."""
_SEEDS = np.random.default_rng(0x1ED6E7).integers(0, 1 << 63, (2, HASHES), dtype=np.uint64)
_A, _B = _SEEDS[0] | np.uint64(1), _SEEDS[1]
"""Hash functions x -> (a·x + b) mod 2^64, top 32 bits (multiply-shift, a odd): no modulo."""
_WORD = re.compile(r"\w+")


@dataclass
class Copies:
    """Which documents are copies of one text."""

    cluster_of: dict[str, str] = field(default_factory=dict)
    clusters: list[list[str]] = field(default_factory=list)
    similarity: dict[tuple[str, str], float] = field(default_factory=dict)
    """Each copy's similarity to its cluster's first document, where it reaches
    COPY_SIMILARITY (a copy may be in a cluster through another)."""
    documents: list[tuple[str, str]] = field(default_factory=list)
    """Every document compared (path and text sha256), in path order."""

    def kept(self) -> Clusters:
        """What a later build's `find_copies` takes as `earlier`."""
        text_of = dict(self.documents)
        return {"documents": self.documents,
                "clusters": [[(path, text_of[path]) for path in members]
                             for members in self.clusters]}

    def of(self, path: str) -> str:
        """The cluster of a document: the path of its first copy, or its own path."""
        return self.cluster_of.get(path, path)


@dataclass(frozen=True)
class Fingerprint:
    """A document's word shingles (CRC-32 of five words, sorted and unique) and their MinHash
    signature (HASHES values; empty for a document without words), as compact arrays."""

    shingles: np.ndarray
    signature: np.ndarray


_CHUNK = 128
"""Hash functions applied at once: the products of a long document stay in the CPU's cache."""


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
        return Fingerprint(shingles, np.zeros(0, np.uint32))
    values = shingles.astype(np.uint64)[None, :]
    signature = np.concatenate([
        ((_A[i:i + _CHUNK, None] * values + _B[i:i + _CHUNK, None]) >> np.uint64(32)).min(axis=1)
        for i in range(0, HASHES, _CHUNK)]).astype(np.uint32)
    return Fingerprint(shingles, signature)


ESTIMATE_MARGIN = 0.1
"""A candidate pair whose MinHash estimate falls this far below COPY_SIMILARITY is not counted
exactly: with 256 values the estimate's standard error near 0.7 is under 0.03, so a pair at
0.7 falls that far below one time in several thousand, and a copy at 0.75 practically never.
Documents written from one template (daily situation reports) are alike at 0.5 to 0.6 by the
thousand; without this cut every pair of them would be counted."""
_ROWS_AT_ONCE = 64
"""Members of a bucket whose estimates against the others are computed in one array."""


def _band_pairs(signatures: np.ndarray, settled: Callable[[np.ndarray], bool],
                live: np.ndarray | None = None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Pairs of signature rows (as two arrays of row numbers) that share a band and whose
    estimated similarity reaches COPY_SIMILARITY - ESTIMATE_MARGIN, bucket by bucket: a pair
    that shares several bands comes once for each. A bucket whose rows `settled` says are
    one cluster already is passed over. With `live` (a flag per row), only pairs with a live
    row come, live row first."""
    need = int(np.ceil((COPY_SIMILARITY - ESTIMATE_MARGIN) * HASHES))
    for band in range(BANDS):
        block = np.ascontiguousarray(signatures[:, band * ROWS:(band + 1) * ROWS])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * ROWS))).ravel()
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        for members in np.split(order, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1):
            if members.size < 2 or settled(members):
                continue
            rows = signatures[members]
            if live is not None:  # each live row against every other
                for row in np.flatnonzero(live[members]).tolist():
                    near = np.flatnonzero(np.count_nonzero(rows[row] == rows, axis=1) >= need)
                    near = near[near != row]
                    yield np.full(near.size, members[row]), members[near]
                continue
            for first in range(0, members.size - 1, _ROWS_AT_ONCE):
                equal = np.count_nonzero(
                    rows[first:first + _ROWS_AT_ONCE, None, :] == rows[None, :, :], axis=2)
                i, j = np.nonzero(equal >= need)
                i += first
                later = i < j
                yield members[i[later]], members[j[later]]


def _common(first: np.ndarray, second: np.ndarray) -> int:
    """How many values two sorted arrays of unique values share (a radix sort of both)."""
    both = np.concatenate((first, second))
    both.sort(kind="stable")
    return int(np.count_nonzero(both[1:] == both[:-1]))


Measured = dict[tuple[str, str], float]
"""Exact similarities of copies already counted, by the pair of the texts' sha256 (in order)."""


Clusters = dict[str, list[Any]]
"""A build's documents (path and text sha256) and its clusters of copies as such pairs: what
`Copies.kept()` gives and `find_copies` takes from an earlier build."""


def find_copies(documents: list[Document], fingerprints: dict[str, Fingerprint] | None = None,
                measured: Measured | None = None, earlier: Clusters | None = None) -> Copies:
    """Clusters of documents that are copies of one text (by COPY_SIMILARITY).
    `fingerprints` holds those already computed, by path (the ones computed now are added to
    it); `measured` the exact similarities of copies counted by an earlier build (likewise);
    `earlier` that build's clusters, when only the pairs with a document new or changed since
    then (or in a cluster that lost a member) are to be compared.

    A cluster is a connected part of the graph whose edges are the pairs that share a band,
    are estimated near enough and are copies: each edge depends on its two documents alone,
    so an earlier cluster none of whose documents changed is a cluster still, and the result
    is the one comparing every pair gives."""
    known = {} if fingerprints is None else fingerprints
    measured = {} if measured is None else measured
    for doc in documents:
        if doc.path not in known:
            known[doc.path] = fingerprint(doc.text)
    text_of = {d.path: d.text_sha256 for d in documents}
    paths = sorted(text_of)
    prints = [known[path] for path in paths]
    signed = [n for n, found in enumerate(prints) if found.signature.size]
    signatures = (np.stack([prints[n].signature for n in signed]) if signed
                  else np.zeros((0, HASHES), np.uint32))
    parent = list(range(len(paths)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    def similarity(a: int, b: int) -> float:
        x, y = text_of[paths[a]], text_of[paths[b]]
        pair = (x, y) if x <= y else (y, x)
        value = measured.get(pair)
        if value is None:
            first, second = prints[a].shingles, prints[b].shingles
            common = _common(first, second)
            value = common / (first.size + second.size - common)
            if value >= COPY_SIMILARITY:  # the others are many (a family of reports) and
                measured[pair] = value    # quick to count again: not kept
        return value

    def join(a: int, b: int) -> None:
        low, high = sorted((root(a), root(b)))
        parent[high] = low

    copies = Copies()
    copies.documents = [(path, text_of[path]) for path in paths]
    position = np.array(signed, dtype=np.int64)
    fresh = np.zeros(len(paths), bool)  # new or changed since the earlier build
    group = np.full(len(paths), -1, np.int64)  # the earlier cluster that lost a member
    if earlier is not None:
        index = {path: n for n, path in enumerate(paths)}
        here = set(copies.documents)
        fresh[[index[path] for path, text in here - {tuple(d) for d in earlier["documents"]}]] = 1
        for k, members in enumerate(earlier["clusters"]):
            left = [index[path] for path, text in members if (path, text) in here]
            if len(left) == len(members):  # whole: still one cluster
                for n in left[1:]:
                    join(left[0], n)
            else:  # compared again among themselves
                group[left] = k
    live = (fresh | (group >= 0))[position] if earlier is not None else None
    below: set[tuple[int, int]] = set()  # pairs counted here and found no copies
    def settled(rows: np.ndarray) -> bool:
        first = root(signed[rows[0]])
        return all(root(signed[row]) == first for row in rows[1:].tolist())

    for rows_a, rows_b in _band_pairs(signatures, settled, live):
        firsts, seconds = position[rows_a], position[rows_b]
        if live is not None:  # a pair of two unchanged documents is no new edge
            wanted = (fresh[firsts] | fresh[seconds]
                      | ((group[firsts] >= 0) & (group[firsts] == group[seconds])))
            firsts, seconds = firsts[wanted], seconds[wanted]
        # Pairs already in one cluster (most, in a family of copies) are dropped in arrays:
        # clusters only grow, so what is one cluster here still is at the pair's turn.
        nodes = np.union1d(firsts, seconds)
        roots = np.array([root(n) for n in nodes.tolist()], dtype=np.int64)
        apart = (roots[np.searchsorted(nodes, firsts)]
                 != roots[np.searchsorted(nodes, seconds)])
        for a, b in zip(firsts[apart].tolist(), seconds[apart].tolist(), strict=True):
            if (a, b) in below or root(a) == root(b):
                continue  # comparing them changes nothing
            value = similarity(a, b)
            if value < COPY_SIMILARITY:
                below.add((a, b))
                continue
            join(a, b)
    groups: dict[int, list[int]] = defaultdict(list)
    for n in range(len(paths)):
        groups[root(n)].append(n)
    for members in groups.values():
        if len(members) > 1:
            names = [paths[n] for n in members]
            copies.clusters.append(names)
            for name in names:
                copies.cluster_of[name] = names[0]
            for n in members[1:]:  # each copy's likeness to the first, as reported
                value = similarity(members[0], n)  # the cluster's links are in `measured`
                if value >= COPY_SIMILARITY:
                    copies.similarity[(names[0], paths[n])] = round(value, 3)
    return copies
