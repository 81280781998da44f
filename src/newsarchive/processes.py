"""What every worker process of ours does when it starts (a shared leaf: the reading and the engines' pools)."""

from __future__ import annotations

import os
import signal
import sys

#: prctl's option that sends a signal to a process when its parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def start_worker(parent: int) -> None:
    """Set up a forked worker of a pool, started by the process ``parent`` (its pid, read before the fork).

    Ctrl-C reaches the whole process group; the main process decides what it
    means (finish the batch, then stop), so the workers ignore it. A parent
    killed outright (kill -9) cannot stop its workers: on Linux they are then
    killed too, rather than fail writing their results to a pipe no one
    reads and print tracebacks on the dead command's stderr.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # (no prctl where one would be: the workers end as Python ends them)
        return
    if os.getppid() != parent:  # (the parent died before the request was made: a new one adopted the worker)
        os._exit(1)
