"""The article formats, one entry each: what a format is called, which file names
and first bytes show it, and which function reads it.

A new format is a module with a reader and one ``Format`` line in ``ENTRIES``:
naming it here makes it one of ``archive ingest --format``'s choices, gives its
suffixes to discovery and sniffing, and sends its files to its reader.

Standard library only, and readers are named, not imported ("module:function"):
this module is loaded for every command and for every file met, before any
parser (trafilatura, feedparser, warcio) is needed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from typing import TYPE_CHECKING, Any, Literal, cast

if TYPE_CHECKING:
    from datetime import tzinfo
    from typing import BinaryIO

    from newsarchive.reading.formats import Parsed

    WholeReader = Callable[[bytes, tzinfo], Parsed]
    StreamReader = Callable[[BinaryIO, tzinfo, int], Parsed]

_HERE = "newsarchive.reading.formats"


@dataclass(frozen=True)
class Format:
    """One article format.

    ``reader`` names the function that reads a file of it ("module:function").
    A format read whole gets the file's bytes, ``(data, default_tz)``; a
    ``streamed`` one gets the open file and the most bytes one article may
    hold, ``(stream, default_tz, article_limit)``, and reads a record at a
    time. Either returns a ``Parsed``.

    ``suffixes`` are the names that claim the format; ``weak_suffixes`` claim
    it only when the content agrees (".xml": most XML files are no feeds).
    The content shows it by its first bytes (``magic``), by the element a
    markup document starts with (``roots``; ``<!DOCTYPE html>`` counts as
    "html"), or as JSON laid out as one ``"document"`` or as ``"lines"``.
    A file read whole may hold at most ``limit`` bytes ("module:NAME" of a
    number; None: the limit for one article), which is ``limit_for``.
    ``reads_gzip``: its reader takes gzip-compressed files as they are (WARC);
    other compressed files are decompressed first. ``media_types``: the
    Content-Types of its documents in a web archive. ``reads_language``: its
    reader (read whole) also takes ``language=``, the one given for the run,
    because it reads the article in it (plain text: the dateline), and
    records each article's language itself (the one given, else identified).
    """

    name: str
    reader: str
    suffixes: tuple[str, ...] = ()
    weak_suffixes: tuple[str, ...] = ()
    magic: tuple[bytes, ...] = ()
    roots: tuple[str, ...] = ()
    json: Literal["document", "lines"] | None = None
    streamed: bool = False
    reads_gzip: bool = False
    limit: str | None = None
    limit_for: str = "an article"
    media_types: tuple[str, ...] = ()
    reads_language: bool = False

    def whole_reader(self, language: str | None = None) -> WholeReader:
        """The reader; with ``language`` (given for the run), one that reads in it, if this format's does."""
        reader = cast("WholeReader", _load(self.reader))
        if language is None or not self.reads_language:
            return reader
        return cast("WholeReader", partial(cast(Any, reader), language=language))

    def stream_reader(self) -> StreamReader:
        return cast("StreamReader", _load(self.reader))

    def whole_limit(self, article_limit: int) -> int:
        """The most bytes a file of this format read whole may hold."""
        return article_limit if self.limit is None else cast(int, _load(self.limit))


ENTRIES: tuple[Format, ...] = (
    Format("text", f"{_HERE}.text:read_text", suffixes=(".txt",), reads_language=True),
    Format(
        "json", f"{_HERE}.newsjson:read_json", suffixes=(".json",), json="document",
        limit=f"{_HERE}.newsjson:MAX_JSON_DOCUMENT_BYTES", limit_for="a JSON document (JSON Lines has none)",
    ),
    Format("jsonl", f"{_HERE}.newsjson:read_jsonl", suffixes=(".jsonl", ".ndjson"), json="lines", streamed=True),
    Format(
        "html", f"{_HERE}.webpage:read_html", suffixes=(".html", ".htm", ".xhtml"), roots=("html", "head", "body"),
        media_types=("text/html", "application/xhtml+xml"),
    ),
    Format(
        "feed", f"{_HERE}.feed:read_feed", suffixes=(".rss", ".atom"), weak_suffixes=(".xml",),
        roots=("rss", "feed", "rdf:rdf"), limit=f"{_HERE}.feed:MAX_FEED_BYTES", limit_for="a feed",
    ),
    Format(
        "warc", f"{_HERE}.warc:read_warc", suffixes=(".warc", ".warc.gz"), magic=(b"WARC/",), streamed=True,
        reads_gzip=True,
    ),
)

#: Every format by its name, in the order ``archive ingest --help`` lists them.
REGISTRY: dict[str, Format] = {entry.name: entry for entry in ENTRIES}


def names() -> tuple[str, ...]:
    return tuple(REGISTRY)


def get(name: str) -> Format | None:
    return REGISTRY.get(name)


def formats() -> Iterator[Format]:
    return iter(REGISTRY.values())


def _load(reference: str) -> Any:
    """The object a "module:name" reference names, importing its module now."""
    module, _, name = reference.partition(":")
    return getattr(import_module(module), name)
