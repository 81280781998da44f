"""One file from disk to its articles: stat, read, pick the format, parse. No database.

Runs in worker processes during a bulk ingest, so everything it returns is
plain data that pickles: the drafts with their content hashes and sketches.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

from newsarchive.errors import BadInputFile, UnreadableFile
from newsarchive.ingest.draft import ArticleDraft
from newsarchive.ingest.formats import Item, ItemError

#: One-article files larger than this are not articles (the longest BBC story
#: is 25 KB); JSON Lines and WARC files are read as streams and have no limit.
MAX_ARTICLE_BYTES = 32 * 1024 * 1024
MAX_DOCUMENT_BYTES = 512 * 1024 * 1024
_STREAMED = frozenset({"jsonl", "warc"})
_SNIFF_BYTES = 8192


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


def read_file_safely(path: Path, default_tz: tzinfo, forced_format: str | None = None) -> FileRead | FileFailure:
    """``read_file``, with every expected failure turned into a FileFailure (for worker processes)."""
    try:
        return read_file(path, default_tz, forced_format)
    except BadInputFile as exc:
        return FileFailure(path, exc.reason)
    except OSError as exc:
        return FileFailure(path, f"cannot read file: {exc.strerror or exc}")
    except RecursionError:
        return FileFailure(path, "too deeply nested to read")
    except MemoryError:
        return FileFailure(path, "too large to read into memory")
    except Exception as exc:  # a parser's bug must cost one file, not the run
        return FileFailure(path, f"unexpected error while reading it: {type(exc).__name__}: {exc}")


def read_file(path: Path, default_tz: tzinfo, forced_format: str | None = None) -> FileRead:
    """Read and parse ``path``; raise BadInputFile with a short reason when it holds no article."""
    stamp = stamp_of(path)
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
        if not head:
            raise UnreadableFile("empty file")
        if forced_format is None:
            from newsarchive.ingest.formats.sniff import detect_format

            fmt = detect_format(path.name, head)
        else:
            fmt = forced_format
        if fmt is None:
            from newsarchive.ingest.decode import decode_text

            decode_text(head)  # says "binary file (...)" when that is why
            raise UnreadableFile("not an article file type (use --format to say which it is)")
        handle.seek(0)
        if fmt in _STREAMED:
            items, encoding = _parse_stream(fmt, handle, default_tz), None
        else:
            limit = MAX_ARTICLE_BYTES if fmt in ("text", "html") else MAX_DOCUMENT_BYTES
            if stamp.size > limit:
                raise UnreadableFile(
                    f"file too large for {fmt} ({stamp.size / 1_048_576:.1f} MB; the limit is {limit // 1_048_576} MB)"
                )
            items, encoding = _parse_whole(fmt, handle.read(), default_tz)
    if stamp_of(path) != stamp:
        raise UnreadableFile("file changed while it was being read (ingest it again)")
    if not items:
        raise UnreadableFile(f"no articles found in it (read as {fmt})")
    return FileRead(path=path, stamp=stamp, format=fmt, encoding=encoding, items=items)


def _parse_whole(fmt: str, data: bytes, default_tz: tzinfo) -> tuple[list[ReadItem | ItemError], str | None]:
    if fmt == "text":
        from newsarchive.ingest.decode import decode_text
        from newsarchive.ingest.formats.text import parse_text_article

        decoded = decode_text(data)
        draft = parse_text_article(decoded.text, default_tz)
        if decoded.warnings:
            from dataclasses import replace

            draft = replace(draft, warnings=draft.warnings + decoded.warnings)
        return _items([Item("", draft)]), decoded.encoding
    if fmt == "html":
        from newsarchive.ingest.formats.webpage import parse_html

        return _items([Item("", parse_html(data, default_tz))]), None
    if fmt == "json":
        from newsarchive.ingest.formats.newsjson import parse_json

        return _items(parse_json(data, default_tz)), None
    if fmt == "feed":
        from newsarchive.ingest.formats.feed import parse_feed

        return _items(parse_feed(data, default_tz)), None
    raise UnreadableFile(f"unknown format {fmt!r}")


def _parse_stream(fmt: str, handle, default_tz: tzinfo) -> list[ReadItem | ItemError]:  # type: ignore[no-untyped-def]
    if fmt == "jsonl":
        from newsarchive.ingest.formats.newsjson import parse_jsonl

        return _items(parse_jsonl(handle, default_tz))
    from newsarchive.ingest.formats.warc import parse_warc

    return _items(parse_warc(handle, default_tz))


def _items(entries: Iterable[Item | ItemError]) -> list[ReadItem | ItemError]:
    """Ready the file's entries for storing; a key met twice (the same URL twice in one
    dump) gets a number, so that each item keeps a place of its own."""
    from newsarchive.ingest.formats.fields import url_key
    from newsarchive.ingest.neardup import sketch

    seen: Counter[str] = Counter()
    ready: list[ReadItem | ItemError] = []
    for entry in entries:
        seen[entry.key] += 1
        key = entry.key if seen[entry.key] == 1 else f"{entry.key} #{seen[entry.key]}"
        if isinstance(entry, ItemError):
            ready.append(ItemError(key, entry.reason))
            continue
        draft = entry.draft
        ready.append(
            ReadItem(
                key=key,
                draft=draft,
                content_hash=draft.content_hash(),
                sketch=sketch(draft.body_text),
                url_key=url_key(draft.url),
            )
        )
    return ready
