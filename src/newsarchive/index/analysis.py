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
from collections.abc import Iterator
from pickle import dumps

from whoosh import fields
from whoosh.analysis import STOP_WORDS, StemmingAnalyzer
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.porter import stem
from whoosh.system import pack_uint

#: Whoosh's default token pattern (words, with ``*`` and inner dots), without its capturing group.
TOKEN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
assert default_pattern.pattern == r"[\w\*]+(\.?[\w\*]+)*", "Whoosh's tokenizer changed: re-check TOKEN"
STOPS = frozenset(STOP_WORDS)
MIN_LENGTH = 2

_STEMS: dict[str, bytes] = {}
#: The stem cache stops growing here: the words that recur are among the first
#: seen, and a bigger vocabulary is names and typos (about 12 MB at the cap).
STEM_CACHE_SIZE = 100_000


def analyzer() -> StemmingAnalyzer:
    """The analyzer for querying and highlighting the text fields."""
    return StemmingAnalyzer(stoplist=STOPS, minsize=MIN_LENGTH, cachesize=100_000)


def stemmed_positions(text: str) -> dict[bytes, list[int]]:
    """Each stem of ``text`` (as UTF-8, the index's term bytes) and its positions, numbered as the analyzer does.

    Stop words and one-letter words are dropped and the positions closed up
    behind them, starting from the first kept word's place.
    """
    tokens = TOKEN.findall(text.lower()) if text.isascii() else [token.lower() for token in TOKEN.findall(text)]
    positions: dict[bytes, list[int]] = {}
    stems = _STEMS
    position = -1
    for place, word in enumerate(tokens):
        if len(word) < MIN_LENGTH or word in STOPS:
            continue
        position = place if position < 0 else position + 1
        root = stems.get(word) or cached_stem(word)
        found = positions.get(root)
        if found is None:
            positions[root] = [position]
        else:
            found.append(position)
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


def encode_positions(positions: list[int]) -> bytes:
    """The posting value of Whoosh's ``Positions`` format: the count, then the pickled gaps."""
    if len(positions) == 1:  # most words of an article occur once: their values repeat
        position = positions[0]
        value = _ONCE.get(position)
        if value is None:
            value = pack_uint(1) + dumps(positions, 2)
            if position < _ONCE_UP_TO:
                _ONCE[position] = value
        return value
    gaps = [positions[0], *(after - before for before, after in zip(positions, positions[1:], strict=False))]
    return pack_uint(len(gaps)) + dumps(gaps, 2)


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
