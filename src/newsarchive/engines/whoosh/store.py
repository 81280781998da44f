"""The Whoosh index in one process: what newsarchive notes beside it, creating it, writing to it.

The writer that uses worker processes is in ``parallel``, the merging of
segments in ``segments``, the choice of writer and whole rebuilds in
``building``; the index's files are found and opened in ``files``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import LockError

from newsarchive.engines.whoosh.failures import failure_text, indexing_failed
from newsarchive.engines.whoosh.files import MARKER, index_exists, open_index
from newsarchive.engines.whoosh.schema import SCHEMA_VERSION, Document, build_schema, to_fields
from newsarchive.engines.whoosh.segments import merge_due
from newsarchive.errors import IndexUnavailable

WRITER_WAIT_SECONDS = 60.0
#: Postings the writer (or all index workers together) may gather in memory
#: before a commit: a fifth of the 400 MB an ingest is allowed in all.
WRITER_MEMORY_MB = 80


def read_marker(path: Path) -> dict[str, object]:
    """What newsarchive notes beside the index: its schema version, whether it holds copies."""
    try:
        marker = json.loads((path / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return marker if isinstance(marker, dict) else {}


def index_is_current(path: Path) -> bool:
    """True when the index at ``path`` exists and was built with this schema version."""
    return index_exists(path) and read_marker(path).get("schema_version") == SCHEMA_VERSION


def holds_copies(path: Path) -> bool:
    """Whether any indexed article was linked as a near-duplicate (so search must fold)."""
    return bool(read_marker(path).get("holds_copies", False))


def applied_position(path: Path) -> int:
    """How far into the database's change log the index at ``path`` has applied (0: nothing recorded)."""
    position = read_marker(path).get("log_position", 0)
    return position if isinstance(position, int) and not isinstance(position, bool) else 0


def note_position(path: Path, position: int) -> None:
    """Record, after a commit, that the index has applied the change log up to ``position``."""
    _update_marker(path, log_position=position)


def _note_copies(path: Path) -> None:
    if not read_marker(path).get("holds_copies"):
        _update_marker(path, holds_copies=True)


def _update_marker(path: Path, **values: object) -> None:
    marker = read_marker(path)
    marker.update(values)
    temporary = path / (MARKER + ".tmp")
    temporary.write_text(json.dumps(marker), encoding="utf-8")
    temporary.replace(path / MARKER)


def create_index(path: Path) -> None:
    """Make an empty index at ``path``, replacing whatever is there."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    whoosh_index.create_in(str(path), build_schema())
    (path / MARKER).write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")


def document_count(path: Path) -> int:
    """How many documents the index at ``path`` holds; raises IndexUnavailable as ``open_index`` does."""
    ix = open_index(path)
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


class IndexWriter:
    """Adds, replaces and deletes documents in this process; nothing is visible until ``commit``.

    It can commit any number of times (each commit makes a segment) and
    takes Whoosh's lock again for the next one; ``close`` drops whatever is
    not committed and lets go.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._ix: whoosh_index.Index | None = None
        self._writer = None
        self._copies = False
        #: Ids of the segments committed by this writer: merged at the end of the run (see ``segments``).
        self._fresh: set[str] = set()
        self._open()

    def _open(self):  # type: ignore[no-untyped-def]
        if self._writer is None:
            from newsarchive.engines.whoosh.bulk import BulkWriter

            ix = open_index(self._path)
            try:
                self._writer = BulkWriter(ix, timeout=WRITER_WAIT_SECONDS, delay=0.25)
            except LockError as exc:
                ix.close()
                raise IndexUnavailable(
                    f"the search index at {self._path} is locked by another writer",
                    hint="wait for the other `archive ingest` or `archive reindex` to finish",
                ) from exc
            self._ix = ix
        return self._writer

    def full(self) -> bool:
        """Whether it is time to commit: the writer gathers postings in memory and never spills them."""
        return self._writer is not None and self._writer.buffered_bytes() / 1e6 >= WRITER_MEMORY_MB

    def add(self, doc: Document) -> None:
        """Add a document the index does not hold yet (cheaper than ``replace``)."""
        with self._writing():
            self._open().add_document(**to_fields(doc))
        self._copies = self._copies or doc.duplicate_of is not None

    def replace(self, doc: Document) -> None:
        """Add a document, removing any committed one with the same id."""
        with self._writing():
            self._open().update_document(**to_fields(doc))
        self._copies = self._copies or doc.duplicate_of is not None

    def delete(self, article_id: str) -> None:
        self._open().delete_by_term("id", article_id)

    def adopt(self, segments: list[Any], copies: bool) -> None:
        """Commit these segments, built by workers for this index, with this writer's."""
        self._open().adopted.extend(segments)
        self._copies = self._copies or copies

    def swap(self, retired: Iterable[str], merged: list[Any]) -> None:
        """Commit the ``merged`` segments in place of the segments (by id) they were merged from."""
        writer = self._open()
        writer.retired.update(retired)
        writer.adopted.extend(merged)

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """Merge the segments that are due (see ``segments``), in this process; call it after ``commit``."""
        merge_due(self._path, swap_segments, announce=announce, fresh=self._fresh)

    def commit(self, position: int | None = None) -> None:
        """Make the changes visible; then record ``position``, how far into the change log the index has come."""
        if self._writer is None:
            if position is not None:
                note_position(self._path, position)
            return
        # Noted before the commit: a search may fold when there is nothing to
        # fold (slower), never fail to fold copies that are there.
        with self._writing():
            if self._copies:
                _note_copies(self._path)
            self._writer.commit()
        self._fresh.add(self._writer.newsegment.segment_id())
        self._release()
        self._copies = False
        _remove_scratch(self._path)
        if position is not None:
            note_position(self._path, position)

    def close(self) -> None:
        if self._writer is not None:
            self._writer.cancel()
            self._release()

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """A failed write (a full disk, a folder gone read-only) as a typed error, the writer let go."""
        try:
            yield
        except OSError as exc:
            self.close()
            raise indexing_failed(failure_text(exc)) from exc

    def _release(self) -> None:
        self._writer = None
        if self._ix is not None:
            self._ix.close()
            self._ix = None


def _remove_scratch(path: Path) -> None:
    """Delete writers' scratch folders left behind (by killed workers): after a commit none is in use."""
    for name in os.listdir(path):
        if ".tmp-" in name:
            shutil.rmtree(path / name, ignore_errors=True)


def commit_segments(path: Path, segments: list[Any], deletions: Iterable[str], copies: bool) -> None:
    """Make segments built by worker processes part of the index, with these deletions, in one commit."""
    with write_index(path) as writer:
        for article_id in deletions:
            writer.delete(article_id)
        writer.adopt(segments, copies)


def swap_segments(path: Path, retired: Iterable[str], merged: list[Any]) -> None:
    """Commit the ``merged`` segments in place of the segments (by id) they were merged from, in one go."""
    with write_index(path) as writer:
        writer.swap(retired, merged)


@contextmanager
def write_index(path: Path) -> Iterator[IndexWriter]:
    """A writer in this process that commits when the block ends, and drops everything if it raises."""
    writer = IndexWriter(path)
    try:
        yield writer
    except BaseException:
        writer.close()
        raise
    writer.commit()


def indexed_entries(path: Path) -> list[tuple[str, int]]:
    """(article id, revision) of every live document in the index; an id may repeat if the index is damaged."""
    ix = open_index(path)
    try:
        with ix.reader() as reader:
            ids = reader.column_reader("id")
            revisions = reader.column_reader("revision")
            return [(ids[docnum], revisions[docnum]) for docnum in reader.all_doc_ids()]
    finally:
        ix.close()
