"""Run the whole benchmark suite and write benchmarks/results/<date>-<host>.md and .json.

For each corpus size it measures `archive` (bulk ingest, no-op re-ingest,
cold CLI search, warm in-process search, size on disk, index rebuild) and, in the same run
on the same corpus, SQLite FTS5 through sqlite-utils and a plain Whoosh
baseline. See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from make_corpus import DEFAULT_SEED, DEFAULT_SOURCE, article_files, ensure_corpus, parse_count, read_source
from measure import (
    CommandFailed,
    Task,
    clean_env,
    machine,
    percentiles,
    project_state,
    run_task,
    summary,
    time_tasks,
    tree_bytes,
    versions,
    warm_latencies,
)
from queries import COLD_QUERIES, Query, warm_queries
from references import (
    sqlite_hit_count,
    sqlite_ingest_task,
    sqlite_search_task,
    sqlite_warm_latencies,
    timed_ndjson,
    tool,
    whoosh_build_task,
    whoosh_search_task,
)
from report import render_markdown, with_targets

HERE = Path(__file__).resolve().parent
BBC = "bbc"
OURS, SQLITE, WHOOSH = "newsarchive", "sqlite-utils", "whoosh"


@dataclass(frozen=True)
class Settings:
    sizes: tuple[str, ...]
    repeat: int
    ingest_repeat: int
    warm_queries: int
    seed: int
    bbc: Path
    work: Path
    out: Path
    note: str | None = None


@dataclass(frozen=True)
class RunPaths:
    """Where one size's archives live; kept after the run for profiling."""

    root: Path

    @property
    def home(self) -> Path:
        return self.root / "archive"

    @property
    def ndjson(self) -> Path:
        return self.root / "articles.ndjson"

    @property
    def sqlite_db(self) -> Path:
        return self.root / "sqlite-utils.db"

    @property
    def whoosh_index(self) -> Path:
        return self.root / "whoosh-index"


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


# --- our tasks ----------------------------------------------------------------------


def archive_ingest_task(corpus: Path, home: Path, *, fresh: bool) -> Task:
    """`archive ingest` as a fresh process; ``fresh`` starts from an empty archive each time."""
    command = [tool("archive"), "ingest", "--home", home, "-q", "--json", corpus]
    return Task.of(command, prepare=(lambda: shutil.rmtree(home, ignore_errors=True)) if fresh else None)


def archive_reindex_task(home: Path) -> Task:
    """`archive reindex`: the index alone, built anew from the archive's database."""
    return Task.of([tool("archive"), "reindex", "--home", home, "-q"])


def archive_search_task(home: Path, query: Query) -> Task:
    return Task.of([tool("archive"), "search", "--home", home, *query.archive_args()])


def _request(query: Query, limit: int):  # type: ignore[no-untyped-def]
    from newsarchive.search import SearchRequest

    return SearchRequest(
        query=query.text,
        since=query.since.isoformat() if query.since else None,
        until=query.until.isoformat() if query.until else None,
        limit=limit,
    )


def archive_warm_latencies(home: Path, queries: Sequence[Query]) -> tuple[list[float], list[str]]:
    """Seconds per query for the top 10 hits with snippets, through the library, after a warm-up pass.

    Queries that raise are left out of the latencies; their errors are returned.
    """
    from newsarchive.config import resolve_config
    from newsarchive.search import search

    config = resolve_config(home)
    failing = set()
    errors = []
    for query in queries:
        try:
            search(config, _request(query, 10))
        except Exception as error:  # noqa: BLE001 - a benchmark reports a crash, it does not stop at it
            failing.add(query)
            errors.append(f"{query.describe()}: {type(error).__name__}: {error}")
    working = [query for query in queries if query not in failing]
    latencies = warm_latencies(lambda query: [hit.snippet for hit in search(config, _request(query, 10)).hits], working)
    return latencies, errors


def archive_hit_count(home: Path, query: Query) -> int | None:
    """How many articles match, or None when the search fails."""
    from newsarchive.config import resolve_config
    from newsarchive.search import search

    try:
        return search(resolve_config(home), _request(query, 1)).total
    except Exception:  # noqa: BLE001 - the cold search row already says why
        return None


# --- one size -----------------------------------------------------------------------


def prepare_corpus(label: str, settings: Settings) -> tuple[Path, dict]:  # type: ignore[type-arg]
    if label == BBC:
        return settings.bbc, {"made": False}
    out = settings.work / "corpora" / f"{label}-seed{settings.seed}"
    log(f"[{label}] corpus at {out}")
    manifest = ensure_corpus(out, int(label), seed=settings.seed, source=settings.bbc)
    return out, {"made": True, **manifest}


def bench_size(label: str, settings: Settings, warm: Sequence[Query]) -> dict:  # type: ignore[type-arg]
    corpus, made = prepare_corpus(label, settings)
    files = article_files(corpus)
    paths = RunPaths(settings.work / "runs" / label)
    paths.root.mkdir(parents=True, exist_ok=True)
    env = clean_env()

    log(f"[{label}] writing NDJSON for sqlite-utils ({len(files)} files)")
    records, prep_seconds = timed_ndjson(corpus, paths.ndjson)

    log(f"[{label}] bulk ingest x{settings.ingest_repeat}: archive, sqlite-utils, plain Whoosh")
    ingest = time_tasks(
        {
            OURS: archive_ingest_task(corpus, paths.home, fresh=True),
            SQLITE: sqlite_ingest_task(paths.ndjson, paths.sqlite_db),
            WHOOSH: whoosh_build_task(corpus, paths.whoosh_index),
        },
        settings.ingest_repeat,
        env,
        on_run=lambda name, repetition, run: log(
            f"[{label}] {name} ingest {repetition}/{settings.ingest_repeat}: {run.seconds:.1f} s, "
            f"{run.peak_rss_bytes / 1e6:.0f} MB"
        ),
    )
    ingest_report = json.loads(ingest[OURS][-1].stdout)

    log(f"[{label}] no-op re-ingest x{settings.repeat}")
    noop = time_tasks({OURS: archive_ingest_task(corpus, paths.home, fresh=False)}, settings.repeat, env)[OURS]
    noop_report = json.loads(noop[-1].stdout)

    log(f"[{label}] cold searches x{settings.repeat}")
    cold = {query.name: cold_search(query, paths, settings.repeat, env) for query in COLD_QUERIES}

    log(f"[{label}] warm searches ({len(warm)} queries)")
    ours_warm, ours_errors = archive_warm_latencies(paths.home, warm)
    sqlite_warm = sqlite_warm_latencies(paths.sqlite_db, warm)
    disk = {
        "database_bytes": tree_bytes(*paths.home.glob("archive.db*")),
        "index_bytes": tree_bytes(paths.home / "index"),
    }

    log(f"[{label}] index rebuild x{settings.ingest_repeat}")
    rebuild = time_tasks({OURS: archive_reindex_task(paths.home)}, settings.ingest_repeat, env)[OURS]

    return {
        "size": label,
        "corpus": {
            "path": str(corpus),
            "files": len(files),
            "bytes": tree_bytes(*files),
            "distinct_articles": records,
            **made,
        },
        OURS: {
            "ingest": {**rates(summary(ingest[OURS]), len(files)), "report": ingest_report},
            "noop_reingest": {**summary(noop), "report": noop_report},
            "warm_search": {**warm_summary(ours_warm), "failed": len(ours_errors), "errors": ours_errors[:5]},
            "reindex": rates(summary(rebuild), records),
            "disk": disk,
        },
        SQLITE: {
            "prepare_ndjson_seconds": round(prep_seconds, 3),
            "ingest": rates(summary(ingest[SQLITE]), len(files)),
            "warm_search": warm_summary(sqlite_warm),
            "disk": {"database_bytes": tree_bytes(paths.sqlite_db)},
        },
        WHOOSH: {
            "ingest": rates(summary(ingest[WHOOSH]), len(files)),
            "disk": {"index_bytes": tree_bytes(paths.whoosh_index)},
        },
        "cold_search": cold,
        "hits": {
            query.name: {OURS: archive_hit_count(paths.home, query), SQLITE: sqlite_hit_count(paths.sqlite_db, query)}
            for query in COLD_QUERIES
        },
    }


def cold_search(query: Query, paths: RunPaths, times: int, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """Each tool's median over ``times`` fresh processes, after one untimed run (a tool that fails it is noted)."""
    tasks = {OURS: archive_search_task(paths.home, query), SQLITE: sqlite_search_task(paths.sqlite_db, query)}
    baseline = whoosh_search_task(paths.whoosh_index, query)
    if baseline is not None:
        tasks[WHOOSH] = baseline
    failed = {}
    for name, task in list(tasks.items()):
        try:
            run_task(task, env)
        except CommandFailed as error:
            failed[name] = {"error": str(error).strip().splitlines()[-1]}
            del tasks[name]
            log(f"cold search {query.describe()!r} failed for {name}: {failed[name]['error']}")
    runs = time_tasks(tasks, times, env)
    return {"query": query.describe(), **failed, **{name: summary(found) for name, found in runs.items()}}


def rates(timing: dict, articles: int) -> dict:  # type: ignore[type-arg]
    return {**timing, "articles_per_second": round(articles / timing["median_seconds"], 1)}


def warm_summary(latencies: Sequence[float]) -> dict:  # type: ignore[type-arg]
    if not latencies:
        return {"queries": 0}
    milliseconds = {name: round(value * 1000, 2) for name, value in percentiles(latencies).items()}
    return {"queries": len(latencies), **{f"{name}_ms": value for name, value in milliseconds.items()}}


# --- the whole run ------------------------------------------------------------------


def run(settings: Settings, argv: Sequence[str]) -> dict:  # type: ignore[type-arg]
    started = datetime.now().astimezone()
    warm = warm_queries(read_source(settings.bbc), settings.warm_queries, settings.seed)
    sizes = []
    for label in settings.sizes:
        began = time.monotonic()
        sizes.append(bench_size(label, settings, warm))
        log(f"[{label}] done in {time.monotonic() - began:.0f} s")
    results = {
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/run.py", *argv]),
        "machine": machine(),
        "versions": versions(),
        "project": {**project_state(), "note": settings.note},
        "settings": {
            "repeat": settings.repeat,
            "ingest_repeat": settings.ingest_repeat,
            "warm_queries": settings.warm_queries,
            "seed": settings.seed,
            "peak_rss_method": "the larger of ru_maxrss (os.wait4 on the command, spawned by timed_exec.py; floor ~8 MB) and the peak sum of PSS over the command's process tree (workers included), sampled every 0.2 s",
        },
        "cold_queries": [{"name": query.name, "query": query.describe()} for query in COLD_QUERIES],
        "sizes": sizes,
    }
    return with_targets(results)


def write_results(results: dict, out: Path) -> tuple[Path, Path]:  # type: ignore[type-arg]
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{results['started'][:10]}-{results['machine']['host']}"
    markdown, data = out / f"{stem}.md", out / f"{stem}.json"
    markdown.write_text(render_markdown(results), encoding="utf-8")
    data.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return markdown, data


def size_label(text: str) -> str:
    if text.strip().lower() == BBC:
        return BBC
    try:
        return str(parse_count(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use bbc or a number such as 20000 or 100k)") from None


def parse_settings(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark newsarchive against sqlite-utils (SQLite FTS5) and plain Whoosh, "
        "and write benchmarks/results/<date>-<host>.md and .json.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  python benchmarks/run.py --quick                  # smoke run: BBC set only, few repeats\n"
        "  python benchmarks/run.py                          # bbc, 20000 and 100000\n"
        "  python benchmarks/run.py --sizes bbc,20000 --repeat 7 --ingest-repeat 3",
    )
    parser.add_argument(
        "--sizes", help="comma-separated corpus sizes: bbc (the BBC set as it is) or a number of generated "
        "articles, e.g. bbc,20000,100k (default bbc,20000,100000; --quick: bbc)",
    )
    parser.add_argument("--repeat", type=int, help="runs per cold search and no-op re-ingest (default 7; --quick: 3)")
    parser.add_argument("--ingest-repeat", type=int, help="runs per bulk ingest (default 3; --quick: 1)")
    parser.add_argument("--warm-queries", type=int, help="queries for warm latency (default 300; --quick: 100)")
    parser.add_argument("--quick", action="store_true", help="smoke run: the BBC set only and fewer repeats")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus and query seed (default {DEFAULT_SEED})")
    parser.add_argument("--bbc", type=Path, default=DEFAULT_SOURCE, help=f"the BBC set (default {DEFAULT_SOURCE})")
    parser.add_argument(
        "--work", type=Path, default=HERE / "work",
        help="scratch folder for corpora and archives, kept for profiling (default benchmarks/work)",
    )
    parser.add_argument("--out", type=Path, default=HERE / "results", help="where results go (default benchmarks/results)")
    parser.add_argument("--note", help="free text recorded with the results, e.g. which snapshot was measured")
    args = parser.parse_args(argv)
    quick = args.quick
    sizes = args.sizes or (BBC if quick else f"{BBC},20000,100000")
    settings = Settings(
        sizes=tuple(size_label(size) for size in sizes.split(",") if size.strip()),
        repeat=args.repeat or (3 if quick else 7),
        ingest_repeat=args.ingest_repeat or (1 if quick else 3),
        warm_queries=args.warm_queries or (100 if quick else 300),
        seed=args.seed,
        bbc=args.bbc.resolve(),
        work=args.work.resolve(),
        out=args.out.resolve(),
        note=args.note,
    )
    if min(settings.repeat, settings.ingest_repeat, settings.warm_queries) < 1:
        parser.error("--repeat, --ingest-repeat and --warm-queries must be 1 or more")
    if not settings.bbc.is_dir():
        parser.error(f"no BBC set at {settings.bbc} (use --bbc)")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = parse_settings(argv)
    results = run(settings, argv)
    markdown, data = write_results(results, settings.out)
    print(render_markdown(results))
    log(f"wrote {markdown} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
