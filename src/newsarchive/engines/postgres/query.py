"""A parsed query (``newsarchive.query``) compiled into SQL over ``search_docs``: a ``tsquery`` and predicates.

The rows hold our own analysis (``rows.vector``), so words are not parsed
by PostgreSQL (no ``to_tsquery``): each word is looked up as each analysis
the archive holds makes it (``newsarchive.text.terms``, the Whoosh engine's
rules), and written as a ``tsquery`` literal. Then:

- a field scope is a weight: title ``:A``, description (the lede) ``:B``, body ``:C``;
- a phrase is ``<->``; a phrase with slop N is ``(a <1> b) | … | (a <N> b)``
  (PostgreSQL's ``<N>`` is an exact distance), at most ``MAX_SLOP_SPELLINGS``;
- a prefix is ``'stem':*``, with the stems of the prefix the Whoosh engine adds;
- wildcards, fuzzy words and ranges stand for the archive's words
  (``vocabulary``), at most ``text.terms.MAX_EXPANSION`` together, as in Whoosh;
- ``source:``, ``author:``, ``lang:`` and dates are predicates on the row's columns;
- NOT is ``!``, AND ``&``, OR ``|``; ANDMAYBE matches its required part and
  ranks by both; REQUIRE matches both and ranks by the scored part.

Where nothing in a ``tsquery`` stands for a feature (a boost on one word),
the compiled query says so in ``notes``, one line each, and goes on without it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import product
from typing import TYPE_CHECKING, Any, NamedTuple

from newsarchive.engines.postgres import vocabulary
from newsarchive.engines.postgres.rows import lexeme
from newsarchive.query import tree as qt
from newsarchive.query.budget import Budget
from newsarchive.query.parser import nothing_to_search
from newsarchive.text import terms as text_terms
from newsarchive.text.languages import analysis_of
from newsarchive.text.terms import (
    as_typed_too,
    first_term,
    named_analyses,
    ordered_analyses,
    phrase_spellings,
    prefix_variants,
    too_wide,
    whole_terms,
    word_parts,
)

if TYPE_CHECKING:
    from datetime import datetime

    from psycopg import Connection

#: Each word field's weight in the vector (``rows.FIELDS``); no weight: any field.
WEIGHTS = {"title": "A", "description": "B", "body": "C"}
#: The most phrases one phrase with slop is written as (each gap's distances, multiplied out).
MAX_SLOP_SPELLINGS = 64
#: Where a row's values are compared: each field that holds whole values, lower-cased as Whoosh compares them.
_COLUMNS = {"source": "lower(d.source)", "lang": "lower(d.lang)"}
#: An author as the Whoosh engine indexes names: commas inside a name are spaces, compared lower-case and trimmed.
_AUTHOR = "lower(trim(replace(name, ',', ' ')))"
#: The analyses of an archive in English alone (or of an empty one).
ENGLISH_ONLY = ("en",)


class Clause(NamedTuple):
    """A node compiled: a ``tsquery`` the row's vector matches, or else an SQL condition on ``search_docs d``
    (with ``%s`` parameters); ``rank``, the ``tsquery`` of the words a match is ranked by (None: none)."""

    tsquery: str | None = None
    sql: str | None = None
    params: tuple[object, ...] = ()
    rank: str | None = None

    def condition(self) -> tuple[str, tuple[object, ...]]:
        """The clause as an SQL condition and its parameters."""
        if self.tsquery is not None:
            return "d.vector @@ %s::tsquery", (self.tsquery,)
        assert self.sql is not None
        return self.sql, self.params


EVERY = Clause(sql="TRUE")
NOTHING = Clause(sql="FALSE")


def words(tsquery: str) -> Clause:
    """A clause of words: matched and ranked by ``tsquery``."""
    return Clause(tsquery=tsquery, rank=tsquery)


class Sought(NamedTuple):
    """A word a match may hold, for marking snippets: ``terms`` (any of them; with ``prefix``, the terms that
    begin so), or with ``phrase`` the terms of a phrase in order within ``slop``; in the field of ``weight``
    (empty: any). Words under NOT are not sought."""

    terms: tuple[str, ...]
    weight: str = ""
    prefix: bool = False
    phrase: bool = False
    slop: int = 1


class Compiled(NamedTuple):
    """A query as SQL: ``where`` (a condition on ``search_docs d``, with ``params``), the ``tsquery`` it ranks
    by (None: no words to rank by), and what of the query it could not honour, one line each."""

    where: str
    params: tuple[object, ...]
    rank: str | None
    notes: tuple[str, ...] = ()
    sought: tuple[Sought, ...] = ()
    #: Instead of ``rank``: (tsquery, weight) pairs, a match scored by each one's rank times its weight, summed
    #: (more like this: each of an article's key terms by its weight, as Whoosh boosts them).
    weighted: tuple[tuple[str, float], ...] = ()


class _Partly(NamedTuple):
    """A word some analyses drop and others keep (an English stop word, a word in German): a group's matches
    in the analyses that drop it cannot need it, so a group ranks by it but does not require it."""

    clause: Clause


def _sure(found: Clause | _Partly | None) -> Clause | None:
    return found.clause if isinstance(found, _Partly) else found


def compile_query(
    connection: Connection | None,
    query: qt.Query,
    analyses: Sequence[str] = ENGLISH_ONLY,
    budget: Budget | None = None,
) -> Compiled:
    """``query`` as SQL, its words looked up as each of ``analyses`` makes them (``index_analyses``); wildcard,
    fuzzy and range terms expanded against the vocabulary on ``connection`` (None: there are none)."""
    compiler = _Compiler(connection, tuple(analyses), budget, query.text)
    found = compiler.node(query.root)
    clause = _sure(found)
    if clause is None:
        raise nothing_to_search(query.text)  # (the parser refuses such a query first)
    where, params = clause.condition()
    return Compiled(where, params, clause.rank, tuple(dict.fromkeys(compiler.notes)), tuple(compiler.sought))


def index_analyses(connection: Connection) -> tuple[str, ...]:
    """The analyses (``languages.analysis_of``) of the archive's articles, English first where some are
    English, undetermined or of no recorded language.

    Asked at each search (a new language is seen at once), in a few probes of
    the index on ``lang``: the first language, then the next after it, and so on.
    """
    languages = [row[0] for row in connection.execute(_LANGUAGES).fetchall()]
    found = {analysis_of(language) for language in languages if language is not None}
    if None in languages or not found:
        found.add("en")
    return ordered_analyses(found)


#: The distinct languages of the rows (NULL among them if a row has none), one index probe each.
_LANGUAGES = """
    WITH RECURSIVE held (lang) AS (
        (SELECT lang FROM search_docs WHERE lang IS NOT NULL ORDER BY lang LIMIT 1)
        UNION ALL
        SELECT (SELECT d.lang FROM search_docs d WHERE d.lang > held.lang ORDER BY d.lang LIMIT 1)
        FROM held WHERE held.lang IS NOT NULL
    )
    SELECT lang FROM held WHERE lang IS NOT NULL
    UNION ALL
    (SELECT NULL FROM search_docs WHERE lang IS NULL LIMIT 1)
"""


# --- composing clauses -----------------------------------------------------------------------------------


def all_of(clauses: Sequence[Clause]) -> Clause:
    """Every one of ``clauses``: one ``tsquery`` where all are words, else their conditions ANDed."""
    if not clauses or NOTHING in clauses:
        return NOTHING if clauses else EVERY
    clauses = [clause for clause in clauses if clause != EVERY] or [EVERY]
    if len(clauses) == 1:
        return clauses[0]
    ranks = [clause.rank for clause in clauses if clause.rank]
    rank = " & ".join(f"({part})" for part in ranks) if len(ranks) > 1 else (ranks[0] if ranks else None)
    if all(clause.tsquery is not None for clause in clauses):
        return Clause(tsquery=" & ".join(f"({clause.tsquery})" for clause in clauses), rank=rank)
    return _joined(clauses, " AND ", rank)


def any_of(clauses: Sequence[Clause]) -> Clause:
    """Any of ``clauses``: one ``tsquery`` where all are words, else their conditions ORed."""
    if EVERY in clauses:
        return EVERY._replace(rank=_ranks(clauses))
    clauses = [clause for clause in clauses if clause != NOTHING]
    if not clauses:
        return NOTHING
    if len(clauses) == 1:
        return clauses[0]
    rank = _ranks(clauses)
    if all(clause.tsquery is not None for clause in clauses):
        return Clause(tsquery=" | ".join(f"({clause.tsquery})" for clause in clauses), rank=rank)
    return _joined(clauses, " OR ", rank)


def none_of(clause: Clause) -> Clause:
    """What ``clause`` does not match (nothing to rank by)."""
    if clause.tsquery is not None:
        return Clause(tsquery=f"!({clause.tsquery})")
    if clause in (EVERY, NOTHING):
        return NOTHING if clause == EVERY else EVERY
    return Clause(sql=f"NOT coalesce(({clause.sql}), false)", params=clause.params)  # (no value: not a match)


def ranked_by(clause: Clause, rank: str | None) -> Clause:
    return clause._replace(rank=rank)


def _ranks(clauses: Iterable[Clause]) -> str | None:
    ranks = [clause.rank for clause in clauses if clause.rank]
    return " | ".join(f"({part})" for part in ranks) if len(ranks) > 1 else (ranks[0] if ranks else None)


def _joined(clauses: Sequence[Clause], operator: str, rank: str | None) -> Clause:
    conditions = [clause.condition() for clause in clauses]
    sql = operator.join(f"({condition})" for condition, _ in conditions)
    return Clause(sql=sql, params=tuple(value for _, params in conditions for value in params), rank=rank)


# --- words as lexemes ------------------------------------------------------------------------------------


def term(text: str, weight: str = "", prefix: bool = False) -> str:
    """One lexeme of a ``tsquery``, of the field of ``weight`` (empty: any), a prefix with ``prefix``."""
    return lexeme(text) + (f":{'*' if prefix else ''}{weight}" if weight or prefix else "")


def either(lexemes: Sequence[str]) -> str:
    return lexemes[0] if len(lexemes) == 1 else "(" + " | ".join(lexemes) + ")"


def word(text: str, analysis: str, weight: str = "") -> str | None:
    """A word of a word field as ``analysis`` indexes it (None: nothing kept, stop words): each of its parts
    by any of its terms, a run of Chinese, Japanese or Korean pairs side by side."""
    parts = [
        " <-> ".join(term(piece, weight) for piece in part.terms)
        if part.run
        else either([term(alternative, weight) for alternative in part.terms])
        for part in word_parts(text, analysis)
    ]
    return " & ".join(f"({part})" if " " in part and not part.startswith("(") else part for part in parts) or None


def phrase(text: str, analysis: str, weight: str = "", slop: int = 1) -> tuple[str | None, bool]:
    """A phrase as ``analysis`` indexes its words, in each of its spellings: each word within ``slop``
    positions of the one before; and whether it had to be loosened to its words in order at any distance
    (more than ``MAX_SLOP_SPELLINGS`` ways to place them)."""
    spellings = phrase_spellings(text, analysis)
    if not spellings:
        return None, False
    gaps = len(spellings[0]) - 1
    loose = slop > 1 and slop**gaps * len(spellings) > MAX_SLOP_SPELLINGS
    made: list[str] = []
    for spelling in spellings:
        lexemes = [term(piece, weight) for piece in spelling]
        if loose:
            made.append(" & ".join(lexemes))
            continue
        for distances in product(range(1, slop + 1), repeat=gaps):
            written = lexemes[0]
            for distance, following in zip(distances, lexemes[1:], strict=True):
                written += f" {'<->' if distance == 1 else f'<{distance}>'} {following}"
            made.append(written)
    return either(made), loose


def prefix(text: str, analysis: str, analyses: Sequence[str], weight: str = "") -> str:
    """A prefix of a word field as ``analysis`` reads it: each of its words (all of them) by any of its terms
    as a prefix, with the stems of that prefix in each of ``analyses`` and the stems it may be cut to."""
    parts: list[str] = []
    for terms in as_typed_too(whole_terms(text, analysis), text, analysis):
        lexemes: list[str] = []
        for start in terms:
            stems, cut = prefix_variants(start, analyses)
            lexemes += [term(start, weight, prefix=True), *(term(stemmed, weight, prefix=True) for stemmed in stems)]
            lexemes += [term(whole, weight) for whole in cut]
        parts.append(either(list(dict.fromkeys(lexemes))))
    return " & ".join(parts)


def like_pattern(pattern: str) -> str:
    """A query's wildcard (``*`` any run, ``?`` one character) as an SQL ``LIKE`` pattern."""
    return vocabulary.like_escaped(pattern).replace("*", "%").replace("?", "_")


# --- the tree --------------------------------------------------------------------------------------------

Leaf = qt.Word | qt.Phrase | qt.Prefix | qt.Wildcard | qt.Fuzzy | qt.Range


class _Compiler:
    """One query's compilation: the vocabulary it reads, the words its expansions stand for, its notes."""

    def __init__(
        self, connection: Connection | None, analyses: tuple[str, ...], budget: Budget | None, typed: str
    ) -> None:
        self.connection = connection
        self.analyses = analyses
        self.budget = budget
        self.typed = typed
        self.expanded: set[str] = set()
        self.notes: list[str] = []
        self.sought: list[Sought] = []
        self.negated = 0  # (how many NOTs the node being compiled is under: its words are not sought)

    def node(self, node: qt.Node, analyses: tuple[str, ...] | None = None) -> Clause | _Partly | None:
        """``node`` compiled; None where it has nothing to search for (stop words), which its group leaves out."""
        analyses = analyses or self.analyses
        if getattr(node, "boost", 1.0) != 1.0:
            self.notes.append("boosts (^) are ignored: the PostgreSQL engine weighs only title, lede and body")
        if isinstance(node, qt.FIELDED):
            return self.leaf(node, analyses)
        if isinstance(node, qt.And):
            analyses = named_analyses(node, analyses)
            found = [self.node(child, analyses) for child in node.children]
            needed = [clause for clause in found if isinstance(clause, Clause)]
            ranking = [part.clause for part in found if isinstance(part, _Partly)]
            if not ranking:
                return all_of(needed)
            if not needed:
                return _Partly(all_of(ranking))
            required = all_of(needed)
            return ranked_by(required, _ranks([required, any_of(ranking)]))
        if isinstance(node, qt.Or):
            either_ = [_sure(self.node(child, analyses)) for child in node.children]
            return any_of([clause for clause in either_ if clause is not None])
        if isinstance(node, qt.Not):
            inner = _sure(self.negative(node.child, analyses))
            return none_of(inner) if inner else None  # (an empty group is false)
        if isinstance(node, (qt.AndNot, qt.AndMaybe, qt.Require)):
            return self.binary(node, analyses)
        if isinstance(node, qt.Every):
            return EVERY
        if isinstance(node, qt.DateRange):
            return dates(node)
        raise TypeError(f"cannot compile {node!r}")

    def negative(self, node: qt.Node, analyses: tuple[str, ...]) -> Clause | _Partly | None:
        self.negated += 1
        try:
            return self.node(node, analyses)
        finally:
            self.negated -= 1

    def seek(self, terms: Iterable[str], weight: str, **kind: Any) -> None:
        """Note words a match may hold (``Sought``), unless under NOT."""
        if not self.negated:
            self.sought.append(Sought(tuple(terms), weight, **kind))

    def binary(self, node: qt.AndNot | qt.AndMaybe | qt.Require, analyses: tuple[str, ...]) -> Clause:
        if isinstance(node, qt.AndNot):
            first, second = node.positive, node.negative
        elif isinstance(node, qt.AndMaybe):
            first, second = node.required, node.optional
        else:
            first, second = node.scored, node.required
        one = _sure(self.node(first, analyses))
        other = _sure(self.negative(second, analyses) if isinstance(node, qt.AndNot) else self.node(second, analyses))
        if one is None or other is None:  # one side with nothing to search for: the other side alone
            return one or other or NOTHING
        if isinstance(node, qt.AndNot):
            return all_of([one, none_of(other)])
        if isinstance(node, qt.AndMaybe):
            return ranked_by(one, _ranks([one, other]))
        return ranked_by(all_of([one, other]), one.rank)

    def leaf(self, node: Leaf, analyses: tuple[str, ...]) -> Clause | _Partly | None:
        """A leaf as each analysis makes it, the distinct ones together: either of them matches. A leaf that some
        analyses drop (stop words) and others keep is ``_Partly``."""
        if node.field in _COLUMNS or node.field == "author":
            return self.value(node)
        weight = WEIGHTS.get(node.field or "", "")
        made: list[Clause] = []
        dropped = False
        for analysis in analyses:
            clause = self.analysed(node, analysis, weight)
            if clause is None:
                dropped = True
            elif clause not in made:
                made.append(clause)
        if not made:
            return None
        found = any_of(made)
        return _Partly(found) if dropped else found

    def analysed(self, node: Leaf, analysis: str, weight: str) -> Clause | None:
        """A leaf of the word fields as ``analysis`` reads it; None where nothing is left (stop words)."""
        if isinstance(node, qt.Word):
            found = word(node.text, analysis, weight)
            for part in word_parts(node.text, analysis):
                self.seek(part.terms, weight, phrase=part.run)
            return words(found) if found else None
        if isinstance(node, qt.Phrase):
            for spelling in phrase_spellings(node.text, analysis):
                self.seek(spelling, weight, phrase=True, slop=node.slop)
            written, loose = phrase(node.text, analysis, weight, node.slop)
            if loose:
                self.notes.append(
                    f'the phrase "{node.text}"~{node.slop} is matched as its words in any order: '
                    f"too many ways to place them (over {MAX_SLOP_SPELLINGS})"
                )
            return words(written) if written else None
        if isinstance(node, qt.Prefix):
            starts: list[str] = []
            for terms in as_typed_too(whole_terms(node.text, analysis), node.text, analysis):
                for start in terms:
                    stems, cut = prefix_variants(start, self.analyses)
                    self.seek([start, *stems], weight, prefix=True)
                    self.seek(cut, weight)
                    starts += [start, *stems]
            if self.connection is not None:  # (the server matches a prefix by its index; its cost is bounded alike)
                room = text_terms.MAX_EXPANSION + 1
                self.counted(node, "wildcard", [
                    found for start in starts
                    for found in vocabulary.terms_like(self.connection, like_pattern(start) + "%", room)
                ])  # fmt: skip
            return words(prefix(node.text, analysis, self.analyses, weight))
        if isinstance(node, qt.Wildcard):
            patterns = as_typed_too(whole_terms(node.pattern, analysis), node.pattern, analysis)
            return all_of(
                [self.expansion(node, "wildcard", like=alternatives, weight=weight) for alternatives in patterns]
            )
        if isinstance(node, qt.Fuzzy):
            return self.expansion(
                node, "fuzzy term", near=first_term(whole_terms(node.text, analysis), node.text), weight=weight
            )
        low = first_term(whole_terms(node.start, analysis), node.start) if node.start else None
        high = first_term(whole_terms(node.end, analysis), node.end) if node.end else None
        return self.expansion(node, "range", between=(low, high), weight=weight)

    def expansion(
        self,
        node: Leaf,
        kind: str,
        *,
        like: Sequence[str] = (),
        near: str | None = None,
        between: tuple[str | None, str | None] | None = None,
        weight: str = "",
    ) -> Clause:
        """The archive's words a wildcard (any of ``like``), fuzzy term (``near``) or range (``between``) stands
        for, as one OR of lexemes; refused past ``MAX_EXPANSION`` words for the whole query."""
        if self.connection is None:
            raise ValueError("a wildcard, fuzzy or range term needs the vocabulary: compile with a connection")
        if self.budget is not None:
            self.budget.check()
        room = text_terms.MAX_EXPANSION + 1
        found: list[str] = []
        if isinstance(node, qt.Fuzzy) and near is not None:
            found = vocabulary.terms_near(self.connection, near, node.edits, node.prefix, room)
        elif isinstance(node, qt.Range) and between is not None:
            found = vocabulary.terms_between(
                self.connection, between[0], between[1], node.start_excluded, node.end_excluded, room
            )
        else:
            for pattern in like:
                found += vocabulary.terms_like(self.connection, like_pattern(pattern), room)
        found = self.counted(node, kind, found)
        if not found:
            return NOTHING
        self.seek(found, weight)
        return words(either([term(text, weight) for text in found]))

    def counted(self, node: Leaf, kind: str, found: list[str]) -> list[str]:
        """The words ``found`` for a term, once each, counted with the query's others against
        ``MAX_EXPANSION``: a query past it is refused, as the Whoosh engine refuses it."""
        found = list(dict.fromkeys(found))
        self.expanded.update(found)
        if len(self.expanded) > text_terms.MAX_EXPANSION:
            raise too_wide(kind, _shown(node), alone=len(found) > text_terms.MAX_EXPANSION)
        return found

    def value(self, node: Leaf) -> Clause:
        """A leaf of a field that holds whole values (``source:``, ``lang:``, ``author:``): a predicate."""
        field = node.field
        assert field is not None
        if isinstance(node, (qt.Word, qt.Phrase)):
            if field == "author":  # (names separated by commas: every one of them)
                names = [name.strip().lower() for name in node.text.split(",") if name.strip()]
                return all_of([_author("= %s", name) for name in names])
            return _column(field, "= %s", node.text.lower())
        if isinstance(node, (qt.Prefix, qt.Wildcard)):
            text = node.text if isinstance(node, qt.Prefix) else node.pattern
            pattern = like_pattern(text.lower()) + ("%" if isinstance(node, qt.Prefix) else "")
            return _author("LIKE %s", pattern) if field == "author" else _column(field, "LIKE %s", pattern)
        if isinstance(node, qt.Fuzzy):
            self.notes.append(f"{field}:{node.text}~ is matched exactly: fuzzy values are for words only")
            return (
                _author("= %s", node.text.lower()) if field == "author" else _column(field, "= %s", node.text.lower())
            )
        bounds: list[Clause] = []
        if node.start:
            operator = "> %s" if node.start_excluded else ">= %s"
            bounds.append(
                _author(operator, node.start.lower())
                if field == "author"
                else _column(field, operator, node.start.lower())
            )
        if node.end:
            operator = "< %s" if node.end_excluded else "<= %s"
            bounds.append(
                _author(operator, node.end.lower()) if field == "author" else _column(field, operator, node.end.lower())
            )
        return all_of(bounds) if bounds else Clause(sql=f"{_COLUMNS.get(field, 'd.authors')} IS NOT NULL")


def _column(field: str, operator: str, value: str) -> Clause:
    return Clause(sql=f'{_COLUMNS[field]} COLLATE "C" {operator}', params=(value,))


def _author(operator: str, value: str) -> Clause:
    return Clause(
        sql=f'EXISTS (SELECT 1 FROM unnest(d.authors) AS name WHERE {_AUTHOR} COLLATE "C" {operator})', params=(value,)
    )


def dates(node: qt.DateRange) -> Clause:
    """A ``date:`` clause: published from its start to its end (an undated article is in no range)."""
    parts, params = published_within(node.start, node.end)
    return Clause(sql=" AND ".join(["d.published IS NOT NULL", *parts]), params=tuple(params))


def published_within(start: datetime | None, end: datetime | None) -> tuple[list[str], list[object]]:
    """The conditions (and their parameters) that ``d.published`` lies from ``start`` to ``end``, both
    inclusive; none for an open end. (An undated article meets none but an open pair.)"""
    parts: list[str] = []
    params: list[object] = []
    if start is not None:
        parts.append("d.published >= %s")
        params.append(start)
    if end is not None:
        parts.append("d.published <= %s")
        params.append(end)
    return parts, params


def _shown(node: Leaf) -> str:
    """A wildcard, fuzzy or range term as the user typed it (with its field unless it is a word field)."""
    if isinstance(node, qt.Fuzzy):
        text = f"{node.text}~{node.edits:g}"
    elif isinstance(node, qt.Range):
        text = f"[{node.start or ''} TO {node.end or ''}]"
    elif isinstance(node, qt.Wildcard):
        text = node.pattern
    elif isinstance(node, qt.Prefix):
        text = f"{node.text}*"
    else:
        text = node.text
    return text if node.field in WEIGHTS or not node.field else f"{node.field}:{text}"
