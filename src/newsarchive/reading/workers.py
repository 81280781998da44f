"""Reading and parsing files in worker processes, so parsing runs beside storing and indexing."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterator, Sequence
from datetime import tzinfo
from functools import partial
from itertools import islice
from pathlib import Path

from newsarchive.processes import start_worker
from newsarchive.reading.files import FileFailure, FileRead, read_file_safely

#: Below this many files, starting processes costs more than it saves.
MIN_FILES_FOR_WORKERS = 64
_CHUNK = 16
_CHUNKS_AHEAD = 16


def read_files(
    paths: Sequence[Path],
    default_tz: tzinfo,
    forced_format: str | None = None,
    processes: int | None = None,
    *,
    language: str | None = None,
) -> Iterator[FileRead | FileFailure]:
    """Yield the reading of each path, in order (``read_file``: ``language`` forced for every article).

    With several cores, files are parsed by a pool of worker processes a
    bounded distance ahead of the consumer, so memory stays flat however
    many files there are.
    """
    read = partial(_read_chunk, default_tz=default_tz, forced_format=forced_format, language=language)
    processes = processes if processes is not None else parse_worker_count(0)
    if processes < 1 or len(paths) < MIN_FILES_FOR_WORKERS:
        for start in range(0, len(paths), _CHUNK):
            yield from read(paths[start : start + _CHUNK])
        return
    import multiprocessing

    chunks = (paths[start : start + _CHUNK] for start in range(0, len(paths), _CHUNK))
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    with context.Pool(processes, initializer=start_worker, initargs=(os.getpid(),)) as pool:
        pending = deque(pool.apply_async(read, (chunk,)) for chunk in islice(chunks, _CHUNKS_AHEAD))
        while pending:
            results = pending.popleft().get()
            following = next(chunks, None)
            if following is not None:
                pending.append(pool.apply_async(read, (following,)))
            yield from results


def parse_worker_count(index_workers: int, processes: int | None = None) -> int:
    """Processes to parse files in beside the main process (0: parse in it).

    The cores the index workers leave, and at least one on a multi-core
    machine, so that parsing heavy formats (HTML) never waits for storing.
    ``processes`` is the user's cap (1 keeps everything in one process).
    """
    cores = os.cpu_count() or 1
    if cores == 1 or (processes is not None and processes <= 1):
        return 0
    return max(1, min(4, cores - index_workers, processes or 4))


def _read_chunk(
    paths: Sequence[Path], default_tz: tzinfo, forced_format: str | None, language: str | None
) -> list[FileRead | FileFailure]:
    return [read_file_safely(path, default_tz, forced_format, language=language) for path in paths]
