"""Parse an RSS or Atom feed with feedparser: one article per entry.

An entry's summary is its description (lede); its full content, when the feed
carries it (content:encoded, Atom <content>), is the body. Many feeds carry
only summaries: such an entry is stored with a description and no body.
"""

from __future__ import annotations

import io
import re
import time
from dataclasses import replace
from datetime import UTC, datetime, tzinfo
from html import escape
from typing import Any

from newsarchive.errors import UnparseableArticle, UnreadableFile
from newsarchive.reading.decode import decode_text
from newsarchive.reading.draft import ArticleDraft, Block, DatePrecision, PublishedDate
from newsarchive.reading.formats import Item, ItemError, Parsed
from newsarchive.reading.formats.fields import (
    build_draft,
    clean_line,
    clean_url,
    machine_date,
    split_authors,
)
from newsarchive.reading.formats.webpage import (
    BOMS,
    XML_ENCODING,
    declared_encoding,
    decode_markup,
    html_fragment_blocks,
    split_lede,
)

#: A feed is parsed whole (feedparser takes some ten times its size in memory);
#: a larger one is refused. Real feeds are well under 10 MB.
MAX_FEED_BYTES = 16 * 1024 * 1024


def read_feed(data: bytes, default_tz: tzinfo) -> Parsed:
    return Parsed(parse_feed(data, default_tz))


def parse_feed(data: bytes, default_tz: tzinfo) -> list[Item | ItemError]:
    """The entries of an RSS (0.9x, 1.0, 2.0) or Atom feed, keyed by id, link or position.

    Raises UnparseableArticle when the bytes are not a feed at all.
    """
    import feedparser

    if not data.strip():
        raise UnreadableFile("empty file")
    data, note = _as_utf8(data)
    # A stream, never the bytes themselves: feedparser reads a string as a URL
    # or a file name when it looks like one.
    parsed = feedparser.parse(io.BytesIO(data))
    if not parsed.entries and (parsed.get("bozo") or not parsed.get("version")):
        problem = parsed.get("bozo_exception")
        reason = _short_reason(problem) if problem is not None else "no channel or feed element"
        raise UnparseableArticle(f"not a valid RSS/Atom feed: {reason}")
    feed_language = parsed.feed.get("language")
    items: list[Item | ItemError] = []
    for n, entry in enumerate(parsed.entries, start=1):
        key = entry.get("id") or (clean_url(entry["link"]) if entry.get("link") else f"entry {n}")
        try:
            draft = entry_draft(entry, default_tz, feed_language)
            items.append(Item(key, replace(draft, notes=(note,)) if note else draft))
        except UnparseableArticle as exc:
            items.append(ItemError(key, exc.reason))
    return items


def _as_utf8(data: bytes) -> tuple[bytes, str | None]:
    """The feed's bytes, re-encoded as UTF-8 (and declared so) when they show
    that the encoding declared, or UTF-8 when none is, is wrong, with a note
    saying so. feedparser believes a declaration and reads undeclared bytes
    that are not UTF-8 as windows-1252, which makes KOI8-R or GBK text mojibake."""
    if data.startswith(BOMS):
        return data, None
    label = declared_encoding(data, meta=False)
    if label is not None:
        decoded = decode_markup(data, label)
        note = decoded.note
    else:
        try:
            data.decode("utf-8")
            return data, None
        except UnicodeDecodeError:
            decoded = decode_text(data)
            note = f"no encoding declared, and the bytes are not UTF-8: read as {decoded.encoding}"
    if note is None:
        return data, None
    text = decoded.text.encode("utf-8")
    declared = XML_ENCODING.match(text)
    if declared is not None:
        text = text[: declared.start(1)] + b"utf-8" + text[declared.end(1) :]
    return text, note


def entry_draft(entry: Any, default_tz: tzinfo, feed_language: str | None = None) -> ArticleDraft:
    """An ArticleDraft from one feedparser entry."""
    title = _text(entry.get("title_detail") or {"value": entry.get("title")})
    summary = entry.get("summary_detail") or {"value": entry.get("summary")}
    content = entry.get("content") or []
    blocks = list(_blocks(content[0])) if content else []
    # feedparser copies the content into the summary when there is none.
    description = None if content and summary.get("value") == content[0].get("value") else _text(summary)
    if not title:
        raise UnparseableArticle("entry has no title" if description or blocks else "entry has no title and no text")
    description, body = split_lede(description, blocks)
    details = [detail for detail in (*content, entry.get("title_detail")) if detail]
    language = next((d.get("language") for d in details if d.get("language")), None) or feed_language
    published, warnings = entry_date(entry, default_tz)
    return build_draft(
        title=title,
        description=description,
        blocks=body,
        published=published,
        warnings=warnings,
        authors=_authors(entry),
        url=entry.get("link"),
        language=language,
    )


def entry_date(entry: Any, default_tz: tzinfo) -> tuple[PublishedDate | None, tuple[str, ...]]:
    """The entry's publication date, else its update date, and warnings.

    parse_dateline reads the text when it can. feedparser's own parse (in UTC)
    is the fallback for the many other forms feeds use, with the precision the
    text shows, unless its day or year is not in the text at all (it reads
    Korean dates and ISO week dates as the 1st of the month).
    """
    unread: list[str] = []
    for field in ("published", "updated"):
        # dict.get: feedparser's own get() answers "updated" with the
        # published date (and a DeprecationWarning).
        text = clean_line(dict.get(entry, field) or "")
        if not text:
            continue
        published = machine_date(text, default_tz)
        if published is not None:
            return published, ()
        parsed: time.struct_time | None = dict.get(entry, f"{field}_parsed")
        if parsed is not None and _shows(text, parsed):
            at = datetime(*parsed[:6], tzinfo=UTC)
            return PublishedDate(at=at, text=text, precision=_precision(text)), ()
        unread.append(text)
    return None, tuple(f"date not understood: {text!r}" for text in unread)


_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?")
_NUMBER = re.compile(r"\d+")
_SECONDS = re.compile(r"\d:\d{2}:\d{2}")
_MINUTES = re.compile(r"\d:\d{2}")


def _shows(text: str, parsed: time.struct_time) -> bool:
    """Whether the year and (give or take a day of zone shift) the day are written in ``text``."""
    numbers = {int(n) for n in _NUMBER.findall(_TIME.sub(" ", text))}
    day = parsed.tm_mday
    return parsed.tm_year in numbers and bool(numbers & {day - 1, day, day + 1})


def _precision(text: str) -> DatePrecision:
    if _SECONDS.search(text):
        return "second"
    return "minute" if _MINUTES.search(text) else "day"


def _blocks(detail: Any) -> tuple[Block, ...]:
    """Blocks of a feedparser text construct (content, summary, title): HTML unless it says text."""
    value = detail.get("value") or ""
    if "html" not in (detail.get("type") or "text/html"):
        value = escape(value, quote=False)  # "a < b" in plain text is no tag
    return html_fragment_blocks(value)


def _text(detail: Any) -> str:
    return " ".join(block.text for block in _blocks(detail))


# RSS <author> is an e-mail address, often with the name: "ed@site.com (Maria Lopez)".
_EMAIL_WITH_NAME = re.compile(r"^\S+@\S+\s*\((?P<name>[^)]+)\)$|^(?P<name2>[^<]+?)\s*<\S+@\S+>$")
_EMAIL = re.compile(r"^\S+@\S+$")


def _authors(entry: Any) -> list[str]:
    # With several authors (Atom), each has its own name; a single author is
    # read from the raw text, as feedparser splits "e-mail (name)" unreliably.
    details = entry.get("authors") or []
    if len(details) > 1:
        raw = [detail.get("name") or "" for detail in details]
    else:
        raw = [entry.get("author") or ""]
    names: list[str] = []
    for text in raw:
        text = clean_line(text)
        match = _EMAIL_WITH_NAME.match(text)
        if match is not None:
            text = match.group("name") or match.group("name2")
        elif _EMAIL.match(text):
            continue
        names.extend(split_authors(text))
    return names


def _short_reason(problem: Exception) -> str:
    message = str(problem) or type(problem).__name__
    # SAX errors read "<unknown>:3:2: mismatched tag"
    return re.sub(r"^<unknown>:(\d+):(\d+):\s*", r"line \1 column \2: ", message, count=1).strip()
