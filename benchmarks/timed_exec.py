"""Run a command; write its wall time and peak RSS to REPORT: ``python -S timed_exec.py REPORT COMMAND...``.

``measure.run_process`` starts every measured command through this small
process rather than from the runner itself, because on Linux a child's
``ru_maxrss`` starts from the high-water mark of the process that spawned it
(exec carries the old address space's peak over), and the runner grows to
hundreds of MB. From here the floor is this process's own few MB.

Standard library only, and run with ``-S``, so that it stays small.
"""

import os
import sys
import time


def main() -> int:
    report, command = sys.argv[1], sys.argv[2:]
    started = time.perf_counter()
    pid = os.posix_spawnp(command[0], command, os.environ)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    with open(report, "w", encoding="ascii") as sink:
        sink.write(f"{seconds!r} {usage.ru_maxrss}\n")
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
