"""Near-duplicate detection with bottom-k MinHash sketches of the body.

A sketch is the ``SKETCH_SIZE`` smallest 32-bit hashes of an article's
3-word shingles. Two sketches estimate the Jaccard similarity of the two
shingle sets; copies of one story (a wire text under another headline, a page
saved again with a line added) score near 1, different stories near 0.
Candidates are found through each sketch's few smallest hashes: two
articles that share most shingles very likely share one of those.
"""

from __future__ import annotations

import heapq
import re
import struct
import zlib

from newsarchive.pieces import pieces

SKETCH_SIZE = 64
LOOKUP_KEYS = 4
SHINGLE_WORDS = 3
SIMILARITY = 0.8
#: Sketches kept in memory during an ingest, beyond the lookup keys.
CACHED_SKETCHES = 20_000
#: Shorter bodies say too little to call two articles copies of each other.
MIN_WORDS = 30
_WORD = re.compile(r"\w+")
#: A longer text is sketched in pieces of about this many characters (a news story is one piece).
PIECE_CHARS = 1 << 16


def sketch(text: str) -> bytes | None:
    """The bottom-k sketch of ``text``, packed for storage, or None when the text is too short.

    A long text is read a piece at a time (a shingle may span two), keeping
    only the smallest hashes so far: its words and shingles at once would
    take some 25 times the text.
    """
    smallest: list[int] = []
    count = 0
    tail: list[str] = []  # the last words of the pieces before, which begin shingles that end in this one
    for piece in pieces(text, PIECE_CHARS):
        found = _WORD.findall(piece.lower())
        count += len(found)
        words = tail + found if tail else found
        tail = words[-(SHINGLE_WORDS - 1) :]
        shingles = map(" ".join, zip(*(words[start:] for start in range(SHINGLE_WORDS)), strict=False))
        hashes = set(map(zlib.crc32, map(str.encode, shingles)))  # all in C: sketching is a fifth of parsing
        hashes.update(smallest)
        smallest = sorted(hashes)[:SKETCH_SIZE]
    if count < MIN_WORDS:
        return None
    return struct.pack(f"<{len(smallest)}I", *smallest)


def _values(packed: bytes) -> tuple[int, ...]:
    return struct.unpack(f"<{len(packed) // 4}I", packed)


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the two texts behind the sketches."""
    first, second = set(_values(a)), set(_values(b))
    union = heapq.nsmallest(SKETCH_SIZE, first | second)
    if not union:
        return 0.0
    return sum(1 for value in union if value in first and value in second) / len(union)


def lookup_keys(packed: bytes) -> tuple[int, ...]:
    return _values(packed)[:LOOKUP_KEYS]


class NearDuplicates:
    """Finds, for a new sketch, an earlier article it copies.

    Holds only the lookup keys in memory (a few ints per article); the
    sketches of candidates are fetched when needed through ``load_sketches``.
    """

    def __init__(self, load_sketches) -> None:  # type: ignore[no-untyped-def]
        self._owners: dict[int, str] = {}
        self._load_sketches = load_sketches
        self._sketches: dict[str, bytes] = {}
        self._removed: set[str] = set()

    def add(self, article_id: str, packed: bytes) -> None:
        self._removed.discard(article_id)
        for key in lookup_keys(packed):
            self._owners.setdefault(key, article_id)
        self._sketches[article_id] = packed

    def remove(self, article_id: str) -> None:
        """Forget a deleted article, so that no copy is linked to it."""
        self._sketches.pop(article_id, None)
        self._removed.add(article_id)

    def find(self, packed: bytes, exclude: str | None = None) -> str | None:
        """The id of the most similar earlier article at or above SIMILARITY, if any."""
        candidates = {self._owners[key] for key in lookup_keys(packed) if key in self._owners}
        candidates -= self._removed | {exclude}
        if not candidates:
            return None
        missing = [article_id for article_id in candidates if article_id not in self._sketches]
        if missing:
            self._sketches.update(self._load_sketches(missing))
        scored = [
            (similarity(packed, self._sketches[article_id]), article_id)
            for article_id in candidates
            if article_id in self._sketches
        ]
        best = max(scored, default=(0.0, ""))
        return best[1] if best[0] >= SIMILARITY else None

    def forget_sketches(self) -> None:
        """Drop cached sketches (kept keys suffice to find candidates again)."""
        self._sketches.clear()

    def trim(self) -> None:
        """Between batches: drop the cached sketches if there are many (about 6 MB at the limit).

        Keeping recent ones saves reading them back; dropping them bounds the
        memory of a long ingest. Only call it when everything added is stored.
        """
        if len(self._sketches) > CACHED_SKETCHES:
            self.forget_sketches()
