"""Each term of a text in its language, and at which positions: the analysis every search engine indexes.

A text is cut into words by the query language's word rule (``query.words``,
Whoosh's token rule), lower-cased, Chinese, Japanese and Korean runs cut into
pairs of characters, and each word made its term in the article's language
(``languages.forms``: its stem, folded). English (and an undetermined
language) also drops stop words. Computed with one regex pass and a stem cache.
"""

from __future__ import annotations

import re
from array import array

from newsarchive.pieces import pieces
from newsarchive.query.words import MIN_LENGTH, TOKEN
from newsarchive.text.languages import HAS_PAIRED, forms, lower, stop_words, unspaced_words

#: A longer text is analysed in pieces of about this many characters (a news story is one piece).
PIECE_CHARS = 1 << 16
#: A character no word goes on over: where a long text may be cut (each word is lower-cased on its own, or is ASCII).
_BETWEEN_WORDS = re.compile(r"[^\w\*.]")


def stemmed_positions(text: str, language: str | None = None, *, alternatives: bool = True) -> dict[bytes, array[int]]:
    """Each term of ``text`` in ``language`` (as UTF-8, the index's term bytes) and its positions.

    Stop words (English only) and one-letter words are dropped and the
    positions closed up behind them, starting from the first kept word's
    place; a word's other terms (its unaccented spelling's stem, its dictionary
    forms' stems) share its position, and are left out without ``alternatives``
    (each word counted once, by its own stem).
    Positions are kept four bytes each, and a long text is read a piece at a
    time: its words as a list of strings would take some ten times the text.
    """
    positions: dict[bytes, array[int]] = {}
    words = forms(language)
    stems, term_of, terms, all_of = words.stems, words.of, words.terms, words.all_of
    stops = stop_words(words.language)
    position = -1
    place = 0  # the number of words in the pieces before this one
    for piece in pieces(text, PIECE_CHARS, _BETWEEN_WORDS):
        plain = piece.isascii()
        tokens = TOKEN.findall(lower(piece)) if plain else _words(piece)
        found_here: dict[bytes, list[int]] = {}
        for offset, word in enumerate(tokens):
            if len(word) < MIN_LENGTH or word in stops:
                continue
            position = place + offset if position < 0 else position + 1
            if plain or word.isascii():  # (an ASCII word has one term)
                root = stems.get(word) or term_of(word)
                found = found_here.get(root)
                if found is None:
                    found_here[root] = [position]
                else:
                    found.append(position)
                continue
            held = terms.get(word) or all_of(word)
            for root in held if alternatives else held[:1]:
                found_here.setdefault(root, []).append(position)
        place += len(tokens)
        for root, places in found_here.items():
            kept = positions.get(root)
            if kept is None:
                positions[root] = array("I", places)
            else:
                kept.extend(places)
    return positions


def _words(piece: str) -> list[str]:
    """The lower-case words of a text that is not ASCII, Chinese, Japanese and Korean runs cut into pairs."""
    tokens = [lower(token) for token in TOKEN.findall(piece)]
    if HAS_PAIRED.search(piece) is None:
        return tokens
    return [word for token in tokens for word in (unspaced_words(token) if HAS_PAIRED.search(token) else (token,))]
