"""Run the whole benchmark suite and write benchmarks/results/<date>-<host>.md and .json.

For each corpus size it measures `archive` (bulk ingest, no-op re-ingest,
cold CLI search, the same queries in-process, warm in-process search, size on
disk, index rebuild) and, in the same run on the same corpus, SQLite FTS5
through sqlite-utils, a plain Whoosh baseline and tantivy. The multilingual
corpus (``multi``) also gets its own queries and correctness figures: language,
title and date of each article stored right, and inflected-form recall. With
``--web`` each size also gets the search server under load (web.py): `archive
serve` beside datasette over the same FTS5 database; ``--web-only`` measures
that alone, on the archives of an earlier run where they match the corpus. See
benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import multilingual
from make_corpus import DEFAULT_SEED, DEFAULT_SOURCE, MANIFEST, article_files, ensure_corpus, parse_count, read_source
from measure import (
    CommandFailed,
    Task,
    TaskRun,
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
    TABLE,
    InProcess,
    sqlite_hit_count,
    sqlite_ingest_task,
    sqlite_search_task,
    sqlite_warm_latencies,
    tantivy_build_task,
    tantivy_records_task,
    tantivy_search_task,
    timed_ndjson,
    tool,
    whoosh_build_task,
    whoosh_records_task,
    whoosh_search_task,
)
from report import render, with_server_targets, with_targets, with_web_targets
from team import TeamSettings, run_server_sizes
from web import WebSettings, measure_web

HERE = Path(__file__).resolve().parent
BBC = "bbc"
#: The multilingual corpus: ``multi`` (its default size) or ``multi:N``.
MULTI = "multi"
OURS, SQLITE, WHOOSH, TANTIVY = "newsarchive", "sqlite-utils", "whoosh", "tantivy"
REFERENCES = (SQLITE, WHOOSH, TANTIVY)


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
    team: TeamSettings | None = None  # --server: the engines over a PostgreSQL server
    web: WebSettings | None = None  # --web: `archive serve` and datasette under load, after each size
    web_only: bool = False  # --web-only: that alone, on the archives of an earlier run where they match


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

    @property
    def tantivy_index(self) -> Path:
        return self.root / "tantivy-index"

    def from_records(self, index: Path) -> Path:
        """Where a reference builds its index again from the NDJSON records."""
        return index.with_name(index.name + "-from-records")

    @property
    def ingested(self) -> Path:
        """Written after a whole ingest into ``home``: which corpus it holds (``--web-only`` keeps it when it matches)."""
        return self.root / "archive-ingested.json"


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


def _request(query: Query, limit: int) -> dict[str, Any]:
    """The search options of a benchmark query, as `archive search` takes them."""
    return {
        "since": query.since.isoformat() if query.since else None,
        "until": query.until.isoformat() if query.until else None,
        "limit": limit,
    }


def archive_top10(home: Path) -> Callable[[Query], list[str]]:
    """A search through the library, as `archive search` shows it: the top 10 hits with snippets."""
    import newsarchive

    archive = newsarchive.open(home)
    return lambda query: [hit.snippet for hit in archive.search(query.text, **_request(query, 10)).hits]


def archive_warm_latencies(home: Path, queries: Sequence[Query]) -> tuple[list[float], list[str]]:
    """Seconds per query for the top 10 hits with snippets, through the library, after a warm-up pass.

    Queries that raise are left out of the latencies; their errors are returned.
    """
    top10 = archive_top10(home)
    failing = set()
    errors = []
    for query in queries:
        try:
            top10(query)
        except Exception as error:  # noqa: BLE001 - a benchmark reports a crash, it does not stop at it
            failing.add(query)
            errors.append(f"{query.describe()}: {type(error).__name__}: {error}")
    working = [query for query in queries if query not in failing]
    return warm_latencies(top10, working), errors


def in_process_search(home: Path, references: InProcess, queries: Sequence[Query], times: int) -> dict:  # type: ignore[type-arg]
    """Median seconds per query and tool through each library in this (warm) process, after one untimed run.

    The same queries and output as the cold commands: ours with snippets, the references without.
    """
    runners: dict[str, Callable[[Query], object]] = {OURS: archive_top10(home)}
    runners.update({name: (lambda query, name=name: references.top10(name, query)) for name in REFERENCES})
    found: dict[str, dict[str, dict[str, object]]] = {}
    for query in queries:
        able = {}
        for name, run in runners.items():
            try:
                if run(query) is not None:
                    able[name] = run
            except Exception as error:  # noqa: BLE001 - reported in the table, as for cold searches
                found.setdefault(query.name, {})[name] = {"error": f"{type(error).__name__}: {error}"}
        seconds: dict[str, list[float]] = {name: [] for name in able}
        for _ in range(times):  # the tools take turns, as in the cold runs
            for name, run in able.items():
                started = time.perf_counter()
                run(query)
                seconds[name].append(time.perf_counter() - started)
        row = found.setdefault(query.name, {})
        row.update({name: {"median_seconds": round(statistics.median(taken), 6)} for name, taken in seconds.items()})
    return found


def reference_warm(references: InProcess, queries: Sequence[Query]) -> dict[str, dict]:  # type: ignore[type-arg]
    """Warm latencies of plain Whoosh (titles only, the queries without dates) and tantivy (with snippets)."""
    undated = [query for query in queries if not query.dated]
    return {
        WHOOSH: warm_summary(warm_latencies(lambda query: references.snippets(WHOOSH, query), undated)),
        TANTIVY: warm_summary(warm_latencies(lambda query: references.snippets(TANTIVY, query), queries)),
    }


def archive_hit_count(home: Path, query: Query) -> int | None:
    """How many articles match, or None when the search fails."""
    import newsarchive

    try:
        with newsarchive.open(home) as archive:
            return archive.search(query.text, **_request(query, 1)).total
    except Exception:  # noqa: BLE001 - the cold search row already says why
        return None


# --- one size -----------------------------------------------------------------------


def multi_count(label: str) -> int | None:
    """The article count of a multilingual size label (``multi:5000``), None for other sizes."""
    return int(label.split(":")[1]) if label.startswith(MULTI + ":") else None


def prepare_corpus(label: str, settings: Settings) -> tuple[Path, dict]:  # type: ignore[type-arg]
    if label == BBC:
        return settings.bbc, {"made": False}
    count = multi_count(label)
    if count is not None:
        out = settings.work / "corpora" / f"multi-{count}-seed{settings.seed}"
        log(f"[{label}] corpus at {out}")
        return out, {"made": True, **multilingual.ensure_corpus(out, count, seed=settings.seed)}
    out = settings.work / "corpora" / f"{label}-seed{settings.seed}"
    log(f"[{label}] corpus at {out}")
    manifest = ensure_corpus(out, int(label), seed=settings.seed, source=settings.bbc)
    return out, {"made": True, **manifest}


def bench_size(label: str, settings: Settings, warm: Sequence[Query]) -> dict:  # type: ignore[type-arg]
    corpus, made = prepare_corpus(label, settings)
    files = article_files(corpus)
    paths = RunPaths(settings.work / "runs" / label.replace(":", "-"))
    multi = multi_count(label) is not None
    cold_queries = multilingual.COLD_QUERIES if multi else COLD_QUERIES
    if multi:
        warm = multilingual.warm_queries(settings.warm_queries, settings.seed)
    paths.root.mkdir(parents=True, exist_ok=True)
    env = clean_env()

    log(f"[{label}] writing NDJSON for sqlite-utils ({len(files)} files)")
    records, prep_seconds = timed_ndjson(corpus, paths.ndjson)

    def logged(what: str, times: int) -> Callable[[str, int, TaskRun], None]:
        return lambda name, repetition, run: log(
            f"[{label}] {name} {what} {repetition}/{times}: {run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s, "
            f"{run.peak_pss_bytes / 1e6:.0f} MB PSS, {run.peak_rss_sum_bytes / 1e6:.0f} MB RSS"
        )

    log(f"[{label}] bulk ingest x{settings.ingest_repeat}: archive, sqlite-utils, plain Whoosh, tantivy")
    paths.ingested.unlink(missing_ok=True)
    ingest = time_tasks(
        {
            OURS: archive_ingest_task(corpus, paths.home, fresh=True),
            SQLITE: sqlite_ingest_task(paths.ndjson, paths.sqlite_db),
            WHOOSH: whoosh_build_task(corpus, paths.whoosh_index),
            TANTIVY: tantivy_build_task(corpus, paths.tantivy_index),
        },
        settings.ingest_repeat,
        env,
        on_run=logged("ingest", settings.ingest_repeat),
    )
    ingest_report = json.loads(ingest[OURS][-1].stdout)
    write_ingested(paths, corpus, files, made, ingest_report)

    log(f"[{label}] no-op re-ingest x{settings.repeat}")
    noop = time_tasks({OURS: archive_ingest_task(corpus, paths.home, fresh=False)}, settings.repeat, env)[OURS]
    noop_report = json.loads(noop[-1].stdout)

    log(f"[{label}] cold searches x{settings.repeat}")
    cold = {query.name: cold_search(query, paths, settings.repeat, env) for query in cold_queries}

    log(f"[{label}] the same queries in-process x{settings.repeat}, then warm searches ({len(warm)} queries)")
    references = InProcess(paths.sqlite_db, paths.whoosh_index, paths.tantivy_index)
    try:
        in_process = in_process_search(paths.home, references, cold_queries, settings.repeat)
        ours_warm, ours_errors = archive_warm_latencies(paths.home, warm)
        sqlite_warm = sqlite_warm_latencies(paths.sqlite_db, warm)
        others_warm = reference_warm(references, warm)
        hits = {
            query.name: {
                OURS: archive_hit_count(paths.home, query),
                SQLITE: sqlite_hit_count(paths.sqlite_db, query),
                **{name: references.hit_count(name, query) for name in (WHOOSH, TANTIVY)},
            }
            for query in cold_queries
        }
    finally:
        references.close()
    checked = None
    if multi:
        probes = multilingual.probes(multilingual.read_truth(corpus), 2 * settings.warm_queries, settings.seed)
        log(f"[{label}] languages, titles and dates stored; {len(probes)} inflected-form queries")
        checked = multilingual.check(paths.home, corpus, paths.sqlite_db, probes)
    disk = {
        "database_bytes": tree_bytes(*paths.home.glob("archive.db*")),
        "index_bytes": tree_bytes(paths.home / "index"),
    }

    log(f"[{label}] the index from parsed records x{settings.ingest_repeat}: archive reindex, plain Whoosh, tantivy")
    rebuild = time_tasks(
        {
            OURS: archive_reindex_task(paths.home),
            WHOOSH: whoosh_records_task(paths.ndjson, paths.from_records(paths.whoosh_index)),
            TANTIVY: tantivy_records_task(paths.ndjson, paths.from_records(paths.tantivy_index)),
        },
        settings.ingest_repeat,
        env,
        on_run=logged("build from records", settings.ingest_repeat),
    )
    web = None
    if settings.web is not None:
        log(f"[{label}] search over HTTP: archive serve and datasette, {settings.web.clients} clients each")
        web = measure_web(paths.home, paths.sqlite_db, warm, settings.web, paths.root)

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
            "reindex": rates(summary(rebuild[OURS]), records),
            "disk": disk,
        },
        SQLITE: {
            "prepare_ndjson_seconds": round(prep_seconds, 3),
            "ingest": rates(summary(ingest[SQLITE]), len(files)),
            "warm_search": warm_summary(sqlite_warm),
            "disk": {"database_bytes": tree_bytes(paths.sqlite_db)},
        },
        **{
            name: {
                "ingest": rates(summary(ingest[name]), len(files)),
                "reindex": rates(summary(rebuild[name]), records),
                "warm_search": others_warm[name],
                "disk": {"index_bytes": tree_bytes(index)},
            }
            for name, index in ((WHOOSH, paths.whoosh_index), (TANTIVY, paths.tantivy_index))
        },
        "cold_search": cold,
        "in_process_search": in_process,
        "hits": hits,
        **({"multilingual": checked} if checked is not None else {}),
        **({"web": web} if web is not None else {}),
    }


# --- --web-only: the servers under load, on the archives of an earlier run --------------


def write_ingested(paths: RunPaths, corpus: Path, files: Sequence[Path], made: dict, report: dict) -> None:  # type: ignore[type-arg]
    about = {"corpus": str(corpus), "files": len(files), "manifest": made, "report": report}
    paths.ingested.write_text(json.dumps(about, indent=2) + "\n", encoding="utf-8")


def kept_archive(paths: RunPaths, corpus: Path, files: Sequence[Path], made: dict) -> dict | None:  # type: ignore[type-arg]
    """The ingest report of the archive an earlier run left in ``paths.home``, if it holds this corpus whole."""
    try:
        about = json.loads(paths.ingested.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    same = about.get("corpus") == str(corpus) and about.get("files") == len(files) and about.get("manifest") == made
    return about.get("report") if same and (paths.home / "archive.db").exists() else None


def kept_fts5(paths: RunPaths, corpus: Path) -> int | None:
    """The rows of the FTS5 database an earlier run left, if it is newer than the corpus and whole."""
    made = corpus / MANIFEST if (corpus / MANIFEST).exists() else corpus
    if not paths.sqlite_db.exists() or paths.sqlite_db.stat().st_mtime < made.stat().st_mtime:
        return None
    try:
        with sqlite3.connect(f"file:{paths.sqlite_db}?mode=ro", uri=True) as connection:
            rows = connection.execute(f"select count(*) from {TABLE}_fts").fetchone()[0]
    except sqlite3.Error:
        return None
    return int(rows) or None


def web_size(label: str, settings: Settings, warm: Sequence[Query]) -> dict:  # type: ignore[type-arg]
    """``--web-only``: the corpus, the archive and the FTS5 database (each kept from an earlier run where it
    matches, else made: one ingest each), then both servers under load."""
    assert settings.web is not None
    corpus, made = prepare_corpus(label, settings)
    files = article_files(corpus)
    paths = RunPaths(settings.work / "runs" / label.replace(":", "-"))
    paths.root.mkdir(parents=True, exist_ok=True)
    if multi_count(label) is not None:
        warm = multilingual.warm_queries(settings.warm_queries, settings.seed)
    env = clean_env()
    records = kept_fts5(paths, corpus)
    fts5_kept = records is not None
    if records is None:
        log(f"[{label}] NDJSON and the FTS5 database (sqlite-utils insert + enable-fts)")
        records, _ = timed_ndjson(corpus, paths.ndjson)
        run_task(sqlite_ingest_task(paths.ndjson, paths.sqlite_db), env)
    report = kept_archive(paths, corpus, files, made)
    archive_kept = report is not None
    if report is None:
        log(f"[{label}] archive ingest ({len(files)} files)")
        paths.ingested.unlink(missing_ok=True)
        report = json.loads(run_task(archive_ingest_task(corpus, paths.home, fresh=True), env).stdout)
        write_ingested(paths, corpus, files, made, report)
    else:
        log(f"[{label}] keeping the archive and FTS5 database at {paths.root}" if fts5_kept else f"[{label}] keeping the archive")
    log(f"[{label}] search over HTTP: archive serve and datasette, {settings.web.clients} clients each")
    return {
        "size": label,
        "corpus": {"path": str(corpus), "files": len(files), "distinct_articles": records, **made},
        "archives": {"root": str(paths.root), "archive_kept": archive_kept, "fts5_kept": fts5_kept, "ingest_report": report},
        "web": measure_web(paths.home, paths.sqlite_db, warm, settings.web, paths.root),
    }


def cold_search(query: Query, paths: RunPaths, times: int, env: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """Each tool's median over ``times`` fresh processes, after one untimed run (a tool that fails it is noted)."""
    tasks = {
        OURS: archive_search_task(paths.home, query),
        SQLITE: sqlite_search_task(paths.sqlite_db, query),
        TANTIVY: tantivy_search_task(paths.tantivy_index, query),
    }
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


def run(settings: Settings, argv: Sequence[str], on_size: Callable[[dict], object] | None = None) -> dict:  # type: ignore[type-arg]
    """Every size in turn; ``on_size`` gets the results so far after each (a late failure keeps the sizes done)."""
    started = datetime.now().astimezone()
    warm = warm_queries(read_source(settings.bbc), settings.warm_queries, settings.seed)
    sizes: list[dict] = []  # type: ignore[type-arg]
    for label in settings.sizes:
        began = time.monotonic()
        sizes.append(bench_size(label, settings, warm))
        log(f"[{label}] done in {time.monotonic() - began:.0f} s")
        if on_size is not None:
            on_size(results_of(settings, argv, started, sizes))
    return results_of(settings, argv, started, sizes)


def run_web(settings: Settings, argv: Sequence[str], on_size: Callable[[dict], object] | None = None) -> dict:  # type: ignore[type-arg]
    """``--web-only``: each size's servers under load (``web_size``)."""
    started = datetime.now().astimezone()
    warm = warm_queries(read_source(settings.bbc), settings.warm_queries, settings.seed)
    sizes: list[dict] = []  # type: ignore[type-arg]
    for label in settings.sizes:
        sizes.append(web_size(label, settings, warm))
        if on_size is not None:
            on_size(web_results_of(settings, argv, started, sizes))
    return web_results_of(settings, argv, started, sizes)


def web_results_of(settings: Settings, argv: Sequence[str], started: datetime, sizes: list[dict]) -> dict:  # type: ignore[type-arg]
    assert settings.web is not None
    results = {
        "suite": "web",
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/run.py", *argv]),
        "machine": machine(),
        "versions": versions(),
        "project": {**project_state(), "note": settings.note},
        "settings": {"warm_queries": settings.warm_queries, "seed": settings.seed, **web_settings(settings.web)},
        "sizes": sizes,
    }
    return with_web_targets(results)


def web_settings(web: WebSettings) -> dict:  # type: ignore[type-arg]
    return {"web_clients": web.clients, "web_seconds": web.seconds, "web_warmup_seconds": web.warmup,
            "web_timeout_seconds": web.timeout, "web_serve_args": list(web.serve_args)}  # fmt: skip


def run_server(settings: Settings, argv: Sequence[str], on_size: Callable[[dict], object] | None = None) -> dict:  # type: ignore[type-arg]
    """``--server``: every size's corpus, then the engines over one benchmark server (team.py)."""
    assert settings.team is not None
    started = datetime.now().astimezone()
    warm = warm_queries(read_source(settings.bbc), settings.warm_queries, settings.seed)
    corpora = [(label, prepare_corpus(label, settings)[0]) for label in settings.sizes]

    def results(sizes: list[dict], server: dict) -> dict:  # type: ignore[type-arg]
        return server_results_of(settings, argv, started, sizes, server)

    sizes, server = run_server_sizes(
        corpora, settings.work, settings.team, warm,
        on_size=lambda done, about: on_size(results(done, about)) if on_size is not None else None,
    )  # fmt: skip
    return results(sizes, server)


def server_results_of(
    settings: Settings, argv: Sequence[str], started: datetime, sizes: list[dict], server: dict  # type: ignore[type-arg]
) -> dict:  # type: ignore[type-arg]
    assert settings.team is not None
    team = settings.team
    results = {
        "suite": "server",
        "started": started.isoformat(timespec="seconds"),
        "command": " ".join(["python", "benchmarks/run.py", *argv]),
        "machine": machine(),
        "versions": versions(),
        "project": {**project_state(), "note": settings.note},
        "server": server,
        "settings": {
            "engines": list(team.engines),
            "embedded_up_to": team.embedded_up_to,
            "cold_repeat": team.cold_repeat,
            "ingest_repeat": team.ingest_repeat,
            "warm_queries": settings.warm_queries,
            "facet_queries": team.facet_queries,
            "trend_queries": team.trend_queries,
            "clients": team.clients,
            "clients_seconds": team.clients_seconds,
            "seed": settings.seed,
        },
        "cold_queries": [{"name": query.name, "query": query.describe()} for query in COLD_QUERIES],
        "sizes": sizes,
    }
    return with_server_targets(results)


def results_of(settings: Settings, argv: Sequence[str], started: datetime, sizes: list[dict]) -> dict:  # type: ignore[type-arg]
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
            "peak_memory_method": "the peak sums of PSS and of RSS over the command's process tree (workers included), sampled every 0.2 s or further apart (at most 2% of a core), each at least ru_maxrss (os.wait4 on the command, spawned by timed_exec.py; floor ~8 MB)",
            "cpu_method": "user + system seconds of the command and the processes it waited for (os.wait4)",
            **(web_settings(settings.web) if settings.web is not None else {}),
        },
        "cold_queries": [{"name": query.name, "query": query.describe()} for query in COLD_QUERIES],
        "sizes": sizes,
    }
    return with_web_targets(with_targets(results)) if settings.web is not None else with_targets(results)


def write_results(results: dict, out: Path) -> tuple[Path, Path]:  # type: ignore[type-arg]
    out.mkdir(parents=True, exist_ok=True)
    suite = results.get("suite")
    stem = f"{results['started'][:10]}-{results['machine']['host']}"
    sizes = "-".join(size["size"] for size in results["sizes"]) or "none"
    if suite == "server":  # runs differ in sizes and engines: one file each
        stem += f"-server-{sizes}-" + "-".join(results["settings"]["engines"])
    elif suite == "web":
        serve_args = "".join(f"-{part.strip('-')}" for part in results["settings"].get("web_serve_args", []))
        stem += "-web-" + sizes.replace(":", "-") + serve_args  # (-workers-2: one file per way of serving)
    markdown, data = out / f"{stem}.md", out / f"{stem}.json"
    markdown.write_text(render(results), encoding="utf-8")
    data.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return markdown, data


def size_label(text: str) -> str:
    """``bbc``, a number of generated articles (``20000``), or ``multi`` / ``multi:N`` (N multilingual ones)."""
    text = text.strip().lower()
    if text == BBC:
        return BBC
    try:
        if text == MULTI:
            return f"{MULTI}:{multilingual.DEFAULT_COUNT}"
        if text.startswith(MULTI + ":"):
            return f"{MULTI}:{parse_count(text[len(MULTI) + 1 :])}"
        return str(parse_count(text))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a size: {text!r} (use bbc, multi, multi:2000 or a number such as 20000 or 100k)"
        ) from None


def parse_settings(argv: Sequence[str]) -> Settings:
    parser = argparse.ArgumentParser(
        prog="python benchmarks/run.py",
        description="Benchmark newsarchive against sqlite-utils (SQLite FTS5), plain Whoosh and tantivy, "
        "and write benchmarks/results/<date>-<host>.md and .json.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n"
        "  python benchmarks/run.py --quick                  # smoke run: BBC set only, few repeats\n"
        "  python benchmarks/run.py                          # bbc, multi (5,000), 20000 and 100000\n"
        "  python benchmarks/run.py --quick --sizes bbc,multi:1000   # and 1,000 multilingual articles (~1 minute more)\n"
        "  python benchmarks/run.py --sizes bbc,20000 --repeat 7 --ingest-repeat 3\n"
        "  python benchmarks/run.py --server --engines whoosh,postgres --sizes 100000,1000000   # a team's server\n"
        "  python benchmarks/run.py --web-only --sizes 100000        # archive serve and datasette under load",
    )
    parser.add_argument(
        "--sizes", help="comma-separated corpus sizes: bbc (the BBC set as it is), a number of generated "
        "articles, or multi / multi:N (N generated articles in seven languages; multi is 5,000), "
        "e.g. bbc,multi,20000,100k (default bbc,multi,20000,100000; --quick: bbc)",
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
    server = parser.add_argument_group("a team's archive on a PostgreSQL server (--server)")
    server.add_argument("--server", action="store_true", help="measure the engines over a throwaway PostgreSQL server "
                        "(tests/pg.sh) instead of the first suite; default sizes 100000,1000000")
    server.add_argument("--engines", default="postgres", help="comma-separated engines over the server (ARCHIVE_ENGINE "
                        "names), e.g. whoosh,postgres (default postgres)")
    server.add_argument("--embedded-up-to", type=parse_count, default=100_000, help="sizes up to this also measure "
                        "the embedded archive (SQLite + Whoosh) and SQLite FTS5 (default 100000)")
    server.add_argument("--clients", type=int, default=8, help="concurrent searching clients (default 8)")
    server.add_argument("--clients-seconds", type=float, default=30.0, help="how long they search (default 30)")
    server.add_argument("--fsync", choices=("on", "off"), default="off", help="the server's fsync, synchronous_commit "
                        "and full_page_writes (default off, as the tests run it)")
    server.add_argument("--keep-server", action="store_true", help="leave the server running at the end, "
                        "with each stack's last database (its folder and how to stop it are printed)")
    server.add_argument("--facet-queries", type=int, default=100, help="warm queries also run with facets (default 100)")
    server.add_argument("--trend-queries", type=int, default=50, help="warm queries also run as trends (default 50)")
    web = parser.add_argument_group("search over HTTP under load: archive serve beside datasette (--web)")
    web.add_argument("--web", action="store_true", help="also measure, after each size, `archive serve` and datasette "
                     "(over the FTS5 database) under concurrent clients on loopback")
    web.add_argument("--web-only", action="store_true", help="measure only that, keeping the archive and FTS5 "
                     "database of an earlier run where they match the corpus (else one ingest each); default sizes 100000")
    web.add_argument("--web-clients", type=int, default=WebSettings.clients,
                     help=f"concurrent clients, each a keep-alive connection (default {WebSettings.clients})")
    web.add_argument("--web-seconds", type=float, default=WebSettings.seconds,
                     help=f"how long they are measured, per server (default {WebSettings.seconds:g})")
    web.add_argument("--web-warmup", type=float, default=WebSettings.warmup,
                     help=f"seconds of the same load before, untimed (default {WebSettings.warmup:g})")
    web.add_argument("--web-timeout", type=float, default=WebSettings.timeout,
                     help=f"seconds a request may take before it counts as an error (default {WebSettings.timeout:g})")
    web.add_argument("--web-serve-args", default="", metavar="OPTIONS",
                     help="more options of `archive serve`, e.g. '--workers 2' (default: none, its defaults)")
    args = parser.parse_args(argv)
    if args.server and (args.web or args.web_only):
        parser.error("--web and --web-only go with the first suite, not with --server")
    quick = args.quick
    default_sizes = "100000,1000000" if args.server else "100000" if args.web_only else (BBC if quick else f"{BBC},{MULTI},20000,100000")
    sizes = args.sizes or default_sizes
    try:
        labels = tuple(size_label(size) for size in sizes.split(",") if size.strip())
    except argparse.ArgumentTypeError as error:
        parser.error(str(error))
    settings = Settings(
        sizes=labels,
        repeat=args.repeat or (3 if quick else 7),
        ingest_repeat=args.ingest_repeat or (1 if quick else 3),
        warm_queries=args.warm_queries or (100 if quick else 300),
        seed=args.seed,
        bbc=args.bbc.resolve(),
        work=args.work.resolve(),
        out=args.out.resolve(),
        note=args.note,
        team=TeamSettings(
            engines=tuple(engine.strip() for engine in args.engines.split(",") if engine.strip()),
            embedded_up_to=args.embedded_up_to,
            clients=args.clients,
            clients_seconds=args.clients_seconds,
            cold_repeat=args.repeat or (3 if quick else 5),
            ingest_repeat=args.ingest_repeat or 1,
            warm_queries=args.warm_queries or (100 if quick else 300),
            facet_queries=args.facet_queries,
            trend_queries=args.trend_queries,
            fsync=args.fsync == "on",
            keep_server=args.keep_server,
        ) if args.server else None,
        web=WebSettings(clients=args.web_clients, seconds=args.web_seconds, warmup=args.web_warmup,
                        timeout=args.web_timeout, serve_args=tuple(shlex.split(args.web_serve_args)))
        if args.web or args.web_only else None,
        web_only=args.web_only,
    )  # fmt: skip
    if settings.web is not None and (settings.web.clients < 1 or settings.web.seconds <= 0):
        parser.error("--web-clients must be 1 or more and --web-seconds above 0")
    if min(settings.repeat, settings.ingest_repeat, settings.warm_queries) < 1:
        parser.error("--repeat, --ingest-repeat and --warm-queries must be 1 or more")
    if not settings.bbc.is_dir():
        parser.error(f"no BBC set at {settings.bbc} (use --bbc)")
    return settings


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    settings = parse_settings(argv)
    running = run_server if settings.team is not None else run_web if settings.web_only else run
    results = running(settings, argv, on_size=lambda so_far: write_results(so_far, settings.out))
    markdown, data = write_results(results, settings.out)
    print(render(results))
    log(f"wrote {markdown} and {data}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
