"""The text analysis of the three text fields, and a fast path for indexing it.

A text is cut into words by Whoosh's token rule, lower-cased, Chinese,
Japanese and Korean runs cut into pairs of characters, and each word made
its term in the article's language (``languages.forms``: its stem, folded).
English (and an undetermined language) also drops stop words, exactly as
Whoosh's ``StemmingAnalyzer`` has always indexed it (a test holds the two
together on real articles). Indexing needs only the result (each term, how
often it occurs, at which positions), computed with one regex pass and a
stem cache.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from operator import sub
from pickle import dumps

from whoosh import fields
from whoosh.analysis import STOP_WORDS, CompositeAnalyzer, Filter, RegexTokenizer, StopFilter
from whoosh.analysis.tokenizers import default_pattern
from whoosh.system import pack_uint

from newsarchive.query.words import MIN_LENGTH, STOPS
from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.languages import HAS_PAIRED, forms, lower, stop_words, unspaced_words

# The query language's word rule (``query.words``) is Whoosh's: its token pattern, without the group, and stop words.
assert default_pattern.pattern == r"[\w\*]+(\.?[\w\*]+)*", "Whoosh's tokenizer changed: re-check TOKEN"
assert STOPS == frozenset(STOP_WORDS), "Whoosh's stop words changed: re-check STOPS"



def analyzer(language: str | None = None) -> CompositeAnalyzer:
    """Whoosh's analyzer of the word fields in ``language``: what ``stemmed_positions`` gives, a Whoosh step at a time."""
    words = forms(language)
    stops = stop_words(words.language)
    return (
        RegexTokenizer(default_pattern)
        | LowerFilter()
        | PairsFilter()
        | StopFilter(stoplist=stops, minsize=MIN_LENGTH)
        | TermsFilter(words.language)
    )


class LowerFilter(Filter):
    """Whoosh's filter for ``languages.lower``: each word lower-cased as the index has it ("İ" as "i")."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        for token in tokens:
            token.text = lower(token.text)
            yield token


class PairsFilter(Filter):
    """Whoosh's filter for ``languages.unspaced_words``: Chinese, Japanese and Korean runs as pairs of characters,
    the tokens after them moved along."""

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        shift = 0
        for token in tokens:
            if token.positions:
                token.pos += shift
            if HAS_PAIRED.search(token.text) is None:
                yield token
                continue
            pieces = unspaced_words(token.text)
            start = token.pos if token.positions else 0
            for n, piece in enumerate(pieces):
                token.text = piece
                if token.positions:
                    token.pos = start + n
                yield token
            shift += len(pieces) - 1


class TermsFilter(Filter):
    """Whoosh's filter for ``languages.forms``: each word as its term in the language (and a second term
    at the same position for some words written with accents)."""

    def __init__(self, language: str) -> None:
        self.language = language

    def __eq__(self, other: object) -> bool:
        return type(other) is TermsFilter and other.language == self.language

    def __hash__(self) -> int:
        return hash(self.language)

    def __call__(self, tokens):  # type: ignore[no-untyped-def]
        words = forms(self.language)
        for token in tokens:
            if token.stopped:
                yield token
                continue
            for term in words.all_of(token.text):
                token.text = term.decode("utf-8")
                yield token


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


#: The language of the document being indexed through Whoosh's own ``add_document``, which hands a field
#: only its value (``BulkWriter.add_document`` reads the document's ``lang`` itself).
_DOCUMENT_LANGUAGE: ContextVar[str | None] = ContextVar("document_language", default=None)


@contextmanager
def document_language(language: str | None) -> Iterator[None]:
    """Within this, ``StemmedText.index`` analyses text in ``language``: wrap Whoosh's ``add_document`` in it."""
    token = _DOCUMENT_LANGUAGE.set(language)
    try:
        yield
    finally:
        _DOCUMENT_LANGUAGE.reset(token)


class StemmedText(fields.TEXT):
    """A TEXT field of stemmed words with positions, indexed by the fast path, in the document's language
    (``document_language``; English outside it)."""

    def __init__(self, shared: CompositeAnalyzer, *, stored: bool = False, field_boost: float = 1.0) -> None:
        # ``shared`` must come from analyzer(); one instance for all fields keeps one stem cache for queries.
        super().__init__(analyzer=shared, stored=stored, field_boost=field_boost, phrase=True)

    def index(self, value, **kwargs) -> Iterator[tuple[bytes, int, float, bytes]]:  # type: ignore[no-untyped-def]
        if not isinstance(value, str):
            return super().index(value, **kwargs)
        boost = self.format.field_boost
        return (
            (root, len(places), len(places) * boost, encode_positions(places))
            for root, places in stemmed_positions(value, _DOCUMENT_LANGUAGE.get()).items()
        )
