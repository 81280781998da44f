"""The text analysis of the three text fields, and a fast path for indexing it.

Queries, snippets and "did you mean" run text through Whoosh's
``StemmingAnalyzer``: a regex tokenizer, lower-casing, English stop words
and the Porter stemmer, each a Python generator step per token. Indexing
needs only the result (each stem, how often it occurs, at which positions),
and computing that with one regex pass and a stem cache is about 2.5 times
faster. ``StemmedText.index`` does so and gives exactly what the analyzer
gives, so an indexed word and a query word always meet; a test holds the two
to that on real articles.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterator, Sequence
from operator import sub
from pickle import dumps

from whoosh import fields
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

from newsarchive.pieces import pieces
from newsarchive.query.words import MIN_LENGTH, STOPS, TOKEN

# The query language's word rule (``query.words``) is Whoosh's: its token pattern, without the group, and stop words.
assert default_pattern.pattern == r"[\w\*]+(\.?[\w\*]+)*", "Whoosh's tokenizer changed: re-check TOKEN"
assert STOPS == frozenset(STOP_WORDS), "Whoosh's stop words changed: re-check STOPS"
#: A longer text is analysed in pieces of about this many characters (a news story is one piece).
PIECE_CHARS = 1 << 16
#: A character no word goes on over: where a long text may be cut (each word is lower-cased on its own, or is ASCII).
_BETWEEN_WORDS = re.compile(r"[^\w\*.]")

_STEMS: dict[str, bytes] = {}
#: The stem cache stops growing here: the words that recur are among the first
#: seen, and a bigger vocabulary is names and typos (about 12 MB at the cap).
STEM_CACHE_SIZE = 100_000


def analyzer() -> StemmingAnalyzer:
    """The analyzer for querying and highlighting the text fields."""
    return StemmingAnalyzer(stoplist=STOPS, minsize=MIN_LENGTH, cachesize=100_000)


def stemmed_positions(text: str) -> dict[bytes, array[int]]:
    """Each stem of ``text`` (as UTF-8, the index's term bytes) and its positions, numbered as the analyzer does.

    Stop words and one-letter words are dropped and the positions closed up
    behind them, starting from the first kept word's place. Positions are
    kept four bytes each, and a long text is read a piece at a time: its
    words as a list of strings would take some ten times the text.
    """
    positions: dict[bytes, array[int]] = {}
    stems = _STEMS
    position = -1
    place = 0  # the number of words in the pieces before this one
    for piece in pieces(text, PIECE_CHARS, _BETWEEN_WORDS):
        tokens = TOKEN.findall(piece.lower()) if piece.isascii() else [token.lower() for token in TOKEN.findall(piece)]
        found_here: dict[bytes, list[int]] = {}
        for offset, word in enumerate(tokens):
            if len(word) < MIN_LENGTH or word in STOPS:
                continue
            position = place + offset if position < 0 else position + 1
            root = stems.get(word) or cached_stem(word)
            found = found_here.get(root)
            if found is None:
                found_here[root] = [position]
            else:
                found.append(position)
        place += len(tokens)
        for root, places in found_here.items():
            kept = positions.get(root)
            if kept is None:
                positions[root] = array("I", places)
            else:
                kept.extend(places)
    return positions


def cached_stem(word: str) -> bytes:
    """The Porter stem of a lower-case word, as UTF-8, from the cache while it has room."""
    root = _STEMS.get(word)
    if root is None:
        root = stem(word).encode("utf-8")
        if len(_STEMS) < STEM_CACHE_SIZE:
            _STEMS[word] = root
    return root


_ONCE: dict[int, bytes] = {}
_ONCE_UP_TO = 50_000


def encode_positions(positions: Sequence[int]) -> bytes:
    """The posting value of Whoosh's ``Positions`` format: the count, then the pickled list of gaps."""
    first = positions[0]
    if len(positions) == 1:  # most words of an article occur once: their values repeat
        value = _ONCE.get(first)
        if value is None:
            value = pack_uint(1) + dumps([first], 2)
            if first < _ONCE_UP_TO:
                _ONCE[first] = value
        return value
    return pack_uint(len(positions)) + dumps([first, *map(sub, positions[1:], positions)], 2)


class StemmedText(fields.TEXT):
    """A TEXT field of stemmed English with positions, indexed by the fast path."""

    def __init__(self, shared: StemmingAnalyzer, *, stored: bool = False, field_boost: float = 1.0) -> None:
        # ``shared`` must come from analyzer(); one instance for all fields keeps one stem cache for queries.
        super().__init__(analyzer=shared, stored=stored, field_boost=field_boost, phrase=True)

    def index(self, value, **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:  # type: ignore[no-untyped-def]
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return (
            (root, len(places), len(places) * boost, encode_positions(places))
            for root, places in stemmed_positions(value).items()
        )
