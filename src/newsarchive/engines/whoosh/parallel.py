"""Building index segments in worker processes, one segment per worker per commit.

Analysing text and writing postings is most of an ingest's work, and in one
process it leaves the second core idle. ``ParallelWriter`` hands documents
to worker processes round-robin; at commit each worker closes the segment it
built and sends back its description, and this process, the only one that
takes Whoosh's lock, makes the deletions and writes the new table of
contents naming the old segments and the new ones (what Whoosh's own
multi-process writer does with ``multisegment=True``).

Whoosh's ``MpWriter`` is not used because its workers block forever on
their queues when the parent is killed. These workers die with their parent
(Linux's parent-death signal, and end-of-file on their pipe elsewhere), and
a segment they leave half-written is not in any table of contents, so the
next commit deletes its files.
"""

from __future__ import annotations

import gc
import os
import signal
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from newsarchive.engines.whoosh import segments
from newsarchive.engines.whoosh.failures import RETRY_HINT, failure_text, indexing_failed
from newsarchive.engines.whoosh.files import open_index
from newsarchive.engines.whoosh.schema import Document, to_fields
from newsarchive.engines.whoosh.store import commit_segments, note_position, swap_segments
from newsarchive.errors import IndexUnavailable

#: Below this many documents, starting workers costs more than it saves.
MIN_DOCUMENTS = 64
#: Documents sent to a worker in one message.
SEND_EVERY = 100
#: Memory a worker's gathered postings take per character of text (measured on news text: 3.4-3.9).
BYTES_PER_CHARACTER = 4


def worker_count(documents: int, processes: int | None = None) -> int:
    """How many processes should build segments for about this many documents: one per core, up to two.

    ``processes`` is the user's cap (1 keeps everything in this process).
    """
    if (processes is not None and processes <= 1) or documents < MIN_DOCUMENTS or not hasattr(os, "fork"):
        return 1  # the workers are started by fork(), which not every platform has
    return max(1, min(2, os.cpu_count() or 1))


#: What a failed merge leaves: the segments it was merging, all committed.
MERGE_HINT = "every article is stored and indexed; the segments stay unmerged, and the next ingest tries again"


class ParallelWriter:
    """The ``IndexWriter`` interface over worker processes that build the new segments."""

    def __init__(self, path: Path, processes: int, memory_mb: float) -> None:
        self._path = path
        self._memory_mb = memory_mb
        self._processes = processes
        self._workers: list[tuple[object, Connection]] = []
        self._start()
        self._pending: list[list[dict[str, object]]] = [[] for _ in self._workers]
        self._characters = [0 for _ in self._workers]
        self._documents = [0 for _ in self._workers]
        self._next = 0
        self._deletions: set[str] = set()
        self._copies = False
        #: Ids of the segments committed by this writer: merged at the end of the run (see ``segments``).
        self._fresh: set[str] = set()

    def _start(self) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        # A forked worker shares this process's memory until it writes to it,
        # and Python's collector would write to every object it walks (the
        # database layer's too): frozen, they stay shared, and a worker's own
        # memory is little more than the postings it gathers.
        gc.freeze()
        try:
            for _ in range(self._processes):
                ours, theirs = context.Pipe()
                process = context.Process(
                    target=_build_segments, args=(self._path, theirs, ours, os.getpid()), daemon=True
                )
                process.start()
                theirs.close()
                self._workers.append((process, ours))
        finally:
            gc.unfreeze()

    def buffered_mb(self) -> float:
        return max(self._characters) * BYTES_PER_CHARACTER / 1e6

    def full(self) -> bool:
        return self.buffered_mb() >= self._memory_mb

    def add(self, doc: Document) -> None:
        worker = self._next
        self._next = (worker + 1) % len(self._workers)
        self._pending[worker].append(to_fields(doc))
        self._documents[worker] += 1
        self._characters[worker] += len(doc.title) + len(doc.description) + len(doc.body)
        self._copies = self._copies or doc.duplicate_of is not None
        if len(self._pending[worker]) >= SEND_EVERY:
            self._send(worker)

    def replace(self, doc: Document) -> None:
        self._deletions.add(doc.id)
        self.add(doc)

    def delete(self, article_id: str) -> None:
        self._deletions.add(article_id)

    def _send(self, worker: int) -> None:
        if self._pending[worker]:
            self._post(worker, ("add", self._pending[worker]))
            self._pending[worker] = []

    def _post(self, worker: int, message: tuple[object, ...]) -> None:
        try:
            self._workers[worker][1].send(message)
        except OSError:  # (a broken pipe: the worker is gone, maybe after saying why)
            self._lost(worker)

    def _lost(self, worker: int) -> NoReturn:
        connection = self._workers[worker][1]
        try:
            said = connection.recv() if connection.poll() else None
        except (EOFError, OSError):
            said = None
        if isinstance(said, tuple) and said[0] == "error":
            self._failed(said[1])
        self.close()
        raise IndexUnavailable(f"an indexing process for {self._path} stopped unexpectedly", hint=RETRY_HINT) from None

    def _failed(self, reason: object) -> NoReturn:
        self.close()
        raise indexing_failed(str(reason)) from None

    def commit(self, position: int | None = None) -> None:
        """Close every worker's segment and make them part of the index with the deletions; then record ``position``."""
        busy = [worker for worker, documents in enumerate(self._documents) if documents]
        for worker in busy:
            self._send(worker)
            self._post(worker, ("finish",))
        built = [segment for segment in (self._receive(worker) for worker in busy) if segment is not None]
        commit_segments(self._path, built, self._deletions, self._copies)
        self._fresh.update(segment.segment_id() for segment in built)
        self._characters = [0 for _ in self._workers]
        self._documents = [0 for _ in self._workers]
        self._deletions = set()
        self._copies = False
        if position is not None:
            note_position(self._path, position)

    def merge(self, announce: Callable[[], None] | None = None) -> None:
        """Merge the segments that are due (see ``segments``), each worker merging a group at the same time.

        Call it after ``commit``. The workers that built the segments are
        replaced by new ones first: Python and the C allocator keep much of
        the memory a worker's postings took, and a merge needs little.
        """
        if not segments.plan(segments.segment_sizes(self._path), self._processes, self._fresh):
            return
        self.close()
        self._start()
        try:
            segments.merge_due(self._path, swap_segments, len(self._workers), self._merge_groups, announce, self._fresh)
        except IndexUnavailable as exc:  # (a worker failed or died: nothing was committed)
            failure = exc.message.removeprefix("indexing failed: ")
            raise IndexUnavailable(f"merging the search index's segments failed: {failure}", hint=MERGE_HINT) from None

    def _merge_groups(self, groups: list[list[str]]) -> list[Any]:
        for worker, group in enumerate(groups):
            self._post(worker, ("merge", group))
        return [self._receive(worker) for worker in range(len(groups))]

    def _receive(self, worker: int):  # type: ignore[no-untyped-def]
        try:
            kind, value = self._workers[worker][1].recv()
        except (EOFError, OSError):
            self._lost(worker)
        if kind == "error":
            self._failed(value)
        return value

    def close(self) -> None:
        """Drop what is not committed and end the workers (their half-built segments go with the next commit)."""
        for _, connection in self._workers:
            connection.close()
        for process, _ in self._workers:
            process.join(timeout=5)  # type: ignore[attr-defined]
            if process.is_alive():  # type: ignore[attr-defined]
                process.kill()  # type: ignore[attr-defined]
                process.join()  # type: ignore[attr-defined]
        self._workers = []


def _build_segments(path: Path, connection: Connection, parents_end: Connection, parent: int) -> None:
    """A worker: add the documents it is sent to a segment; on "finish", close it and send it back."""
    parents_end.close()  # so that end-of-file arrives when the parent is gone
    _die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle

    from newsarchive.engines.whoosh.bulk import BulkWriter

    writer = None
    try:
        ix = open_index(path)
        while True:
            try:
                message = connection.recv()
            except EOFError:
                return
            if message[0] == "add":
                writer = writer or BulkWriter(ix, _lk=False)
                for fields in message[1]:
                    writer.add_document(**fields)
            elif message[0] == "merge":
                connection.send(("segment", segments.merge_segments(path, message[1])))
                _give_back_memory()
            elif message[0] == "finish":
                segment = None
                if writer is not None:
                    segment = writer.finish_segment()
                    writer = None
                    _give_back_memory()
                connection.send(("segment", segment))
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which raises it as a typed error
        # No traceback here: the parent says what went wrong, once.
        try:
            connection.send(("error", failure_text(exc)))
        except OSError:
            pass  # the parent is gone
    finally:
        if writer is not None:
            writer.cancel()


def _give_back_memory() -> None:
    """Return the freed postings' memory to the system, so a long ingest's workers do not creep upwards."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL(None).malloc_trim(0)  # glibc keeps freed heap pages otherwise
    except (OSError, AttributeError):
        pass


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when its parent dies (elsewhere, end-of-file on the pipe does it)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGKILL)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before the request
        os._exit(1)
