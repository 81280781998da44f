"""One writer at a time per archive home: an advisory file lock."""

from __future__ import annotations

import errno
import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from newsarchive.config import ArchiveConfig, ensure_home, read_only_error, require_archive, writable
from newsarchive.errors import ArchiveBusy

LOCK_FILE = "writer.lock"


@contextmanager
def writer_lock(
    config: ArchiveConfig, *, wait: bool = True, on_wait: Callable[[], None] | None = None, create: bool = False
) -> Iterator[None]:
    """Hold the archive's writer lock for the block.

    Ingest, reindex and repair take it, so that two of them never write the
    database and the index at once; searches never need it. The lock goes
    with the process, so a killed writer leaves nothing to clean up. Only
    with ``create`` (ingest) is a missing archive home made.
    """
    if create:
        ensure_home(config)
    else:
        require_archive(config)
        if not config.database_is_default:
            if not config.home.exists():
                from newsarchive.storage.database import require_archive_database

                require_archive_database(config)  # (a home is made only for an archive)
            ensure_home(config)  # (a home on a database elsewhere holds only its index: made when first written)
    if not writable(config):
        raise read_only_error(config)
    home = config.home
    try:
        fd = os.open(home / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS):
            raise
        raise read_only_error(config) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise ArchiveBusy(
                    f"another process is writing to the archive at {home}",
                    hint="wait for it to finish, or leave out --no-wait to wait for it",
                ) from None
            if on_wait is not None:
                on_wait()
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
