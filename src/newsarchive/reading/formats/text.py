"""Parse a plain-text article: a title line, then paragraphs, one per line.

Two layouts are told apart by content, not by where the file came from:

* with a dateline (our seed files): title, lede line(s), dateline, body;
* without one (the BBC corpus): title, blank line, standfirst, body, with
  blank lines between paragraphs.
"""

from __future__ import annotations

import re
from datetime import UTC, tzinfo
from typing import TYPE_CHECKING

from newsarchive.errors import UnparseableArticle
from newsarchive.reading.dateline import find_agreed_dateline, find_dateline
from newsarchive.reading.draft import ArticleDraft, Block, word_count

if TYPE_CHECKING:
    from newsarchive.reading.formats import Parsed

# A first line longer than this is a whole article squeezed onto one line
# (or not an article at all), not a headline.
MAX_TITLE_CHARS = 500

# The dateline belongs to the header: title, at most a few lede lines, date.
# Further down, a line that is only a date is part of the story.
_DATELINE_WINDOW = 4

_MAX_HEADING_WORDS = 12
_MAX_HEADING_CHARS = 90
# A line ending like a sentence (or a clause) is a paragraph, however short.
# Closing quotes and brackets are looked through: 'he said "no."' ends in ".".
_SENTENCE_END = re.compile(r"[.!?:;,…。！？：；，、][\"'”’»)\]」』）]*$")
_WORD = re.compile(r"[^\W\d_]{2,}")
# A paragraph starting with one of these (or a small letter) continues the
# line before it: the BBC files lost the bold names and links between such lines.
_CONTINUING = ",.;:)-–—…"


def read_text(data: bytes, default_tz: tzinfo, *, language: str | None = None) -> Parsed:
    """The article of a plain-text file, decoded (``decode_text``), with its encoding
    and the decoder's warnings (a truncated character at the end). ``language``
    is the article's when given (else it is identified): see ``parse_text_article``."""
    from dataclasses import replace

    from newsarchive.reading.decode import decode_text
    from newsarchive.reading.formats import Parsed

    decoded = decode_text(data)
    draft = parse_text_article(decoded.text, default_tz, language)
    if decoded.warnings:
        draft = replace(draft, warnings=draft.warnings + decoded.warnings)
    return Parsed.article(draft, decoded.encoding)


def parse_text_article(text: str, default_tz: tzinfo = UTC, language: str | None = None) -> ArticleDraft:
    """Split decoded text into title, description (lede), body blocks and date.

    ``default_tz`` is the zone of a dateline that names none. ``language`` is
    the article's, when known; else it is identified from the text, and the
    dateline is read in it. Raises
    UnparseableArticle for blank text, a title with nothing after it, or a
    first line too long to be a title.
    """
    lines = [line.strip() for line in text.split("\n")]
    filled = [i for i, line in enumerate(lines) if line]
    if not filled:
        raise UnparseableArticle("blank file")
    title = lines[filled[0]]
    if len(title) > MAX_TITLE_CHARS:
        raise UnparseableArticle(f"first line is {len(title)} characters long: not a title")

    from newsarchive.reading.language import UNDETERMINED, identify, script_languages

    if language is None:
        language = identify(text)
    found = find_dateline(lines, default_tz, start=filled[0] + 1, window=_DATELINE_WINDOW, language=language)
    if found is None and language == UNDETERMINED:
        # Too short to tell its language, but its letters may leave one or two: their dateline, if they agree.
        found = find_agreed_dateline(
            lines, default_tz, start=filled[0] + 1, window=_DATELINE_WINDOW, languages=script_languages(text)
        )
    if found is None:
        published = None
        lede: list[str] = []
        paragraphs = [lines[i] for i in filled[1:]]
    else:
        index, published = found
        lede = [lines[i] for i in filled[1:] if i < index]
        paragraphs = [lines[i] for i in filled[1:] if i > index]
    if not lede and not paragraphs:
        raise UnparseableArticle("no article text after the title")
    if not lede:
        lede, paragraphs = paragraphs[:1], paragraphs[1:]
    return ArticleDraft(
        title=title,
        description=" ".join(lede),
        blocks=body_blocks(paragraphs, after=lede[-1] if lede else ""),
        published=published,
        language=language,
    )


def body_blocks(paragraphs: list[str], *, after: str = "") -> tuple[Block, ...]:
    """Paragraphs in order, with subheadings marked as such.

    A subheading stands alone between prose: a short title-like line whose
    neighbours are not short unpunctuated lines too (those are lists: fixtures,
    nominees, kick-off details), that does not answer a line ending in ":",
    and whose next paragraph does not continue its sentence. The last
    paragraph is never a heading. ``after`` is the text before the body.
    """
    short = [_short_and_unpunctuated(p) for p in paragraphs]

    def is_heading(i: int) -> bool:
        if i + 1 == len(paragraphs) or not looks_like_subheading(paragraphs[i]):
            return False
        if short[i + 1] or (i > 0 and short[i - 1]):
            return False
        if (paragraphs[i - 1] if i > 0 else after).endswith(":"):
            return False
        following = paragraphs[i + 1][0]
        return not (following.islower() or following in _CONTINUING)

    return tuple(
        Block("heading" if is_heading(i) else "paragraph", p) for i, p in enumerate(paragraphs)
    )


def looks_like_subheading(line: str) -> bool:
    """A short line that starts like a title and does not end like a sentence.

    "Talks only after pushing Ukrainians out of Kursk" is one; "He said:",
    "Chelsea 2-1 Arsenal." and "78,000" are not.
    """
    return (
        _short_and_unpunctuated(line)
        and (line[0].isupper() or line[0].isdigit())
        and _WORD.search(line) is not None
    )


def _short_and_unpunctuated(line: str) -> bool:
    return (
        len(line) <= _MAX_HEADING_CHARS
        and word_count(line) <= _MAX_HEADING_WORDS
        and _SENTENCE_END.search(line) is None
    )
