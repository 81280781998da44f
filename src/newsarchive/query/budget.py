"""The time one search may take, shared by every engine."""

from __future__ import annotations

import os
import time

from newsarchive.errors import InvalidQuery, SearchTimeout

#: Seconds a search may take before it is stopped; the environment variable overrides.
SEARCH_SECONDS = 10.0
SEARCH_SECONDS_ENV = "ARCHIVE_SEARCH_SECONDS"


class Budget:
    """The time one search may take, from now: ``check()`` raises SearchTimeout once it is spent.

    ``seconds`` defaults to $ARCHIVE_SEARCH_SECONDS, else SEARCH_SECONDS.
    """

    def __init__(self, seconds: float | None = None) -> None:
        if seconds is None:
            seconds = _seconds_from_environment()
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def left(self) -> float:
        """Seconds left (0 once spent)."""
        return max(0.0, self.ends - time.monotonic())

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise SearchTimeout(
                f"the search was stopped after {self.seconds:g} seconds",
                hint=f"narrow the query (fewer or longer-prefixed wildcards, fewer words); {SEARCH_SECONDS_ENV} "
                "sets the limit",
            )


def _seconds_from_environment() -> float:
    value = os.environ.get(SEARCH_SECONDS_ENV, "").strip()
    if not value:
        return SEARCH_SECONDS
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise InvalidQuery(f"{SEARCH_SECONDS_ENV}={value!r} is not a number of seconds", hint="e.g. 10 or 2.5")
    return seconds
