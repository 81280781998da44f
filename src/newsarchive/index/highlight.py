"""Marking a query's words in a text, and picking its best passages: Whoosh's highlighting, on the fast path.

Whoosh highlights by running the text through the analyzer's chain of
generators, one Token object per word, then through its ``ContextFragmenter``
and ``BasicFragmentScorer``; for ten hits that was a third of a warm search.
``passages`` does the same in one loop over the token pattern's matches,
with the stem cache of ``analysis``: the same words marked, the same
passages chosen, as a test checks against Whoosh on real articles.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

from newsarchive.index.analysis import MIN_LENGTH, STOPS, TOKEN, cached_stem

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
) -> list[Passage]:
    """The ``top`` best passages of ``text`` around ``words`` (stems, as index terms), in reading order.

    Whoosh's ``ContextFragmenter(max_chars, surround)`` with the analyzer's
    tokens (stop words and one-letter words count as text, unstemmed), then
    its ``top_fragments`` with ``BasicFragmentScorer``: the matches in a
    passage times a hundred times the distinct words among them.

    A phrase's words count only where they stand as the phrase (Whoosh
    would mark them anywhere, and pick a passage where they stand apart).
    """
    in_phrases = _phrase_tokens(text, phrases) if phrases else frozenset()
    found: list[Passage] = []
    first: int | None = None  # where the passage being built starts
    starts: deque[int] = deque()  # starts of the words just before it (its leading context)
    countdown = -1  # >= 0 while building a passage: the characters of context still to take
    marks: list[tuple[int, int]] = []
    marked: set[bytes] = set()
    length = 0
    end = 0
    for place, token in enumerate(TOKEN.finditer(text)):
        start, end = token.span()
        if end > CHAR_LIMIT:
            break
        size = end - start
        term = _term(token.group())
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


def _phrase_tokens(text: str, phrases: Sequence[PhraseWords]) -> frozenset[int]:
    """The places (in ``TOKEN``'s matches) of the words that stand as one of the phrases.

    Places count as the index counts positions: stop words and one-letter
    words take none, so "secretary of state" is the phrase "secretari state".
    """
    kept: list[tuple[int, bytes]] = []  # (place, stem) of each word the index keeps
    for place, token in enumerate(TOKEN.finditer(text)):
        if token.end() > CHAR_LIMIT:
            break
        lower = token.group().lower()
        if len(lower) >= MIN_LENGTH and lower not in STOPS:
            kept.append((place, cached_stem(lower)))
    found: set[int] = set()
    for phrase in phrases:
        first, rest = phrase.stems[0], phrase.stems[1:]
        for begin, (place, stem) in enumerate(kept):
            if stem != first:
                continue
            here, chain = begin, [place]
            for wanted in rest:
                reach = range(here + 1, min(here + phrase.slop + 1, len(kept)))
                here = next((ahead for ahead in reach if kept[ahead][1] == wanted), -1)
                if here < 0:
                    break
                chain.append(kept[here][0])
            if len(chain) == len(phrase.stems):
                found.update(chain)
    return frozenset(found)


def _passage(first: int | None, end: int, marks: list[tuple[int, int]], marked: set[bytes]) -> Passage:
    start = first if first is not None else (marks[0][0] if marks else 0)
    return Passage(start, end, tuple(marks), len(marks) * (len(marked) * 100 or 1))


def _term(word: str) -> bytes:
    """The word as the analyzer leaves it with stop words kept: lower-cased, and stemmed unless a stop word."""
    lower = word.lower()
    if len(lower) < MIN_LENGTH or lower in STOPS:
        return lower.encode("utf-8")
    return cached_stem(lower)


def mark(text: str, chosen: list[Passage], start_mark: str, end_mark: str) -> str:
    """The passages' text with their marked words wrapped, "…" where a passage cuts the text, joined by spaces."""
    shown = []
    for passage in chosen:
        parts = []
        at = passage.start
        for start, end in passage.marks:
            parts.append(text[at:start])
            parts.append(start_mark + text[start:end] + end_mark)
            at = end
        parts.append(text[at : passage.end])
        piece = "".join(parts).strip()
        if passage.start > 0:
            piece = "… " + piece
        if passage.end < len(text):
            piece += " …"
        shown.append(piece)
    return " ".join(shown).replace("… …", "…")
