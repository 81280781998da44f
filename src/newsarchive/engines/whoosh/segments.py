"""Which segments to merge, and merging them.

Every index commit adds a segment (one per index worker), and each segment
costs every search a lookup per word and a partly filled posting block. Whoosh
merges small segments at each commit by a Fibonacci rule that can decide, at
the last commit of a large load, to merge the whole index there and then, in
the committing process. Here commits never merge. At the end of a run, the
segments the run wrote become one per index worker, the workers merging at
the same time, so that a load of any size ends with as few segments as one
written whole would have, and each of its articles is merged once (before,
a load merged only when eight segments were alike, so 20,000 articles were
left in six segments and 100,000 paid a merge: the cost per article grew
with the load). Then segments of like size are merged: where
``MERGE_FACTOR`` or more segments are within ``MERGE_FACTOR`` times the size
of the smallest of them. An archive fed in daily runs merges its runs'
segments every few runs, and an article is merged again only when its
segment has grown ``MERGE_FACTOR`` times, as Lucene's merge policies bound it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from newsarchive.engines.whoosh.files import open_index

MERGE_FACTOR = 8
#: Each round leaves at least MERGE_FACTOR - 1 fewer segments: more rounds than this mean something is wrong.
MAX_ROUNDS = 32


def plan(sizes: Sequence[tuple[str, int]], ways: int = 1, fresh: Collection[str] = ()) -> list[list[str]]:
    """Groups of segment ids to merge, from (id, documents) of each segment; empty when none is due.

    First the segments of this run (``fresh``), when there are more of them
    than ``ways``: into at most ``ways`` groups of like total size, each of at
    least two segments. Otherwise due are the smallest segments that have
    ``MERGE_FACTOR`` or more others of like size: at most ``MERGE_FACTOR``
    times the smallest of them. They are split into at most ``ways`` groups
    of neighbours in size, each of at least two segments. (Merging them may
    make another group due.)
    """
    ordered = sorted((documents, segment_id) for segment_id, documents in sizes)
    new = [(documents, segment_id) for documents, segment_id in ordered if segment_id in fresh]
    if len(new) > ways:
        return _balanced(new, max(1, min(ways, len(new) // 2)))
    for start, (smallest, _) in enumerate(ordered):
        alike = [segment_id for documents, segment_id in ordered[start:] if documents <= max(smallest, 1) * MERGE_FACTOR]
        if len(alike) >= MERGE_FACTOR:
            share = math.ceil(len(alike) / max(1, min(ways, len(alike) // 2)))
            return [alike[at : at + share] for at in range(0, len(alike), share)]
    return []


def _balanced(segments: list[tuple[int, str]], ways: int) -> list[list[str]]:
    """These (documents, id) dealt, largest first, to ``ways`` groups there and back: like totals, so the workers finish together."""
    groups: list[list[str]] = [[] for _ in range(ways)]
    for at, (_, segment_id) in enumerate(sorted(segments, reverse=True)):
        rounds, place = divmod(at, ways)
        groups[place if rounds % 2 == 0 else ways - 1 - place].append(segment_id)
    return groups


def index_segments(ix) -> list[Any]:  # type: ignore[no-untyped-def]
    """The segments of an open index, as its latest table of contents lists them (Whoosh's ``TOC``)."""
    from whoosh.index import TOC

    return list(TOC.read(ix.storage, ix.indexname).segments)


def segment_sizes(path: Path) -> list[tuple[str, int]]:
    """(id, documents, deleted ones included) of each segment of the index at ``path``."""
    ix = open_index(path)
    try:
        return [(segment.segment_id(), segment.doc_count_all()) for segment in index_segments(ix)]
    finally:
        ix.close()


def merge_segments(path: Path, segment_ids: Sequence[str]):  # type: ignore[no-untyped-def]
    """Write one new segment holding the live documents of these segments, and return it, uncommitted.

    Takes no lock: the caller holds the index's writer lock and commits the
    result in place of the old segments (``merge_due``).
    """
    from whoosh.reading import SegmentReader

    from newsarchive.engines.whoosh.bulk import BulkWriter

    ix = open_index(path)
    try:
        wanted = set(segment_ids)
        writer = BulkWriter(ix, _lk=False)
        for segment in index_segments(ix):
            if segment.segment_id() in wanted:
                reader = SegmentReader(ix.storage, ix.schema, segment)
                try:
                    writer.add_reader(reader)
                finally:
                    reader.close()
        return writer.finish_segment()
    finally:
        ix.close()


def merge_due(
    path: Path,
    swap: Callable[[Path, list[str], list[Any]], None],
    ways: int = 1,
    merge_groups: Callable[[list[list[str]]], list[Any]] | None = None,
    announce: Callable[[], None] | None = None,
    fresh: Collection[str] = (),
) -> int:
    """Merge the segments of this run (ids ``fresh``), then those of like size; return how many segments were merged.

    ``swap`` commits a round's merged segments in place of theirs (the caller's writer: ``store.swap_segments``).
    ``merge_groups`` merges a list of groups at the same time (one per index
    worker) and returns their new segments; by default they are merged here,
    one after another. Each round is committed in one go: a search sees the
    old segments or the merged ones, never both. ``announce`` is called once
    before the first merge, if there is one.
    """
    merge_groups = merge_groups or (lambda groups: [merge_segments(path, group) for group in groups])
    merged = 0
    for _ in range(MAX_ROUNDS):
        groups = plan(segment_sizes(path), ways, fresh)
        if not groups:
            break
        if announce is not None and not merged:
            announce()
        segments = merge_groups(groups)
        swap(path, [segment_id for group in groups for segment_id in group], [s for s in segments if s is not None])
        merged += sum(len(group) for group in groups)
    return merged
