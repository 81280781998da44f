"""The index's files on disk: whether an index is there, and opening it (its files memory-mapped).

The lowest layer of the engine: writing (``store``, ``parallel``), merging
(``segments``), reading (``reader``) and checking (``damage``) all open the
index here, and this module imports none of them.
"""

from __future__ import annotations

import mmap
import os
import weakref
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.columns import EmptyColumnReader
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile
from whoosh.reading import EmptyReader
from whoosh.util import random_name

from newsarchive.engines.whoosh.failures import REPAIR_HINT, reason
from newsarchive.engines.whoosh.release import check_release
from newsarchive.errors import ArchiveError, IndexDamaged, IndexUnavailable

#: newsarchive's note beside the index (its schema version, how far into the change log it has come).
MARKER = "newsarchive-index.json"
#: Whoosh's name for the index in its files (``_MAIN_4.toc``, ``MAIN_<segment>.pst``).
INDEX_NAME = "MAIN"


def index_exists(path: Path) -> bool:
    """Whether an index was made at ``path``: its marker and a table of contents (read or not).

    Whoosh's own ``exists_in`` reads the table of contents, so a damaged one
    would fail here; whether it reads is for ``open_index`` to say.
    """
    try:
        return (path / MARKER).is_file() and any(path.glob(f"_{INDEX_NAME}_*.toc"))
    except OSError:  # a folder that cannot be listed: opening it says why
        return (path / MARKER).exists()


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


#: Where the classes an index's table of contents names by module were before the engine had a package
#: of its own: an index written then names ``newsarchive.index.analysis.StemmedText``.
LEGACY_MODULES = {"newsarchive.index": "newsarchive.engines.whoosh", "newsarchive.index.analysis": "newsarchive.engines.whoosh.analysis"}


def _legacy_names() -> None:
    """Let an index written by an earlier newsarchive name its field classes by their old modules.

    Whoosh keeps the schema pickled in the table of contents, so a class's
    module is part of the index format: without these names an existing
    archive's index would read as damaged, and only a reindex would mend it.
    """
    import importlib
    import sys

    for old, new in LEGACY_MODULES.items():
        if old not in sys.modules:
            sys.modules[old] = importlib.import_module(new)


def open_index(path: Path) -> whoosh_index.Index:
    check_release()  # every use of the index starts here
    _legacy_names()
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
