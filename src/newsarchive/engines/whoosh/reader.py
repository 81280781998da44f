"""Running a query against the index: ranked or date-sorted hits with snippets."""

from __future__ import annotations

import os
import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from whoosh import collectors
from whoosh import query as wq
from whoosh.columns import ColumnReader
from whoosh.reading import IndexReader
from whoosh.searching import Results, Searcher

from newsarchive.engines.counting import count_sorted
from newsarchive.engines.protocol import Hit, HitPage, PeriodCounts, SearchOptions
from newsarchive.engines.whoosh.files import index_exists, open_index
from newsarchive.engines.whoosh.query import compile_query, expand, index_analyses
from newsarchive.engines.whoosh.store import holds_copies, index_is_current
from newsarchive.errors import IndexUnavailable
from newsarchive.periods import naive_utc
from newsarchive.query.budget import Budget
from newsarchive.query.tree import Query
from newsarchive.text.highlight import PhraseWords
from newsarchive.text.snippets import SNIPPET_FIELDS, Marking, marking, snippet


def search_index(index_dir: Path, query: Query, options: SearchOptions, budget: Budget | None = None) -> HitPage:
    """Search the index (see ``SearchOptions``); stopped (SearchTimeout) when its ``budget`` of time is spent.

    With ``collapse``, an article's near-duplicates fold into its hit (the
    best-ranked of the group stands for it, with the number of copies).
    ``facets`` count the hits per source, year, month, lang or author.
    """
    from newsarchive.engines.whoosh.matching import matching_docnums
    from newsarchive.engines.whoosh.postings import Postings

    budget = budget or Budget()
    searcher = open_searcher(index_dir)
    compiled = parsed(searcher, query, budget)
    narrowing = _filter(options.since, options.until, options.undated)
    # Every match is counted from whole posting blocks; Whoosh only ranks,
    # stopping early where it can, among the matches the filters allow.
    postings = Postings(budget)
    matches = matching_docnums(searcher, compiled if narrowing is None else wq.And([compiled, narrowing]), postings)
    counts = _facet_counts(searcher, matches, options.facets, budget) if options.facets else {}
    if not matches:  # (and an empty filter would mean none to Whoosh)
        return HitPage(total=0, hits=[], facets=counts)
    fold = options.collapse and holds_copies(index_dir)
    wanted = options.page * options.limit
    results, shown = _top(searcher, compiled, matches, narrowing is not None, options.sort, wanted, fold, postings)
    shown = shown[wanted - options.limit : wanted]
    if not shown:
        return HitPage(total=len(matches), hits=[], facets=counts)
    copies = _copies(searcher, shown, matches) if fold else {}
    hits = hits_of(results, shown, scored=options.sort == "relevance", copies=copies)
    return HitPage(total=len(matches), hits=hits, facets=counts)


def _top(  # type: ignore[no-untyped-def]
    searcher: Searcher, query: wq.Query, matches: set[int], filtered: bool, sort: str, wanted: int, fold: bool, postings
):
    """Whoosh results holding the best ``wanted`` hits, and those hits, one per group of copies when folding.

    Word, wildcard and fuzzy queries ranked by relevance, and every query
    sorted by date, are ordered over ``matches`` here (``ranking``); the
    rest by Whoosh, told which documents the filters allow. The best-ranked article of a group stands for it. Copies are
    few, so a few more hits than wanted nearly always hold enough groups;
    when not, the ranking is run again for more.
    """
    from newsarchive.engines.whoosh.ranking import by_date, rank

    asked = wanted * 2 + 10 if fold else wanted
    while True:
        if sort == "relevance":
            ranked = rank(searcher, query, matches, asked, postings)
        else:
            ranked = by_date(searcher, matches, asked, newest=sort == "newest")
        if ranked is not None:
            results = Ranked(searcher, query, ranked, total=len(matches))
        else:
            allow = matches if filtered else None
            results = whoosh_search(
                searcher, query, postings.budget, limit=max(1, asked), filter=allow
            )
        if not fold:
            return results, list(results)
        shown, groups = [], set()
        for hit in results:
            group = hit.fields().get("group") or hit.fields()["id"]
            if group not in groups:
                groups.add(group)
                shown.append(hit)
        if len(shown) >= wanted or results.scored_length() < asked:
            return results, shown
        asked *= 4


class Ranked(Results):
    """Whoosh results for hits ranked here (``ranking``), with the number of matches counted beside them.

    Whoosh's own results ask their collector how many documents matched;
    these have no collector, so they give ``total``, what it would have counted.
    """

    def __init__(self, searcher: Searcher, query: wq.Query, top_n: list[tuple[float, int]], *, total: int) -> None:
        super().__init__(searcher, query, top_n)
        self.total = total

    def __len__(self) -> int:
        return self.total

    def has_exact_length(self) -> bool:
        return True


def _copies(searcher: Searcher, shown, matches: set[int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """For each shown hit's group, how many other matching articles it holds."""
    from newsarchive.engines.whoosh.matching import matching_docnums

    counts = {}
    for hit in shown:
        group = hit.fields().get("group")
        if group:
            counts[group] = len(matching_docnums(searcher, wq.Term("group", group)) & matches) - 1
    return counts


def hits_of(results, shown, *, scored: bool, copies: dict[str, int] | None = None) -> list[Hit]:  # type: ignore[no-untyped-def]
    """Hits with snippets for the ``shown`` hits of Whoosh ``results`` (each read in its article's language)."""
    words = _marked_words(results)
    return [_hit(hit, scored=scored, words=words, copies=copies or {}) for hit in shown]


def _facet_counts(
    searcher: Searcher, docnums: set[int], names: Sequence[str], budget: Budget
) -> dict[str, list[tuple[str, int]]]:
    """For each facet, (value, hits) over every hit (not just this page), most hits first.

    Read from each segment's column, read whole once and kept while the
    segment is open (the stored field for authors, who may be several per
    article); articles without a value are left out.
    """
    from newsarchive.engines.whoosh.matching import text_column

    reader = searcher.reader()
    leaves = _leaves(reader)
    starts = [offset for _, offset in leaves]
    in_leaf: list[list[int]] = [[] for _ in leaves]
    for docnum in docnums:
        place = bisect_left(starts, docnum + 1) - 1
        in_leaf[place].append(docnum - starts[place])
    counts: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        budget.check()
        tally: Counter[str] = Counter()
        if name == "author":
            for count, docnum in enumerate(docnums):
                if not count % 1024:
                    budget.check()
                names_here = (reader.stored_fields(docnum).get("author") or "").split(",")
                tally.update({author.strip() for author in names_here if author.strip()})
        else:
            for (leaf, _offset), local in zip(leaves, in_leaf, strict=True):
                values = text_column(leaf, name) if local else None
                if values is not None:
                    tally.update(values[docnum] for docnum in local)
            tally.pop("", None)
        counts[name] = sorted(tally.items(), key=lambda pair: (-pair[1], pair[0]))
    return counts


def _leaves(reader: IndexReader) -> list[tuple[IndexReader, int]]:
    """The reader's segments that hold documents, each with the global docnum of its first."""
    return [(leaf, offset) for leaf, offset in reader.leaf_readers() if leaf.doc_count_all()]


def column(reader: IndexReader, fieldname: str) -> ColumnReader:
    """A field's column over every segment of ``reader``, read by global docnum.

    Whoosh's ``MultiReader.column_reader`` leaves out the segments that hold
    no value of the field (an ingest of undated articles only writes no
    ``year`` column), so the documents after them are read from the wrong
    segment, or past its end (IndexError). Here every segment has its place,
    one without the column giving the field's default. (A reader with no
    documents, such as Whoosh's ``EmptyReader``, has no columns to read.)
    """
    from whoosh.columns import MultiColumnReader

    leaves = _leaves(reader)
    return MultiColumnReader([leaf.column_reader(fieldname) for leaf, _ in leaves], [offset for _, offset in leaves])


def matching_ids(index_dir: Path, query: Query) -> list[str]:
    """The ids of every article the query matches, unranked and uncapped."""
    searcher = open_searcher(index_dir)
    ids = column(searcher.reader(), "id")
    return [ids[docnum] for docnum in _matching(searcher, query)]


def count_by_period(index_dir: Path, query: Query | None, edges: Sequence[datetime], **bounds: Any) -> PeriodCounts:
    """``SearchEngine.count_by_period`` (``bounds``: its since, until and zone): each segment's date columns read whole once (and kept while it is
    open), looked up for its matches as the integers they are stored as, sorted, then bisected at the edges."""
    from whoosh.util.times import datetime_to_long, long_to_datetime

    from newsarchive.engines.whoosh.matching import numeric_column

    searcher = open_searcher(index_dir)
    reader = searcher.reader()
    matches = None if query is None else _matching(searcher, query)
    moments: list[int] = []
    days: list[int] = []
    undated = 0
    for leaf, offset in reader.leaf_readers():
        size = leaf.doc_count_all()
        if not size:
            continue
        if matches is None:
            docnums: Iterable[int] = leaf.all_doc_ids()
        else:
            ours = matches[bisect_left(matches, offset) : bisect_left(matches, offset + size)]
            docnums = [docnum - offset for docnum in ours]
        # An undated article has no value in the column (a segment of undated articles only, no column).
        published = numeric_column(leaf, "published")
        values, missing = published if published is not None else ((), -1)
        written_day = numeric_column(leaf, "written_day")
        written = written_day[0] if written_day is not None else ()
        for docnum in docnums:
            value = values[docnum] if docnum < len(values) else missing
            if value == missing:
                undated += 1
            elif docnum < len(written) and written[docnum]:
                days.append(written[docnum])
            else:
                moments.append(value)
    moments.sort()
    days.sort()
    return count_sorted(
        moments, days, undated, edges, **bounds,
        key=lambda at: datetime_to_long(naive_utc(at)), moment=lambda value: long_to_datetime(value).replace(tzinfo=UTC),
    )  # fmt: skip


def _matching(searcher: Searcher, query: Query) -> list[int]:
    """The docnums the query matches, in index order, from whole posting blocks (``matching``)."""
    from newsarchive.engines.whoosh.matching import matching_docnums
    from newsarchive.engines.whoosh.postings import Postings

    budget = Budget()
    return sorted(matching_docnums(searcher, parsed(searcher, query, budget), Postings(budget)))


def parsed(searcher: Searcher, query: Query, budget: Budget | None = None) -> wq.Query:
    """The parsed query for this index: compiled, its wildcard and fuzzy terms read once and bounded
    (``query.expand``)."""
    reader = searcher.reader()
    return expand(compile_query(query, searcher.schema, index_analyses(reader)), reader, budget, typed=query.text)


def whoosh_search(  # type: ignore[no-untyped-def]
    searcher: Searcher, query: wq.Query, budget: Budget | None, *, filter=None, mask=None, **options
) -> Results:
    """Whoosh's ``searcher.search(query, filter=..., mask=..., **options)``, stopped (SearchTimeout) when the
    budget is spent."""
    collector = searcher.collector(**options)
    if budget is not None:
        collector = _BudgetCollector(collector, budget)
    if filter is not None or mask is not None:  # (outside, where Whoosh puts it: a filter reads its child's matches)
        collector = collectors.FilterCollector(collector, allow=filter, restrict=mask)
    searcher.search_with_collector(query, collector)
    return collector.results()


class _BudgetCollector(collectors.WrappingCollector):
    """A collector that checks the search's time budget every few hundred matches.

    (Whoosh's TimeLimitCollector starts a timer thread for each search.)
    """

    def __init__(self, child: collectors.Collector, budget: Budget) -> None:
        super().__init__(child)
        self.budget = budget

    def matches(self) -> Iterator[int]:
        for count, sub_docnum in enumerate(self.child.matches()):
            if not count % 256:
                self.budget.check()
            yield sub_docnum


class _ThreadSearchers(threading.local):
    """Each thread's open searchers: a Whoosh searcher reads its files with seek and read, so two threads
    (a web server's requests) must never share one, nor close one the other is reading."""

    def __init__(self) -> None:
        self.open: dict[Path, tuple[tuple[object, ...], Searcher]] = {}


_searchers = _ThreadSearchers()


def open_searcher(index_dir: Path) -> Searcher:
    """An open searcher on the index, kept for this thread's next search.

    Reopening costs more than a search, and the analyzer's stem cache (which
    snippets lean on) lives as long as the searcher. It is reused only while
    the index folder and its table of contents are the very same files, so a
    commit or a rebuilt index swapped in is always seen.
    """
    fingerprint = _fingerprint(index_dir)
    cached = _searchers.open.get(index_dir)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    if cached is not None:
        cached[1].close()
    if index_exists(index_dir) and not index_is_current(index_dir):
        raise IndexUnavailable(
            f"the search index at {index_dir} was built by another version of newsarchive",
            hint="rebuild it from the database: archive reindex (the next ingest also does)",
        )
    searcher = open_index(index_dir).searcher()
    _searchers.open[index_dir] = (fingerprint, searcher)
    return searcher


def _fingerprint(index_dir: Path) -> tuple[object, ...]:
    try:
        folder = os.stat(index_dir)
        tocs = sorted(
            (entry.name, entry.stat().st_mtime_ns) for entry in os.scandir(index_dir) if entry.name.endswith(".toc")
        )
    except OSError:
        return ()
    return (folder.st_ino, folder.st_mtime_ns, *tocs)


def _filter(since: datetime | None, until: datetime | None, undated: str) -> wq.Query | None:
    """--since/--until (which leave undated articles out) and --undated include|exclude|only."""
    parts: list[wq.Query] = []
    if since is not None or until is not None:
        parts.append(wq.DateRange("published", naive_utc(since), naive_utc(until)))
    if undated != "include":
        flag = 0 if undated == "only" else 1
        parts.append(wq.NumericRange("dated", flag, flag))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _hit(hit, *, scored: bool, words: Marking, copies: dict[str, int]) -> Hit:  # type: ignore[no-untyped-def]
    fields = hit.fields()
    published = fields.get("published")
    return Hit(
        id=fields["id"],
        title=fields["title"],
        published=published.replace(tzinfo=UTC) if published else None,
        precision=fields.get("precision"),
        source=fields.get("source"),
        score=round(hit.score, 4) if scored and hit.score is not None else None,
        snippet=snippet(fields, words),
        copies=copies.get(fields.get("group"), 0),
        offset=fields.get("offset"),
    )


def _marked_words(results) -> Marking:  # type: ignore[no-untyped-def]
    """Per text field, the query's terms the index holds (prefixes and fuzzy words expanded, as Whoosh does),
    and its phrases, whose words are marked only where they stand as the phrase; found in a text as its
    analysis (``languages.analysis_of``) reads it. Words the query excludes (NOT, ANDNOT) are not marked."""
    reader = results.searcher.reader()
    sought = wq.Or(list(_sought(results.q)))
    words: dict[str, tuple[frozenset[bytes], tuple[PhraseWords, ...]]] = {}
    for name in SNIPPET_FIELDS:
        stems = frozenset(text for _, text in sought.existing_terms(reader, fieldname=name, expand=True, phrases=False))
        phrases = tuple(
            PhraseWords(tuple(_phrase_stem(word) for word in leaf.words), max(1, leaf.slop))
            for leaf in sought.leaves()
            if type(leaf) is wq.Phrase and leaf.fieldname == name and leaf.words
        )
        words[name] = (stems, phrases)
    return marking(words)


def _sought(query: wq.Query) -> Iterator[wq.Query]:
    """The leaves of ``query`` that a match may hold: not those under NOT, nor the right side of ANDNOT."""
    if isinstance(query, wq.Not):
        return
    if isinstance(query, wq.AndNot):
        yield from _sought(query.a)
    elif query.is_leaf():
        yield query
    else:
        for child in query.children():
            yield from _sought(child)


def _phrase_stem(word: str | bytes) -> bytes:
    return word if isinstance(word, bytes) else word.encode("utf-8")


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else str(term)
