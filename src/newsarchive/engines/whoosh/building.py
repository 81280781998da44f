"""Choosing the writer for a run (in this process, or in worker processes), and building an index anew.

Above both writers (``store``, ``parallel``), so that neither imports the other.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path

from newsarchive.engines.whoosh.parallel import ParallelWriter
from newsarchive.engines.whoosh.schema import Document
from newsarchive.engines.whoosh.store import WRITER_MEMORY_MB, IndexWriter, create_index
from newsarchive.errors import IndexUnavailable


def open_writer(path: Path, processes: int = 1) -> IndexWriter | ParallelWriter:
    """A writer on the index at ``path``: in this process, or building segments in ``processes`` workers."""
    if processes > 1:
        return ParallelWriter(path, processes, memory_mb=WRITER_MEMORY_MB / processes)
    return IndexWriter(path)


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
