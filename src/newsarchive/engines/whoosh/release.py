"""The Whoosh release the engine's fast paths were verified against, checked when the engine is first used.

``bulk`` writes posting blocks through Whoosh's codec classes, and
``postings`` reads the blocks and columns those classes write, in a layout
that Whoosh does not promise to keep. Both were checked, by the parity
tests, against this release only: with another, the engine refuses to run
rather than read or write an index it may not understand.
"""

from __future__ import annotations

from newsarchive.errors import IndexUnavailable

#: The whoosh-reloaded release pinned in pyproject.toml.
VERIFIED = (2, 7, 5)


class WhooshVersionMismatch(IndexUnavailable):
    """The installed Whoosh is not the release the engine's fast paths were verified against."""


def _dotted(version: tuple[object, ...]) -> str:
    return ".".join(str(part) for part in version)


def check_release() -> None:
    """Raise WhooshVersionMismatch unless the installed Whoosh is the verified release.

    Whoosh's own version tuple is read, not the package metadata: importing
    ``importlib.metadata`` would cost every search ~20 ms of start-up.
    """
    import whoosh

    found = tuple(whoosh.__version__)
    if found != VERIFIED:
        raise WhooshVersionMismatch(
            f"the installed Whoosh is {_dotted(found)}, but this newsarchive was verified against "
            f"Whoosh {_dotted(VERIFIED)} only",
            hint=f"pip install 'whoosh-reloaded=={_dotted(VERIFIED)}'",
        )
