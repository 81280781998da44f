"""The archive's work, off the event loop: a fixed pool of worker threads, each with its own ``Archive``.

An ``Archive`` is not shared between threads (it keeps its connection, its
engine and what it last found of the index), so each worker thread opens
its own the first time it is given work and keeps it, warm, for the next
request. The threads are few and live as long as the server (a pool whose
idle threads ended would leave their archives open behind them): searching
is mostly Python, so more threads than cores add waiting, not speed, and a
slow request holds one thread, not the server.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.config import ArchiveConfig

T = TypeVar("T")


class Archives:
    """Runs work on an archive in ``threads`` worker threads, each with its own open ``Archive`` of ``config``."""

    def __init__(self, config: ArchiveConfig, threads: int = 2) -> None:
        self.config = config
        self.threads = threads
        self._pool: ThreadPoolExecutor | None = None
        self._local = threading.local()
        self._opened: list[Archive] = []
        self._lock = threading.Lock()

    async def run(self, work: Callable[[Archive], T]) -> T:
        """``work(archive)`` in a worker thread, with that thread's archive."""
        with self._lock:
            if self._pool is None:  # (made at the first request, and again after a close: an app may be started twice)
                self._pool = ThreadPoolExecutor(max_workers=self.threads, thread_name_prefix="archive")
            pool = self._pool
        return await asyncio.get_running_loop().run_in_executor(pool, self._in_thread, work)

    def _in_thread(self, work: Callable[[Archive], T]) -> T:
        archive = getattr(self._local, "archive", None)
        if archive is None:
            from newsarchive.archive import Archive

            archive = self._local.archive = Archive(self.config)
            with self._lock:
                self._opened.append(archive)
        return work(archive)

    def close(self) -> None:
        """Stop the threads (when the server stops) and close their archives."""
        with self._lock:
            pool, self._pool = self._pool, None
            opened, self._opened = self._opened, []
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        for archive in opened:
            archive.close()
