"""The archive's work, off the event loop: one ``Archive`` per worker thread, a bounded number of threads.

An ``Archive`` is not shared between threads (it keeps its connection, its
engine and what it last found of the index), so each worker thread opens
its own the first time it is given work and keeps it, warm, for the next
request. The threads are few (``threads``): searching is mostly Python, so
more threads than cores add waiting, not speed, and a slow request holds
one thread, not the server.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import anyio.to_thread

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.config import ArchiveConfig

T = TypeVar("T")


class Archives:
    """Runs work on an archive in worker threads, each with its own open ``Archive`` of ``config``."""

    def __init__(self, config: ArchiveConfig, threads: int = 4) -> None:
        self.config = config
        self.threads = threads
        self._limiter = anyio.CapacityLimiter(threads)
        self._local = threading.local()
        self._opened: list[Archive] = []
        self._lock = threading.Lock()

    async def run(self, work: Callable[[Archive], T]) -> T:
        """``work(archive)`` in a worker thread, with that thread's archive."""
        return await anyio.to_thread.run_sync(self._in_thread, work, limiter=self._limiter)

    def _in_thread(self, work: Callable[[Archive], T]) -> T:
        archive = getattr(self._local, "archive", None)
        if archive is None:
            from newsarchive.archive import Archive

            archive = self._local.archive = Archive(self.config)
            with self._lock:
                self._opened.append(archive)
        return work(archive)

    def close(self) -> None:
        """Close every thread's archive (when the server stops)."""
        with self._lock:
            opened, self._opened = self._opened, []
        for archive in opened:
            archive.close()
