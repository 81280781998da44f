"""Article file formats: each module turns the bytes of one file into articles.

Pure functions, no database. A one-article format (text, HTML) gives an
ArticleDraft; a many-article format (JSON Lines, feeds, WARC) gives a list of
Item (a draft and the key that finds it again in its file) and ItemError (a
part of the file that is broken; the rest is still read). Each format's
reader gives them as a Parsed; ``registry`` says which reader reads which file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # (this package is loaded for every command: its registry names the formats)
    from newsarchive.reading.draft import ArticleDraft

__all__ = ["Item", "ItemError", "Parsed", "too_large"]


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


@dataclass(frozen=True)
class Parsed:
    """What a format's reader made of one file: its articles and broken parts, in
    order (a stream reader's may be read lazily), and the text encoding the file
    was decoded from when the format says (plain text: ``ingest -v`` names a legacy one)."""

    items: Iterable[Item | ItemError]
    encoding: str | None = None

    @classmethod
    def article(cls, draft: ArticleDraft, encoding: str | None = None) -> Parsed:
        """A one-article file's reading."""
        return cls([Item("", draft)], encoding)


def too_large(what: str, limit: int, *, kind: str = "an article", size: int | None = None, unpacked: bool = False) -> str:
    """Why something past its size limit is refused, in one wording for every case:
    "page too large: more than 32 MB, the limit for an article", "file too large
    (40.0 MB): more than 16 MB, the limit for a feed", "file too large: more
    than 32 MB once decompressed, the limit for an article"."""
    measured = f" ({size / 1_048_576:.1f} MB)" if size is not None else ""
    once = " once decompressed" if unpacked else ""
    return f"{what} too large{measured}: more than {limit / 1_048_576:g} MB{once}, the limit for {kind}"
