"""One file from disk to its articles: stat, read, pick the format, parse. No database.

Runs in worker processes during a bulk ingest, so everything it returns is
plain data that pickles: the drafts with their content hashes and sketches.
"""

from __future__ import annotations

import gzip
import os
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from itertools import chain
from pathlib import Path
from typing import BinaryIO

from newsarchive.errors import BadInputFile, UnreadableFile
from newsarchive.reading.draft import ArticleDraft
from newsarchive.reading.formats import Item, ItemError, registry, too_large

#: An article larger than this is refused unread: a one-article file, a JSON
#: Lines line or a WARC page, decompressed. JSON Lines and WARC files are read
#: as streams, a record at a time, and have no limit. It is twice the limit on
#: the text, for a page's markup and a JSON line's escapes; trafilatura takes
#: some 25 times the text of a page (400 MB for 16 MB of text).
MAX_ARTICLE_BYTES = 16 * 1024 * 1024
#: An article whose text (title, lede and body, in UTF-8) is larger than this
#: is refused once read, whatever its format: storing and indexing one takes
#: some 8 times its text in memory. That is twice War and Peace; the longest
#: BBC story is 25 KB, a book-length feature about 1 MB.
MAX_TEXT_BYTES = 8 * 1024 * 1024
#: Near-duplicates are judged on the start of the body: copies of a story share
#: it, and this bounds the time a long article takes to sketch. The longest
#: BBC story is 25 KB.
SKETCHED_CHARS = 1_000_000
_SNIFF_BYTES = 8192
_READ_BLOCK = 1 << 20


@dataclass(frozen=True)
class FileStamp:
    """Cheap signals that a file has not changed since it was last read."""

    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ReadItem:
    """An article read from a file, with what storing it needs computed in the worker."""

    key: str
    draft: ArticleDraft
    content_hash: str
    sketch: bytes | None
    url_key: str | None


@dataclass(frozen=True)
class FileRead:
    path: Path
    stamp: FileStamp
    format: str
    encoding: str | None
    items: list[ReadItem | ItemError]


@dataclass(frozen=True)
class FileFailure:
    path: Path
    reason: str


def stamp_of(path: Path) -> FileStamp:
    info = os.stat(path)
    return FileStamp(size=info.st_size, mtime_ns=info.st_mtime_ns)


def read_file_safely(
    path: Path, default_tz: tzinfo, forced_format: str | None = None, *, language: str | None = None
) -> FileRead | FileFailure:
    """``read_file``, with every expected failure turned into a FileFailure (for worker processes)."""
    try:
        return read_file(path, default_tz, forced_format, language=language)
    except BadInputFile as exc:
        return FileFailure(path, exc.reason)
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        return FileFailure(path, f"broken gzip data: {exc}")
    except OSError as exc:
        return FileFailure(path, f"cannot read file: {exc.strerror or exc}")
    except RecursionError:
        return FileFailure(path, "too deeply nested to read")
    except MemoryError:
        return FileFailure(path, "too large to read into memory")
    except Exception as exc:  # a parser's bug must cost one file, not the run
        return FileFailure(path, f"unexpected error while reading it: {type(exc).__name__}: {exc}")


def read_file(
    path: Path, default_tz: tzinfo, forced_format: str | None = None, *, language: str | None = None
) -> FileRead:
    """Read and parse ``path``; raise BadInputFile with a short reason when it holds no article.

    A gzip-compressed file (other than one whose format reads gzip itself:
    a WARC, which warcio reads as a stream) is read through a decompressor, and its inside decides the format.
    No article is read beyond its limit: a one-article file (text, HTML) is
    refused above MAX_ARTICLE_BYTES, a JSON or feed document above its
    format's limit (``Format.limit``), and a JSON Lines line or a WARC page
    above MAX_ARTICLE_BYTES costs only itself; decompressed sizes count.
    The format (the one forced, else ``detect_format``'s) picks the reader
    in the registry of formats. Every article's language is settled here
    (``language.settle``): ``language`` when given (an ISO 639-1 code, or
    "und"), else its file's, else identified from its text.
    """
    stamp = stamp_of(path)
    with open(path, "rb") as raw:
        handle, head, fmt = _open_inside(raw, path.name, forced_format)
        if fmt is None:
            from newsarchive.reading.decode import decode_text

            decode_text(head)  # says "binary file (...)" when that is why
            raise UnreadableFile("not an article file type (use --format to say which it is)")
        entry = registry.get(fmt)
        if entry is None:
            raise UnreadableFile(f"unknown format {fmt!r}")
        if entry.streamed:
            parsed = entry.stream_reader()(handle, default_tz, MAX_ARTICLE_BYTES)
        else:
            data = _read_whole(handle, entry, stamp.size if handle is raw else None)
            parsed = entry.whole_reader(language)(data, default_tz)
        # (A reader that reads in a language records each article's itself: given, else identified.)
        items, encoding = _items(parsed.items, language, settled=entry.reads_language), parsed.encoding
    if stamp_of(path) != stamp:
        raise UnreadableFile("file changed while it was being read (ingest it again)")
    if not items:
        raise UnreadableFile(f"no articles found in it (read as {fmt})")
    return FileRead(path=path, stamp=stamp, format=fmt, encoding=encoding, items=items)


def sniff_file(path: Path) -> str | None:
    """The article format the content of ``path`` shows (inside gzip too), or None."""
    with open(path, "rb") as raw:
        return _open_inside(raw, path.name, None)[2]


def _open_inside(raw: BinaryIO, name: str, forced_format: str | None) -> tuple[BinaryIO, bytes, str | None]:
    """The stream to parse (``raw``, or its inside when it is gzip-compressed and
    not a WARC, which warcio reads as it is), its first bytes and its format."""
    from newsarchive.reading.formats.sniff import detect_format, is_gzip, name_inside_gzip

    head = raw.read(_SNIFF_BYTES)
    if not head:
        raise UnreadableFile("empty file")
    fmt = forced_format or detect_format(name, head)
    raw.seek(0)
    if not is_gzip(head) or _reads_gzip(fmt):
        return raw, head, fmt
    inside = gzip.GzipFile(fileobj=raw, mode="rb")
    head = inside.read(_SNIFF_BYTES)
    if not head:
        raise UnreadableFile("empty file (once decompressed)")
    inside.seek(0)
    return inside, head, forced_format or detect_format(name_inside_gzip(name), head)  # type: ignore[return-value]


def _reads_gzip(fmt: str | None) -> bool:
    entry = registry.get(fmt) if fmt is not None else None
    return entry is not None and entry.reads_gzip


def _read_whole(handle: BinaryIO, entry: registry.Format, size: int | None) -> bytes:
    """The bytes of a file read whole, or UnreadableFile when there are more than its format's limit.

    ``size`` is the file's size when it is known before reading (not compressed).
    """
    limit, kind = entry.whole_limit(MAX_ARTICLE_BYTES), entry.limit_for
    if size is not None and size <= limit:
        return handle.read(size)  # (a file that grows meanwhile is caught by its stamp)
    if size is None:
        # A block at a time: asking for the whole limit at once would allocate all of it.
        blocks, total = [], 0
        while total <= limit and (block := handle.read(_READ_BLOCK)):
            blocks.append(block)
            total += len(block)
        if total <= limit:
            return b"".join(blocks)
    raise UnreadableFile(too_large("file", limit, kind=kind, size=size, unpacked=size is None))


def _items(
    entries: Iterable[Item | ItemError], language: str | None = None, *, settled: bool = False
) -> list[ReadItem | ItemError]:
    """Ready the file's entries for storing, each with its language settled (``language``
    given for the run wins) unless its reader ``settled`` it; a key met twice (the same
    URL twice in one dump) gets a number, so that each item keeps a place of its own."""
    from newsarchive.reading.formats.fields import url_key
    from newsarchive.reading.language import settle
    from newsarchive.reading.neardup import sketch

    seen: Counter[str] = Counter()
    used: set[str] = set()
    ready: list[ReadItem | ItemError] = []
    for entry in entries:
        key = entry.key
        while key in used:  # (a key that itself reads "... #2" must not take another's place)
            seen[entry.key] += 1
            key = f"{entry.key} #{seen[entry.key] + 1}"
        used.add(key)
        if isinstance(entry, ItemError):
            ready.append(ItemError(key, entry.reason))
            continue
        draft = entry.draft
        size = _text_bytes(draft)
        if size > MAX_TEXT_BYTES:
            reason = too_large("text", MAX_TEXT_BYTES, kind="an article's text", size=size)
            if not key:  # the file's one article: the file fails
                raise UnreadableFile(reason)
            ready.append(ItemError(key, reason))
            continue
        draft = draft if settled else settle(draft, language)
        ready.append(
            ReadItem(
                key=key,
                draft=draft,
                content_hash=draft.content_hash(),
                sketch=sketch(_body_start(draft, SKETCHED_CHARS)),
                url_key=url_key(draft.url),
            )
        )
    return ready


def _text_bytes(draft: ArticleDraft) -> int:
    """The size of the article's text in UTF-8 (without the line ends between blocks), encoding only what is not ASCII."""
    parts = chain((draft.title, draft.description or ""), (block.text for block in draft.blocks))
    return sum(len(part) if part.isascii() else len(part.encode("utf-8", "surrogatepass")) for part in parts)


def _body_start(draft: ArticleDraft, chars: int) -> str:
    """The first ``chars`` characters of the body text, without joining the rest of it."""
    taken: list[str] = []
    left = chars
    for block in draft.blocks:
        if left < 0:
            break
        taken.append(block.text[:left])
        left -= len(block.text) + 1
    return "\n".join(taken)[:chars]
