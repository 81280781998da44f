"""Run a command; write its wall time, CPU time and peak memory to REPORT: ``python -S timed_exec.py REPORT COMMAND...``.

``measure.run_process`` starts every measured command through this small
process rather than from the runner itself, because on Linux a child's
``ru_maxrss`` starts from the high-water mark of the process that spawned it
(exec carries the old address space's peak over), and the runner grows to
hundreds of MB. From here the floor is this process's own few MB.

``ru_maxrss`` is one process's peak. A command that works in several
processes (newsarchive's ingest parses and indexes in workers) uses the
memory of all of them, so on Linux the command's process tree is also
sampled for the sum of its proportional set sizes (PSS: each shared page
counted once, split between the processes that share it) and the sum of
their resident set sizes (RSS: a page shared by forked workers counted in
each of them, what ``top`` adds up to). A sample reads every process's page
tables, which costs more as they grow (some 40 ms for five processes of
700 MB): samples come every 0.2 s, or further apart, so that sampling takes
no more than ``SAMPLE_SHARE`` of one core from the command it measures.

CPU time is user + system time of the command and of every process it
started and waited for (``os.wait4``'s usage includes them), so a command
that works on two cores shows up to twice its wall time.

Standard library only, and run with ``-S``, so that it stays small.
"""

import os
import sys
import threading
import time

SAMPLE_SECONDS = 0.2
SAMPLE_SHARE = 0.02


def main() -> int:
    report, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    peak = [0, 0]  # summed PSS, summed RSS
    done = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(pid, peak, done), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    with open(report, "w", encoding="ascii") as sink:
        # ru_maxrss in its own unit (KiB on Linux), the tree's peak summed PSS and RSS in KiB, CPU seconds
        cpu = usage.ru_utime + usage.ru_stime
        sink.write(f"{seconds!r} {usage.ru_maxrss} {peak[0]} {peak[1]} {cpu!r}\n")
    return os.waitstatus_to_exitcode(status)


def _sample_tree(root: int, peak: list, done: threading.Event) -> None:
    if not os.path.exists("/proc/self/smaps_rollup"):
        return
    wait = SAMPLE_SECONDS
    while not done.wait(wait):
        began = time.perf_counter()
        sizes = [_sizes_kib(pid) for pid in _tree(root)]
        peak[0] = max(peak[0], sum(pss for pss, _ in sizes))
        peak[1] = max(peak[1], sum(rss for _, rss in sizes))
        wait = max(SAMPLE_SECONDS, (time.perf_counter() - began) / SAMPLE_SHARE)


def _tree(root: int) -> list:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as stat:
                    parents[int(entry)] = int(stat.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
    tree, grown = {root}, True
    while grown:
        grown = False
        for pid, parent in parents.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grown = True
    return list(tree)


def _sizes_kib(pid: int) -> tuple:
    """(PSS, RSS) of one process in KiB; zeros for a process that is gone."""
    found = {}
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as rollup:
            for line in rollup:
                if line.startswith((b"Pss:", b"Rss:")):
                    found[line[:3]] = int(line.split()[1])
    except (OSError, ValueError):
        pass
    return found.get(b"Pss", 0), found.get(b"Rss", 0)


if __name__ == "__main__":
    sys.exit(main())
