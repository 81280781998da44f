"""Parse JSON and JSON Lines articles written with news-please's field names.

One record is one article: ``title``, ``description`` (the lede), ``maintext``
(or the older ``text``), ``date_publish``, ``authors``, ``url``,
``source_domain``, ``language``. Our own export adds ``body`` (a list of
``{"kind", "text"}`` blocks), ``date_precision``, ``date_text`` and
``date_local`` (``date_publish`` on the clock it was published by), so that an
exported article comes back exactly as it was.

The helpers at the end (``build_draft``, ``clean_url``, ``split_authors`` ...)
give those fields the same meaning in every format that has them (HTML pages,
feeds, WARC records).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any, BinaryIO

from newsarchive.errors import UnparseableArticle
from newsarchive.reading.decode import decode_unnormalised, normalise_text, without_controls
from newsarchive.reading.draft import ArticleDraft, Block, PublishedDate
from newsarchive.reading.formats import Item, ItemError, Parsed, too_large
from newsarchive.reading.formats.fields import (
    build_draft,
    machine_date,
    split_authors,
)
from newsarchive.reading.formats.text import body_blocks

#: A JSON document (not JSON Lines) is parsed whole, at several times its size
#: in memory; a larger one is refused. Large dumps are JSON Lines, read a line
#: at a time, each line up to the article limit.
MAX_JSON_DOCUMENT_BYTES = 64 * 1024 * 1024
_BLOCK_KINDS = ("paragraph", "heading")
_PRECISIONS = ("day", "minute", "second")


def read_json(data: bytes, default_tz: tzinfo) -> Parsed:
    return Parsed(parse_json(data, default_tz))


def read_jsonl(stream: BinaryIO, default_tz: tzinfo, article_limit: int) -> Parsed:
    """The articles of a JSON Lines file, read a line at a time; a line longer than ``article_limit`` is an ItemError."""
    return Parsed(parse_jsonl(bounded_lines(stream, article_limit), default_tz))


def parse_json(data: bytes, default_tz: tzinfo) -> list[Item | ItemError]:
    """Articles of a JSON file: one object, or an array of objects.

    A broken element of an array is an ItemError keyed ``"item N"``. Invalid
    JSON, an empty array or a lone object that is no article raise
    UnparseableArticle.
    """
    value = _load_document(decode_unnormalised(data).text)
    if isinstance(value, dict):
        # One object is a one-article file: if it is no article, the file is not one.
        draft = record_draft(value, default_tz)
        return [Item(draft.url or "", draft)]
    if not isinstance(value, list):
        raise UnparseableArticle(f"JSON holds {_json_kind(value)}, not an article object or array")
    if not value:
        raise UnparseableArticle("empty JSON array: no articles")
    return [
        _item(element, default_tz, fallback_key=f"item {n}", error_key=f"item {n}")
        for n, element in enumerate(value, start=1)
    ]


def _load_document(text: str) -> Any:
    """The value of a JSON document, its strings as written: like a JSON Lines
    line, each field is normalised when it is read.

    Only a document that JSON refuses as written is cleaned first, as every
    document once was (control characters in strings, a form feed or a DOS
    end-of-file mark between values), and its error is said in lines and columns
    of that cleaned text, as it always was.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        return json.loads(_cleaned_document(text))
    except json.JSONDecodeError as exc:
        raise UnparseableArticle(
            f"invalid JSON: {_json_message(exc)} at line {exc.lineno} column {exc.colno}"
        ) from exc


# A string (or what is left of an unterminated one), or the text between two strings.
_STRING_OR_BETWEEN = re.compile(r'"(?:[^"\\]|\\.)*"?|[^"]+', re.DOTALL)
# In a string: an escape, or a run of characters written between escapes.
_ESCAPE_OR_WRITTEN = re.compile(r"\\(?:u[0-9a-fA-F]{4}|.)|[^\\]+", re.DOTALL)


def _cleaned_document(text: str) -> str:
    """``text`` through normalise_text, except inside strings, where that would
    break what JSON allows: a U+2028 (or U+2029, U+0085) would become a line
    break, which JSON refuses there, and an escape's last letter could join the
    combining mark after it ("\\u006e" and U+0303). There, only control
    characters go and each run written between escapes is NFC on its own."""
    return _STRING_OR_BETWEEN.sub(_cleaned_token, text)


def _cleaned_token(match: re.Match[str]) -> str:
    token = match.group()
    if not token.startswith('"'):
        return normalise_text(token)
    return _ESCAPE_OR_WRITTEN.sub(_cleaned_written, token)


def _cleaned_written(match: re.Match[str]) -> str:
    written = match.group()
    return written if written.startswith("\\") else unicodedata.normalize("NFC", without_controls(written))


def parse_jsonl(lines: Iterable[bytes | TooLong], default_tz: tzinfo) -> Iterator[Item | ItemError]:
    """Articles of a JSON Lines file, one object per line (UTF-8, as the format says).

    Blank lines are skipped; a line that is not JSON or not an article (or one
    that ``bounded_lines`` found too long) gives an ItemError keyed ``"line N"``
    and the lines after it are still read.
    """
    for n, raw in enumerate(lines, start=1):
        key = f"line {n}"
        if isinstance(raw, TooLong):
            yield ItemError(key, too_large("line", raw.limit))
            continue
        if n == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        try:
            line = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            yield ItemError(key, "not UTF-8 text")
            continue
        if not line:
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ItemError(key, f"invalid JSON: {_json_message(exc)} at column {exc.colno}")
            continue
        yield _item(value, default_tz, fallback_key=key, error_key=key)


@dataclass(frozen=True)
class TooLong:
    """Stands for a line longer than ``limit`` bytes, which was skipped unread."""

    limit: int


def bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | TooLong]:
    """The lines of ``stream``, each read only when it is at most ``limit`` bytes
    long (not counting its line end): a longer one is skipped a block at a time."""
    while line := stream.readline(limit + 1):
        if len(line) <= limit or line.endswith(b"\n") and len(line) == limit + 1:
            yield line
            continue
        while (rest := stream.readline(_SKIP_BLOCK)) and not rest.endswith(b"\n"):
            pass
        yield TooLong(limit)


_SKIP_BLOCK = 1 << 16


def _item(value: Any, default_tz: tzinfo, *, fallback_key: str, error_key: str) -> Item | ItemError:
    if not isinstance(value, dict):
        return ItemError(error_key, f"{_json_kind(value)}, not an article object")
    try:
        draft = record_draft(value, default_tz)
    except UnparseableArticle as exc:
        return ItemError(error_key, exc.reason)
    return Item(draft.url or fallback_key, draft)


def record_draft(record: dict[str, Any], default_tz: tzinfo) -> ArticleDraft:
    """An ArticleDraft from one news-please record (or one of our exports)."""
    title = _text_field(record, "title") or _text_field(record, "title_rss") or _text_field(record, "title_page")
    description = _text_field(record, "description")
    blocks = _record_blocks(record, after=description or "")
    published, warnings = _record_date(record, default_tz)
    authors = _normalised(record.get("authors"))
    if isinstance(authors, str):
        names = split_authors(authors)
    elif isinstance(authors, list):
        names = [name for name in authors if isinstance(name, str)]
    else:
        names = []
    return build_draft(
        title=title,
        description=description,
        blocks=blocks,
        published=published,
        authors=names,
        url=_text_field(record, "url"),
        source_domain=_text_field(record, "source_domain"),
        language=_text_field(record, "language"),
        source=_text_field(record, "source"),
        warnings=warnings,
    )


def _record_blocks(record: dict[str, Any], *, after: str) -> tuple[Block, ...]:
    body = record.get("body")
    if isinstance(body, list) and body:
        blocks = []
        for n, block in enumerate(body, start=1):
            kind = _normalised(block.get("kind")) if isinstance(block, dict) else None
            if kind not in _BLOCK_KINDS or not isinstance(block.get("text"), str):
                raise UnparseableArticle(f'body block {n} is not {{"kind": "paragraph"|"heading", "text": ...}}')
            blocks.append(Block(kind, block["text"]))  # build_draft normalises the text
        return tuple(blocks)
    text = _text_field(record, "maintext") or _text_field(record, "text")
    if text is None and isinstance(body, str):
        text = normalise_text(body)
    if text is None:
        return ()
    paragraphs = [line.strip() for line in text.split("\n")]
    return body_blocks([p for p in paragraphs if p], after=after)


def _record_date(record: dict[str, Any], default_tz: tzinfo) -> tuple[PublishedDate | None, tuple[str, ...]]:
    written = _text_field(record, "date_publish")
    date_text = _text_field(record, "date_text")
    precision = _normalised(record.get("date_precision"))
    candidates = [text for text in (written, date_text) if text is not None]
    if not candidates:
        return None, ()
    published = next(
        (found for text in candidates if (found := machine_date(text, default_tz)) is not None), None
    )
    if published is None:
        return None, (f"date_publish not understood: {candidates[0]!r}",)
    if date_text is not None:
        published = replace(published, text=date_text)
    if "date_local" in record:  # our export: date_publish is UTC, date_local (or null) has the offset
        local = _text_field(record, "date_local")
        on_clock = machine_date(local, default_tz) if local is not None else None
        offset = on_clock.offset if on_clock is not None and on_clock.at == published.at else None
        published = replace(published, offset=offset)
    if precision in _PRECISIONS:
        published = replace(published, precision=precision)
    return published, ()


def _text_field(record: dict[str, Any], name: str) -> str | None:
    """A string field, normalised, without spaces at its ends; None when it is empty or no string."""
    value = _normalised(record.get(name))
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _normalised(value: Any) -> Any:
    """``value`` through normalise_text when it is a string. This is the only
    normalisation a field's characters get, written ones and those JSON's escapes
    ("\\u001b", "\\u2028") make alike."""
    return normalise_text(value) if isinstance(value, str) else value


def _json_message(exc: json.JSONDecodeError) -> str:
    # "Unterminated string starting at" is followed by our own "at line ..."
    return exc.msg.removesuffix(" at")


def _json_kind(value: Any) -> str:
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if value is None:
        return "null"
    return "an object"
