"""Search over HTTP under load: `archive serve` beside datasette, on loopback, asked the same queries.

For one archive and the sqlite-utils FTS5 database made from the same corpus
(references.py), each server runs as a process of its own on a free loopback
port: started, waited for until it answers, asked each cold query once (the
hit counts, to show that both do the same work), warmed up by the clients for
``warmup`` seconds, then measured for ``seconds``, then stopped as a user stops
it (SIGINT, Ctrl-C), noting whether it stopped cleanly.

The clients are ``clients`` threads of one load process (``python web.py load
...``), each on one keep-alive HTTP/1.1 connection, sending the queries in turn
(each from its own place in the list) and timing each request from its sending
to the last byte of the answer. An error is an answer that is not 2xx or not
JSON, a timeout (``timeout`` seconds) or a broken connection; errors are counted
and left out of the latencies. The load process is small (the standard
library's http.client, no event loop), and its CPU over the measured time is
reported beside the server's: the two share the machine's cores.

The same queries for both (queries.py, the warm set), each the top 10 with a
snippet and the number of hits:

- ``archive serve``: ``GET /search.json?q=QUERY&limit=10``, a date range as
  ``since`` and ``until`` parameters, as `archive search` takes them;
- datasette: ``GET /DB.json?sql=...&q=QUERY&_shape=array``, one SQL statement
  through its arbitrary-SQL API: FTS5 ``MATCH``, ``snippet()``, ``order by
  rank limit 10`` and the hit count as a scalar subquery, as
  ``references.sqlite_warm_latencies`` asks SQLite in-process. datasette's
  table page with ``_search=`` would count and suggest facets but gives no
  snippet and no rank order, so it would be the lighter and the lesser page.

    python benchmarks/web.py load http://127.0.0.1:8001 requests.json --clients 16 --seconds 30
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from http.client import HTTPConnection, HTTPException
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from measure import _dist_version, clean_env, percentiles, versions
from queries import COLD_QUERIES, Query
from references import TABLE, tool
from server import _children, _stat_ticks

OURS, DATASETTE = "newsarchive", "datasette"
TOOLS = (OURS, DATASETTE)
LOCALHOST = "127.0.0.1"
HEADERS = {"Accept": "application/json"}
#: How long a server may take to answer its first request after it is started.
START_SECONDS = 180.0
#: How long a server may take to stop after SIGINT, then after SIGTERM.
STOP_SECONDS = 20.0

# The warm FTS5 statement of references.py through datasette, which passes a missing
# parameter as '' rather than null: one statement without dates and one with, so that the
# count without dates reads the FTS index alone.
_FTS = f"{TABLE}_fts"
_SQL = f"""select a.id, a.title, a.date, snippet({_FTS}, -1, '**', '**', '…', 24) as snippet,
(select count(*) from {_FTS} where {_FTS} match :q) as total
from {_FTS} join {TABLE} a on a.rowid = {_FTS}.rowid
where {_FTS} match :q order by {_FTS}.rank limit 10"""
_DATED_SQL = f"""select a.id, a.title, a.date, snippet({_FTS}, -1, '**', '**', '…', 24) as snippet,
(select count(*) from {_FTS} join {TABLE} b on b.rowid = {_FTS}.rowid
 where {_FTS} match :q and b.date >= :since and b.date < :until) as total
from {_FTS} join {TABLE} a on a.rowid = {_FTS}.rowid
where {_FTS} match :q and a.date >= :since and a.date < :until order by {_FTS}.rank limit 10"""


@dataclass(frozen=True)
class WebSettings:
    clients: int = 16
    seconds: float = 30.0
    warmup: float = 5.0
    timeout: float = 10.0
    #: More options of `archive serve` (``--workers 2``); none: its defaults.
    serve_args: tuple[str, ...] = ()


def log(message: str) -> None:
    print(f"{datetime.now():%H:%M:%S} {message}", file=sys.stderr, flush=True)


# --- what each server is asked -------------------------------------------------------


def archive_path(query: Query) -> str:
    """`archive serve`'s JSON search: the top 10 with snippets, as `archive search --json` prints it."""
    fields: dict[str, str | int] = {"q": query.text, "limit": 10}
    if query.since:
        fields["since"] = query.since.isoformat()
    if query.until:
        fields["until"] = query.until.isoformat()
    return "/search.json?" + urlencode(fields)


def datasette_path(database: str, query: Query) -> str:
    """datasette's arbitrary-SQL JSON: the top 10 by rank with snippet() and the hit count."""
    fields = {"sql": _DATED_SQL if query.dated else _SQL, "q": query.text}
    if query.dated:
        fields["since"], fields["until"] = query.sql_range()
    return f"/{database}.json?" + urlencode({**fields, "_shape": "array"})


def hit_count(tool_name: str, answer: Any) -> int | None:
    """The number of hits an answer reports."""
    if tool_name == OURS:
        return answer.get("total") if isinstance(answer, dict) else None
    return int(answer[0]["total"]) if answer else 0


# --- a server as a process -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCALHOST, 0))
        return int(probe.getsockname()[1])


class ServerProcess:
    """A server started as a child process, its output in ``log_path``; stopped by SIGINT, as Ctrl-C stops it."""

    def __init__(self, command: Sequence[str], env: dict[str, str], log_path: Path, port: int) -> None:
        self.command = [str(part) for part in command]
        self.env = env
        self.log_path = log_path
        self.port = port
        self.url = f"http://{LOCALHOST}:{port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped: dict[str, Any] = {}

    def __enter__(self) -> ServerProcess:
        self.started = time.perf_counter()
        with self.log_path.open("wb") as sink:  # a file, not a pipe: a full pipe would stall the server
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT, env=self.env,
                start_new_session=True,  # the runner's own Ctrl-C is not the server's
            )  # fmt: skip
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def wait_ready(self, path: str) -> float:
        """Seconds from the start until ``path`` answers (any status below 500). Raises RuntimeError."""
        assert self.process is not None
        deadline = self.started + START_SECONDS
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exited {self.process.returncode} before answering: {self.log_tail()}")
            try:
                status, _ = get(self.url, path, timeout=5.0)
                if status < 500:
                    return time.perf_counter() - self.started
            except (OSError, HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"no answer on {self.url}{path} after {START_SECONDS:.0f} s: {self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system seconds of the server so far, with its child processes."""
        assert self.process is not None
        pid = self.process.pid
        ticks = _stat_ticks(pid, children=True) + sum(_stat_ticks(child, children=True) for child in _children(pid))
        return ticks / os.sysconf("SC_CLK_TCK")

    def peak_rss_bytes(self) -> int:
        """The server's peak resident set (VmHWM), with its child processes'."""
        assert self.process is not None
        total = 0
        for pid in (self.process.pid, *_children(self.process.pid)):
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                pass
        return total

    def stop(self) -> None:
        """SIGINT, then SIGTERM, then SIGKILL, each after STOP_SECONDS; how it went is in ``stopped``."""
        process = self.process
        if process is None or self.stopped:
            return
        began = time.perf_counter()
        for how in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if process.poll() is not None:
                break
            process.send_signal(how)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                continue
            self.stopped = {"by": how.name, "seconds": round(time.perf_counter() - began, 2), "returncode": process.returncode}
            break
        else:
            process.wait()
        if not self.stopped:
            self.stopped = {"by": None, "seconds": 0.0, "returncode": process.returncode, "note": "had exited already"}
        # Clean: it stopped on Ctrl-C's signal and said all was well (0), or passed that signal on as its end.
        self.stopped["clean"] = self.stopped["by"] == "SIGINT" and process.returncode in (0, -signal.SIGINT)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def get(url: str, path: str, timeout: float) -> tuple[int, bytes]:
    """One GET on a connection of its own: the status and the body."""
    parts = urlsplit(url)
    connection = HTTPConnection(parts.hostname or LOCALHOST, parts.port, timeout=timeout)
    try:
        connection.request("GET", path, headers=HEADERS)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


#: The last line of a traceback, plain or as rich draws it (datasette): ``QueryInterrupted: ...``.
_EXCEPTION = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Interrupted|Timeout|Exit)\b:?")


def log_problems(log_path: Path) -> dict[str, Any]:
    """What a server's log says went wrong: tracebacks, the exceptions they end in, 5xx answers (access lines)."""
    text = log_path.read_text(encoding="utf-8", errors="replace") if log_path.exists() else ""
    lines = text.splitlines()
    failing = [line for line in lines if '" 5' in line and "HTTP/1." in line]
    found: dict[str, Any] = {"path": str(log_path), "lines": len(lines), "tracebacks": text.count("Traceback ("),
                             "5xx_logged": len(failing)}  # fmt: skip
    errors = [line for line in lines if _EXCEPTION.match(line)]
    if errors:
        found["exceptions"] = dict(Counter(line.split(":")[0] for line in errors))
        found["first_exception"] = errors[0][:300]
    if failing:
        found["5xx_examples"] = failing[:5]
    return found


# --- the load process ----------------------------------------------------------------


def load(url: str, requests: Sequence[dict[str, str]], clients: int, seconds: float, timeout: float) -> dict[str, Any]:
    """``clients`` threads sending ``requests`` in turn for ``seconds``; every latency and every error, summed up."""
    parts = urlsplit(url)
    host, port = parts.hostname or LOCALHOST, parts.port
    step = max(1, len(requests) // clients)
    done: list[list[tuple[int, float, str | None]]] = [[] for _ in range(clients)]
    start = threading.Barrier(clients + 1)
    window: dict[str, float] = {}

    def client(number: int) -> None:
        taken = done[number]
        connection: HTTPConnection | None = None
        position = number * step
        start.wait()
        end = window["end"]
        while time.perf_counter() < end:
            index = position % len(requests)
            position += 1
            error = None
            began = time.perf_counter()
            try:
                if connection is None:
                    connection = HTTPConnection(host, port, timeout=timeout)
                connection.request("GET", requests[index]["path"], headers=HEADERS)
                response = connection.getresponse()
                body = response.read()
                if not 200 <= response.status < 300:
                    error = f"HTTP {response.status}: {body[:300].decode('utf-8', errors='replace')}"
                else:
                    json.loads(body)
                if response.will_close:
                    connection.close()
                    connection = None
            except TimeoutError:
                error = f"timeout: no answer within {timeout:g} s"
            except ValueError as failure:
                error = f"not JSON: {failure}"
            except (OSError, HTTPException) as failure:
                error = f"connection: {type(failure).__name__}: {failure}"
            if error is not None and not error.startswith(("HTTP", "not JSON")) and connection is not None:
                connection.close()
                connection = None
            taken.append((index, time.perf_counter() - began, error))
        if connection is not None:
            connection.close()

    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = _own_cpu_seconds()
    began = time.perf_counter()
    window["end"] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    cpu = _own_cpu_seconds() - cpu_before
    every = [record for taken in done for record in taken]
    return {**summarise(every, requests, elapsed), "clients": clients, "seconds": seconds,
            "load_cpu_seconds": round(cpu, 3), "load_cpu_share": round(cpu / (elapsed * (os.cpu_count() or 1)), 4)}  # fmt: skip


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def summarise(records: Sequence[tuple[int, float, str | None]], requests: Sequence[dict[str, str]], elapsed: float) -> dict[str, Any]:
    """Requests/s, latency percentiles of the successful requests, errors by kind, the slowest requests."""
    ok = [seconds for _, seconds, error in records if error is None]
    failed = [(index, error) for index, _, error in records if error is not None]
    kinds: dict[str, list[float]] = {}
    for index, seconds, error in records:
        if error is None:
            kinds.setdefault(requests[index]["name"], []).append(seconds)
    slowest = sorted(records, key=lambda record: record[1], reverse=True)[:5]
    examples: dict[str, str] = {}
    for index, error in failed:
        examples.setdefault(str(error).split(":")[0], f"{requests[index]['query']}: {error}")
    return {
        "requests": len(records),
        "ok": len(ok),
        "errors": len(failed),
        "errors_by_kind": dict(Counter(str(error).split(":")[0] for _, error in failed)),
        "error_examples": list(examples.values())[:10],
        "elapsed_seconds": round(elapsed, 3),
        "requests_per_second": round(len(records) / elapsed, 1) if elapsed else 0.0,
        **({f"{name}_ms": _ms(value) for name, value in percentiles(ok).items()} if ok else {}),
        **({"max_ms": _ms(max(ok)), "mean_ms": _ms(sum(ok) / len(ok))} if ok else {}),
        "by_kind": {
            name: {"requests": len(taken), **{f"{point}_ms": _ms(value) for point, value in percentiles(taken, (50, 99)).items()}}
            for name, taken in sorted(kinds.items())
        },
        "slowest": [
            {"query": requests[index]["query"], "ms": _ms(seconds), **({"error": error} if error else {})}
            for index, seconds, error in slowest
        ],
    }


def run_load(url: str, requests_file: Path, settings: WebSettings, seconds: float) -> dict[str, Any]:
    """The load process, to its end; its JSON."""
    command = [sys.executable, __file__, "load", url, str(requests_file), "--clients", str(settings.clients),
               "--seconds", str(seconds), "--timeout", str(settings.timeout)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + settings.timeout + 120)
    if done.returncode != 0:
        raise RuntimeError(f"the load process exited {done.returncode}: {done.stderr[-2000:]}")
    return json.loads(done.stdout)


# --- one server, then both -----------------------------------------------------------


@dataclass(frozen=True)
class Served:
    """How to run one tool's server and what to ask it."""

    name: str
    command: Callable[[int], list[str]]  # the command, given its port
    ready_path: str
    path: Callable[[Query], str]


def measure_server(
    served: Served, queries: Sequence[Query], settings: WebSettings, folder: Path, env: dict[str, str]
) -> dict[str, Any]:
    requests = [{"name": query.name, "query": query.describe(), "path": served.path(query)} for query in queries]
    requests_file = folder / f"web-{served.name}-requests.json"
    requests_file.write_text(json.dumps(requests), encoding="utf-8")
    port = free_port()
    command = served.command(port)
    found: dict[str, Any] = {"command": " ".join(command), "request_example": requests[0]["path"]}
    server = ServerProcess(command, env, folder / f"web-{served.name}.log", port)
    try:
        with server:
            found["startup_seconds"] = round(server.wait_ready(served.ready_path), 2)
            log(f"[web] {served.name} answers on {server.url} after {found['startup_seconds']} s")
            found["cold_queries"] = check_queries(served, server.url, settings.timeout)
            log(f"[web] {served.name}: {settings.clients} clients, {settings.warmup:g} s warm-up, {settings.seconds:g} s measured")
            warmup = run_load(server.url, requests_file, settings, settings.warmup) if settings.warmup > 0 else {}
            found["warmup"] = {key: warmup.get(key) for key in ("requests", "errors", "error_examples", "p99_ms")}
            cpu_before = server.cpu_seconds()
            found["load_average_before"] = [round(value, 2) for value in os.getloadavg()]  # (other work on the machine)
            found["load"] = run_load(server.url, requests_file, settings, settings.seconds)
            cpu = server.cpu_seconds() - cpu_before
            elapsed = found["load"]["elapsed_seconds"]
            found["server_cpu_seconds"] = round(cpu, 2)
            found["server_cpu_share"] = round(cpu / (elapsed * (os.cpu_count() or 1)), 4) if elapsed else None
            found["server_peak_rss_bytes"] = server.peak_rss_bytes()
            if served.name == DATASETTE:
                found["datasette"] = datasette_about(server.url, settings.timeout)
    except (RuntimeError, OSError, HTTPException, subprocess.SubprocessError, ValueError) as error:
        found["failed"] = f"{type(error).__name__}: {error}"
        log(f"[web] {served.name} failed: {found['failed'][:500]}")
    found["stop"] = server.stopped
    found["log"] = log_problems(server.log_path)
    load_figures = found.get("load") or {}
    log(f"[web] {served.name}: {load_figures.get('requests_per_second')} requests/s, p50 {load_figures.get('p50_ms')} ms, "
        f"p99 {load_figures.get('p99_ms')} ms, {load_figures.get('errors')} errors; stopped {server.stopped}")  # fmt: skip
    return found


def datasette_about(url: str, timeout: float) -> dict[str, Any]:
    """The versions datasette reports and the settings that bear on a search under load."""
    about = json.loads(get(url, "/-/versions.json", timeout)[1])
    settings = json.loads(get(url, "/-/settings.json", timeout)[1])
    return {
        "datasette": about.get("datasette", {}).get("version"),
        "sqlite": about.get("sqlite", {}).get("version"),
        "fts_versions": about.get("sqlite", {}).get("fts_versions"),
        "settings": {name: settings.get(name) for name in ("num_sql_threads", "sql_time_limit_ms", "default_cache_ttl")},
    }


def check_queries(served: Served, url: str, timeout: float) -> dict[str, Any]:
    """Each cold query once, one at a time: status, hit count and milliseconds (after the server's first answer)."""
    checked: dict[str, Any] = {}
    for query in COLD_QUERIES:
        began = time.perf_counter()
        try:
            status, body = get(url, served.path(query), timeout)
        except (OSError, HTTPException) as error:
            checked[query.name] = {"query": query.describe(), "error": f"{type(error).__name__}: {error}"}
            continue
        row: dict[str, Any] = {"query": query.describe(), "status": status, "ms": _ms(time.perf_counter() - began)}
        try:
            row["hits"] = hit_count(served.name, json.loads(body)) if status == 200 else None
        except (ValueError, KeyError, TypeError, IndexError):
            row["hits"] = None
        if status != 200:
            row["error"] = body[:300].decode("utf-8", errors="replace")
        checked[query.name] = row
    return checked


def servers(home: Path, sqlite_db: Path, serve_args: Sequence[str] = ()) -> tuple[Served, ...]:
    database = sqlite_db.stem
    return (
        Served(OURS, lambda port: [tool("archive"), "serve", "--home", str(home), "--host", LOCALHOST, "--port", str(port),
                                   *serve_args], "/", archive_path),
        Served(DATASETTE, lambda port: [tool("datasette"), "serve", str(sqlite_db), "--host", LOCALHOST, "--port", str(port)],
               "/-/versions.json", lambda query: datasette_path(database, query)),
    )  # fmt: skip


def measure_web(home: Path, sqlite_db: Path, queries: Sequence[Query], settings: WebSettings, folder: Path) -> dict[str, Any]:
    """Both servers in turn, over the same queries; their figures, the settings and the versions."""
    env = clean_env()
    suite_versions = versions()
    found: dict[str, Any] = {
        "settings": {"clients": settings.clients, "seconds": settings.seconds, "warmup_seconds": settings.warmup,
                     "timeout_seconds": settings.timeout, "queries": len(queries), "cores": os.cpu_count(),
                     "serve_args": list(settings.serve_args)},
        "versions": {name: suite_versions.get(name) for name in ("newsarchive", "sqlite", "sqlite-utils")}
        | {name: _dist_version(name) for name in ("datasette", "uvicorn", "fastapi", "starlette")},
    }  # fmt: skip
    for served in servers(home, sqlite_db, settings.serve_args):
        found[served.name] = measure_server(served, queries, settings, folder, env)
    return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The load process: concurrent clients asking one server for a time.")
    commands = parser.add_subparsers(dest="command", required=True)
    loading = commands.add_parser("load", help="send the requests of a JSON list (name, query, path) to URL")
    loading.add_argument("url")
    loading.add_argument("requests", type=Path)
    loading.add_argument("--clients", type=int, default=WebSettings.clients)
    loading.add_argument("--seconds", type=float, default=WebSettings.seconds)
    loading.add_argument("--timeout", type=float, default=WebSettings.timeout)
    args = parser.parse_args(argv)
    requests = json.loads(args.requests.read_text(encoding="utf-8"))
    json.dump(load(args.url, requests, args.clients, args.seconds, args.timeout), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
