"""The set of documents a query matches, computed a posting block at a time.

Whoosh finds matches by stepping its matcher tree one document at a time in
Python: fine for the ten best hits it scores, slow for counting every match
of a common word (tens of milliseconds at 100,000 articles) and slower for a
date range, which it runs as a union of dozens of numeric terms. Here each
term's posting list is read whole (``postings``), the query's ANDs, ORs and
NOTs become set operations, and phrases are checked on the positions of the
articles holding all their words. Query types without a fast way (proximity
and the like) are answered by Whoosh's own matcher for that part only.
"""

from __future__ import annotations

import pickle
import struct
from array import array
from bisect import bisect_left
from collections.abc import Callable, Set
from itertools import accumulate
from typing import Any
from weakref import WeakKeyDictionary

from whoosh import columns, formats
from whoosh import query as wq
from whoosh.searching import Searcher

from newsarchive.engines.whoosh.postings import Postings, column_values

_COUNT_SIZE = struct.calcsize("!I")  # before the pickled gaps of a Positions value


def matching_docnums(searcher: Searcher, query: wq.Query, postings: Postings | None = None) -> set[int]:
    """Every live document (as the searcher's global docnum) that ``query`` matches."""
    postings = postings or Postings()
    found: set[int] = set()
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        docnums = _match(leaf, reader, query, postings)
        if reader.has_deletions():
            docnums -= reader.deleted_docs_set
        found.update((docnum + offset for docnum in docnums) if offset else docnums)
    return found


def _match(leaf: Searcher, reader, query: wq.Query, postings: Postings) -> set[int]:  # type: ignore[no-untyped-def]
    """Segment-local docnums matching ``query`` in one segment (deleted ones may be included)."""

    def match(part: wq.Query) -> set[int]:
        return _match(leaf, reader, part, postings)

    if isinstance(query, wq.Term):
        return set(postings.of(reader, query.fieldname, query.text)[0])
    if isinstance(query, wq.And):
        ranges: list[wq.Query] = []
        words: list[wq.Query] = []
        children = _and_parts(query)
        for child in children:
            (ranges if _in_columns(reader, child) else words).append(child)
        if not words:  # nothing to narrow down: the ranges' own terms
            ranges, words = [], children
        parts = sorted((match(child) for child in words), key=len)
        found = set.intersection(*parts) if parts else set()
        for bounds in ranges:  # a date range over the few matches, from the column, not its many terms
            found = _within(reader, bounds, found)
        return found
    if isinstance(query, (wq.Or, wq.DisjunctionMax)):
        return set().union(*(match(child) for child in query.subqueries))
    if isinstance(query, wq.AndNot):
        return match(query.a) - match(query.b)
    if isinstance(query, wq.AndMaybe):
        return match(query.a)
    if isinstance(query, wq.Not):
        return set(range(reader.doc_count_all())) - match(query.query)
    if isinstance(query, wq.Every) and not query.fieldname:
        return set(range(reader.doc_count_all()))
    if query is wq.NullQuery:
        return set()
    if isinstance(query, wq.NumericRange):  # dates too: a union of trie terms
        return match(query.simplify(reader))  # (Whoosh's union of trie terms for the range)
    if isinstance(query, wq.MultiTerm):  # prefixes, wildcards, fuzzy terms, term ranges
        return set().union(*(postings.of(reader, fieldname, btext)[0] for fieldname, btext in query.expanded_terms(reader)))
    if isinstance(query, wq.WrappingQuery):
        return match(query.child)
    if type(query) is wq.Phrase and query.fieldname in reader.schema:
        return set(phrase_docnums(reader, query, postings))
    # Proximity and the like: Whoosh's matcher, for this part only.
    return set(query.docs(leaf))


def _and_parts(query: wq.And) -> list[wq.Query]:
    """The children of an AND, with the children of nested ANDs lifted up."""
    parts: list[wq.Query] = []
    for child in query.subqueries:
        parts.extend(_and_parts(child) if type(child) is wq.And else [child])
    return parts


_COLUMNS: WeakKeyDictionary = WeakKeyDictionary()  # segment reader -> {field: values or None}


def _in_columns(reader, query: wq.Query) -> bool:  # type: ignore[no-untyped-def]
    return type(query) in (wq.NumericRange, wq.DateRange) and numeric_column(reader, query.fieldname) is not None


def _column_cached(reader, key: object, read: Callable[[], Any]) -> Any:  # type: ignore[no-untyped-def]
    """What ``read()`` gives for the segment ``reader`` under ``key``: read once, kept while the segment is open."""
    cached = _COLUMNS.setdefault(reader, {})
    if key not in cached:
        cached[key] = read()
    return cached[key]


def numeric_column(reader, fieldname: str) -> tuple[array, int] | None:  # type: ignore[no-untyped-def]
    """A numeric column's stored values for the segment's documents, and the value of "none"; cached."""

    def read() -> tuple[array, int] | None:
        field = reader.schema[fieldname] if fieldname in reader.schema else None
        if field is not None and isinstance(field.column_type, columns.NumericColumn) and reader.has_column(fieldname):
            column = reader.column_reader(fieldname, translate=False)
            if type(column) is columns.NumericColumn.Reader:
                return column_values(column), field.column_type.default_value()
        return None

    found: tuple[array, int] | None = _column_cached(reader, fieldname, read)
    return found


def text_column(reader, fieldname: str) -> list[str] | None:  # type: ignore[no-untyped-def]
    """A text column's values for each of the segment's documents ("" for none), read whole once; cached
    while the segment is open, so that counting the values of many matches is a list lookup each."""

    def read() -> list[str] | None:
        if fieldname not in reader.schema or not reader.has_column(fieldname):
            return None
        return [value.decode("utf-8") if isinstance(value, bytes) else (value or "") for value in reader.column_reader(fieldname)]

    found: list[str] | None = _column_cached(reader, ("text", fieldname), read)
    return found


def _within(reader, query: wq.NumericRange, docnums: set[int]) -> set[int]:  # type: ignore[no-untyped-def]
    """Those of ``docnums`` whose value of the range's field lies in it (documents without one never do)."""
    found_column = numeric_column(reader, query.fieldname)
    assert found_column is not None  # (``_in_columns`` said so)
    values, missing = found_column
    field = reader.schema[query.fieldname]
    dated = isinstance(query, wq.DateRange)
    low = field.to_column_value(query.startdate if dated else query.start) if query.start is not None else None
    high = field.to_column_value(query.enddate if dated else query.end) if query.end is not None else None
    count = len(values)
    found = set()
    for docnum in docnums:
        value = values[docnum] if docnum < count else missing
        if value == missing:
            continue
        if low is not None and (value < low or (query.startexcl and value == low)):
            continue
        if high is not None and (value > high or (query.endexcl and value == high)):
            continue
        found.add(docnum)
    return found


def phrase_docnums(reader, query: wq.Phrase, postings: Postings) -> set[int]:  # type: ignore[no-untyped-def]
    """Documents of the segment where the phrase's words stand in order, each within ``slop`` places of the one
    before (deleted ones may be included); found once a search (``ranking`` asks again)."""
    key = (id(reader), query)
    found = postings.phrases.get(key)
    if found is None:
        found = postings.phrases[key] = _phrase(reader, query, postings)
    return found


def _phrase(reader, query: wq.Phrase, postings: Postings) -> set[int]:  # type: ignore[no-untyped-def]
    field = reader.schema[query.fieldname]
    read = []
    for word in query.words:
        ids, _, values = postings.of(reader, query.fieldname, field.to_bytes(word))
        if not ids:
            return set()
        read.append((ids, values))
    candidates = set.intersection(*(set(ids) for ids, _ in read))
    if not candidates:
        return set()
    at = [dict(zip(ids, values, strict=True)) for ids, values in read]
    decode = _position_reader(field.format)
    if query.slop == 1 and len(at) == 2:  # two words side by side, the usual phrase: one set test each
        first, second = at
        follows = _position_reader(field.format, shift=1)
        return {docnum for docnum in candidates if not decode(second[docnum]).isdisjoint(follows(first[docnum]))}
    found = set()
    for count, docnum in enumerate(candidates):
        if not count % 1024:
            postings.check()
        reached: Set[int] = decode(at[0][docnum])
        for places in at[1:]:
            if query.slop == 1:
                reached = decode(places[docnum]).intersection([place + 1 for place in reached])
            else:  # a place within slop after a place reached; sorted, so any slop costs the same
                before = sorted(reached)
                reached = {place for place in decode(places[docnum]) if _follows(before, place, query.slop)}
            if not reached:
                break
        if reached:
            found.add(docnum)
    return found


def _follows(before: list[int], place: int, slop: int) -> bool:
    """Whether one of the sorted places ``before`` lies in [place - slop, place)."""
    at = bisect_left(before, place - slop)
    return at < len(before) and before[at] < place


def _position_reader(format_: formats.Format, shift: int = 0) -> Callable[[bytes], frozenset[int]]:
    """Positions (plus ``shift``) from a posting's value, remembered for the search: common words share their values.

    Whoosh's ``Positions`` value is the count, then the pickled gaps.
    """
    decoded: dict[bytes, frozenset[int]] = {}

    def positions(value: bytes) -> frozenset[int]:
        found = decoded.get(value)
        if found is None:
            if type(format_) is formats.Positions and value.endswith(b"."):
                gaps = pickle.loads(value[_COUNT_SIZE:])
                gaps[0] += shift  # (each position is the sum of the gaps up to it)
                found = frozenset(accumulate(gaps))
            else:
                found = frozenset(place + shift for place in format_.decode_positions(value))
            decoded[value] = found
        return found

    return positions
