"""Creating, opening, writing and rebuilding the Whoosh index on disk."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.writing import LockError

from newsarchive.errors import IndexUnavailable
from newsarchive.index.schema import SCHEMA_VERSION, IndexDocument, build_schema, to_fields

MARKER = "newsarchive-index.json"
WRITER_WAIT_SECONDS = 60.0
#: Memory the index writer may buffer before it spills sorted runs to disk: half
#: of the 400 MB an ingest of 100,000 articles is allowed in all.
WRITER_MEMORY_MB = 64


def index_exists(path: Path) -> bool:
    return (path / MARKER).exists() and whoosh_index.exists_in(str(path))


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


def _note_copies(path: Path) -> None:
    marker = read_marker(path)
    if not marker.get("holds_copies"):
        marker["holds_copies"] = True
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


def open_index(path: Path) -> whoosh_index.Index:
    if not index_exists(path):
        raise IndexUnavailable(
            f"no search index at {path} yet",
            hint="ingest some articles (archive ingest FOLDER), or rebuild it from the database: archive reindex",
        )
    try:
        return whoosh_index.open_dir(str(path))
    except (OSError, whoosh_index.IndexError) as exc:
        raise IndexUnavailable(
            f"cannot read the search index at {path}: {exc}", hint="run `archive reindex` to rebuild it"
        ) from exc


class IndexWriter:
    """Adds, replaces and deletes documents; nothing is visible until ``commit``."""

    def __init__(self, ix: whoosh_index.Index, writer, path: Path) -> None:  # type: ignore[no-untyped-def]
        self._ix = ix
        self._writer = writer
        self._path = path
        self._copies = False

    def add(self, doc: IndexDocument) -> None:
        """Add a document the index does not hold yet (cheaper than ``replace``)."""
        self._writer.add_document(**to_fields(doc))
        self._copies = self._copies or doc.duplicate_of is not None

    def replace(self, doc: IndexDocument) -> None:
        """Add a document, removing any committed one with the same id."""
        self._writer.update_document(**to_fields(doc))
        self._copies = self._copies or doc.duplicate_of is not None

    def delete(self, article_id: str) -> None:
        self._writer.delete_by_term("id", article_id)

    def commit(self) -> None:
        # Noted before the commit: a search may fold when there is nothing to
        # fold (slower), never fail to fold copies that are there.
        if self._copies:
            _note_copies(self._path)
        self._writer.commit()
        self._ix.close()

    def cancel(self) -> None:
        self._writer.cancel()
        self._ix.close()


def open_writer(path: Path) -> IndexWriter:
    """A writer on the index at ``path``, waiting a while for another writer to finish."""
    ix = open_index(path)
    try:
        writer = ix.writer(timeout=WRITER_WAIT_SECONDS, delay=0.25, limitmb=WRITER_MEMORY_MB)
    except LockError as exc:
        ix.close()
        raise IndexUnavailable(
            f"the search index at {path} is locked by another writer",
            hint="wait for the other `archive ingest` or `archive reindex` to finish",
        ) from exc
    return IndexWriter(ix, writer, path)


@contextmanager
def write_index(path: Path) -> Iterator[IndexWriter]:
    """A writer that commits when the block ends, and cancels if it raises."""
    writer = open_writer(path)
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    writer.commit()


def rebuild_index(path: Path, documents: Iterable[IndexDocument]) -> int:
    """Build a whole new index beside the old one, then swap it in.

    Searches keep using the old index until the swap, and a crash during the
    build leaves the old one in place.
    """
    staging = path.with_name(path.name + ".rebuilding")
    create_index(staging)
    count = 0
    with write_index(staging) as writer:
        for doc in documents:
            writer.add(doc)
            count += 1
    retired = path.with_name(path.name + ".old")
    if retired.exists():
        shutil.rmtree(retired)
    if path.exists():
        path.rename(retired)
    staging.rename(path)
    if retired.exists():
        shutil.rmtree(retired, ignore_errors=True)
    return count


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
