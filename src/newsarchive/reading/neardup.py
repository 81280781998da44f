"""Near-duplicate detection with bottom-k MinHash sketches of the body.

A sketch is the ``SKETCH_SIZE`` smallest 32-bit hashes of an article's
3-word shingles. Two sketches estimate the Jaccard similarity of the two
shingle sets; copies of one story (a wire text under another headline, a page
saved again with a line added) score near 1, different stories near 0.
Candidates are found through each sketch's few smallest hashes: two
articles that share most shingles very likely share one of those.

The cost per article must not grow with the archive. Only the article that
first had a key (its owner) is ever a candidate, so only owners' sketches
are kept; the most recently used ones stay in memory, and those a batch
needs that are not there are read back in one query per batch (``prefetch``),
not one per article.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable

from newsarchive.pieces import pieces
from newsarchive.scripts import UNSPACED

SKETCH_SIZE = 64
LOOKUP_KEYS = 4
SHINGLE_WORDS = 3
SIMILARITY = 0.8
#: Sketches kept in memory during an ingest, beyond the lookup keys (about 6 MB): the most recently used.
CACHED_SKETCHES = 20_000
#: Shorter bodies say too little to call two articles copies of each other.
MIN_WORDS = 30
# Each character of a script written without spaces is a word of its own (as in ``word_count``).
_WORD = re.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}]+")
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
    union = sorted(first | second)[:SKETCH_SIZE]  # the bottom-k of the union, as ``sketch`` takes it
    if not union:
        return 0.0
    largest = union[-1]
    return sum(1 for value in first & second if value <= largest) / len(union)


def lookup_keys(packed: bytes) -> tuple[int, ...]:
    return _values(packed)[:LOOKUP_KEYS]


class NearDuplicates:
    """Finds, for a new sketch, an earlier article it copies.

    Holds the lookup keys in memory (a few ints per article) and the
    sketches of recently used candidates; others are fetched when needed
    through ``load_sketches`` (ids -> sketches).
    """

    def __init__(self, load_sketches: Callable[[list[str]], dict[str, bytes]]) -> None:
        self._owners: dict[int, str] = {}
        self._load_sketches = load_sketches
        self._sketches: OrderedDict[str, bytes] = OrderedDict()  # least recently used first
        self._removed: set[str] = set()
        #: How far into the archive's change log the finder knows its originals (kept by ``storage.store``).
        self.position = 0

    def add(self, article_id: str, packed: bytes) -> None:
        self._removed.discard(article_id)
        owner = False
        for key in lookup_keys(packed):
            if self._owners.get(key) in self._removed:
                del self._owners[key]  # (a key of a removed article goes to the next one that has it)
            owner = self._owners.setdefault(key, article_id) == article_id or owner
        if owner:  # an article that owns no key is never a candidate: its sketch is not needed again
            self._sketches[article_id] = packed

    def remove(self, article_id: str) -> None:
        """Forget a deleted article, so that no copy is linked to it."""
        self._sketches.pop(article_id, None)
        self._removed.add(article_id)

    def _candidates(self, packed: bytes) -> set[str]:
        return {self._owners[key] for key in lookup_keys(packed) if key in self._owners} - self._removed

    def prefetch(self, sketches: Iterable[bytes]) -> None:
        """Read, in one query, the candidates' sketches that these new sketches (a batch's) will need."""
        wanted = set().union(*map(self._candidates, sketches))
        missing = [article_id for article_id in wanted if article_id not in self._sketches]
        if missing:
            self._sketches.update(self._load_sketches(missing))

    def find(self, packed: bytes, exclude: str | None = None) -> str | None:
        """The id of the most similar earlier article at or above SIMILARITY, if any."""
        candidates = self._candidates(packed) - {exclude}
        if not candidates:
            return None
        missing = [article_id for article_id in candidates if article_id not in self._sketches]
        if missing:
            self._sketches.update(self._load_sketches(missing))
        scored = []
        for article_id in candidates:
            found = self._sketches.get(article_id)
            if found is not None:
                self._sketches.move_to_end(article_id)
                scored.append((similarity(packed, found), article_id))
        best = max(scored, default=(0.0, ""))
        return best[1] if best[0] >= SIMILARITY else None

    def forget_sketches(self) -> None:
        """Drop cached sketches (kept keys suffice to find candidates again)."""
        self._sketches.clear()

    def trim(self) -> None:
        """Between batches: keep only the CACHED_SKETCHES most recently used sketches.

        Keeping them saves reading them back; dropping the rest bounds the
        memory of a long ingest. Only call it when everything added is stored.
        """
        while len(self._sketches) > CACHED_SKETCHES:
            self._sketches.popitem(last=False)
