"""How the engine words a failure: a damaged index, a failed write.

A leaf module, so that the index's files (``files``), its writers (``store``,
``parallel``) and its checks (``damage``) share the words without importing
one another.
"""

from __future__ import annotations

from newsarchive.errors import IndexUnavailable

#: What a damaged index takes to mend.
REPAIR_HINT = "`archive check --repair` rebuilds it from the database (so does `archive reindex`)"
#: What a failed index write leaves: the database holds the articles, and the next run indexes them.
RETRY_HINT = "the articles are stored; run the same command again to index them"


def reason(exc: BaseException) -> str:
    """A failure in a few words: its kind and the first line of its message."""
    kind = type(exc).__name__ if type(exc).__module__ == "builtins" else f"{type(exc).__module__}.{type(exc).__name__}"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{kind}: {text[:120]}" if text else kind


def indexing_failed(reason: str) -> IndexUnavailable:
    """The one error for a failed index write, in the main process or said by a worker."""
    return IndexUnavailable(f"indexing failed: {reason}", hint=RETRY_HINT)


def failure_text(exc: BaseException) -> str:
    """A failure in a few words: the system's own for a failed read or write (a full disk), else its type and text."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror + (f": {exc.filename}" if exc.filename else "")
    return f"{type(exc).__name__}: {exc}"
