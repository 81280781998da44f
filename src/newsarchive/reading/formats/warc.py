"""Read the news pages of a web archive (WARC, plain or gzipped) with warcio.

Every HTTP response record with status 200 and an HTML body is one page,
parsed like an HTML file, with the record's target URI as its address and the
charset of its Content-Type header. Everything else a crawl holds (requests,
metadata, redirects, images, scripts) is passed over without a word.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import tzinfo
from typing import Any, BinaryIO

from newsarchive.errors import BadInputFile, UnreadableFile
from newsarchive.reading.formats import Item, ItemError, Parsed, too_large
from newsarchive.reading.formats.registry import REGISTRY
from newsarchive.reading.formats.webpage import parse_html

_HTML_TYPES = frozenset(REGISTRY["html"].media_types)


def read_warc(stream: BinaryIO, default_tz: tzinfo, article_limit: int) -> Parsed:
    """The pages of a WARC file; a page longer than ``article_limit`` (decompressed) is an ItemError."""
    return Parsed(parse_warc(stream, default_tz, max_page_bytes=article_limit))


def parse_warc(stream: BinaryIO, default_tz: tzinfo, max_page_bytes: int = 1 << 62) -> Iterator[Item | ItemError]:
    """Articles of the HTML responses in a WARC file, keyed by their target URI.

    A page that is no article, or whose body (decompressed) is longer than
    ``max_page_bytes``, is an ItemError; records are read a block at a time,
    so a huge one costs time, not memory. A file that is no WARC raises
    UnreadableFile; a WARC that breaks off after some records ends with an
    ItemError keyed ``"record N"`` (the pages before it are kept).
    """
    from warcio.exceptions import ArchiveLoadFailed

    reader = _quiet_archive_iterator(stream)
    records = iter(reader)
    n = 0  # the record being read
    while True:
        n += 1
        misread = reader.err_count
        try:
            record = next(records)
            page = _html_page(record, max_page_bytes)
        except StopIteration:
            if reader.err_count > misread:
                yield _misread(n - 1)
            if n == 1:
                raise UnreadableFile("not a valid WARC file: no records") from None
            return
        except (ArchiveLoadFailed, EOFError, zlib.error, ValueError) as exc:
            if reader.err_count > misread:
                yield _misread(n - 1)
            if n == 1:
                raise UnreadableFile(f"not a valid WARC file: {_first_line(exc)}") from exc
            yield ItemError(f"record {n}", f"WARC file breaks off: {_first_line(exc)}")
            return
        if reader.err_count > misread:
            yield _misread(n - 1)
        if page is None:
            continue
        uri, payload, charset = page
        if payload is None:
            yield ItemError(uri, too_large("page", max_page_bytes))
            continue
        if getattr(record.raw_stream, "limit", 0) > 0:
            # warcio stops quietly at the end of a cut-off file
            yield ItemError(uri, "page is cut off: the WARC file is truncated")
            return
        try:
            yield Item(uri, parse_html(payload, default_tz, url=uri, charset=charset))
        except BadInputFile as exc:
            yield ItemError(uri, exc.reason)


def _quiet_archive_iterator(stream: BinaryIO) -> Any:
    """warcio's ArchiveIterator, without the warning it writes to stderr when a
    record does not end where its Content-Length says (its ``INC_RECORD``
    message): ``err_count`` counts those, and we report them as items."""
    from warcio.archiveiterator import ArchiveIterator

    class QuietArchiveIterator(ArchiveIterator):
        INC_RECORD = ""

    return QuietArchiveIterator(stream)


def _misread(n: int) -> ItemError:
    return ItemError(f"record {n}", "its Content-Length is wrong: the record does not end where it says")


def _html_page(record: Any, limit: int) -> tuple[str, bytes | None, str | None] | None:
    """(target URI, body, declared charset) of a 200 HTML response, else None.
    The body is None when it is longer than ``limit``."""
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.http_headers.get_statuscode() != "200":
        return None
    media_type, charset = _content_type(record.http_headers.get_header("Content-Type") or "")
    uri = record.rec_headers.get_header("WARC-Target-URI")
    if media_type not in _HTML_TYPES or not uri:
        return None
    # content_stream() undoes chunked transfer and gzip/deflate content encoding.
    body = record.content_stream().read(limit + 1)
    return uri, None if len(body) > limit else body, charset


def _content_type(header: str) -> tuple[str, str | None]:
    """Media type and charset of a Content-Type header: "text/html; charset=UTF-8"."""
    media_type, *parameters = header.split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip("\"'"):
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().split("\n")[0] or type(exc).__name__
    return message[:120]
