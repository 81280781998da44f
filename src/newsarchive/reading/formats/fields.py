"""Fields shared by the article formats: one way to clean a title, a URL, a byline, a date."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import tzinfo
from urllib.parse import urlsplit, urlunsplit

from newsarchive.errors import UnparseableArticle
from newsarchive.reading.dateline import parse_dateline
from newsarchive.reading.decode import normalise_text, without_surrogates
from newsarchive.reading.draft import ArticleDraft, Block, PublishedDate
from newsarchive.reading.formats.text import MAX_TITLE_CHARS


def build_draft(
    *,
    title: str | None,
    description: str | None,
    blocks: Sequence[Block],
    published: PublishedDate | None = None,
    authors: Iterable[str] = (),
    url: str | None = None,
    source_domain: str | None = None,
    language: str | None = None,
    source: str | None = None,
    warnings: tuple[str, ...] = (),
) -> ArticleDraft:
    """An ArticleDraft with normalised text, or UnparseableArticle saying what is missing.

    Each text is one line (``one_line``: its spacing as written, which markup
    formats have already made single spaces), empty blocks are dropped, the URL
    loses its fragment and utm_* parameters, ``source_domain`` defaults to the
    URL's host without "www.", and the language is the primary subtag ("en").
    No text stored holds a control character, whatever the format let in: the
    date as written and the source are cleaned like the title.
    """
    title = one_line(title or "")
    if not title:
        raise UnparseableArticle("no title")
    if len(title) > MAX_TITLE_CHARS:
        raise UnparseableArticle(f"title is {len(title)} characters long: not a title")
    description = one_line(description or "") or None
    cleaned = tuple(Block(b.kind, text) for b in blocks if (text := one_line(b.text)))
    if description is None and not cleaned:
        raise UnparseableArticle("no article text")
    url = clean_url(url) if url else None
    domain = clean_line(source_domain or "").lower().removeprefix("www.") or domain_of(url)
    names = dict.fromkeys(name for name in (clean_line(a) for a in authors) if name)
    if published is not None and (written := clean_line(published.text)) != published.text:
        published = replace(published, text=written)
    return ArticleDraft(
        title=title,
        description=description,
        blocks=cleaned,
        published=published,
        authors=tuple(names),
        url=url,
        source_domain=domain,
        language=language_code(language),
        source=clean_line(source or "") or None,
        warnings=warnings,
    )


def clean_line(text: str) -> str:
    """Normalised text on one line: NFC, no control characters, single spaces."""
    return " ".join(normalise_text(text).split())


# A line break with the spaces around it, inside what is one line of text.
_BREAK = re.compile(r"[ \t]*\n\s*")


def one_line(text: str) -> str:
    """Normalised plain text on one line, spaced as written: NFC, no control
    characters, each line break one space, no spaces at the ends. Double spaces
    and tabs inside stay, as a plain-text file keeps them, so that an article
    exported and ingested again is the same."""
    return _BREAK.sub(" ", normalise_text(text)).strip()


# No part of a URL: WHATWG's URL parser drops tabs and line breaks, and a
# control character in a link is a page's mistake.
_URL_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_url(url: str) -> str:
    """The URL without control characters, its fragment and utm_* tracking parameters."""
    url = without_surrogates(_URL_CONTROLS.sub("", url).strip())
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. "http://[::1": kept as written, never a key
        return url
    if not parts.scheme or not parts.netloc:
        return url
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not pair.lower().startswith("utm_")
    )
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


def domain_of(url: str | None) -> str | None:
    """The host of ``url`` in lower case, without "www." and port; None without a host."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host.removeprefix("www.") if host else None


# "By Anna Petrova and James Holt", "A, B & C", "A; B", "A | B"
_AUTHOR_SEPARATORS = re.compile(r"\s*(?:[;,|&]|\band\b)\s*", re.IGNORECASE)
_BY = re.compile(r"^by\s+", re.IGNORECASE)


def split_authors(text: str) -> list[str]:
    """Names in a byline: "By A and B" / "A, B" / "A; B" give ["A", "B"]."""
    names = (_BY.sub("", part.strip()) for part in _AUTHOR_SEPARATORS.split(text.strip()))
    return [name for name in names if name]


_LANGUAGE = re.compile(r"([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*")


def language_code(tag: str | None) -> str | None:
    """The primary subtag of a language tag, as news-please stores it: "en-GB" -> "en"."""
    match = _LANGUAGE.fullmatch(tag.strip()) if tag else None
    return match.group(1).lower() if match else None


# A time of exactly midnight is how many tools pad a date without a time
# (news-please writes "2024-11-10 00:00:00" for "10 November 2024").
_MIDNIGHT = re.compile(r"[T\s]00:00(?::00(?:[.,]0+)?)?(?=$|\s|Z|[+-]|\()", re.IGNORECASE)


def machine_date(text: str, default_tz: tzinfo) -> PublishedDate | None:
    """A date as machines write it (ISO 8601, RFC 2822), via parse_dateline.

    A naive time is read in ``default_tz``; a time of 00:00:00 counts as a
    date alone (precision "day").
    """
    published = parse_dateline(text, default_tz)
    if published is not None and published.precision != "day" and _MIDNIGHT.search(published.text):
        published = replace(published, precision="day")
    return published


# Query parameters that say where a reader came from, not which page it is.
_TRACKING = re.compile(r"^(utm_\w+|ref|ref_src|referrer|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|at_\w+|s_cid|icid|share|smid)$", re.IGNORECASE)


def url_key(url: str | None) -> str | None:
    """What makes two URLs the same page, for finding duplicates.

    Scheme, "www.", letter case of the host, a trailing slash, tracking
    parameters (utm_*, ref, fbclid ...) and the fragment do not count:
    ``https://www.example.com/a/?utm_source=x`` and ``http://example.com/a``
    are one page.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").removeprefix("www.")
    except ValueError:
        return None
    if not host:
        return None
    pairs = sorted(
        pair for pair in parts.query.split("&") if pair and not _TRACKING.match(pair.split("=", 1)[0])
    )
    path = parts.path.rstrip("/") or "/"
    return host + path + ("?" + "&".join(pairs) if pairs else "")
