"""How much memory one call takes: the peak Python traced while it ran."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def peak_memory(run: Callable[[], T]) -> tuple[T, int]:
    """What ``run()`` returns, and the most memory (bytes) it held at once."""
    tracemalloc.start()
    try:
        result = run()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
