"""Marking a query's words in a text, and picking its best passages: Whoosh's highlighting, on the fast path.

Whoosh highlights by running the text through the analyzer's chain of
generators, one Token object per word, then through its ``ContextFragmenter``
and ``BasicFragmentScorer``; for ten hits that was a third of a warm search.
``passages`` does the same in one loop over the token pattern's matches,
with the stem cache of ``analysis``: the same words marked, the same
passages chosen, as a test checks against Whoosh on real articles.
``Finder`` finds where in a long text to look, without analysing all of it.

A text is read in its article's language (``languages.Forms``; English
unless told): its words stemmed and folded as the index holds them, so an
inflected form is marked for a query of another ("переговоры" for
"переговор"); Chinese, Japanese and Korean runs are read as their pairs of
characters, marked where the query's pairs stand.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import NamedTuple

from newsarchive.query.words import MIN_LENGTH, TOKEN
from newsarchive.text.languages import DICTIONARY, HAS_PAIRED, Forms, forms, stop_words, unspaced_spans
from newsarchive.text.languages import lower as to_lower

#: Whoosh's fragmenter looks no further into a text than this.
CHAR_LIMIT = 2**15


@dataclass(frozen=True)
class Passage:
    start: int
    end: int
    marks: tuple[tuple[int, int], ...]  # (start, end) of each marked word, in order
    score: int


@dataclass(frozen=True)
class PhraseWords:
    """A phrase of a query: its stems in order, each within ``slop`` words of the one before."""

    stems: tuple[bytes, ...]
    slop: int = 1


def passages(
    text: str,
    words: frozenset[bytes],
    *,
    max_chars: int,
    surround: int,
    top: int,
    phrases: Sequence[PhraseWords] = (),
    language: Forms | None = None,
) -> list[Passage]:
    """The ``top`` best passages of ``text`` around ``words`` (stems, as index terms), in reading order.

    Whoosh's ``ContextFragmenter(max_chars, surround)`` with the analyzer's
    tokens (stop words and one-letter words count as text, unstemmed), then
    its ``top_fragments`` with ``BasicFragmentScorer``: the matches in a
    passage times a hundred times the distinct words among them.

    A phrase's words count only where they stand as the phrase (Whoosh
    would mark them anywhere, and pick a passage where they stand apart).
    The words are read as ``language`` has them (English unless told).
    """
    language = language or _ENGLISH
    stems, stem_of, terms, all_of = language.stems, language.of, language.terms, language.all_of
    stops = stop_words(language.language)
    in_phrases = _phrase_tokens(text, phrases, language) if phrases else frozenset()
    found: list[Passage] = []
    first: int | None = None  # where the passage being built starts
    starts: deque[int] = deque()  # starts of the words just before it (its leading context)
    countdown = -1  # >= 0 while building a passage: the characters of context still to take
    marks: list[tuple[int, int]] = []
    marked: set[bytes] = set()
    length = 0
    end = 0
    for place, token in enumerate(_tokens(text)):
        start, stop = token.span()
        if stop > CHAR_LIMIT:
            break
        size = stop - start if start >= end else stop - end  # (pairs of characters overlap)
        end = stop
        lower = token.group().lower()  # (``_terms``, written out: this loop is the hot one)
        if len(lower) != stop - start:  # ("İ" grew: lowered as the index lowers it)
            lower = to_lower(token.group())
        if len(lower) < MIN_LENGTH or lower in stops:
            term = lower.encode("utf-8")
        elif lower.isascii():  # (one term)
            term = stems.get(lower) or stem_of(lower)
        else:  # (any of its terms)
            held = terms.get(lower) or all_of(lower)
            term = next((other for other in held if other in words), held[0])
        matched = term in words or place in in_phrases
        if countdown < 0 and not matched:
            starts.append(start)
            while starts and end - starts[0] > surround:
                starts.popleft()
        elif length + size > max_chars:
            countdown = 0
        elif matched:
            countdown = surround
            if first is None:
                if starts:
                    first = starts[0]
                else:
                    first = start
                    countdown += surround
            if marks and start < marks[-1][1]:  # (a pair beside a pair marked: one mark)
                marks[-1] = (marks[-1][0], end)
            else:
                marks.append((start, end))
            marked.add(term)
        if countdown >= 0:
            length += size
            countdown -= size
            if countdown <= 0:
                found.append(_passage(first, end, marks, marked))
                starts, first, marks, marked, length = deque(), None, [], set(), 0
    if marks:
        found.append(_passage(first, end, marks, marked))
    best = sorted(found, key=lambda passage: (passage.score, passage.start), reverse=True)[:top]
    return sorted((passage for passage in best if passage.score >= 1), key=lambda passage: passage.start)


def _phrase_tokens(text: str, phrases: Sequence[PhraseWords], language: Forms) -> frozenset[int]:
    """The places (in ``_tokens``) of the words that stand as one of the phrases.

    Places count as the index counts positions: stop words and one-letter
    words take none, so "secretary of state" is the phrase "secretari state".
    """
    kept = list(_kept(text, language))  # (place, terms) of each word the index keeps
    stems = [terms for _, terms in kept]
    found: set[int] = set()
    for phrase in phrases:
        for begin, terms in enumerate(stems):
            if phrase.stems[0] in terms:
                found.update(kept[at][0] for at in _chain(stems, begin, phrase))
    return frozenset(found)


def _kept(text: str, language: Forms, start: int = 0) -> Iterator[tuple[int, tuple[bytes, ...]]]:
    """(place, terms) of each word of ``text`` from ``start`` on that the index keeps, places counted from ``start``."""
    stops = stop_words(language.language)
    for place, token in enumerate(_tokens(text, start)):
        if token.end() > CHAR_LIMIT + start:
            break
        lower = to_lower(token.group())
        if len(lower) >= MIN_LENGTH and lower not in stops:
            yield place, language.all_of(lower)


def _chain(stems: Sequence[tuple[bytes, ...]], begin: int, phrase: PhraseWords) -> list[int]:
    """The indexes in ``stems`` (each word's terms) of ``phrase``'s words standing as the phrase from ``begin`` on;
    empty if they do not."""
    here, chain = begin, [begin]
    for wanted in phrase.stems[1:]:
        reach = range(here + 1, min(here + phrase.slop + 1, len(stems)))
        here = next((ahead for ahead in reach if wanted in stems[ahead]), -1)
        if here < 0:
            return []
        chain.append(here)
    return chain


class Finder:
    """Where the first of a query's words, or of its phrases, stands in a text: found by a pattern, not by analysing it all.

    Matching is by stem, and a stem begins every word it comes from but
    where the stemmer wrote its last letter: Porter's "i" for "y" ("compani"
    of "company"), an "e" it put back ("hope" of "hoping"), the "l" of "-ble"
    ("possibl" of "possibility"); a Snowball stem may change its last letter
    too, and a dictionary form (Ukrainian) its last few. So one pattern of
    those beginnings finds every place a match may start, in the text folded
    as the index folds it, and each place found is checked by stemming the
    word there (and the few words after it, for a phrase). Pairs of Chinese,
    Japanese or Korean characters are looked for anywhere in their runs.
    """

    def __init__(
        self, stems: frozenset[bytes], phrases: Sequence[PhraseWords] = (), language: Forms | None = None
    ) -> None:
        self.stems = stems
        self.phrases = tuple(phrase for phrase in phrases if phrase.stems)
        self.language = language or _ENGLISH
        self._folds = self.language.language != "en"  # (English as it always was: accents are rare there)
        firsts = {stem.decode("utf-8", "replace") for stem in {*stems, *(phrase.stems[0] for phrase in self.phrases)}}
        paired = {first for first in firsts if HAS_PAIRED.match(first)}
        cut = 3 if self.language.language in DICTIONARY else 1
        beginnings = {_beginning(first, cut if self._folds else None) for first in firsts - paired}
        beginnings.discard("")
        # (Looked for in the lower-cased text; a pair inside a run of its script, where no word begins.)
        patterns = [_either(_shortest(beginnings))] if beginnings else []
        patterns += [re.escape(pair) for pair in sorted(paired)]
        self._pattern = re.compile("|".join(patterns)) if patterns else None

    def __bool__(self) -> bool:
        return bool(self.stems or self.phrases)

    def first(self, text: str) -> int | None:
        """Where in ``text`` the first of the words, or of the phrases, begins; None if none is there."""
        if self._pattern is None:
            return None
        lowered = to_lower(text)
        if self._folds:
            lowered = self.language.fold(lowered)
        for found in self._pattern.finditer(lowered):
            start = found.start()
            if HAS_PAIRED.match(lowered, start):
                token: re.Match[str] | _Piece | None = _Piece.paired(lowered, start)
            elif start > 1 and text[start - 1] == "." and TOKEN.match(text, start - 2):
                continue  # inside a word with a dot ("U.S"), which TOKEN keeps whole
            else:
                token = TOKEN.match(text, start)
            if token is None:
                continue
            held = _terms(token.group(), self.language)
            term = next((other for other in held if other in self.stems), held[0])
            if term in self.stems or any(
                self._phrase_at(text, start, phrase) for phrase in self.phrases if phrase.stems[0] == term
            ):
                return start
        return None

    def _phrase_at(self, text: str, start: int, phrase: PhraseWords) -> bool:
        reach = 1 + (len(phrase.stems) - 1) * phrase.slop  # the kept words the phrase may span
        stems = [terms for _, terms in islice(_kept(text, self.language, start), reach)]
        return bool(_chain(stems, 0, phrase))


#: A beginning longer than this finds nothing more precisely: the stem is checked anyway.
_BEGINNING_CHARS = 24


def _beginning(stem: str, cut: int | None = None) -> str:
    """What every word with this stem begins with, lower-cased: the stem, less a last letter Porter may have
    written (``cut`` None), or less its last ``cut`` letters (another stemmer's, folded), keeping two."""
    if cut is not None:
        return stem[: max(2, len(stem) - cut)][:_BEGINNING_CHARS]
    text = stem
    if len(text) > 1 and text[-1] in "iel":
        text = text[:-1]
    return text[:_BEGINNING_CHARS]


def _shortest(beginnings: set[str]) -> list[str]:
    """The beginnings, sorted, without those that begin with another (that one finds them)."""
    kept: list[str] = []
    for beginning in sorted(beginnings):
        if not kept or not beginning.startswith(kept[-1]):
            kept.append(beginning)
    return kept


def _either(beginnings: list[str], before: int = 0) -> str:
    """A pattern for any of ``beginnings`` (sorted, none the start of another) where it starts a word.

    The alternatives share their common starts, as in a trie, so that a long
    list costs little; each ends by checking that no word character stands
    before it, which leaves the pattern its fast scan for its first letters.
    """
    if len(beginnings) == 1:
        return re.escape(beginnings[0]) + _starts_word(before + len(beginnings[0]))
    groups: dict[str, list[str]] = {}
    for beginning in beginnings:
        groups.setdefault(beginning[0], []).append(beginning[1:])
    parts = [
        re.escape(head) + (_either(rest, before + 1) if rest != [""] else _starts_word(before + 1))
        for head, rest in groups.items()
    ]
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _starts_word(length: int) -> str:
    """After ``length`` characters matched: they do not follow a word character (as TOKEN reads words)."""
    return rf"(?<![\w*][\s\S]{{{length}}})"


def _passage(first: int | None, end: int, marks: list[tuple[int, int]], marked: set[bytes]) -> Passage:
    start = first if first is not None else (marks[0][0] if marks else 0)
    return Passage(start, end, tuple(marks), len(marks) * (len(marked) * 100 or 1))


def _term(word: str, language: Forms | None = None) -> bytes:
    """The word's first term (``_terms``), in English unless told."""
    return _terms(word, language or _ENGLISH)[0]


def _terms(word: str, language: Forms) -> tuple[bytes, ...]:
    """The word's terms as the analyzer leaves them with stop words kept: lower-cased, and stemmed unless a
    stop word (English's: other languages keep them) or a single letter."""
    lower = to_lower(word)
    if len(lower) < MIN_LENGTH or lower in stop_words(language.language):
        return (lower.encode("utf-8"),)
    return language.all_of(lower)


_ENGLISH = forms(None)


class _Piece(NamedTuple):
    """A word of a text that ``TOKEN`` does not cut out alone: a pair of characters in a run of Chinese,
    Japanese or Korean, or a word beside such a run. As much of a match as the readers here use."""

    at: int
    to: int
    text: str

    def start(self) -> int:
        return self.at

    def end(self) -> int:
        return self.to

    def group(self) -> str:
        return self.text

    def span(self) -> tuple[int, int]:
        return self.at, self.to

    @classmethod
    def paired(cls, text: str, start: int) -> _Piece:
        """The pair of characters (or the lone character) of the run that ``text`` has at ``start``."""
        end = start + 2 if HAS_PAIRED.match(text, start + 1) else start + 1
        return cls(start, end, text[start:end])


def _tokens(text: str, start: int = 0) -> Iterator[re.Match[str] | _Piece]:
    """The words of ``text`` from ``start`` on, as the index counts them: ``TOKEN``'s matches, those holding
    Chinese, Japanese or Korean cut into their pairs of characters and the words beside them."""
    if text.isascii() or HAS_PAIRED.search(text, start) is None:
        return TOKEN.finditer(text, start)
    return _pieces(text, start)


def _pieces(text: str, start: int) -> Iterator[re.Match[str] | _Piece]:
    for token in TOKEN.finditer(text, start):
        if HAS_PAIRED.search(token.group()) is None:
            yield token
            continue
        at = token.start()
        for begin, end in unspaced_spans(token.group()):
            yield _Piece(at + begin, at + end, text[at + begin : at + end])


def mark(text: str, chosen: list[Passage], start_mark: str, end_mark: str) -> str:
    """The passages' text with their marked words wrapped, "…" where a passage cuts the text, joined by spaces.

    A passage that leaves out only punctuation ("deal." or a quote mark) takes it in rather than show "…".
    """
    shown = []
    for passage in chosen:
        begin = 0 if TOKEN.search(text, 0, passage.start) is None else passage.start
        finish = len(text) if TOKEN.search(text, passage.end) is None else passage.end
        parts = []
        at = begin
        for start, end in passage.marks:
            parts.append(text[at:start])
            parts.append(start_mark + text[start:end] + end_mark)
            at = end
        parts.append(text[at:finish])
        piece = "".join(parts).strip()
        if begin > 0:
            piece = "… " + piece
        if finish < len(text):
            piece += " …"
        shown.append(piece)
    return " ".join(shown).replace("… …", "…")
