"""Measuring: child processes (wall time, CPU time, peak memory), percentiles, sizes on disk, the machine.

Every measured command runs under ``timed_exec.py``, a small Python process
that spawns it and reads its ``ru_maxrss`` and CPU time from ``os.wait4``
(the kernel's own high-water mark of that one process's resident set) and,
on Linux, samples the summed PSS and the summed RSS of the command's whole
process tree. Peak memory is reported both ways, each at least ``ru_maxrss``:
summed PSS (shared pages split between the processes sharing them) and
summed RSS (shared pages counted in every process).
It is not read from the runner, because a child's ``ru_maxrss`` starts from
the peak of the process that spawned it, and the runner grows large; from
``timed_exec.py`` the floor is about 8 MB (what ``/bin/true`` reports).
"""

from __future__ import annotations

import importlib.metadata
import os
import platform
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

TIMED_EXEC = Path(__file__).resolve().with_name("timed_exec.py")
# ru_maxrss is in KiB on Linux, in bytes on macOS.
_RSS_UNIT = 1 if sys.platform == "darwin" else 1024

T = TypeVar("T")


@dataclass(frozen=True)
class Task:
    """Commands run one after the other and timed together, after an untimed ``prepare``."""

    commands: tuple[tuple[str, ...], ...]
    prepare: Callable[[], None] | None = field(default=None, compare=False)

    @classmethod
    def of(cls, *commands: Sequence[str], prepare: Callable[[], None] | None = None) -> Task:
        return cls(tuple(tuple(str(part) for part in command) for command in commands), prepare)


@dataclass(frozen=True)
class TaskRun:
    seconds: float
    peak_pss_bytes: int  # the larger of the root process's peak RSS and its process tree's peak summed PSS
    peak_rss_sum_bytes: int  # the same with the tree's summed RSS
    cpu_seconds: float  # user + system, the command's processes together
    stdout: str  # of the last command


class CommandFailed(RuntimeError):
    pass


def run_process(command: Sequence[str], env: Mapping[str, str] | None = None) -> TaskRun:
    """Run ``command`` to its end and measure it. Raises CommandFailed."""
    with tempfile.TemporaryDirectory() as scratch, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        report = Path(scratch, "usage")
        launcher = [sys.executable, "-S", str(TIMED_EXEC), str(report)]
        returncode = subprocess.run([*launcher, *command], stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env).returncode
        out.seek(0)
        err.seek(0)
        if returncode != 0 or not report.exists():
            stderr = err.read().decode("utf-8", errors="replace").strip()
            raise CommandFailed(f"exit {returncode}: {' '.join(command)}\n{stderr[-2000:]}")
        seconds, maxrss, tree_pss_kib, tree_rss_kib, cpu = report.read_text(encoding="ascii").split()
        floor = int(maxrss) * _RSS_UNIT
        return TaskRun(
            seconds=float(seconds),
            peak_pss_bytes=max(floor, int(tree_pss_kib) * 1024),
            peak_rss_sum_bytes=max(floor, int(tree_rss_kib) * 1024),
            cpu_seconds=float(cpu),
            stdout=out.read().decode("utf-8", errors="replace"),
        )


def run_task(task: Task, env: Mapping[str, str] | None = None) -> TaskRun:
    """The task's commands one after the other: times added up, the peaks of the largest."""
    if task.prepare is not None:
        task.prepare()
    runs = [run_process(command, env) for command in task.commands]
    return TaskRun(
        seconds=sum(run.seconds for run in runs),
        peak_pss_bytes=max(run.peak_pss_bytes for run in runs),
        peak_rss_sum_bytes=max(run.peak_rss_sum_bytes for run in runs),
        cpu_seconds=sum(run.cpu_seconds for run in runs),
        stdout=runs[-1].stdout,
    )


def time_tasks(
    tasks: Mapping[str, Task],
    times: int,
    env: Mapping[str, str] | None = None,
    on_run: Callable[[str, int, TaskRun], None] | None = None,
) -> dict[str, list[TaskRun]]:
    """Run every task ``times`` times, taking turns, so that a noisy spell hits them all alike.

    ``on_run(name, repetition, run)`` hears of each run as it ends.
    """
    runs: dict[str, list[TaskRun]] = {name: [] for name in tasks}
    for repetition in range(1, times + 1):
        for name, task in tasks.items():
            runs[name].append(run_task(task, env))
            if on_run is not None:
                on_run(name, repetition, runs[name][-1])
    return runs


def summary(runs: Sequence[TaskRun]) -> dict[str, object]:
    """Median wall and CPU time, every run's times, and the peak memory of the median run."""
    ordered = sorted(runs, key=lambda run: run.seconds)
    middle = ordered[(len(ordered) - 1) // 2]
    return {
        "median_seconds": round(statistics.median(run.seconds for run in runs), 4),
        "seconds": [round(run.seconds, 4) for run in runs],
        "median_cpu_seconds": round(statistics.median(run.cpu_seconds for run in runs), 4),
        "cpu_seconds": [round(run.cpu_seconds, 4) for run in runs],
        "peak_pss_bytes": middle.peak_pss_bytes,
        "peak_rss_sum_bytes": middle.peak_rss_sum_bytes,
        "max_peak_pss_bytes": max(run.peak_pss_bytes for run in runs),
    }


def warm_latencies(run: Callable[[T], object], items: Sequence[T]) -> list[float]:
    """Run ``run`` on every item once untimed (the warm-up), then once timed; seconds per item."""
    for item in items:
        run(item)
    latencies = []
    for item in items:
        started = time.perf_counter()
        run(item)
        latencies.append(time.perf_counter() - started)
    return latencies


def percentiles(values: Sequence[float], points: Sequence[int] = (50, 95, 99)) -> dict[str, float]:
    """Nearest-rank percentiles: p99 of 300 values is the 297th smallest."""
    ordered = sorted(values)
    return {f"p{point}": ordered[max(0, -(-point * len(ordered) // 100) - 1)] for point in points}


def geometric_mean(values: Sequence[float]) -> float | None:
    return statistics.geometric_mean(values) if values else None


def tree_bytes(*paths: Path) -> int:
    """Apparent size (sum of file sizes) of files and folder trees; missing paths count 0."""
    total = 0
    for path in paths:
        if path.is_file():
            total += path.stat().st_size
        elif path.is_dir():
            total += sum(item.stat().st_size for item in path.rglob("*") if item.is_file())
    return total


#: Left out of the children's environment: ARCHIVE_* would override --home, and without
#: byte-code caching every cold process would compile an editable install's modules anew.
_DROPPED_ENV = ("ARCHIVE_", "PYTHONDONTWRITEBYTECODE")


def clean_env() -> dict[str, str]:
    """This process's environment for the measured commands, without the variables above."""
    return {key: value for key, value in os.environ.items() if not key.startswith(_DROPPED_ENV)}


def machine() -> dict[str, object]:
    return {
        "host": socket.gethostname(),
        "cores": os.cpu_count(),
        "ram_bytes": _meminfo_total(),
        "cpu": _cpu_model(),
        "os": _os_name(),
        "platform": platform.platform(),
    }


def versions() -> dict[str, str | None]:
    return {
        "python": platform.python_version(),
        "newsarchive": _dist_version("newsarchive"),
        "whoosh": _dist_version("Whoosh-Reloaded") or _dist_version("Whoosh"),
        "sqlalchemy": _dist_version("SQLAlchemy"),
        "sqlite": sqlite3.sqlite_version,
        "sqlite-utils": _dist_version("sqlite-utils"),
        "tantivy": _dist_version("tantivy"),
        "psycopg": _dist_version("psycopg"),
    }


def project_state() -> dict[str, object]:
    """Which newsarchive was measured: where it is imported from, and its commit when that is a checkout."""
    import newsarchive

    package = Path(newsarchive.__file__).resolve().parent
    checkout = next((folder for folder in package.parents if (folder / ".git").exists()), None)
    state: dict[str, object] = {"package": str(package), "checkout": str(checkout) if checkout else None}
    return {**state, **git_state(checkout)} if checkout else state


def git_state(repo: Path) -> dict[str, object]:
    """The commit measured, and whether the working tree differed from it (read-only git calls)."""

    def git(*args: str) -> str | None:
        try:
            return subprocess.run(
                ["git", "--no-optional-locks", "-C", str(repo), *args],
                capture_output=True, text=True, check=True, timeout=30,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return None

    changed = git("status", "--porcelain", "--", "src", "migrations", "pyproject.toml")
    return {"commit": git("rev-parse", "HEAD"), "source_changed": bool(changed) if changed is not None else None}


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _meminfo_total() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _os_name() -> str:
    try:
        return platform.freedesktop_os_release()["PRETTY_NAME"]
    except (OSError, KeyError, AttributeError):
        return f"{platform.system()} {platform.release()}"
