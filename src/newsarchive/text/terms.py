"""A query's words as the terms an analysis indexes them by: what every engine looks a word, a phrase or a
prefix up by, whatever it then builds of them (a Whoosh query, a PostgreSQL ``tsquery``).

A word's terms are alternatives (its stem, the stem of its unaccented
spelling, its dictionary forms' stems): any of them matches. A run of
Chinese, Japanese or Korean is its pairs of characters, which stand in order
as a phrase. The query tree's ``lang:`` clauses narrow the analyses a group
of words is looked up in (``named_analyses``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import combinations, islice, product
from typing import NamedTuple

from newsarchive.errors import InvalidQuery
from newsarchive.query import tree as qt
from newsarchive.query.words import MIN_LENGTH, TOKEN
from newsarchive.text.languages import DICTIONARY, HAS_PAIRED, analysis_of, forms, lower, stop_words, unspaced_words

#: The most spellings of one phrase looked for: each is a phrase of its own to match.
MAX_PHRASE_SPELLINGS = 32


class WordPart(NamedTuple):
    """One token of a typed word as an analysis indexes it: ``terms``, any of which matches; or, for a ``run``
    of Chinese, Japanese or Korean pairs (and the words beside them), one term per piece, in order, as a phrase."""

    terms: tuple[str, ...]
    run: bool = False


def word_parts(text: str, analysis: str) -> list[WordPart]:
    """The parts of a word of a word field (``text`` may be words typed as one) that must all match."""
    words = forms(analysis)
    parts: list[WordPart] = []
    for pieces in tokens(text, analysis):
        if len(pieces) > 1:
            parts.append(WordPart(tuple(words.of(piece).decode("utf-8") for piece in pieces), run=True))
        else:
            parts.append(WordPart(tuple(term.decode("utf-8") for term in words.all_of(pieces[0]))))
    return parts


def phrase_spellings(text: str, analysis: str) -> list[tuple[str, ...]]:
    """A phrase as ``analysis`` indexes its words, in each of its spellings (``spellings``), at most
    ``MAX_PHRASE_SPELLINGS``: any of them matching is the phrase matching. Empty when no word is kept."""
    words = forms(analysis)
    options = [words.all_of(piece) for token in tokens(text, analysis) for piece in token]
    if not options:
        return []
    return [
        tuple(term.decode("utf-8") for term in spelling)
        for spelling in islice(spellings(options), MAX_PHRASE_SPELLINGS)
    ]


def spellings(options: Sequence[tuple[bytes, ...]]) -> Iterator[tuple[bytes, ...]]:
    """The phrases of one term of each word (``options``: each word's terms): each word's first term, then
    with one word's other terms, two words'..., so that a cap keeps every word's alternatives first."""
    first = tuple(terms[0] for terms in options)
    varied = [at for at, terms in enumerate(options) if len(terms) > 1]
    for changed in range(len(varied) + 1):
        for places in combinations(varied, changed):
            for picks in product(*(options[at][1:] for at in places)):
                spelling = list(first)
                for at, pick in zip(places, picks, strict=True):
                    spelling[at] = pick
                yield tuple(spelling)


def tokens(text: str, analysis: str) -> Iterator[list[str]]:
    """The lower-case words of each token of ``text`` that ``analysis`` keeps (those of a token with Chinese,
    Japanese or Korean are its pairs of characters and the words beside them); tokens with none kept are left out."""
    stops = stop_words(analysis)
    for token in TOKEN.findall(text):
        kept = [piece for piece in _words_of(lower(token)) if len(piece) >= MIN_LENGTH and piece not in stops]
        if kept:
            yield kept


def _words_of(lowered: str) -> list[str]:
    """A lower-case token as words: itself, or its pairs of Chinese, Japanese or Korean characters and the words beside them."""
    return unspaced_words(lowered) if HAS_PAIRED.search(lowered) else [lowered]


def first_term(words: list[list[str]], text: str) -> str:
    """The first term an analysis makes of a text (``whole_terms``), or the text itself when it makes none."""
    return words[0][0] if words and words[0] else text


def as_typed_too(words: list[list[str]], text: str, analysis: str) -> list[list[str]]:
    """A prefix's or wildcard's terms, and in a language matched by dictionary forms the text as typed
    (lower-cased and folded) beside them: the dictionary form of a word's start is no start ("вистав" is no
    "вистава")."""
    if len(words) != 1 or analysis not in DICTIONARY:  # (a stem of a start is still a start)
        return words
    typed = forms(analysis).fold(lower(text))
    return words if typed in words[0] else [[*words[0], typed]]


def prefix_variants(text: str, analyses: Sequence[str]) -> tuple[list[str], list[str]]:
    """``negotiat*`` must find "negotiators", which an index holds as the stem "negoti": the prefixes (the
    stem of the prefix in each of ``analyses``, where it differs) and the whole terms (the few stems that are
    the prefix cut short by up to three letters: stemmers trim suffixes such as "-ator", "-ion", "-e") that a
    prefix of a stemmed field also stands for, beside itself."""
    prefixes: list[str] = []
    for analysis in analyses:
        words = forms(analysis)
        stemmed = words.fold(words.stem(text))
        if stemmed and stemmed != text and stemmed not in prefixes:
            prefixes.append(stemmed)
    return prefixes, [text[:cut] for cut in range(max(4, len(text) - 3), len(text))]


def named_analyses(node: qt.And, analyses: tuple[str, ...]) -> tuple[str, ...]:
    """Those of ``analyses`` of the languages that the ``lang:`` clauses of a group of ANDed parts name
    (``lang:ru``, ``(lang:ru OR lang:uk)``); all of them where none does, or where the languages named are
    none of the archive's (the group finds nothing then)."""
    named: set[str] = set()
    for child in node.children:
        choices = child.children if isinstance(child, qt.Or) else (child,)
        if all(isinstance(choice, qt.Word) and choice.field == "lang" for choice in choices):
            named.update(analysis_of(choice.text.strip()) for choice in choices if isinstance(choice, qt.Word))
    return tuple(analysis for analysis in analyses if analysis in named) or analyses


def narrowed(root: qt.And) -> bool:
    """Whether the root is a query and the date clauses that narrow it (as the parser puts them)."""
    return any(isinstance(child, qt.DateRange) for child in root.children)


def ordered_analyses(found: set[str]) -> tuple[str, ...]:
    """An archive's analyses in the order engines look words up in: English first, then by name."""
    return tuple(sorted(found, key=lambda analysis: (analysis != "en", analysis)))


def whole_terms(text: str, analysis: str) -> list[list[str]]:
    """The terms of each word ``analysis`` makes of a text not cut into words (a prefix, a wildcard, a fuzzy
    word, a range's end): lower-cased, pairs of Chinese characters words of their own, each word's terms
    alternatives (a stop word or one letter kept as it is)."""
    words, stops = forms(analysis), stop_words(analysis)
    return [
        [piece] if len(piece) < MIN_LENGTH or piece in stops else [term.decode("utf-8") for term in words.all_of(piece)]
        for piece in _words_of(lower(text))
    ]


#: Words of the archive that a query's wildcard, fuzzy and range terms may stand for, together.
MAX_EXPANSION = 1_000
_WIDE_HINTS = {
    "fuzzy term": "allow it one edit (~1), or search for the word itself",
    "wildcard": "give it more letters before its * or ?",
    "range": "narrow the range (e.g. [kursk TO kyiv]), or search for words",
}


def too_wide(kind: str, named: str, *, alone: bool) -> InvalidQuery:
    """The refusal of a query whose ``kind`` of term ("fuzzy term", "wildcard", "range"), ``named`` as typed,
    stands for more than ``MAX_EXPANSION`` words (``alone``, or with the query's other such terms)."""
    return InvalidQuery(
        f"the {kind} {named!r} stands for more than {MAX_EXPANSION:,} words of the archive"
        + ("" if alone else " with the query's other fuzzy, wildcard and range terms"),
        hint=_WIDE_HINTS[kind],
    )
