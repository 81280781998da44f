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


def passages(text: str, words: frozenset[bytes], *, max_chars: int, surround: int, top: int) -> list[Passage]:
    """The ``top`` best passages of ``text`` around ``words`` (stems, as index terms), in reading order.

    Whoosh's ``ContextFragmenter(max_chars, surround)`` with the analyzer's
    tokens (stop words and one-letter words count as text, unstemmed), then
    its ``top_fragments`` with ``BasicFragmentScorer``: the matches in a
    passage times a hundred times the distinct words among them.
    """
    found: list[Passage] = []
    first: int | None = None  # where the passage being built starts
    starts: deque[int] = deque()  # starts of the words just before it (its leading context)
    countdown = -1  # >= 0 while building a passage: the characters of context still to take
    marks: list[tuple[int, int]] = []
    marked: set[bytes] = set()
    length = 0
    end = 0
    for token in TOKEN.finditer(text):
        start, end = token.span()
        if end > CHAR_LIMIT:
            break
        size = end - start
        term = _term(token.group())
        matched = term in words
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
