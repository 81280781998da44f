"""Marking a query's words in a text, and picking its best passages: Whoosh's highlighting, on the fast path.

Whoosh highlights by running the text through the analyzer's chain of
generators, one Token object per word, then through its ``ContextFragmenter``
and ``BasicFragmentScorer``; for ten hits that was a third of a warm search.
``passages`` does the same in one loop over the token pattern's matches,
with the stem cache of ``analysis``: the same words marked, the same
passages chosen, as a test checks against Whoosh on real articles.
``Finder`` finds where in a long text to look, without analysing all of it.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice

from newsarchive.engines.whoosh.analysis import MIN_LENGTH, STOPS, TOKEN, cached_stem

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
    kept = list(_kept(text))  # (place, stem) of each word the index keeps
    stems = [stem for _, stem in kept]
    found: set[int] = set()
    for phrase in phrases:
        for begin, stem in enumerate(stems):
            if stem == phrase.stems[0]:
                found.update(kept[at][0] for at in _chain(stems, begin, phrase))
    return frozenset(found)


def _kept(text: str, start: int = 0) -> Iterator[tuple[int, bytes]]:
    """(place, stem) of each word of ``text`` from ``start`` on that the index keeps, places counted from ``start``."""
    for place, token in enumerate(TOKEN.finditer(text, start)):
        if token.end() > CHAR_LIMIT + start:
            break
        lower = token.group().lower()
        if len(lower) >= MIN_LENGTH and lower not in STOPS:
            yield place, cached_stem(lower)


def _chain(stems: Sequence[bytes], begin: int, phrase: PhraseWords) -> list[int]:
    """The indexes in ``stems`` of ``phrase``'s words standing as the phrase from ``begin`` on; empty if they do not."""
    here, chain = begin, [begin]
    for wanted in phrase.stems[1:]:
        reach = range(here + 1, min(here + phrase.slop + 1, len(stems)))
        here = next((ahead for ahead in reach if stems[ahead] == wanted), -1)
        if here < 0:
            return []
        chain.append(here)
    return chain


class Finder:
    """Where the first of a query's words, or of its phrases, stands in a text: found by a pattern, not by analysing it all.

    Matching is by stem, and a Porter stem begins every word it comes from
    but where the stemmer wrote its last letter: "i" for "y" ("compani" of
    "company"), an "e" it put back ("hope" of "hoping"), the "l" of "-ble"
    ("possibl" of "possibility"). So one pattern of those beginnings finds
    every place a match may start, and each place found is checked by
    stemming the word there (and the few words after it, for a phrase).
    """

    def __init__(self, stems: frozenset[bytes], phrases: Sequence[PhraseWords] = ()) -> None:
        self.stems = stems
        self.phrases = tuple(phrase for phrase in phrases if phrase.stems)
        beginnings = {_beginning(stem) for stem in {*stems, *(phrase.stems[0] for phrase in self.phrases)}}
        beginnings.discard("")
        # (Looked for in the lower-cased text.)
        self._pattern = re.compile(_either(_shortest(beginnings))) if beginnings else None

    def __bool__(self) -> bool:
        return bool(self.stems or self.phrases)

    def first(self, text: str) -> int | None:
        """Where in ``text`` the first of the words, or of the phrases, begins; None if none is there."""
        if self._pattern is None:
            return None
        lowered = text.lower()
        if len(lowered) != len(text):  # (only "İ" grows: to "i" and a combining dot)
            lowered = text.replace("\u0130", "I").lower()
        for found in self._pattern.finditer(lowered):
            start = found.start()
            if start > 1 and text[start - 1] == "." and TOKEN.match(text, start - 2):
                continue  # inside a word with a dot ("U.S"), which TOKEN keeps whole
            token = TOKEN.match(text, start)
            if token is None:
                continue
            term = _term(token.group())
            if term in self.stems or any(
                self._phrase_at(text, start, phrase) for phrase in self.phrases if phrase.stems[0] == term
            ):
                return start
        return None

    @staticmethod
    def _phrase_at(text: str, start: int, phrase: PhraseWords) -> bool:
        reach = 1 + (len(phrase.stems) - 1) * phrase.slop  # the kept words the phrase may span
        stems = [stem for _, stem in islice(_kept(text, start), reach)]
        return bool(_chain(stems, 0, phrase))


#: A beginning longer than this finds nothing more precisely: the stem is checked anyway.
_BEGINNING_CHARS = 24


def _beginning(stem: bytes) -> str:
    """What every word with this stem begins with, lower-cased: the stem, less a last letter the stemmer may have written."""
    text = stem.decode("utf-8", "replace").replace("i\u0307", "i")  # (matched against "İ" lowered as "i")
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


def _term(word: str) -> bytes:
    """The word as the analyzer leaves it with stop words kept: lower-cased, and stemmed unless a stop word."""
    lower = word.lower()
    if len(lower) < MIN_LENGTH or lower in STOPS:
        return lower.encode("utf-8")
    return cached_stem(lower)


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
