"""Article file formats: each module turns the bytes of one file into articles.

Pure functions, no database. A one-article format (text, HTML) gives an
ArticleDraft; a many-article format (JSON Lines, feeds, WARC) gives a list of
Item (a draft and the key that finds it again in its file) and ItemError (a
part of the file that is broken; the rest is still read).
"""

from __future__ import annotations

from dataclasses import dataclass

from newsarchive.reading.draft import ArticleDraft

__all__ = ["Item", "ItemError", "too_large"]


@dataclass(frozen=True)
class Item:
    """One article of a file. ``key`` finds it again in a later version of the
    file: "" for one-article files, else e.g. its URL, a feed entry's id, a WARC
    record's target URI, or "line 12" when nothing better identifies it."""

    key: str
    draft: ArticleDraft


@dataclass(frozen=True)
class ItemError:
    """A broken part of a file, e.g. key "line 12", reason "invalid JSON: ..."."""

    key: str
    reason: str


def too_large(what: str, limit: int, *, kind: str = "an article", size: int | None = None, unpacked: bool = False) -> str:
    """Why something past its size limit is refused, in one wording for every case:
    "page too large: more than 32 MB, the limit for an article", "file too large
    (40.0 MB): more than 16 MB, the limit for a feed", "file too large: more
    than 32 MB once decompressed, the limit for an article"."""
    measured = f" ({size / 1_048_576:.1f} MB)" if size is not None else ""
    once = " once decompressed" if unpacked else ""
    return f"{what} too large{measured}: more than {limit / 1_048_576:g} MB{once}, the limit for {kind}"
