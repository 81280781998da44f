"""Searches through the library in a process of their own, for one archive: ``python probe.py KIND HOME QUERIES``.

The runner starts this with the archive's environment (``ARCHIVE_DATABASE_URL``,
``ARCHIVE_ENGINE``), so that each stack measured is opened exactly as a user
would open it, and prints one JSON object on stdout. Kinds:

- ``search``, ``facets``, ``trend``: one untimed pass over the queries (the
  warm-up), then one timed pass; seconds per query. ``search`` is the top 10
  with snippets, as `archive search` shows it; ``facets`` the same with every
  facet counted; ``trend`` the query's monthly counts over the whole archive.
  Queries that fail in the warm-up are left out of the timing and reported.
- ``top10``: the ids of the top 10 and the total of each query (agreement
  between engines is worked out by the runner).
- ``clients``: ``--clients`` processes, each with its own archive, searching
  in turn through the queries (each from its own starting point) from a
  common start for ``--seconds``; every latency and every error.
- ``client``: one of those processes (started by ``clients``).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from queries import Query

#: Seconds the clients are given to start (import, open) before the common start.
START_DELAY = 8.0


def read_queries(path: Path) -> list[Query]:
    return [Query.of(item) for item in json.loads(path.read_text(encoding="utf-8"))]


def write_queries(queries: Sequence[Query], path: Path) -> Path:
    path.write_text(json.dumps([query.as_dict() for query in queries]), encoding="utf-8")
    return path


def _options(query: Query, limit: int = 10) -> dict[str, Any]:
    return {
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "limit": limit,
    }


def runner(archive: Any, kind: str) -> Callable[[Query], object]:
    """One query of ``kind`` against ``archive``, returning what a user would be shown."""
    if kind == "search":
        return lambda query: [hit.snippet for hit in archive.search(query.text, **_options(query)).hits]
    if kind == "facets":
        from newsarchive.engines.protocol import FACETS

        return lambda query: archive.search(query.text, **_options(query), facets=FACETS).facets
    if kind == "trend":
        return lambda query: [series.counts for series in archive.trend(query.text, by="month").series]
    raise SystemExit(f"unknown kind {kind!r}")


def _error(query: Query, error: BaseException) -> str:
    return f"{query.describe()}: {type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def latencies(home: Path, kind: str, queries: Sequence[Query]) -> dict[str, Any]:
    import newsarchive

    with newsarchive.open(home) as archive:
        run = runner(archive, kind)
        errors, working = [], []
        for query in queries:
            try:
                run(query)
                working.append(query)
            except Exception as error:  # noqa: BLE001 - a benchmark reports a failure, it does not stop at it
                errors.append(_error(query, error))
        seconds = []
        for query in working:
            started = time.perf_counter()
            run(query)
            seconds.append(time.perf_counter() - started)
    return {"kind": kind, "seconds": seconds, "failed": len(errors), "errors": errors[:10]}


def top10(home: Path, queries: Sequence[Query]) -> dict[str, Any]:
    import newsarchive

    found = []
    with newsarchive.open(home) as archive:
        for query in queries:
            try:
                page = archive.search(query.text, **_options(query))
                found.append({
                    "query": query.describe(), "total": page.total, "ids": [hit.id for hit in page.hits],
                    "scores": [hit.score for hit in page.hits],
                })  # fmt: skip
            except Exception as error:  # noqa: BLE001
                found.append({"query": query.describe(), "error": _error(query, error)})
    return {"queries": found}


def client(home: Path, queries: Sequence[Query], offset: int, start_at: float, seconds: float) -> dict[str, Any]:
    """One client: open, search once untimed, wait for the common start, then search until the time is up."""
    errors: list[str] = []
    taken: list[float] = []
    try:
        import newsarchive

        archive = newsarchive.open(home)
        run = runner(archive, "search")
        run(queries[offset % len(queries)])
    except Exception as error:  # noqa: BLE001 - a client that cannot start is an error too
        return {"latencies": [], "errors": [f"opening: {type(error).__name__}: {error}"], "late": False}
    late = time.time() > start_at
    time.sleep(max(0.0, start_at - time.time()))
    end = start_at + seconds
    position = offset
    while time.time() < end:
        query = queries[position % len(queries)]
        position += 1
        started = time.perf_counter()
        try:
            run(query)
        except Exception as error:  # noqa: BLE001
            errors.append(_error(query, error))
            continue
        taken.append(time.perf_counter() - started)
    archive.close()
    return {"latencies": taken, "errors": errors, "late": late}


def clients(home: Path, queries_file: Path, count: int, seconds: float) -> dict[str, Any]:
    """``count`` client processes at once; their latencies and errors together."""
    queries = read_queries(queries_file)
    start_at = time.time() + START_DELAY
    step = max(1, len(queries) // count)
    processes = [
        subprocess.Popen(
            [sys.executable, __file__, "client", str(home), str(queries_file), "--offset", str(number * step),
             "--start-at", repr(start_at), "--seconds", str(seconds)],
            stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        for number in range(count)
    ]
    results, crashed = [], []
    for process in processes:
        out, _ = process.communicate()
        try:
            results.append(json.loads(out))
        except ValueError:
            crashed.append(f"client exited {process.returncode} without results")
    every = [latency for result in results for latency in result["latencies"]]
    errors = crashed + [error for result in results for error in result["errors"]]
    return {
        "clients": count,
        "seconds": seconds,
        "searches": len(every),
        "latencies": every,
        "errors": len(errors),
        "error_examples": errors[:10],
        "late_clients": sum(1 for result in results if result.get("late")),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=("search", "facets", "trend", "top10", "clients", "client"))
    parser.add_argument("home", type=Path)
    parser.add_argument("queries", type=Path, help="a JSON list of queries (probe.write_queries)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--offset", type=int, default=0)
    parser.add_argument("--start-at", type=float, default=0.0)
    args = parser.parse_args(argv)
    if args.kind == "clients":
        result = clients(args.home, args.queries, args.clients, args.seconds)
    elif args.kind == "client":
        result = client(args.home, read_queries(args.queries), args.offset, args.start_at, args.seconds)
    elif args.kind == "top10":
        result = top10(args.home, read_queries(args.queries))
    else:
        result = latencies(args.home, args.kind, read_queries(args.queries))
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
