"""How far a word typed is from the words an archive holds: the rules behind "did you mean", for every engine.

An index holds stems ("arsen" for "arsenal"), so a stem is compared with the
typed word as a stemmer might cut it short (``stem_distance``) and with the
typed word's own stems; cheap tests on the letters come first (``Reach``).
The closest stems are then turned back into written words by the engine.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from rapidfuzz.distance import OSA

from newsarchive.text.languages import DICTIONARY, fold, forms, lower

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


def best_respelling(
    query_text: str, words: list[re.Match[str]], options: dict[int, list[tuple[int, str]]], count: Callable[[str], int]
) -> str:
    """``query_text`` with each word that has ``options`` ((distance, word), closest first, the more frequent first
    among equals) spelled as its closest; where several are as close, as the one with which the whole query
    finds most (``count``), unless the query is that one word alone (then the more frequent finds more)."""

    def spelled(picks: dict[int, str]) -> str:
        return respelled(query_text, words, picks)

    picks = {at: ranked[0][1] for at, ranked in options.items()}
    for at, ranked in options.items():
        closest = [word for distance_, word in ranked if distance_ == ranked[0][0]]
        # (max keeps the first, the more frequent, of equal counts.)
        if len(closest) > 1 and query_text.strip() != words[at].group(1):
            picks[at] = max(closest, key=lambda word: count(spelled({**picks, at: word})))
    return spelled(picks)


def respelling(
    query_text: str,
    options_of: Callable[[str], list[tuple[int, str]]],
    count: Callable[[str], int],
    check: Callable[[], None],
) -> str | None:
    """``query_text`` respelled (``best_respelling``), each plain word's options as ``options_of`` gives them for
    it lower-cased; None when no word has any. ``check`` is called before each word (a search's time)."""
    words = plain_words(query_text)
    options: dict[int, list[tuple[int, str]]] = {}
    for at, found in enumerate(words):
        check()
        ranked = options_of(lower(found.group(1)))
        if ranked:
            options[at] = ranked
    return best_respelling(query_text, words, options, count) if options else None


#: The most stems whose written words are read for one typed word.
SHORTLIST = 8


def ranked_words(
    candidates: Iterable[tuple[int, int, str]], written_of: Callable[[str], str], word: str
) -> list[tuple[int, str]]:
    """(edits, word) for a typed ``word``, closest first, then the most frequent, from its candidate stems as
    (cost, -frequency, stem): the cheapest ``SHORTLIST`` stems are turned into the written word nearest the
    typed one (``written_of``), kept when within ``MAX_EDITS`` and not the word itself; the stems stop being
    read once the rest cost more than the closest word found."""
    ranked: dict[str, tuple[int, int]] = {}
    for cost, negative_frequency, term in sorted(candidates)[:SHORTLIST]:
        if ranked and cost > min(ranked.values())[0]:
            break
        written = written_of(term)
        edits = edit_distance(written, word)
        if edits <= MAX_EDITS and written != word and written not in ranked:
            ranked[written] = (edits, negative_frequency)
    return [(edits, written) for (edits, _), written in sorted((rank, written) for written, rank in ranked.items())]


def stem_distance(stemmed: str, word: str, limit: int, suffix: int = SUFFIX) -> int:
    """Edits between a stem and ``word`` as a stemmer might cut it: the closest of the word's starts that leave
    off at most ``suffix`` letters (more than ``limit`` once it is out of reach).

    Damerau-Levenshtein as Whoosh counts it (a swap of two neighbouring letters
    is one edit, and a swapped pair is not edited again: the "optimal string
    alignment" distance), computed in C by RapidFuzz, which stops past ``limit``.
    """
    beyond = limit + 1
    return min(
        beyond, *(OSA.distance(stemmed, word[: len(word) - cut], score_cutoff=beyond) for cut in range(min(suffix, len(word)) + 1))
    )


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


def nearest_written(written: Counter[str], word: str) -> str | None:
    """Of the words the articles write for a stem (with how often), the one fewest edits from ``word``, then
    the most written ("united" for "unit" and "uneted", where "unit" alone is two edits off); None for none."""
    if not written:
        return None
    return min(written, key=lambda form: (edit_distance(form, word, len(form) + len(word)), -written[form], form))


def written_forms(stemmed: str, texts: Iterable[tuple[str, str | None]]) -> Counter[str]:
    """How often each word that stems to ``stemmed`` is written (lower-cased) in ``texts``, each (text,
    language) read in its language.

    The stemmer may change a stem's last letter (y to i), and a dictionary
    form (Ukrainian) its last few, so words are looked for by the rest, in
    the text folded as the index folds it, and kept if they stem to it.
    """
    wanted = stemmed.encode("utf-8")
    seen: Counter[str] = Counter()
    for text, language_code in texts:
        language = forms(language_code)
        for written in _words_beginning(text, stemmed, language.language):
            if wanted in language.all_of(written):
                seen[written] += 1
    return seen


def _words_beginning(text: str, stemmed: str, language: str) -> list[str]:
    """The lower-cased words of ``text`` that may stem to ``stemmed`` in ``language`` (``written_forms``):
    looked for in the text folded, but in English, where accents are rare, as written."""
    if language == "en":
        return [lower(written) for written in _beginning_pattern(stemmed, language).findall(text)]
    lowered = lower(text)
    folded = forms(language).fold(lowered)
    return [lowered[found.start() : found.end()] for found in _beginning_pattern(stemmed, language).finditer(folded)]


@lru_cache(maxsize=512)
def _beginning_pattern(stemmed: str, language: str) -> re.Pattern[str]:
    """The words that may stem to ``stemmed`` in ``language``; but in English, in lower-case text."""
    if language in DICTIONARY:
        return re.compile(rf"\b{re.escape(stemmed[: max(2, len(stemmed) - 3)])}\w*")
    beginning = stemmed[:-1] if len(stemmed) > 3 else stemmed
    return re.compile(rf"\b{re.escape(beginning)}\w*", re.IGNORECASE if language == "en" else 0)
