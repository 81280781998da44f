"""The archive's vocabulary (``search_terms``): every term of the search rows, with how many articles hold it.

Two halves. ``count`` keeps it: each transaction that writes search rows
adds the terms its new rows hold and takes away those of the rows it
replaces or deletes, so the table is exact at every commit (``ts_stat`` over
every vector would be too slow to ask per search). The lookups serve the
query side: wildcards, ranges and fuzzy words are expanded against it, and
"did you mean", ``similar`` and ``terms`` weigh terms by their articles.

Terms are compared and ordered as the column's collation "C" does: by their
UTF-8 bytes, as the Whoosh engine orders its terms.

``written`` is the term as a reader would write it. The rows hold stems
only, so for now it is the term itself, written when the term first comes;
a later version may keep a commoner surface form there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from psycopg import Connection

#: Below this trigram similarity a fuzzy lookup no longer narrows the vocabulary by trigrams (short words:
#: "cat" and "cut" share one trigram of seven), and takes the words that share its first letters instead.
_LEAST_SIMILARITY = 0.1


def count(connection: Connection, gained: Counter[str], lost: Counter[str]) -> None:
    """Add to each term's article count what ``gained`` holds, take away what ``lost`` holds; drop terms at 0.

    The upserts go in sorted term order, so that two transactions doing this
    at once lock their rows in the same order (they cannot deadlock). In
    practice the archive's writers also come here one at a time: a unit of
    work stages its search rows after taking the change log's lock.
    """
    change = Counter(gained)
    change.subtract(lost)
    terms = sorted(term for term, delta in change.items() if delta)
    if not terms:
        return
    deltas = [change[term] for term in terms]
    connection.execute(
        "INSERT INTO search_terms (term, docs, written)"
        " SELECT term, delta, term FROM unnest(%s::text[], %s::int[]) AS change (term, delta) ORDER BY term"
        " ON CONFLICT (term) DO UPDATE SET docs = search_terms.docs + EXCLUDED.docs",
        (terms, deltas),
    )
    falling = [term for term, delta in zip(terms, deltas, strict=True) if delta < 0]
    if falling:
        connection.execute("DELETE FROM search_terms WHERE term = ANY(%s::text[]) AND docs <= 0", (falling,))


def terms_like(connection: Connection, pattern: str, limit: int) -> list[str]:
    """Up to ``limit`` terms matching an SQL ``LIKE`` pattern (``%`` any run, ``_`` one letter, ``\\`` escapes), in order."""
    rows = connection.execute(
        "SELECT term FROM search_terms WHERE term LIKE %s ORDER BY term LIMIT %s", (pattern, limit)
    ).fetchall()
    return [row[0] for row in rows]


def terms_near(connection: Connection, term: str, edits: int, prefix: int, limit: int) -> list[str]:
    """Up to ``limit`` terms at most ``edits`` edits (Levenshtein) from ``term`` that begin with its first
    ``prefix`` letters, in order (``term`` itself among them when the vocabulary holds it).

    Candidates come from the trigram index where pg_trgm was installed (at a
    similarity no word within ``edits`` can fall below), else, and for words
    too short for trigrams to tell, from the terms sharing the first
    ``max(prefix, 1)`` letters (so a word differing in its first letter is
    then not found); each candidate's distance is checked here.
    """
    start = term[:prefix]
    least = _similarity_within(term, edits)
    shortest, longest = len(term) - edits, len(term) + edits
    if least >= _LEAST_SIMILARITY and has_trigrams(connection):
        # The operator % uses the index; its threshold is a setting of this transaction only.
        connection.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", (str(least),))
        rows = connection.execute(
            "SELECT term FROM search_terms WHERE term %% %s AND starts_with(term, %s)"
            " AND char_length(term) BETWEEN %s AND %s",
            (term, start, shortest, longest),
        ).fetchall()
    else:
        rows = connection.execute(
            "SELECT term FROM search_terms WHERE term LIKE %s AND char_length(term) BETWEEN %s AND %s",
            (like_prefix(term[: max(prefix, 1)]), shortest, longest),
        ).fetchall()
    near = sorted(row[0] for row in rows if distance(row[0], term, edits) <= edits)
    return near[:limit]


def terms_between(
    connection: Connection,
    start: str | None,
    end: str | None,
    start_excluded: bool = False,
    end_excluded: bool = False,
    limit: int = 1000,
) -> list[str]:
    """Up to ``limit`` terms from ``start`` to ``end`` in order (an end None or empty: open; each end included
    unless excluded)."""
    where, values = ["true"], []
    if start:
        where.append("term > %s" if start_excluded else "term >= %s")
        values.append(start)
    if end:
        where.append("term < %s" if end_excluded else "term <= %s")
        values.append(end)
    sql = f"SELECT term FROM search_terms WHERE {' AND '.join(where)} ORDER BY term LIMIT %s"
    return [row[0] for row in connection.execute(sql, (*values, limit)).fetchall()]


def docs_of(connection: Connection, terms: Iterable[str]) -> dict[str, int]:
    """How many articles hold each of ``terms``; a term no article holds is left out.

    Looked up by the primary key. The trigram index answers ``=`` too, a
    term's trigrams at a time, and the planner may take it for a long list:
    4,138 terms took 14.5 s so, against 29 ms by the key. A GIN index is
    read only through a bitmap, so bitmaps are off for this one statement.
    """
    before = connection.execute("SELECT current_setting('enable_bitmapscan')").fetchone()
    connection.execute("SELECT set_config('enable_bitmapscan', 'off', true)")
    try:
        rows = connection.execute(
            "SELECT term, docs FROM search_terms WHERE term = ANY(%s::text[])", (sorted(set(terms)),)
        ).fetchall()
    finally:
        connection.execute("SELECT set_config('enable_bitmapscan', %s, true)", (before[0] if before else "on",))
    return {term: docs for term, docs in rows}


def total_docs(connection: Connection) -> int:
    """How many articles the search rows hold."""
    row = connection.execute("SELECT count(*) FROM search_docs").fetchone()
    return int(row[0]) if row else 0


def has_trigrams(connection: Connection) -> bool:
    """Whether the vocabulary has its trigram index (pg_trgm could be installed when the tables were made)."""
    row = connection.execute("SELECT to_regclass('search_terms_trigrams') IS NOT NULL").fetchone()
    return bool(row and row[0])


def like_prefix(text: str) -> str:
    """A ``LIKE`` pattern for the terms (or ids) that start with ``text``."""
    return like_escaped(text) + "%"


def like_escaped(text: str) -> str:
    """``text`` as a ``LIKE`` pattern matches it, its ``%``, ``_`` and ``\\`` taken as themselves."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def distance(first: str, second: str, limit: int) -> int:
    """The Levenshtein distance between two words, or ``limit + 1`` once it is sure to be more than ``limit``."""
    if abs(len(first) - len(second)) > limit:
        return limit + 1
    row = list(range(len(second) + 1))
    for i, letter in enumerate(first, 1):
        previous, row[0] = row[0], i
        for j, other in enumerate(second, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (letter != other))
        if min(row) > limit:
            return limit + 1
    return min(row[-1], limit + 1)


def _similarity_within(term: str, edits: int) -> float:
    """The least trigram similarity (pg_trgm's) a word within ``edits`` edits of ``term`` can have.

    pg_trgm pads a word to n + 1 trigrams; an edit changes at most three of
    them and adds at most one, so at least n + 1 - 3k are shared of at most
    n + 1 + 4k in the union.
    """
    trigrams = len(term) + 1
    shared = trigrams - 3 * edits
    # (Less a margin: pg_trgm counts a repeated trigram once, and splits a word at what is not a letter.)
    return max(shared / (trigrams + 4 * edits) - 0.05, 0.0)
