"""Beyond a ranked list, in the server: spelling suggestions, articles like an article, telling words.

The same rules as the Whoosh engine's (``newsarchive.text.spelling``): the
vocabulary holds stems, so a close stem is turned back into the word the
articles write for it, read from a few of them in their language. Key terms
are weighed by the Bo1 model against the vocabulary's article counts
(``search_terms.docs``; Whoosh weighs by a term's occurrences, which the
vocabulary does not keep).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from math import log
from typing import TYPE_CHECKING

from newsarchive.engines.postgres import vocabulary
from newsarchive.engines.postgres.query import Compiled, Sought, index_analyses
from newsarchive.engines.postgres.search import body_text, compiled, hits_of, page_rows, rank_sql, reading
from newsarchive.engines.protocol import HitPage, SearchOptions
from newsarchive.errors import InvalidQuery, SearchTimeout
from newsarchive.query.budget import Budget
from newsarchive.query.parser import parse
from newsarchive.query.tree import Query
from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.languages import forms, function_terms
from newsarchive.text.spelling import (
    Reach,
    nearest_written,
    ranked_words,
    respelling,
    written_forms,
)

if TYPE_CHECKING:
    from psycopg import Connection

#: The best-ranked matches whose words ``telling_terms`` weighs (as the Whoosh engine).
SAMPLE_DOCS = 300
#: Key terms of an article that ``similar`` looks for.
KEY_TERMS = 20
#: Articles whose text is read to find the words written for a stem.
_FORM_SAMPLE = 10


def suggest(connection: Connection, query: Query, budget: Budget | None = None) -> str | None:
    """The query with its unknown words replaced by the closest words of the archive, if that finds anything
    (the Whoosh engine's rules: ``explore.suggest`` there); None too when the ``budget`` is spent."""
    budget = budget or Budget()
    try:
        with reading(connection, budget):
            return _suggest(connection, query.text, budget)
    except SearchTimeout:
        return None


def _suggest(connection: Connection, query_text: str, budget: Budget) -> str | None:
    analyses = index_analyses(connection)

    def options_of(word: str) -> list[tuple[int, str]]:
        stems = list(dict.fromkeys(forms(analysis).of(word).decode("utf-8") for analysis in analyses))
        known = max(vocabulary.docs_of(connection, stems).values(), default=0)
        return spelling_options(connection, word, stems, at_least=max(1, 10 * known))

    suggestion = respelling(query_text, options_of, lambda text: _count(connection, text, budget), budget.check)
    if suggestion is None:
        return None
    try:
        respelled_query = compiled(connection, parse(suggestion), budget)
    except InvalidQuery:  # a suggestion that does not parse is no suggestion
        return None
    row = connection.execute(
        f"SELECT EXISTS (SELECT 1 FROM search_docs d WHERE {respelled_query.where})", respelled_query.params
    ).fetchone()
    return suggestion if row and row[0] else None


def _count(connection: Connection, query_text: str, budget: Budget) -> int:
    """How many articles a query finds; 0 if it does not parse."""
    try:
        found = compiled(connection, parse(query_text), budget)
    except InvalidQuery:
        return 0
    row = connection.execute(f"SELECT count(*) FROM search_docs d WHERE {found.where}", found.params).fetchone()
    return int(row[0]) if row else 0


def spelling_options(
    connection: Connection, word: str, stems: list[str], *, at_least: int = 1
) -> list[tuple[int, str]]:
    """(edits, word) for the archive's words within two edits of ``word``, closest first, then the most frequent
    (the Whoosh engine's ``spelling_options``): the vocabulary's stems that share the word's first letter and
    are within reach (``spelling.Reach``), held by at least ``at_least`` articles, turned back into the word
    the articles write for them nearest the typed one."""
    reach = Reach(word, stems)
    rows = connection.execute(
        "SELECT term, docs FROM search_terms WHERE term LIKE %s AND docs >= %s AND char_length(term) BETWEEN %s AND %s",
        (vocabulary.like_prefix(reach.word[:1]), at_least, max(1, reach.shortest), reach.longest),
    ).fetchall()
    candidates = [(cost, -frequency, term) for term, frequency in rows if (cost := reach.cost(term)) is not None]
    return ranked_words(
        candidates, lambda term: nearest_written(_written(connection, term, _FORM_SAMPLE), word) or term, word
    )


def _written(connection: Connection, stemmed: str, documents: int) -> Counter[str]:
    """How often each word that stems to ``stemmed`` is written in the bodies of the first ``documents``
    articles holding it."""
    from newsarchive.engines.postgres.rows import lexeme

    rows = connection.execute(
        "SELECT a.body, d.lang FROM search_docs d JOIN articles a ON a.id = d.id"
        " WHERE d.vector @@ %s::tsquery LIMIT %s",
        (lexeme(stemmed), documents),
    ).fetchall()
    return written_forms(stemmed, ((body_text(body), language) for body, language in rows))


def similar(connection: Connection, article_id: str, limit: int) -> tuple[str, HitPage]:
    """The whole id of ``article_id`` (or of the one article whose id it begins), and the articles most like
    it: those holding its key terms (``key_terms``), ranked."""
    from newsarchive.ids import whole_ids

    with reading(connection):
        [whole] = whole_ids([article_id], partial(_ids_starting_with, connection), where=" in the search index")
        row = connection.execute(
            "SELECT a.body, d.lang FROM search_docs d JOIN articles a ON a.id = d.id WHERE d.id = %s", (whole,)
        ).fetchone()
        texts = [(body_text(row[0]), row[1])] if row else []
        weights = key_terms(connection, analyse(texts), KEY_TERMS)
        if not weights:
            return whole, HitPage(total=0, hits=[])
        from newsarchive.engines.postgres.rows import lexeme

        terms = [term for term, _ in weights]
        either = " | ".join(f"{lexeme(term)}:C" for term in terms)
        found = Compiled(
            "d.vector @@ %s::tsquery AND d.id <> %s", (either, whole), either, (), (Sought(tuple(terms), "C"),),
            weighted=tuple((f"{lexeme(term)}:C", float(weight)) for term, weight in weights),
        )
        return whole, _ranked_page(connection, found, limit)


def _ranked_page(connection: Connection, found: Compiled, limit: int) -> HitPage:
    """The best ``limit`` matches of ``found``, not folded (as Whoosh's more-like-this), and their number."""
    row = connection.execute(f"SELECT count(*) FROM search_docs d WHERE {found.where}", found.params).fetchone()
    rows = page_rows(connection, found, found.where, found.params, SearchOptions(limit=limit, collapse=False))
    return HitPage(total=int(row[0]) if row else 0, hits=hits_of(connection, found, rows, scored=True))


def _ids_starting_with(connection: Connection, text: str, limit: int) -> list[str]:
    """Up to ``limit`` ids of the search rows that begin with ``text``, in order (``ids.whole_ids``)."""
    rows = connection.execute(
        "SELECT id FROM search_docs WHERE id LIKE %s ORDER BY id LIMIT %s", (vocabulary.like_prefix(text), limit)
    ).fetchall()
    return [row[0] for row in rows]


def key_terms(connection: Connection, analysed: Iterable[Analysed], count: int) -> list[tuple[str, float]]:
    """The Bo1 model's best ``count`` terms of texts (``analyse``d: each word counted once by its own stem,
    without its language's function words), weights normalised, as Whoosh's ``key_terms``; a term's weight
    in the collection is its number of articles."""
    weights: Counter[str] = Counter()
    for terms, _, _ in analysed:
        weights.update({term.decode("utf-8"): len(places) for term, places in terms.items()})
    if not weights:
        return []
    collection = vocabulary.docs_of(connection, list(weights))
    return bo1(weights, collection, max(1, vocabulary.total_docs(connection)), count)


#: A text's terms and their places (without function words), the text, and its language.
Analysed = tuple[Mapping[bytes, Sequence[int]], str, str | None]


def analyse(texts: Iterable[tuple[str, str | None]]) -> list[Analysed]:
    """Each (text, language) with its terms as ``key_terms`` counts them."""
    found: list[Analysed] = []
    for text, language in texts:
        common = function_terms(language)
        terms = stemmed_positions(text, language, alternatives=False)
        found.append(({term: places for term, places in terms.items() if term not in common}, text, language))
    return found


def bo1(weights: Counter[str], collection: dict[str, int], documents: int, count: int) -> list[tuple[str, float]]:
    """The Bo1 (Bose-Einstein) weights of terms found ``weights`` times in a sample against how often the
    collection of ``documents`` holds them, normalised as Whoosh's ``Expander`` does; best first."""

    def score(in_sample: float, in_collection: float) -> float:
        share = in_collection / documents
        return in_sample * log((1.0 + share) / share, 2) + log(1.0 + share, 2)

    scored = [(score(weight, collection[term]), term) for term, weight in weights.items() if collection.get(term)]
    best = max((value for value, _ in scored), default=0.0)
    if not best:
        return []
    share = best / documents
    norm = (best * log((1.0 + share) / share) + log(1.0 + share)) / log(2.0)
    ranked = sorted(((value / norm, term) for value, term in scored), key=lambda pair: (-pair[0], pair[1]))
    return [(term, weight) for weight, term in ranked[:count]]


def telling_terms(connection: Connection, query: Query, count: int) -> tuple[int, list[tuple[str, float]]]:
    """The words most over-represented in the matching articles against the whole archive (Bo1 model):
    how many articles matched, and (word, weight) pairs for the best-ranked ``SAMPLE_DOCS``, the words as
    the articles write them."""
    budget = Budget()
    with reading(connection, budget):
        found = compiled(connection, query, budget)
        row = connection.execute(f"SELECT count(*) FROM search_docs d WHERE {found.where}", found.params).fetchone()
        total = int(row[0]) if row else 0
        if not total:
            return 0, []
        score, score_params = rank_sql(found)
        rows = connection.execute(
            f"SELECT a.body, d.lang FROM (SELECT d.id, d.lang, {score} AS score FROM search_docs d"
            f" WHERE {found.where} ORDER BY score DESC, d.id LIMIT %s) AS d JOIN articles a ON a.id = d.id"
            " ORDER BY d.score DESC, d.id",
            (*score_params, *found.params, SAMPLE_DOCS),
        ).fetchall()
        analysed = analyse((body_text(body), language) for body, language in rows)
        terms = key_terms(connection, analysed, count)
    return total, [(_surface(term, analysed), round(weight, 4)) for term, weight in terms]


def _surface(stemmed: str, analysed: Sequence[Analysed]) -> str:
    """The word the sampled articles most often write for a stem, read in the first three holding it."""
    wanted = stemmed.encode("utf-8")
    holding = [(text, language) for terms, text, language in analysed if wanted in terms][:3]
    seen = written_forms(stemmed, holding)
    return seen.most_common(1)[0][0] if seen else stemmed
