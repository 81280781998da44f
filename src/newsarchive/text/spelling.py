"""How far a word typed is from the words an archive holds: the rules behind "did you mean", for every engine.

An index holds stems ("arsen" for "arsenal"), so a stem is compared with the
typed word as a stemmer might cut it short (``stem_distance``) and with the
typed word's own stems; cheap tests on the letters come first (``Reach``).
The closest stems are then turned back into written words by the engine.
"""

from __future__ import annotations

import re

from newsarchive.text.languages import fold

MAX_EDITS = 2
#: The most letters of a typed word a stem may leave off as its suffix ("-ion" of "election", "-ing" of "spending").
SUFFIX = 4
#: The words of a query that a suggestion may respell: plain words of three letters or more, no operators.
_PLAIN_WORD = re.compile(r"(?<![\w:*~\"])([^\W\d_]{3,})(?![\w:*~])")
_OPERATORS = frozenset({"AND", "OR", "NOT", "TO"})


def plain_words(query_text: str) -> list[re.Match[str]]:
    """Where the words a suggestion may respell stand in ``query_text`` (group 1 of each match)."""
    return [found for found in _PLAIN_WORD.finditer(query_text) if found.group(1) not in _OPERATORS]


def respelled(query_text: str, words: list[re.Match[str]], picks: dict[int, str]) -> str:
    """``query_text`` with the ``words`` at the indexes of ``picks`` replaced by their picks."""
    parts, last = [], 0
    for at, found in enumerate(words):
        if at in picks:
            parts += [query_text[last : found.start(1)], picks[at]]
            last = found.end(1)
    return "".join(parts) + query_text[last:]


def stem_distance(stemmed: str, word: str, limit: int, suffix: int = SUFFIX) -> int:
    """Edits between a stem and ``word`` as a stemmer might cut it: the closest of the word's starts that leave
    off at most ``suffix`` letters (more than ``limit`` once it is out of reach).

    Damerau-Levenshtein (a swap of two letters is one edit), Whoosh's, with the
    last row kept: row[j] is the distance from the stem to the word's first j letters.
    """
    size = len(word)
    twoago: list[int] = []
    oneago: list[int] = []
    row = list(range(size + 1))
    for x, char in enumerate(stemmed, 1):
        twoago, oneago, row = oneago, row, [x] + [0] * size
        for y in range(1, size + 1):
            other = word[y - 1]
            best = min(oneago[y] + 1, row[y - 1] + 1, oneago[y - 1] + (char != other))
            if x > 1 and y > 1 and char == word[y - 2] and stemmed[x - 2] == other and char != other:
                best = min(best, twoago[y - 2] + 1)
            row[y] = best
        if min(row) > limit:
            return limit + 1
    return min(limit + 1, *row[max(0, size - suffix) :])


def edit_distance(one: str, other: str, limit: int = MAX_EDITS) -> int:
    """Damerau-Levenshtein edits between two words, ``limit`` + 1 for any beyond ``limit``."""
    return stem_distance(one, other, limit, suffix=0)


class Reach:
    """The stems within ``MAX_EDITS`` of a typed ``word`` or of one of its ``stems`` (its stem in each
    analysis), and at what cost: the cheap tests on lengths and letters first, then the edits."""

    def __init__(self, word: str, stems: list[str]) -> None:
        self.word = word = fold(word)
        self.letters = set(word).union(*stems)
        # (Each letter of the word's start that a stem lacks is an edit, and so is each length apart.)
        self.core, self.stems_letters = set(word[: max(0, len(word) - SUFFIX)]), [set(stemmed) for stemmed in stems]
        self.shortest = min(len(word) - SUFFIX, *map(len, stems)) - MAX_EDITS
        self.longest = len(word) + MAX_EDITS
        # (A stem that is the word cut short is one of the starts ``stem_distance`` compares with already.)
        self.apart = [
            stemmed for stemmed in stems if not (word.startswith(stemmed) and len(word) - len(stemmed) <= SUFFIX)
        ]

    def cost(self, term: str) -> int | None:
        """The edits between ``term`` and the word or its stems; None beyond ``MAX_EDITS``."""
        # Each letter that one has and the other lacks is an edit at least: cheap tests before the costly ones.
        if not self.shortest <= len(term) <= self.longest:
            return None
        has = set(term)
        if len(has - self.letters) > MAX_EDITS or self._lacking(has) > MAX_EDITS:
            return None
        cost = stem_distance(term, self.word, MAX_EDITS)
        for stemmed in self.apart if cost else ():
            cost = min(cost, edit_distance(term, stemmed))
        return cost if cost <= MAX_EDITS else None

    def _lacking(self, has: set[str]) -> int:
        """The fewest letters that a term having ``has`` lacks of the word's start or of one of its stems."""
        lacking = len(self.core - has)
        for stem_letters in self.stems_letters:
            lacking = min(lacking, len(stem_letters - has))
        return lacking
