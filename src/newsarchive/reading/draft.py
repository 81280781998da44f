"""What a parser makes of one input: an article not yet stored."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import chain
from typing import Literal

from newsarchive.pieces import pieces
from newsarchive.scripts import UNSPACED

BlockKind = Literal["paragraph", "heading"]
DatePrecision = Literal["day", "minute", "second"]
_PIECE_CHARS = 1 << 16


@dataclass(frozen=True)
class Block:
    """One piece of body text, in reading order: a paragraph or a subheading."""

    kind: BlockKind
    text: str


@dataclass(frozen=True)
class PublishedDate:
    """A publication date as found in the article.

    ``at`` is timezone-aware and in UTC; ``text`` is the date exactly as written
    (e.g. ``"10 November 2024 09:13"``); ``precision`` says how much of ``at``
    the text actually gave. ``offset`` is the UTC offset in minutes of the
    clock the article was published by (+180 for ``01:30 +03:00``, the zone's
    offset at that moment for a time read in ``--tz Europe/Kyiv``), or None
    when neither the text nor a ``--tz`` other than UTC named a zone.
    """

    at: datetime
    text: str
    precision: DatePrecision
    offset: int | None = None


@dataclass(frozen=True)
class ArticleDraft:
    """An article as parsed from one file, before it is stored.

    Field meanings follow news-please: ``description`` is the lede/standfirst,
    ``blocks`` the body.
    """

    title: str
    description: str | None
    blocks: tuple[Block, ...]
    published: PublishedDate | None = None
    authors: tuple[str, ...] = ()
    url: str | None = None
    source_domain: str | None = None
    language: str | None = None
    #: The outlet or collection the file itself names (e.g. our JSON export); ``--source`` wins.
    source: str | None = None
    warnings: tuple[str, ...] = field(default=(), compare=False)
    #: Detail for ``-v``: how a text was read (an encoding declared wrongly).
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def body_text(self) -> str:
        return join_blocks(block.text for block in self.blocks)

    def content_hash(self) -> str:
        """SHA-256 of the article's normalised text and date.

        Two files that differ only in encoding, line endings or spacing give
        the same hash, so they are stored as one article.
        """
        published = (self.published.at.isoformat(),) if self.published is not None else ()
        blocks = (block.kind + ":" + block.text for block in self.blocks)
        # A part at a time: the text joined, normalised and encoded whole took four copies of a long article.
        digest = hashlib.sha256(_normalise(self.title).encode("utf-8"))
        for part in chain((self.description or "",), blocks, published):
            digest.update(b"\n")
            digest.update(_normalise(part).encode("utf-8"))
        return digest.hexdigest()


def join_blocks(texts: Iterable[str]) -> str:
    """An article's body as one text: its blocks' texts (paragraphs, headings, quotes), a line each."""
    return "\n".join(texts)


def _normalise(text: str) -> str:
    """``text`` in NFC with each run of white space made one space, and none at the ends."""
    # A piece at a time, cut at a space: a list of every word of a long paragraph takes ten times it.
    normalised = (" ".join(piece.split()) for piece in pieces(unicodedata.normalize("NFC", text), _PIECE_CHARS))
    return " ".join(piece for piece in normalised if piece)


_WORDS = re.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")


def word_count(text: str) -> int:
    """How long ``text`` is in words: space-separated words, and each character
    of a script written without spaces (so that 20 words is a sentence or two
    in Chinese as in English)."""
    return sum(1 for _ in _WORDS.finditer(text))
