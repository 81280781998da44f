"""Creating, opening, writing and rebuilding the Whoosh index on disk."""

from __future__ import annotations

import json
import mmap
import os
import shutil
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.columns import EmptyColumnReader
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import EmptyReader
from whoosh.util import random_name
from whoosh.writing import LockError

from newsarchive.engines.whoosh.damage import REPAIR_HINT, reason
from newsarchive.engines.whoosh.release import check_release
from newsarchive.engines.whoosh.schema import SCHEMA_VERSION, Document, build_schema, to_fields
from newsarchive.errors import ArchiveError, IndexDamaged, IndexUnavailable

if TYPE_CHECKING:
    from newsarchive.engines.whoosh.parallel import ParallelWriter

MARKER = "newsarchive-index.json"
#: Whoosh's name for the index in its files (``_MAIN_4.toc``, ``MAIN_<segment>.pst``).
INDEX_NAME = "MAIN"
WRITER_WAIT_SECONDS = 60.0
#: Postings the writer (or all index workers together) may gather in memory
#: before a commit: a fifth of the 400 MB an ingest is allowed in all.
WRITER_MEMORY_MB = 80


def index_exists(path: Path) -> bool:
    """Whether an index was made at ``path``: its marker and a table of contents (read or not).

    Whoosh's own ``exists_in`` reads the table of contents, so a damaged one
    would fail here; whether it reads is for ``open_index`` to say.
    """
    try:
        return (path / MARKER).is_file() and any(path.glob(f"_{INDEX_NAME}_*.toc"))
    except OSError:  # a folder that cannot be listed: opening it says why
        return (path / MARKER).exists()


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


class _MappedFile(BufferFile):
    """A whole index file mapped into memory: read in place, never copied."""

    def __init__(self, mapped: mmap.mmap, name: str) -> None:  # BufferFile's own would copy it into a BytesIO
        self._buf = mapped
        self._name = name
        self.file = mapped  # an mmap reads, seeks and tells like a file
        self.onclose = None
        self.is_real = False
        self.is_closed = False


class _MappedStorage(FileStorage):
    """Index files opened as memory maps.

    Whoosh reads them a small piece at a time (a term's entry, a posting
    block): from a map that is a memory access, where a plain file costs a
    seek and a read each, and only the pages a search touches are read.
    """

    def temp_storage(self, name=None):  # type: ignore[no-untyped-def]
        # Whoosh names every writer's scratch folder after the index (MAIN.tmp)
        # and a writer that finishes deletes it, under any other writer still
        # using it: the index workers write at the same time, so each gets its own.
        return super().temp_storage(f"{name or 'scratch'}-{random_name()}")

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._maps: weakref.WeakSet[mmap.mmap] = weakref.WeakSet()

    def open_file(self, name, **kwargs):  # type: ignore[no-untyped-def]
        with open(self._fpath(name), "rb") as handle:
            if os.fstat(handle.fileno()).st_size == 0:
                return super().open_file(name, **kwargs)
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        self._maps.add(mapped)
        return _MappedFile(mapped, name)

    def release_pages(self) -> None:
        """Let go of the pages read so far from the maps (they stay in the page cache).

        A read page of a map counts in the process's resident memory: a merge
        that reads whole segments would otherwise hold them all.
        """
        for mapped in list(self._maps):
            if not mapped.closed:
                mapped.madvise(mmap.MADV_DONTNEED)


class _NoDocuments(EmptyReader):
    """Whoosh's reader of an index without segments, with the columns every reader has (all empty)."""

    def has_column(self, fieldname: str) -> bool:
        return False

    def column_reader(self, fieldname, column=None, reverse=False, translate=True):  # type: ignore[no-untyped-def]
        column = column or self.schema[fieldname].column_type
        return EmptyColumnReader(column.default_value(reverse), 0)


class _Index(whoosh_index.FileIndex):
    """An index whose reader works the same way whether or not it holds documents yet.

    An index is created empty and gets its first segment at the first commit:
    an ingest in which every file failed, or one killed before that commit,
    leaves it so, and Whoosh's reader of such an index has no columns.
    """

    def reader(self, reuse=None):  # type: ignore[no-untyped-def]
        reader = super().reader(reuse=reuse)
        return _NoDocuments(reader.schema) if type(reader) is EmptyReader else reader


def document_count(path: Path) -> int:
    """How many documents the index at ``path`` holds; raises IndexUnavailable as ``open_index`` does."""
    ix = open_index(path)
    try:
        return int(ix.doc_count())
    finally:
        ix.close()


def open_index(path: Path) -> whoosh_index.Index:
    check_release()  # every use of the index starts here
    if not index_exists(path):
        raise IndexUnavailable(
            f"no search index at {path} yet",
            hint="ingest some articles (archive ingest FOLDER), or rebuild it from the database: archive reindex",
        )
    try:
        return _MappedStorage(str(path)).open_index(indexclass=_Index)
    except PermissionError as exc:
        raise IndexUnavailable(
            f"cannot read the search index at {path}: {exc.strerror}",
            hint="ask whoever owns the archive for read access",
        ) from exc
    except ArchiveError:
        raise
    except Exception as exc:
        # A damaged table of contents (cut short, emptied, overwritten) fails
        # as whatever its decoder meets: EOFError, TypeError from a short
        # read, an unpickling error, Whoosh's "different architecture" or
        # "unknown format" IndexError, an OSError for a segment file gone.
        raise IndexDamaged(
            f"the search index at {path} is damaged: its table of contents cannot be read ({reason(exc)})",
            hint=REPAIR_HINT,
        ) from exc


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
        from newsarchive.engines.whoosh.segments import merge_due

        merge_due(self._path, announce=announce, fresh=self._fresh)

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
            from newsarchive.engines.whoosh.parallel import failure_text, indexing_failed

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


def open_writer(path: Path, processes: int = 1) -> IndexWriter | ParallelWriter:
    """A writer on the index at ``path``: in this process, or building segments in ``processes`` workers."""
    if processes > 1:
        from newsarchive.engines.whoosh.parallel import ParallelWriter

        return ParallelWriter(path, processes, memory_mb=WRITER_MEMORY_MB / processes)
    return IndexWriter(path)


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


def rebuild_index(path: Path, documents: Iterable[Document], position: int | None = None, processes: int = 1) -> int:
    """Build a whole new index beside the old one, then swap it in.

    Searches keep using the old index until the swap, and a crash during the
    build leaves the old one in place; a build that fails (a full disk)
    takes away what it wrote.
    """
    staging = path.with_name(path.name + ".rebuilding")
    count = 0
    try:
        create_index(staging)
        writer = open_writer(staging, processes)
        try:
            for doc in documents:
                writer.add(doc)
                count += 1
                if writer.full():
                    writer.commit()
            writer.commit(position)
            writer.merge()
        finally:
            writer.close()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    try:
        _swap_in(staging, path)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise IndexUnavailable(
            f"cannot put the rebuilt index in place of {path}: {exc.strerror or exc}",
            hint="the index there is as it was, and nothing half-built is left; the archive home must be writable "
            "and its index folder one it can rename (not a mount point of its own)",
        ) from exc
    return count


def _swap_in(staging: Path, path: Path) -> None:
    """Put the folder ``staging`` in the place of ``path`` (whatever is there: an index, a file, nothing).

    What was there is moved aside first and put back if the swap fails, so
    a failure leaves the old index in place (and its caller takes the new one away).
    """
    retired = path.with_name(path.name + ".old")
    _delete(retired)
    moved = False
    if path.exists() or path.is_symlink():
        path.rename(retired)
        moved = True
    try:
        staging.rename(path)
    except OSError:
        if moved:
            retired.rename(path)
        raise
    if moved:
        try:
            _delete(retired)
        except OSError:
            pass  # (an old index left beside the new one is deleted by the next rebuild)


def _delete(path: Path) -> None:
    """Delete a file or folder tree at ``path`` if there is one."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()


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
