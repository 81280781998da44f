"""Word forms in each language: what the index holds for a lower-case word of an article in that language.

A word becomes its stem in the article's language (Snowball, through
PyStemmer's C implementation, for every language Snowball covers; Ukrainian,
which Snowball lacks, by pymorphy3's dictionary; English, and articles whose
language is undetermined, by Whoosh's Porter stemmer as always), then folded
as its readers type it: accents off Latin and Greek letters ("café" is
"cafe"), "ё" as "е", but not off the letters a language has of its own
(Swedish "å", ``OWN_LETTERS``). Words are lowered by ``lower``, "İ" as a
plain "i". A word written with accents is also held by the stem of
its unaccented spelling, which a reader typing without accents gets
("negociacao" and "negociação" differ as stems in Portuguese).

Languages with no stemmer keep words as written (lower-cased, folded).
Chinese, Japanese and Korean text is cut into overlapping pairs of characters
(``unspaced_words``): no language's stemmer applies to those.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from typing import Any

from newsarchive.query.words import STOPS
from newsarchive.scripts import CJK, CYRILLIC

#: ISO 639-1 code -> the Snowball stemmer of that language, as PyStemmer names it.
SNOWBALL: dict[str, str] = {
    "ar": "arabic", "hy": "armenian", "eu": "basque", "ca": "catalan", "cs": "czech", "da": "danish",
    "nl": "dutch", "eo": "esperanto", "et": "estonian", "fi": "finnish", "fr": "french", "de": "german",
    "el": "greek", "hi": "hindi", "hu": "hungarian", "id": "indonesian", "ga": "irish", "it": "italian",
    "lt": "lithuanian", "ne": "nepali", "no": "norwegian", "nb": "norwegian", "nn": "norwegian",
    "fa": "persian", "pl": "polish", "pt": "portuguese", "ro": "romanian", "ru": "russian", "sr": "serbian",
    "st": "sesotho", "es": "spanish", "sv": "swedish", "ta": "tamil", "tr": "turkish", "yi": "yiddish",
}  # fmt: skip
#: Languages whose words have a dictionary form of their own (pymorphy3), not a Snowball stem.
DICTIONARY = frozenset({"uk"})
#: Languages whose words are also held by the stems of their dictionary forms (pymorphy3's), for the
#: forms a stemmer cannot bring together: "требует" and "требовать", "начнёт" and "начали".
LEMMAS = frozenset({"ru", "uk"})
#: Languages analysed as English always has been: Porter stems and English stop words.
ENGLISH = frozenset({"en", "und", ""})

#: A word's stems are kept here, per language, up to this many words: the words that recur
#: are among the first seen, and a bigger vocabulary is names and typos.
STEM_CACHE_SIZE = 100_000

#: Scripts cut into pairs of characters: Han, kana and Hangul (Thai, Lao, Khmer and
#: Myanmar are written without spaces too, but are kept as whole runs).
PAIRED = CJK
_PAIRED_RUN = re.compile(f"[{PAIRED}]+|[^{PAIRED}]+")
HAS_PAIRED = re.compile(f"[{PAIRED}]")


def _folding_table() -> dict[int, str]:
    """Each accented Latin or Greek letter -> its letter without accents; "ё" -> "е". One character for one,
    so that text folded keeps its offsets (snippets find the words as written)."""
    table: dict[int, str] = {}
    for code in (*range(0xC0, 0x250), *range(0x370, 0x400), *range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(code))
        if len(base) > 1 and base[0].isalpha() and all(unicodedata.combining(mark) for mark in base[1:]):
            table[code] = base[0]
    table.update({ord(a): b for a, b in zip("łŁøØđĐħĦıёЁ", "lLoOdDhHiеЕ", strict=True)})
    return table


FOLDING = _folding_table()


def lower(text: str) -> str:
    """``text`` lower-cased character for character, as every word is before it becomes a term: Turkish "İ"
    is a plain "i" (``str.lower`` makes it "i" and a combining dot), so "istanbul" finds "İstanbul" and a
    text lowered keeps its offsets (snippets mark the words as written)."""
    lowered = text.lower()
    return lowered if len(lowered) == len(text) else text.replace("\u0130", "i").lower()


def fold(text: str) -> str:
    """``text`` without the accents readers may leave out (character for character); a language's own letters
    kept as ``Forms.fold`` keeps them."""
    return text if text.isascii() else text.translate(FOLDING)


#: Letters that are letters of their own, not accented ones, to a language's readers: "får" is not "far" in
#: Swedish, "pää" not "paa" in Finnish. (German's umlauts are Snowball's business: its stemmer folds them.)
OWN_LETTERS: dict[str, str] = {
    "da": "åæø", "no": "åæø", "nb": "åæø", "nn": "åæø", "sv": "åäöæø", "fi": "åäö", "et": "äöõüšž",
}  # fmt: skip


@cache
def folding(analysis: str) -> dict[int, str]:
    """``FOLDING`` for the words of an analysis (``analysis_of``): without its language's ``OWN_LETTERS``."""
    own = OWN_LETTERS.get(analysis, "")
    own += own.upper()
    return {code: letter for code, letter in FOLDING.items() if chr(code) not in own} if own else FOLDING


def stemmer(language: str | None) -> Callable[[str], str]:
    """The function giving a lower-case word's stem (unfolded) in ``language``."""
    language = language or ""
    if language in ENGLISH:
        from whoosh.lang.porter import stem

        return stem
    if language in SNOWBALL:
        return _snowball(SNOWBALL[language])
    if language in DICTIONARY:
        return _dictionary(language)
    return _as_written


def _as_written(word: str) -> str:
    return word


@cache
def _snowball(algorithm: str) -> Callable[[str], str]:
    import Stemmer

    return Stemmer.Stemmer(algorithm, 0).stemWord  # (its own cache off: ours is in front)


@cache
def _dictionary(language: str) -> Callable[[str], str]:
    def lemma(word: str) -> str:
        if not _has_cyrillic(word):
            return word
        found = _parser(language)(word)
        return found[0].normal_form if found else word

    return lemma


#: Letters of the Cyrillic script: the only words a dictionary language (``LEMMAS``) looks up. A Latin
#: word ("talks") is its own dictionary form there, and a search for it loads no dictionary.
_CYRILLIC = re.compile(f"[{CYRILLIC}]")
_has_cyrillic = _CYRILLIC.search


@cache
def _parser(language: str) -> Callable[[str], list[Any]]:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language).parse


def _lemmas(language: str, word: str) -> set[str]:
    """The dictionary forms of ``word`` that pymorphy3 knows it by (none for a word not in its dictionary)."""
    if not _has_cyrillic(word):
        return set()
    return {found.normal_form for found in _parser(language)(word) if found.is_known}


class Forms:
    """The index terms (UTF-8) of the lower-case words of one language, cached.

    ``all_of(word)`` is every term that holds the word: its stem, folded,
    first (``of(word)``), then the stem of its folded spelling where that
    differs (words written with accents), and in Russian and Ukrainian the
    stems of its dictionary forms. An ASCII word has its stem alone
    (``stems``, the indexing fast path's cache); other words' terms are kept
    whole (``terms``), together up to ``STEM_CACHE_SIZE`` words: a word past
    that is worked out anew each time, never cut short.
    """

    def __init__(self, analysis: str) -> None:
        self.language = analysis  # (a key of ``analysis_of``)
        self.stem = stemmer(analysis)
        self.folding = folding(analysis)
        self.stems: dict[str, bytes] = {}
        self.terms: dict[str, tuple[bytes, ...]] = {}

    def fold(self, text: str) -> str:
        """``text`` without the accents the language's readers may leave out (character for character)."""
        return text if text.isascii() else text.translate(self.folding)

    def of(self, word: str) -> bytes:
        """The word's term (the cache's ``stems.get(word) or of(word)`` is the fast way to call this)."""
        if not word.isascii():
            return self.all_of(word)[0]
        root = self.stems.get(word)
        if root is None:
            root = self._term(word)
            if len(self.stems) + len(self.terms) < STEM_CACHE_SIZE:
                self.stems[word] = root
        return root

    def all_of(self, word: str) -> tuple[bytes, ...]:
        """Every term the index holds for the word, its stem's first (``terms.get(word) or all_of(word)`` is
        the fast way to call this for a word that is not ASCII)."""
        if word.isascii():
            return (self.of(word),)
        found = self.terms.get(word)
        if found is None:
            root = self._term(word)
            found = (root, *sorted(self._others(word) - {root}))
            if len(self.stems) + len(self.terms) < STEM_CACHE_SIZE:
                self.terms[word] = found
        return found

    def _others(self, word: str) -> set[bytes]:
        spellings = {word, self.fold(word)}
        if self.language in LEMMAS:
            spellings |= _lemmas(self.language, word)
        return {self._term(spelling) for spelling in spellings if spelling != word}

    def _term(self, spelling: str) -> bytes:
        """The index term of one spelling of a word: its stem, folded, in UTF-8."""
        return self.fold(self.stem(spelling)).encode("utf-8")


#: The analysis of a language with no stemmer (words as written): ISO 639-2's code for "no linguistic content".
UNSTEMMED = "zxx"


def analysis_of(language: str | None) -> str:
    """The analysis ``language``'s words get, as the key of ``forms``: "en" for English and undetermined text,
    ``UNSTEMMED`` for a language with no stemmer (words as written), else the language itself. An analysis
    is its own analysis."""
    language = (language or "").lower()
    if language in ENGLISH:
        return "en"
    return language if language in SNOWBALL or language in DICTIONARY else UNSTEMMED


def forms(language: str | None) -> Forms:
    """The word forms of ``language``'s analysis (``analysis_of``), one cache for all its languages:
    None, "und" and "en" share English's, "zh" and "he" the words as written."""
    return _forms(analysis_of(language))


@cache
def _forms(analysis: str) -> Forms:
    return Forms(analysis)


def stop_words(analysis: str) -> frozenset[str]:
    """The words an analysis (``analysis_of``) leaves out of the index: English's stop words, as Whoosh's
    ``StemmingAnalyzer`` always left them out; none in other languages, where they are kept."""
    return STOPS if analysis == "en" else _NO_STOPS


_NO_STOPS: frozenset[str] = frozenset()


@cache
def function_terms(language: str | None) -> frozenset[bytes]:
    """The terms of ``language``'s function words ("die", "das", "ist", "über" in German), from Whoosh's stop
    word lists where it has one: left out where articles' telling words are ranked (``terms``, ``similar``),
    never out of the index. In English too: the index leaves out only a few of them ("the", "and"; not "he")."""
    from whoosh.lang import has_stopwords, stopwords_for_language

    code = (language or "").lower()
    code = _STOP_LIST_OF.get(code, code)
    if not has_stopwords(code):
        return frozenset()
    words = forms(code)
    return frozenset(term for word in stopwords_for_language(code) for term in words.all_of(lower(word)))


#: Languages whose function words are in another code's list (Norwegian Bokmål and Nynorsk, Norwegian's).
_STOP_LIST_OF = {"nb": "no", "nn": "no"}


def unspaced_words(token: str) -> list[str]:
    """A token cut where it holds Chinese, Japanese or Korean: each run of those scripts as its
    overlapping pairs of characters (a run of one as itself), the rest as words."""
    return [token[start:end] for start, end in unspaced_spans(token)]


def unspaced_spans(token: str) -> list[tuple[int, int]]:
    """Where in ``token`` each of its ``unspaced_words`` stands (the pairs overlap)."""
    spans: list[tuple[int, int]] = []
    for run in _PAIRED_RUN.finditer(token):
        start, end = run.span()
        if end - start > 1 and HAS_PAIRED.match(token, start):
            spans.extend((at, at + 2) for at in range(start, end - 1))
        else:
            spans.append((start, end))
    return spans
