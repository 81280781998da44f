"""The team's archive on a PostgreSQL server: ``run.py --server`` measures each engine over one server.

For each corpus size, each *stack* is built from the same files and measured
the same way:

- ``server:ENGINE`` for each of ``--engines``: the articles in a database of
  the benchmark's server (``server.BenchServer``), searched by ENGINE
  (``postgres``: in the server; ``whoosh``: a local Whoosh index following it);
- up to ``--embedded-up-to`` articles, beside them: ``embedded:whoosh`` (the
  archive as one machine runs it, SQLite and Whoosh in its home) and ``fts5``
  (SQLite FTS5 through sqlite-utils, the reference of the first suite).

Figures per stack: bulk ingest (wall, the command's CPU and the server's,
articles/s, database size with its indexes), cold search (a fresh `archive
search` process after a server restart), warm search with snippets, facets and
trend through the library (``probe.py``, a process per stack), ``--clients``
concurrent clients searching for ``--clients-seconds``, and the top 10 of every
benchmark query, from which the agreement of each engine with the Whoosh
engine is worked out. See README.md, "A team's archive on a server".
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from measure import Task, TaskRun, clean_env, percentiles, run_task, summary, tree_bytes
from probe import write_queries
from queries import COLD_QUERIES, Query
from references import sqlite_ingest_task, sqlite_search_task, sqlite_warm_latencies, timed_ndjson, tool
from server import BenchServer

HERE = Path(__file__).resolve().parent
PROBE = HERE / "probe.py"
FTS5 = "fts5"
EMBEDDED_WHOOSH = "embedded:whoosh"
#: The engine every other engine's top 10 is compared with.
REFERENCE_ENGINE = "whoosh"


def server_stack(engine: str) -> str:
    return f"server:{engine}"


@dataclass(frozen=True)
class TeamSettings:
    engines: tuple[str, ...]
    embedded_up_to: int
    clients: int
    clients_seconds: float
    cold_repeat: int
    ingest_repeat: int
    warm_queries: int
    facet_queries: int
    trend_queries: int
    fsync: bool
    #: Leave the server (and each size's last database) running at the end, for a look at the archive.
    keep_server: bool = False


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Stack:
    """One way of running the archive: where its database is, which engine searches it."""

    key: str
    home: Path
    engine: str
    database: str | None  # a database on the server, or None for SQLite in the home

    def env(self, server: BenchServer) -> dict[str, str]:
        env = clean_env()
        env["ARCHIVE_ENGINE"] = self.engine
        if self.database is not None:
            env["ARCHIVE_DATABASE_URL"] = server.url(self.database)
        return env


def has_init_command() -> bool:
    """Whether this newsarchive has `archive init --engine` (the engine then lives in the archive's settings)."""
    done = subprocess.run([tool("archive"), "init", "--help"], capture_output=True, text=True)
    return done.returncode == 0 and "--engine" in done.stdout


# --- measuring one stack ------------------------------------------------------------


def probe(kind: str, stack: Stack, server: BenchServer, queries_file: Path, *extra: str) -> dict[str, Any]:
    command = [sys.executable, str(PROBE), kind, str(stack.home), str(queries_file), *extra]
    done = subprocess.run(command, capture_output=True, text=True, env=stack.env(server))
    if done.returncode != 0:
        return {"crashed": f"exit {done.returncode}: " + (done.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def latency_summary(seconds: Sequence[float]) -> dict[str, Any]:
    if not seconds:
        return {"queries": 0}
    return {"queries": len(seconds), **{f"{name}_ms": round(value * 1000, 2) for name, value in percentiles(seconds).items()}}


def ingest_stack(stack: Stack, corpus: Path, server: BenchServer, times: int, use_init: bool) -> dict[str, Any]:
    """`archive ingest` into an empty archive ``times`` times; wall, CPU (the command's and the server's), size."""
    env = stack.env(server)
    runs: list[TaskRun] = []
    server_cpu: list[float] = []
    for repetition in range(1, times + 1):
        shutil.rmtree(stack.home, ignore_errors=True)
        if stack.database is not None:
            server.fresh_database(stack.database)
        if use_init:
            run_task(Task.of([tool("archive"), "init", "--home", stack.home, "--engine", stack.engine]), env)
        before = server.cpu_seconds() if stack.database is not None else 0.0
        run = run_task(Task.of([tool("archive"), "ingest", "--home", stack.home, "-q", "--json", corpus]), env)
        time.sleep(0.5)  # the server reaps the command's backend, adding its CPU time to the postmaster's
        if stack.database is not None:
            server_cpu.append(round(server.cpu_seconds() - before, 3))
        runs.append(run)
        log(f"  {stack.key} ingest {repetition}/{times}: {run.seconds:.1f} s, CPU {run.cpu_seconds:.1f} s "
            f"(+ server {sum(server_cpu[-1:]):.1f} s), {run.peak_pss_bytes / 1e6:.0f} MB PSS")  # fmt: skip
    files = json.loads(runs[-1].stdout)
    timing = summary(runs)
    return {
        **timing,
        "articles_per_second": round(files["files"] / timing["median_seconds"], 1),  # type: ignore[operator]
        "server_cpu_seconds": server_cpu,
        "report": files,
        "disk": stack_disk(stack, server),
    }


def stack_disk(stack: Stack, server: BenchServer) -> dict[str, Any]:
    """The database (pg_database_size on the server, else the SQLite files) and the local index, in bytes."""
    index = tree_bytes(stack.home / "index")
    if stack.database is None:
        return {"database_bytes": tree_bytes(*stack.home.glob("archive.db*")), "index_bytes": index}
    return {
        "database_bytes": server.database_bytes(stack.database),
        "index_bytes": index,
        "largest_tables_bytes": server.relation_bytes(stack.database),
    }


def archive_info(stack: Stack, server: BenchServer) -> dict[str, Any]:
    """What `archive info --json` says of the archive measured (its engine, once the archive records it)."""
    try:
        return json.loads(run_task(Task.of([tool("archive"), "info", "--home", stack.home, "--json"]), stack.env(server)).stdout)  # type: ignore[no-any-return]
    except Exception as error:  # noqa: BLE001 - a figure of the results, not a reason to stop
        return {"error": str(error).strip().splitlines()[-1]}


def cold_stack(stack: Stack, server: BenchServer, times: int) -> dict[str, Any]:
    """Each cold query ``times`` times as a fresh `archive search`; on a server, restarted before each."""
    env = stack.env(server)

    def restart() -> None:
        if stack.database is not None:
            server.restart()

    if stack.database is None:  # one untimed run, so the first timed one does not pay for byte-compiling
        for query in COLD_QUERIES:
            run_task(Task.of([tool("archive"), "search", "--home", stack.home, *query.archive_args()]), env)
    return cold_figures(
        {query.name: Task.of([tool("archive"), "search", "--home", stack.home, *query.archive_args()], prepare=restart)
         for query in COLD_QUERIES},
        times, env,
    )  # fmt: skip


def cold_figures(tasks: Mapping[str, Task], times: int, env: Mapping[str, str]) -> dict[str, Any]:
    """Median per query, and p50/p99 over every run of every query; a failing query is noted, not timed again."""
    per_query: dict[str, Any] = {}
    every: list[float] = []
    for name, task in tasks.items():
        seconds = []
        try:
            for _ in range(times):
                seconds.append(run_task(task, env).seconds)
        except Exception as error:  # noqa: BLE001 - a benchmark reports a failure, it does not stop at it
            per_query[name] = {"error": str(error).strip().splitlines()[-1]}
            continue
        every += seconds
        per_query[name] = {"median_ms": round(sorted(seconds)[(len(seconds) - 1) // 2] * 1000, 1)}
    return {"per_query": per_query, **latency_summary(every)}


def measure_stack(
    stack: Stack, corpus: Path, server: BenchServer, settings: TeamSettings, files: Mapping[str, Path], use_init: bool
) -> dict[str, Any]:
    log(f"[{stack.key}] bulk ingest x{settings.ingest_repeat}")
    ingest = ingest_stack(stack, corpus, server, settings.ingest_repeat, use_init)
    log(f"[{stack.key}] cold searches x{settings.cold_repeat}")
    cold = cold_stack(stack, server, settings.cold_repeat)
    found: dict[str, Any] = {"engine": stack.engine, "info": archive_info(stack, server), "ingest": ingest, "cold_search": cold}
    for kind in ("search", "facets", "trend"):
        log(f"[{stack.key}] warm {kind}")
        result = probe(kind, stack, server, files[kind])
        found[f"warm_{kind}"] = {**latency_summary(result.get("seconds", [])), **_failures(result)}
    log(f"[{stack.key}] {settings.clients} clients for {settings.clients_seconds:.0f} s")
    result = probe("clients", stack, server, files["search"], "--clients", str(settings.clients),
                   "--seconds", str(settings.clients_seconds))  # fmt: skip
    found["clients"] = {
        **{key: result.get(key) for key in ("clients", "seconds", "searches", "errors", "error_examples", "late_clients")},
        "searches_per_second": round(result.get("searches", 0) / settings.clients_seconds, 1),
        **latency_summary(result.get("latencies", [])),
        **({"crashed": result["crashed"]} if "crashed" in result else {}),
    }
    log(f"[{stack.key}] top 10 of every benchmark query")
    found["top10"] = probe("top10", stack, server, files["top10"])
    return found


def _failures(result: Mapping[str, Any]) -> dict[str, Any]:
    if "crashed" in result:
        return {"crashed": result["crashed"]}
    return {"failed": result.get("failed", 0), "errors": result.get("errors", [])[:5]}


def measure_fts5(corpus: Path, root: Path, settings: TeamSettings, warm: Sequence[Query]) -> dict[str, Any]:
    """The reference: sqlite-utils insert + enable-fts, cold `sqlite-utils search`, warm FTS5 with snippet()."""
    ndjson, db = root / "articles.ndjson", root / "sqlite-utils.db"
    log(f"[{FTS5}] NDJSON, then insert + enable-fts x{settings.ingest_repeat}")
    records, prepare_seconds = timed_ndjson(corpus, ndjson)
    env = clean_env()
    runs = [run_task(sqlite_ingest_task(ndjson, db), env) for _ in range(settings.ingest_repeat)]
    timing = summary(runs)
    log(f"[{FTS5}] cold and warm searches")
    for query in COLD_QUERIES:  # untimed, as for the embedded archive
        run_task(sqlite_search_task(db, query), env)
    cold = cold_figures({query.name: sqlite_search_task(db, query) for query in COLD_QUERIES}, settings.cold_repeat, env)
    return {
        "ingest": {
            **timing,
            "articles_per_second": round(len(list(corpus.rglob("*.txt"))) / timing["median_seconds"], 1),  # type: ignore[operator]
            "prepare_ndjson_seconds": round(prepare_seconds, 3),
            "records": records,
            "disk": {"database_bytes": tree_bytes(db), "index_bytes": 0},
        },
        "cold_search": cold,
        "warm_search": latency_summary(sqlite_warm_latencies(db, warm)),
    }


# --- agreement ------------------------------------------------------------------------


def agreement(ours: Mapping[str, Any], reference: Mapping[str, Any]) -> dict[str, Any]:
    """How far two engines' top 10s agree over the same queries.

    overlap: |A ∩ B| / max(|A|, |B|) averaged over the queries either finds
    anything for; same first: the same best hit; same total: the same count.
    Ties aside: an engine orders hits of equal score by its own document
    order (Whoosh by the order the ingest workers added them), so the same
    engine over the same articles can cut a tie at the 10th place elsewhere.
    Where both pages end in a tie (two hits or more of the last score), the
    ids missing from each other that tie with their page's last score count
    as shared (as many as both sides have); and a first hit tied with the
    other's first counts as the same.
    """
    pairs = [
        (mine, theirs)
        for mine, theirs in zip(ours.get("queries", []), reference.get("queries", []), strict=False)
        if "ids" in mine and "ids" in theirs
    ]
    found = [(a, b) for a, b in pairs if a["ids"] or b["ids"]]
    if not found:
        return {"queries": len(pairs), "with_hits": 0}
    scored = all("scores" in page for pair in found for page in pair)

    def share(count: Callable[[dict[str, Any], dict[str, Any]], float]) -> float:
        return round(sum(count(a, b) for a, b in found) / len(found), 4)

    figures = {
        "queries": len(pairs),
        "with_hits": len(found),
        "mean_overlap_at_10": share(lambda a, b: len(set(a["ids"]) & set(b["ids"])) / max(len(a["ids"]), len(b["ids"]))),
        "same_first_hit": share(lambda a, b: float(a["ids"][:1] == b["ids"][:1])),
        "same_total": share(lambda a, b: float(a["total"] == b["total"])),
        "errors": sum(1 for item in ours.get("queries", []) if "error" in item),
    }
    if scored:
        figures["mean_overlap_at_10_ties_aside"] = share(
            lambda a, b: (len(set(a["ids"]) & set(b["ids"])) + min(_tied_out(a, b), _tied_out(b, a)))
            / max(len(a["ids"]), len(b["ids"]))
        )
        figures["same_first_hit_ties_aside"] = share(lambda a, b: float(_same_first_ties_aside(a, b)))
    return figures


def _tied_out(page: Mapping[str, Any], other: Mapping[str, Any]) -> int:
    """How many of ``page``'s ids, missing from ``other``, tie with ``page``'s last score.

    0 unless both pages are full and the last score is shared on the page (a
    tie cut by the page can only be seen from the hits it shows).
    """
    last = page["scores"][-1] if page["scores"] else None
    if len(page["ids"]) < 10 or len(other["ids"]) < 10 or page["scores"].count(last) < 2:
        return 0
    return sum(1 for id_, score in zip(page["ids"], page["scores"], strict=True) if score == last and id_ not in other["ids"])


def _tied_first(page: Mapping[str, Any]) -> set[str]:
    top = page["scores"][0]
    return {id_ for id_, score in zip(page["ids"], page["scores"], strict=True) if score == top}


def _same_first_ties_aside(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """The same first hit, or both pages open with a tie that shares an article or fills a whole page."""
    if not a["ids"] or not b["ids"]:
        return False
    if a["ids"][0] == b["ids"][0]:
        return True
    first_a, first_b = _tied_first(a), _tied_first(b)
    if len(first_a) < 2 or len(first_b) < 2:
        return False
    return bool(first_a & first_b) or len(first_a) == len(a["ids"]) == 10 or len(first_b) == len(b["ids"]) == 10


# --- one size -----------------------------------------------------------------------


def bench_server_size(
    label: str, corpus: Path, root: Path, server: BenchServer, settings: TeamSettings, warm: Sequence[Query]
) -> dict[str, Any]:
    """Every stack over one corpus; archives kept in ``root`` (the server's databases dropped after each)."""
    root.mkdir(parents=True, exist_ok=True)
    count = int(label) if label.isdigit() else 0
    embedded = label == "bbc" or count <= settings.embedded_up_to
    files = {
        "search": write_queries(warm, root / "warm-queries.json"),
        "facets": write_queries(warm[: settings.facet_queries], root / "facet-queries.json"),
        "trend": write_queries([query for query in warm if not query.dated][: settings.trend_queries], root / "trend-queries.json"),
        "top10": write_queries([*COLD_QUERIES, *warm], root / "top10-queries.json"),
    }  # fmt: skip
    use_init = has_init_command()
    stacks = [
        Stack(server_stack(engine), root / f"home-server-{engine}", engine, f"bench_{label}_{engine}")
        for engine in settings.engines
    ]
    if embedded:
        stacks.append(Stack(EMBEDDED_WHOOSH, root / "home-embedded", "whoosh", None))
    results: dict[str, Any] = {}
    for stack in stacks:
        began = time.monotonic()
        try:
            results[stack.key] = measure_stack(stack, corpus, server, settings, files, use_init)
        except Exception as error:  # noqa: BLE001 - one stack failing keeps the others' figures
            log(f"[{stack.key}] failed: {type(error).__name__}: {error}")
            results[stack.key] = {"failed": f"{type(error).__name__}: {str(error)[-1500:]}"}
        finally:
            if stack.database is not None and not settings.keep_server:
                server.drop_database(stack.database)
        log(f"[{stack.key}] done in {time.monotonic() - began:.0f} s")
    if embedded:
        try:
            results[FTS5] = measure_fts5(corpus, root, settings, warm)
        except Exception as error:  # noqa: BLE001
            results[FTS5] = {"failed": f"{type(error).__name__}: {error}"}
    return {"size": label, "corpus": str(corpus), "stacks": results, "agreement": agreements(results)}


def agreements(results: Mapping[str, Any]) -> dict[str, Any]:
    """Each stack's top 10 against the Whoosh engine's: the embedded one when measured, else over the server."""
    reference_key = next(
        (key for key in (EMBEDDED_WHOOSH, server_stack(REFERENCE_ENGINE)) if "top10" in results.get(key, {})), None
    )
    if reference_key is None:
        return {}
    reference = results[reference_key]["top10"]
    return {
        key: {"reference": reference_key, **agreement(found["top10"], reference)}
        for key, found in results.items()
        if key != reference_key and "top10" in found
    }


def run_server_sizes(
    sizes: Sequence[tuple[str, Path]],
    work: Path,
    settings: TeamSettings,
    warm: Sequence[Query],
    on_size: Callable[[list[dict[str, Any]], dict[str, Any]], object],
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Start the server, measure every size, stop it. ``on_size`` hears of the results after each size."""
    done: list[dict[str, Any]] = []
    with BenchServer(fsync=settings.fsync, keep=settings.keep_server) as server:
        about = {"settings": server.settings(), "extensions_available": server.extensions(), "fsync": settings.fsync}
        log(f"server at {server.url('news')}: " + ", ".join(f"{k}={v}" for k, v in about["settings"].items()))
        for label, corpus in sizes:
            began = time.monotonic()
            done.append(bench_server_size(label, corpus, work / "runs-server" / label, server, settings, warm))
            log(f"[{label}] done in {time.monotonic() - began:.0f} s")
            on_size(done, about)
    return done, about
