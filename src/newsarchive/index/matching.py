"""The set of documents a query matches, computed a posting block at a time.

Whoosh finds matches by stepping its matcher tree one document at a time in
Python: fine for the ten best hits it scores, slow for counting every match
of a common word (tens of milliseconds at 100,000 articles) and slower for a
date range, which it runs as a union of dozens of numeric terms. Here each
term's posting list is read whole, block by block, and the query's ANDs, ORs
and NOTs become set operations. Query types without a fast way (phrases,
proximity) are answered by Whoosh's own matcher for that part only.
"""

from __future__ import annotations

from array import array
from itertools import accumulate

from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher
from whoosh.searching import Searcher


def matching_docnums(searcher: Searcher, query: wq.Query) -> set[int]:
    """Every live document (as the searcher's global docnum) that ``query`` matches."""
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        docnums = _match(leaf, reader, query)
        if reader.has_deletions():
            docnums -= reader.deleted_docs_set
        found.update((docnum + offset for docnum in docnums) if offset else docnums)
    return found


def _match(leaf: Searcher, reader, query: wq.Query) -> set[int]:  # type: ignore[no-untyped-def]
    """Segment-local docnums matching ``query`` in one segment (deleted ones may be included)."""
    if isinstance(query, wq.Term):
        return set(_posting_ids(reader, query.fieldname, query.text))
    if isinstance(query, wq.And):
        parts = sorted((_match(leaf, reader, child) for child in query.subqueries), key=len)
        return set.intersection(*parts) if parts else set()
    if isinstance(query, (wq.Or, wq.DisjunctionMax)):
        return set().union(*(_match(leaf, reader, child) for child in query.subqueries))
    if isinstance(query, wq.AndNot):
        return _match(leaf, reader, query.a) - _match(leaf, reader, query.b)
    if isinstance(query, wq.AndMaybe):
        return _match(leaf, reader, query.a)
    if isinstance(query, wq.Not):
        return set(range(reader.doc_count_all())) - _match(leaf, reader, query.query)
    if isinstance(query, wq.Every) and not query.fieldname:
        return set(range(reader.doc_count_all()))
    if query is wq.NullQuery:
        return set()
    if isinstance(query, wq.NumericRange):  # dates too: a union of trie terms
        return _match(leaf, reader, query._compile_query(reader))
    if isinstance(query, wq.MultiTerm):  # prefixes, wildcards, fuzzy terms, term ranges
        fieldname = query.field()
        return set().union(*(_posting_ids(reader, fieldname, btext) for btext in query._btexts(reader)))
    if isinstance(query, wq.WrappingQuery):
        return _match(leaf, reader, query.child)
    # Phrases, proximity and the like: Whoosh's matcher, for this part only.
    return set(query.docs(leaf))


def _posting_ids(reader, fieldname: str, text: str | bytes) -> array | list[int]:  # type: ignore[no-untyped-def]
    """The docnums of one term's postings in one segment, read a block at a time."""
    if (fieldname, text) not in reader:
        return []
    matcher = reader.postings(fieldname, text)
    if isinstance(matcher, FilterMatcher):  # it leaves out deleted documents: matching_docnums does that
        matcher = matcher.child
    if not isinstance(matcher, W3LeafMatcher):
        return list(matcher.all_ids())
    ids = array("I")
    while matcher.is_active():
        if matcher._data is None:
            matcher._read_data()
        ids.extend(accumulate(matcher._data[0]))  # the block's ids, stored as gaps
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids
