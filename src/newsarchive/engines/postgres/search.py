"""Searching the search rows: ranked or date-sorted hits, their total, facets and snippets, in SQL.

Each search is one read transaction. ``enable_seqscan`` is off in it: the
planner underestimates ``@@`` on large vectors and would read the whole table
where the GIN index finds the few matches (100,000 articles: 290 ms against 10).
Hits are ranked by ``ts_rank_cd`` over the vector's weights (title, lede,
body), normalised for length; near-duplicates fold into the best-ranked of
their group. Snippets are made only for the page's rows, from the articles'
own text, by the code the Whoosh engine uses (``newsarchive.text.snippets``).
"""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from newsarchive.engines.postgres.query import (
    WEIGHTS,
    Compiled,
    Sought,
    compile_query,
    index_analyses,
    like_pattern,
    published_within,
)
from newsarchive.engines.protocol import Hit, HitPage, SearchOptions
from newsarchive.errors import QueryNote
from newsarchive.query.budget import Budget
from newsarchive.query.tree import Query
from newsarchive.reading.draft import join_blocks
from newsarchive.text.highlight import PhraseWords
from newsarchive.text.snippets import SNIPPET_FIELDS, marking, snippet

if TYPE_CHECKING:
    from psycopg import Connection

#: ``ts_rank_cd``'s weights of D, C (body), B (lede), A (title); and its normalisation: 1 divides by
#: 1 + log(length), 32 scales the rank into 0..1.
RANK_WEIGHTS = "{0.1,0.2,0.4,1.0}"
RANK_NORMALISATION = 1 | 32
#: The field of each snippet field's weight.
_FIELD_WEIGHTS = {"body": WEIGHTS["body"], "description": WEIGHTS["description"]}
#: A row's year and month on the clock it was published by (as the Whoosh engine counts them).
_LOCAL = """((d.published AT TIME ZONE 'UTC') + coalesce(d."offset", 0) * interval '1 minute')"""
_FACETS = {
    "source": "d.source",
    "lang": "d.lang",
    "year": f"to_char({_LOCAL}, 'YYYY')",
    "month": f"to_char({_LOCAL}, 'YYYY-MM')",
}
#: An author's name as the Whoosh engine shows it in facets (commas in a name are spaces).
_AUTHOR = "trim(replace(name, ',', ' '))"


#: The longest statement_timeout the server takes (its maximum, in milliseconds: about 24 days).
_LONGEST_MS = 2_147_483_647


@contextmanager
def reading(connection: Connection, budget: Budget | None = None) -> Iterator[Connection]:
    """A read transaction for one search, the planner told to use the indexes (see the module's docstring).

    Each statement may take what is left of the ``budget`` (by default the
    search's time, $ARCHIVE_SEARCH_SECONDS): the server cancels it after,
    and the search is stopped (SearchTimeout) as the Whoosh engine's is. A
    search that ends past its time is stopped too: the server counts
    whole milliseconds, and lets a statement shorter than one finish.
    """
    import psycopg

    budget = budget or Budget()
    budget.check()
    with connection.transaction():
        connection.execute("SET LOCAL enable_seqscan = off")
        connection.execute(f"SET LOCAL statement_timeout = {min(_LONGEST_MS, max(1, math.ceil(budget.left() * 1000)))}")
        try:
            yield connection
        except psycopg.errors.QueryCanceled:
            budget.check()
            raise
        budget.check()  # (statements quicker than the server's clock, in milliseconds, finish whatever is left)


def compiled(connection: Connection, query: Query, budget: Budget | None = None) -> Compiled:
    """``query`` compiled for this archive's analyses; its notes given as ``QueryNote`` warnings."""
    found = compile_query(connection, query, index_analyses(connection), budget)
    for note in found.notes:
        warnings.warn(note, QueryNote, stacklevel=3)
    return found


def search(connection: Connection, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage:
    """One page of hits (``SearchOptions``), their total and facets, the page's snippets."""
    budget = budget or Budget()
    with reading(connection, budget):
        found = compiled(connection, query, budget)
        where, params = narrowed(found, options)
        budget.check()
        row = connection.execute(f"SELECT count(*) FROM search_docs d WHERE {where}", params).fetchone()
        total = int(row[0]) if row else 0
        counts = facets(connection, where, params, options.facets, budget) if options.facets else {}
        if not total:
            return HitPage(total=0, hits=[], facets=counts)
        budget.check()
        rows = page_rows(connection, found, where, params, options)
        if not rows:
            return HitPage(total=total, hits=[], facets=counts)
        copies = _copies(connection, where, params, [row["grp"] for row in rows]) if options.collapse else {}
        budget.check()
        hits = hits_of(connection, found, rows, scored=options.sort == "relevance", copies=copies)
    return HitPage(total=total, hits=hits, facets=counts)


def matching_ids(connection: Connection, query: Query) -> list[str]:
    """The ids of every article the query matches, unranked and uncapped."""
    budget = Budget()
    with reading(connection, budget):
        found = compiled(connection, query, budget)
        rows = connection.execute(f"SELECT d.id FROM search_docs d WHERE {found.where}", found.params).fetchall()
    return [row[0] for row in rows]


def narrowed(found: Compiled, options: SearchOptions) -> tuple[str, tuple[object, ...]]:
    """The query's condition with the search's filters: since/until (which leave undated articles out), undated."""
    within, bounds = published_within(options.since, options.until)
    parts, params = [f"({found.where})", *within], [*found.params, *bounds]
    if options.undated != "include":
        parts.append("d.published IS NOT NULL" if options.undated == "exclude" else "d.published IS NULL")
    return " AND ".join(parts), tuple(params)


def rank_sql(found: Compiled) -> tuple[str, tuple[object, ...]]:
    """The SQL of a match's score, and its parameters: 0 for a query without words."""
    if found.weighted:
        rank = f"ts_rank('{RANK_WEIGHTS}', d.vector, %s::tsquery, {RANK_NORMALISATION})"
        summed = " + ".join(f"{weight!r} * {rank}" for _, weight in found.weighted)
        return f"({summed})::real", tuple(query for query, _ in found.weighted)
    if found.rank is None:
        return "0.0::real", ()
    return f"ts_rank_cd('{RANK_WEIGHTS}', d.vector, %s::tsquery, {RANK_NORMALISATION})", (found.rank,)


def page_rows(
    connection: Connection, found: Compiled, where: str, params: tuple[object, ...], options: SearchOptions
) -> list[dict[str, Any]]:
    """The page's rows, in order: best first, or by date (undated last); one per group of copies when folding,
    the best-ranked (or first in order) of each group standing for it.

    As in the Whoosh engine, a few more rows than the pages up to this one are read, folded, and read again
    for more in the rare case that copies leave too few (a top-N sort, not a sort of every match).
    """
    score, score_params = rank_sql(found) if options.sort == "relevance" else ("0.0::real", ())
    if options.sort == "relevance":
        order = "score DESC, d.id"
    else:
        order = f"d.published {'DESC' if options.sort == 'newest' else 'ASC'} NULLS LAST, d.id"
    sql = (
        f'SELECT d.id, d.grp, d.published, d.precision, d."offset", d.source, d.lang, {score} AS score'
        f" FROM search_docs d WHERE {where} ORDER BY {order} LIMIT %s"
    )
    wanted = options.page * options.limit
    asked = wanted * 2 + 10 if options.collapse else wanted
    with connection.cursor(row_factory=_dict_row()) as cursor:
        while True:
            rows: list[dict[str, Any]] = cursor.execute(sql, (*score_params, *params, asked)).fetchall()
            shown = _folded(rows) if options.collapse else rows
            if len(shown) >= wanted or len(rows) < asked:
                return shown[wanted - options.limit : wanted]
            asked *= 4


def _folded(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The first row of each group of copies, in order."""
    groups: set[str] = set()
    shown = []
    for row in rows:
        if row["grp"] not in groups:
            groups.add(row["grp"])
            shown.append(row)
    return shown


def _dict_row() -> Any:
    from psycopg.rows import dict_row

    return dict_row


def _copies(connection: Connection, where: str, params: tuple[object, ...], groups: Sequence[str]) -> dict[str, int]:
    """For each of the page's groups, how many other matching articles it holds."""
    rows = connection.execute(
        f"SELECT d.grp, count(*) - 1 FROM search_docs d WHERE d.grp = ANY(%s) AND ({where}) GROUP BY d.grp",
        (list(groups), *params),
    ).fetchall()
    return {group: int(count) for group, count in rows}


def facets(
    connection: Connection, where: str, params: tuple[object, ...], names: Sequence[str], budget: Budget
) -> dict[str, list[tuple[str, int]]]:
    """For each facet, (value, hits) over every hit (not just this page), most hits first; no value, left out."""
    counts: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        budget.check()
        if name == "author":
            sql = (
                f"SELECT {_AUTHOR} AS value, count(DISTINCT d.id) FROM search_docs d, unnest(d.authors) AS name"
                f" WHERE {where} GROUP BY 1"
            )
        else:
            sql = f"SELECT {_FACETS[name]} AS value, count(*) FROM search_docs d WHERE {where} GROUP BY 1"
        tally = {value: int(count) for value, count in connection.execute(sql, params).fetchall() if value}
        counts[name] = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))
    return counts


def hits_of(
    connection: Connection,
    found: Compiled,
    rows: Sequence[dict[str, Any]],
    *,
    scored: bool,
    copies: dict[str, int] | None = None,
) -> list[Hit]:
    """Hits with snippets for ``rows`` of ``search_docs`` (each text read in its article's language)."""
    ids = [row["id"] for row in rows]
    texts = {
        article_id: (title, description, body)
        for article_id, title, description, body in connection.execute(
            "SELECT id, title, description, body FROM articles WHERE id = ANY(%s)", (ids,)
        ).fetchall()
    }
    words = marking(sought_words(connection, found.sought, ids))
    hits = []
    for row in rows:
        title, description, body = texts.get(row["id"], ("", "", ""))
        fields = {"body": body_text(body), "description": description or "", "lang": row["lang"]}
        published: datetime | None = row["published"]
        hits.append(
            Hit(
                id=row["id"],
                title=title or "",
                published=published.astimezone(UTC) if published else None,
                precision=row["precision"],
                source=row["source"],
                score=round(float(row["score"]), 4) if scored else None,
                snippet=snippet(fields, words),
                copies=(copies or {}).get(row["grp"], 0),
                offset=row["offset"],
            )
        )
    return hits


def body_text(body: Any) -> str:
    """An article's body as its engine document has it: its blocks' text joined."""
    blocks = json.loads(body) if isinstance(body, (str, bytes)) else body
    return join_blocks(block["text"] for block in blocks or ())


def sought_words(
    connection: Connection, sought: Sequence[Sought], ids: Sequence[str]
) -> dict[str, tuple[frozenset[bytes], tuple[PhraseWords, ...]]]:
    """Per snippet field, the query's words that ``ids``' rows hold (a prefix: their words that begin so),
    and its phrases, whose words are marked only where they stand as the phrase."""
    exact = sorted({term for item in sought if not item.phrase and not item.prefix for term in item.terms})
    prefixes = sorted({like_pattern(start) + "%" for item in sought if item.prefix for start in item.terms})
    held: set[str] = set()
    if exact or prefixes:
        rows = connection.execute(
            "SELECT DISTINCT v.lexeme FROM search_docs d, unnest(d.vector) AS v"
            " WHERE d.id = ANY(%s) AND (v.lexeme = ANY(%s) OR v.lexeme LIKE ANY(%s))",
            (list(ids), exact, prefixes),
        ).fetchall()
        held = {row[0] for row in rows}
    words: dict[str, tuple[frozenset[bytes], tuple[PhraseWords, ...]]] = {}
    for name in SNIPPET_FIELDS:
        here = [item for item in sought if item.weight in ("", _FIELD_WEIGHTS[name])]
        stems = {term for term in held if any(_seeks(item, term) for item in here)}
        phrases = tuple(
            dict.fromkeys(
                PhraseWords(tuple(term.encode("utf-8") for term in item.terms), max(1, item.slop))
                for item in here
                if item.phrase
            )
        )
        words[name] = (frozenset(term.encode("utf-8") for term in stems), phrases)
    return words


def _seeks(item: Sought, term: str) -> bool:
    """Whether ``item`` stands for the row's ``term`` (a word of a phrase is marked only as the phrase)."""
    if item.phrase:
        return False
    return any(term.startswith(start) for start in item.terms) if item.prefix else term in item.terms
