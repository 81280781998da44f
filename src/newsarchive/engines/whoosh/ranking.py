"""BM25F ranking of word queries over a known set of matches, a posting block at a time.

Whoosh ranks by stepping a tree of matchers through the documents: for two
common words ANDed over three fields at 100,000 articles that is a hundred
milliseconds of Python per search. Once ``matching`` has found the matching
documents, the ranking of a query made of words (in scorable fields, under
AND, OR and AND NOT) is a sum per document of one BM25 term score per
matching word and field, which is computed here from each posting block's
ids and weights and each segment's field-length bytes, with Whoosh's own
formula, statistics and tie order; a test holds it to Whoosh's scores.
Other queries (date clauses, proximity, other weightings) return None and
Whoosh ranks them.

Wildcard, prefix, range and fuzzy terms (``query.Expanded``) are ranked here
as Lucene ranks them by default, not as Whoosh does: a document gets a
point for each field where it holds any of the term's words (a constant
score), or, for a term that asks to be scored, the sum of its words' scores.
Whoosh steps a union of up to a thousand matchers through every matching
document (a minute for ``co*`` at 100,000 articles), and its score depends
on how large each segment is.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import query as wq
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from newsarchive.engines.whoosh.matching import numeric_column, phrase_docnums
from newsarchive.engines.whoosh.postings import Postings, segment_length_bytes
from newsarchive.engines.whoosh.query import Expanded

_CONSTANT = ""  # a "field" standing for a score every match gets
#: Below this share of a term's postings, matches are looked up in them rather than the postings walked.
_FEW = 8


def rank(
    searcher: Searcher, query: wq.Query, matches: set[int], limit: int, postings: Postings | None = None
) -> list[tuple[float, int]] | None:
    """The best ``limit`` of ``matches`` as (score, docnum), best first, as Whoosh would rank them; or None."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        return None
    terms = _scored_terms(query, searcher)
    if terms is None:
        return None
    postings = postings or Postings()
    constant = sum(boost for fieldname, _, boost, _ in terms if fieldname == _CONSTANT)
    bm25 = _Parameters(searcher, weighting)
    scores: dict[int, float] = {}
    get = scores.get
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        here: list[int] | None = None  # the segment's matches (local docnums), once needed
        for fieldname, text, boost, phrase in terms:
            if fieldname == _CONSTANT:
                continue
            if isinstance(text, tuple):  # a wildcard's words: a point for holding any (Whoosh's constant score)
                holding: set[int] = set()
                for word in text:
                    holding.update(postings.of(reader, fieldname, word)[0])
                for docnum in holding:
                    found = docnum + offset
                    if found in matches:
                        scores[found] = get(found, 0.0) + boost
                continue
            ids, weights, _ = postings.of(reader, fieldname, text)
            if not ids:
                continue
            if phrase is not None:  # its words score only where the phrase stands (in this field)
                ids, weights = _look_up(ids, weights, sorted(phrase_docnums(reader, phrase, postings)))
            idf, k1, b, average = bm25.of(fieldname, text)
            top = k1 + 1
            norms = _norms(reader, fieldname, average, k1, b)
            if len(matches) * _FEW < len(ids):  # (a phrase of common words): look the matches up
                if here is None:
                    end = offset + reader.doc_count_all()
                    here = sorted(found - offset for found in matches if offset <= found < end)
                ids, weights = _look_up(ids, weights, here)
            for docnum, weight in zip(ids, weights, strict=True):
                found = docnum + offset
                if found in matches:
                    # Whoosh's bm25(), term for term, so the sums come out the same.
                    score = idf * ((weight * top) / (weight + norms[docnum]))
                    scores[found] = get(found, 0.0) + (score * boost if boost != 1.0 else score)
    # Whoosh's order: higher score first, then the lower document number.
    return [(score + constant, docnum) for docnum, score in heapq.nsmallest(limit, scores.items(), key=_order)]


class _Parameters:
    """Each word's BM25 statistics and parameters: K1 and B (a field's own B too) from Whoosh's own scorer."""

    def __init__(self, searcher: Searcher, weighting: BM25F) -> None:
        self.searcher = searcher
        self.weighting = weighting
        self.fields = _FIELD_PARAMETERS.setdefault(weighting, {})

    def of(self, fieldname: str, text: Any) -> tuple[float, float, float, float]:
        """(idf, K1, B, average field length), as ``BM25FScorer`` takes them."""
        found = self.fields.get(fieldname)
        if found is None:
            scorer = self.weighting.scorer(self.searcher, fieldname, text)  # (~30 us: once per field)
            found = self.fields[fieldname] = (scorer.K1, scorer.B)
        k1, b = found
        searcher = self.searcher
        return searcher.idf(fieldname, text), k1, b, searcher.avg_field_length(fieldname) or 1


_FIELD_PARAMETERS: WeakKeyDictionary = WeakKeyDictionary()  # weighting -> {field: (K1, B)}


def _look_up(ids: list[int], weights: list[float], docnums: list[int]) -> tuple[list[int], list[float]]:
    """The postings (ids, weights) of those of the sorted ``docnums`` that the sorted ``ids`` hold."""
    found_ids, found_weights = [], []
    at = 0
    for docnum in docnums:
        at = bisect_left(ids, docnum, at)
        if at == len(ids):
            break
        if ids[at] == docnum:
            found_ids.append(docnum)
            found_weights.append(weights[at])
    return found_ids, found_weights


def _order(item: tuple[int, float]) -> tuple[float, int]:
    return -item[1], item[0]


def _scored_terms(query: wq.Query, searcher: Searcher) -> list[tuple[str, Any, float, wq.Phrase | None]] | None:
    """(field, text, boost, phrase) of every term that adds to a document's score, or None for other queries.

    ``text`` is a tuple of terms for a wildcard that adds ``boost`` to a document holding any of them;
    ``phrase`` the phrase a word is of: it adds to the score only where the phrase stands.
    """
    if isinstance(query, wq.Term):
        field = searcher.schema[query.fieldname] if query.fieldname in searcher.schema else None
        if field is None or not field.scorable:
            return None
        return [(query.fieldname, query.text, query.boost, None)]
    if isinstance(query, (wq.And, wq.Or)) and type(query) in (wq.And, wq.Or) and query.boost == 1.0:
        terms: list[tuple[str, Any, float, wq.Phrase | None]] = []
        for child in query.subqueries:
            found = _scored_terms(child, searcher)
            if found is None:
                return None
            terms.extend(found)
        return terms
    if type(query) is wq.Phrase and query.boost == 1.0 and query.fieldname in searcher.schema:
        # Whoosh scores a phrase as the AND of its words.
        field = searcher.schema[query.fieldname]
        if not field.scorable:
            return None
        return [(query.fieldname, field.to_bytes(word), 1.0, query) for word in query.words]
    if isinstance(query, Expanded) and query.boost == 1.0 and query.fieldname in searcher.schema:
        # A wildcard's words (constant score): a point for holding any; otherwise the OR of its words.
        if not searcher.schema[query.fieldname].scorable:
            return None
        if query.constantscore:
            return [(query.fieldname, query.btexts, 1.0, None)]
        return [(query.fieldname, btext, 1.0, None) for btext in query.btexts]
    if type(query) is wq.AndNot and query.boost == 1.0:
        return _scored_terms(query.a, searcher)
    if type(query) is wq.Not:  # Whoosh scores the documents a NOT lets through with its boost
        return [(_CONSTANT, "", query.boost, None)]
    return None


_NORMS: WeakKeyDictionary = WeakKeyDictionary()  # segment reader -> {(field, average, k1, b): norms}


def _norms(reader, fieldname: str, average: float, k1: float, b: float) -> list[float]:  # type: ignore[no-untyped-def]
    """Per document of the segment, BM25's length part of the denominator (from the stored length byte).

    Kept as long as the segment reader (the searcher is reused between searches).
    """
    cached = _NORMS.setdefault(reader, {})
    key = (fieldname, average, k1, b)
    if key not in cached:
        by_byte = [k1 * ((1 - b) + b * byte_to_length(byte) / average) for byte in range(256)]
        found = segment_length_bytes(reader, fieldname)
        cached[key] = [by_byte[byte] for byte in found] if found is not None else [by_byte[0]] * reader.doc_count_all()
    return cached[key]


Column = tuple[array, int] | None  # a segment's numeric column and its "none" value (``matching.numeric_column``)


def by_date(searcher: Searcher, matches: set[int], limit: int, *, newest: bool) -> list[tuple[float, int]]:
    """The first ``limit`` of ``matches`` by publication date, as (0.0, docnum): undated last, then in index order.

    Whoosh's sorted search steps the query's matchers through every match
    (a wildcard's thousand words: seconds); the order needs only the columns.
    """
    starts: list[int] = []
    columns: list[tuple[Column, Column]] = []
    for leaf, offset in searcher.reader().leaf_readers():
        if leaf.doc_count_all():
            starts.append(offset)
            columns.append((numeric_column(leaf, "dated"), numeric_column(leaf, "published")))
    direction = -1 if newest else 1

    def value(found: Column, docnum: int) -> int:
        if found is None:
            return 0
        values, missing = found
        return values[docnum] if docnum < len(values) and values[docnum] != missing else 0

    def key(docnum: int) -> tuple[int, int, int]:
        at = bisect_left(starts, docnum + 1) - 1
        local = docnum - starts[at]
        dated, published = columns[at]
        return (-value(dated, local), direction * value(published, local), docnum)

    return [(0.0, docnum) for docnum in heapq.nsmallest(limit, matches, key=key)]

