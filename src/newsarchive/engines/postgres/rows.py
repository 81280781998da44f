"""An article's search vector: our own analysis written as a PostgreSQL ``tsvector`` literal.

PostgreSQL's text search configurations stem differently from the Whoosh
engine (English Snowball, not Porter), lack several of our languages, fold no
accents and cut no CJK pairs, so the vector is not made by ``to_tsvector``:
each term ``newsarchive.text.analysis.stemmed_positions`` gives, with its
positions, is written out and cast (``'term':1A,17A``). Both engines then
hold the same terms in every language, and a query is stemmed the same way.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsarchive.engines.postgres.schema import BODY_FROM, LEDE_FROM
from newsarchive.text.analysis import stemmed_positions

#: PostgreSQL's largest position; a later word takes it (and a phrase there no longer matches exactly).
LAST_POSITION = 16383
#: Positions PostgreSQL keeps per lexeme, and the longest lexeme it takes (in bytes).
POSITIONS_PER_TERM = 256
LONGEST_TERM = 2047
#: Each field's weight letter and its first position: title A, lede B, body C.
FIELDS = (("A", 1, LEDE_FROM - 1), ("B", LEDE_FROM, BODY_FROM - 1), ("C", BODY_FROM, LAST_POSITION))


def vector(title: str, description: str, body: str, language: str | None) -> str:
    """The ``tsvector`` literal of an article's three text fields in ``language``."""
    return vector_and_terms(title, description, body, language)[0]


def vector_and_terms(title: str, description: str, body: str, language: str | None) -> tuple[str, list[str]]:
    """The ``tsvector`` literal of an article's three text fields in ``language``, and the terms it holds."""
    places: dict[bytes, list[str]] = {}  # each term's positions, written out a field at a time ("12A,15A")
    held: dict[bytes, int] = {}
    for text, (weight, first, last) in zip((title, description, body), FIELDS, strict=True):
        between = weight + ","
        for term, positions in stemmed_positions(text, language).items():
            count = held.get(term, 0)
            room = POSITIONS_PER_TERM - count
            if room <= 0 or len(term) > LONGEST_TERM:
                continue
            # (positions come in order: the last is the largest; the usual case is written out in C)
            fits = len(positions) <= room and first + positions[-1] <= last
            placed = list(map(first.__add__, positions)) if fits else _clamped(positions, first, last, room)
            places.setdefault(term, []).append(between.join(map(str, placed)) + weight)
            held[term] = count + len(placed)
    terms = [term.decode("utf-8") for term in places]
    literal = " ".join([f"{lexeme(term)}:{','.join(marks)}" for term, marks in zip(terms, places.values(), strict=True)])
    return literal, terms


def _clamped(positions: Iterable[int], first: int, last: int, room: int) -> list[int]:
    """The positions (from 0) moved to start at ``first``, those past ``last`` at ``last`` once, at most ``room``."""
    placed = sorted({min(first + position, last) for position in positions})
    return placed[:room]


def lexeme(term: bytes | str) -> str:
    """A term quoted as a lexeme of a ``tsvector`` or ``tsquery`` literal."""
    text = term.decode("utf-8") if isinstance(term, bytes) else term
    if "'" in text or "\\" in text:
        text = text.replace("\\", "\\\\").replace("'", "''")
    return "'" + text + "'"
