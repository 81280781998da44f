"""What a parser makes of one input: an article not yet stored."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

BlockKind = Literal["paragraph", "heading"]
DatePrecision = Literal["day", "minute", "second"]


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
        return "\n".join(block.text for block in self.blocks)

    def content_hash(self) -> str:
        """SHA-256 of the article's normalised text and date.

        Two files that differ only in encoding, line endings or spacing give
        the same hash, so they are stored as one article.
        """
        parts = [self.title, self.description or "", *(b.kind + ":" + b.text for b in self.blocks)]
        if self.published is not None:
            parts.append(self.published.at.isoformat())
        normalised = "\n".join(_normalise(p) for p in parts)
        return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def _normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


#: Scripts written without spaces between words (Chinese, Japanese kana, Thai,
#: Lao, Myanmar, Khmer) and Korean syllables: in them each character counts as
#: a word when the length of a text is judged.
UNSPACED_SCRIPTS = (
    "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
)
_WORDS = re.compile(rf"[{UNSPACED_SCRIPTS}]|[^\s{UNSPACED_SCRIPTS}]+")


def word_count(text: str) -> int:
    """How long ``text`` is in words: space-separated words, and each character
    of a script written without spaces (so that 20 words is a sentence or two
    in Chinese as in English)."""
    return sum(1 for _ in _WORDS.finditer(text))
