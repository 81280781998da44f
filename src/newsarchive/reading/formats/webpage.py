"""Parse a news web page (HTML) with trafilatura, and turn HTML fragments into blocks.

trafilatura finds the article among the navigation, asides and footers and
gives its metadata; htmldate (inside it) finds the publication day. What this
module adds: the page's own charset, the time and zone of publication when the
page states them in machine-readable form, the canonical URL and the language.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import replace
from datetime import date, tzinfo
from html import unescape
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newsarchive.errors import UnparseableArticle
from newsarchive.periods import on_clock
from newsarchive.reading.dateline import parse_dateline
from newsarchive.reading.decode import DecodedText, decode_declared, decode_text, normalise_text
from newsarchive.reading.draft import ArticleDraft, Block, PublishedDate, word_count
from newsarchive.reading.formats import Parsed
from newsarchive.reading.formats.fields import (
    build_draft,
    clean_line,
    machine_date,
    split_authors,
)

if TYPE_CHECKING:
    from lxml.etree import _Element
    from lxml.html import HtmlElement

# Fewer words than this is a gallery, a video page, an index or an error page
# (each character of Chinese, Japanese or Thai counts as a word: ``word_count``).
MIN_ARTICLE_WORDS = 20

_NO_TEXT = "no article text found in the HTML page"
# Text of a paragraph's own, beside its links: a letter or a digit.
_OWN_WORD = re.compile(r"[^\W_]")


def read_html(data: bytes, default_tz: tzinfo) -> Parsed:
    return Parsed.article(parse_html(data, default_tz))


def parse_html(
    data: bytes,
    default_tz: tzinfo,
    url: str | None = None,
    *,
    charset: str | None = None,
) -> ArticleDraft:
    """The article of a web page: title, lede, body blocks, date, authors, URL.

    ``url`` is where the page was fetched from (used when the page names no
    canonical URL); ``charset`` the one the server declared. Raises
    UnreadableFile for bytes that are no text and UnparseableArticle for a page
    without an article.
    """
    import trafilatura
    from lxml import etree
    from trafilatura.utils import load_html

    decoded = html_text(data, charset)
    tree = load_html(decoded.text)
    if tree is None:
        raise UnparseableArticle("not an HTML page")
    # Read before trafilatura, which prunes the tree it is given.
    page = _PageFacts(tree, url)
    xml = trafilatura.extract(
        tree,
        url=page.url,
        output_format="xml",
        with_metadata=True,
        include_comments=False,
        # The extensive search takes any date in the text ("talks on 3 March
        # 2023") when the markup has none: a guess, and we never guess dates.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if xml is None:
        raise UnparseableArticle(_NO_TEXT)
    doc = etree.fromstring(xml.encode("utf-8"))
    title = clean_line(doc.get("title") or "")
    main = doc.find("main")
    blocks = [block for block in _main_blocks(main) if block.text] if main is not None else []
    if blocks and blocks[0].kind == "heading" and _same(blocks[0].text, title):
        blocks = blocks[1:]
    datelines: list[str] = []
    while blocks and _is_byline_or_dateline(blocks[0], default_tz, page.language):
        datelines.append(blocks.pop(0).text)
    # When trafilatura finds no article it falls back to all the text of the
    # page; on a section or index page that is a run of teasers, each nothing
    # but a link. Such paragraphs do not count towards the article's length;
    # which paragraphs belong to an article stays trafilatura's call: one made
    # of a link (a contact address, "Hier geht's zur Facebook Veranstaltung")
    # is kept, and so is a reading list ("Today we recommend <a>...</a>.").
    own_words = sum(word_count(block.text) for block in blocks if not page.only_links(block.text))
    if own_words < MIN_ARTICLE_WORDS:
        raise UnparseableArticle(_NO_TEXT)
    if not title:
        raise UnparseableArticle("no title found in the HTML page")
    description, body = split_lede(doc.get("description"), blocks)
    draft = build_draft(
        title=title,
        description=description,
        blocks=body,
        published=page.published(doc.get("date"), default_tz, datelines, page.language),
        authors=[name for part in (doc.get("author") or "").split(";") for name in split_authors(part)],
        url=page.url,
        language=page.language,
    )
    return replace(draft, notes=(decoded.note,)) if decoded.note else draft


def split_lede(description: str | None, blocks: list[Block]) -> tuple[str | None, list[Block]]:
    """The description and the body: without a description the first paragraph
    is the lede (as in plain-text articles); a first paragraph that repeats the
    description is dropped."""
    description = clean_line(description or "") or None
    if blocks and blocks[0].kind == "paragraph":
        if description is None:
            return blocks[0].text, blocks[1:]
        if _same(blocks[0].text, description):
            return description, blocks[1:]
    return description, blocks


# "By Anna Petrova", "Von Jonas Weber ·", "Par Marie Dupont" above the text.
_BYLINE = re.compile(r"(?:by|von|par|por|di|door|av|af)\s", re.IGNORECASE)
_MAX_BYLINE_WORDS = 12


def _is_byline_or_dateline(block: Block, default_tz: tzinfo, language: str | None = None) -> bool:
    """A leading paragraph that is only the byline or only the date (in English or the page's ``language``)."""
    if block.kind != "paragraph":
        return False
    if parse_dateline(block.text, default_tz, language) is not None:
        return True
    return (
        _BYLINE.match(block.text) is not None
        and word_count(block.text) <= _MAX_BYLINE_WORDS
        and not block.text.endswith((".", "!", "?", ":", '"', "”"))
    )


def _same(a: str, b: str) -> bool:
    return clean_line(a).casefold() == clean_line(b).casefold()


# -- charset ---------------------------------------------------------------------

#: Byte order marks a page or feed may start with (UTF-32 ones are not web encodings).
BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
XML_ENCODING = re.compile(rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)""")
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Browsers read these labels as windows-1252 (WHATWG Encoding Standard), and
# so do pages that use them: "&#146;" bytes are curly quotes, not controls.
_AS_CP1252 = frozenset({"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii"})


def html_text(data: bytes, charset: str | None = None) -> DecodedText:
    """Text of an HTML page, ready for a parser: a byte order mark wins, then the
    charset the server declared, then the page's own (XML declaration, <meta
    charset>), each unless the bytes show it wrong (``decode_declared``);
    without any, decode_text guesses. Control characters are gone, written
    (``normalise_text``) or as references (``without_control_references``)."""
    if data.startswith(BOMS) or b"\x00" in data[:4096]:
        decoded = decode_text(data)
    else:
        decoded = decode_markup(data, charset if charset is not None else declared_encoding(data))
    return replace(decoded, text=without_control_references(decoded.text))


def declared_encoding(data: bytes, *, meta: bool = True) -> str | None:
    """The encoding label markup declares in its XML declaration, or (with ``meta``:
    a web page, not a feed) in a <meta charset> near its top; None if it declares none."""
    match = XML_ENCODING.match(data) or (_META_CHARSET.search(data[:4096]) if meta else None)
    return match.group(1).decode("ascii") if match else None


def decode_markup(data: bytes, label: str | None) -> DecodedText:
    """Markup decoded as it declares (``label`` as written; None: nothing declared), unless the bytes show that wrong."""
    return decode_declared(data, codec_for_label(label), label)


# "&#27;", "&#x1B", "&#0012;": a numeric character reference (the ";" is optional in HTML).
_CHARACTER_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));?")
# Characters XML 1.0 cannot hold (C0 controls but TAB, LF and CR; U+FFFE, U+FFFF)
# that lxml's HTML parser makes of a reference; the ones HTML counts as spaces
# (VT, FF) become a space, so that the words on either side stay apart.
_UNHOLDABLE = {code: "" for code in (*range(0x09), *range(0x0E, 0x20), 0xFFFE, 0xFFFF)}
_UNHOLDABLE.update({0x0B: " ", 0x0C: " "})
# More digits than any code point has (lxml reads those as U+FFFD itself).
_MAX_REFERENCE_DIGITS = 8


def without_control_references(markup: str) -> str:
    """``markup`` without character references to characters XML cannot hold.

    lxml reads ``&#27;`` in a page as ESC, and trafilatura, whose result is an
    XML tree, then finds no text at all: one stray reference would cost the
    whole article. Such a character is never text (``normalise_text`` drops
    it when it is written out), so the reference goes too.
    """
    if "&#" not in markup:
        return markup
    return _CHARACTER_REFERENCE.sub(_holdable_reference, markup)


def _holdable_reference(match: re.Match[str]) -> str:
    hexadecimal, decimal = match.groups()
    digits = (hexadecimal or decimal).lstrip("0")
    if len(digits) > _MAX_REFERENCE_DIGITS:
        return match.group()
    code = int(digits or "0", 16 if hexadecimal else 10)
    return _UNHOLDABLE.get(code, match.group())


def codec_for_label(label: str | None) -> str | None:
    """The Python codec for an encoding label a page or feed declares, as browsers read it; None if unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if label in _AS_CP1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A page that calls itself UTF-16 in ASCII bytes is not UTF-16.
    return None if name.startswith("utf-16") or name.startswith("utf-32") else name


# -- facts trafilatura does not give ---------------------------------------------

# <meta> names and properties that give the publication time, most specific first.
_DATE_METAS = (
    "article:published_time",
    "og:published_time",
    "og:article:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
    "dcterms.issued",
    "dcterms.created",
)
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_PRECISION = ("day", "minute", "second")
#: A ``<time>`` text longer than this is no dateline.
_MAX_DATE_CHARS = 100


class _PageFacts:
    """Canonical URL, language and publication timestamps read from the page markup."""

    def __init__(self, tree: HtmlElement, url: str | None) -> None:
        metas: dict[str, str] = {}
        for meta in tree.iter("meta"):
            content = meta.get("content")
            for attribute in ("property", "name", "itemprop", "http-equiv"):
                name = (meta.get(attribute) or "").strip().lower()
                if name and content and name not in metas:
                    metas[name] = content.strip()
        self.url = self._url(tree, metas, url)
        self.link_texts = {
            text for link in tree.iter("a") if (text := clean_line(link.text_content()))
        }
        self.language = self._language(tree, metas)
        self.timestamps = [metas[name] for name in _DATE_METAS if name in metas]
        self.timestamps += list(self._marked_up_timestamps(tree))
        self.printed_dates = self._printed_dates(tree)

    @staticmethod
    def _url(tree: HtmlElement, metas: dict[str, str], url: str | None) -> str | None:
        canonical = next(
            (
                link.get("href")
                for link in tree.iter("link")
                if "canonical" in (link.get("rel") or "").lower().split() and link.get("href")
            ),
            None,
        )
        for candidate in (canonical, metas.get("og:url"), url):
            if candidate:
                absolute = urljoin(url or "", candidate.strip())
                if urlsplit(absolute).scheme in ("http", "https"):
                    return absolute
        return None

    @staticmethod
    def _language(tree: HtmlElement, metas: dict[str, str]) -> str | None:
        return (
            tree.get("lang")
            or tree.get("{http://www.w3.org/XML/1998/namespace}lang")
            or tree.get("xml:lang")
            or metas.get("content-language")
            or metas.get("og:locale")
        )

    @staticmethod
    def _printed_dates(tree: HtmlElement) -> list[str]:
        """The texts of the page's ``<time>`` elements that may give the article's date: those in its
        ``<article>`` or ``<main>``, or the page's one ``<time>`` (others date comments and teasers)."""
        times = tree.xpath("//article//time | //main//time")
        if not times:
            everywhere = tree.xpath("//time")
            times = everywhere if len(everywhere) == 1 else []
        return [text for time in times if (text := clean_line(time.text_content())) and len(text) <= _MAX_DATE_CHARS]

    @staticmethod
    def _marked_up_timestamps(tree: HtmlElement) -> Iterator[str]:
        for element in tree.xpath('//*[@itemprop="datePublished"]'):
            value = element.get("content") or element.get("datetime") or element.text_content()
            if value and value.strip():
                yield value.strip()
        for script in tree.xpath('//script[@type="application/ld+json"]'):
            try:
                data = json.loads(script.text or "")
            except ValueError:
                continue
            yield from _json_ld_dates(data)
        for time in tree.xpath("//time[@pubdate][@datetime] | //article//time[@datetime]"):
            yield time.get("datetime").strip()

    def only_links(self, text: str) -> bool:
        """Whether ``text`` is nothing but the texts of links on the page (and punctuation)."""
        if text in self.link_texts:
            return True
        rest = text
        for link in sorted((link for link in self.link_texts if link in rest), key=len, reverse=True):
            rest = rest.replace(link, " ")
        return _OWN_WORD.search(rest) is None

    def published(
        self, day_text: str | None, default_tz: tzinfo, datelines: Sequence[str] = (), language: str | None = None
    ) -> PublishedDate | None:
        """The publication date: htmldate's day, made precise by a timestamp of that day, or by a dateline
        printed above the text or in a ``<time>`` (in English or the page's ``language``); without htmldate's
        day, such a printed dateline alone."""
        printed = (parse_dateline(line, default_tz, language) for line in (*datelines, *self.printed_dates))
        found = [published for published in printed if published is not None]
        if not day_text:
            return found[0] if found else None
        try:
            day = date.fromisoformat(day_text)
        except ValueError:
            return None
        of_the_day = [
            published
            for timestamp in self.timestamps
            if (published := machine_date(timestamp, default_tz)) is not None
            and day in (_written_day(timestamp), published.at.date())
        ]
        of_the_day += [
            published for published in found if day in (on_clock(published.at, published.offset).date(), published.at.date())
        ]
        if of_the_day:  # the most precise, the markup's first where they are as precise
            return max(of_the_day, key=lambda published: _PRECISION.index(published.precision))
        return machine_date(day.isoformat(), default_tz)


def _json_ld_dates(data: Any) -> Iterator[str]:
    if isinstance(data, list):
        for element in data:
            yield from _json_ld_dates(element)
    elif isinstance(data, dict):
        value = data.get("datePublished")
        if isinstance(value, str) and value.strip():
            yield value.strip()
        for key in ("@graph", "mainEntity", "mainEntityOfPage"):
            yield from _json_ld_dates(data.get(key))


def _written_day(timestamp: str) -> date | None:
    """The calendar day as written in the timestamp, before any zone conversion."""
    match = _ISO_DAY.match(timestamp.strip())
    if match is not None:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            return None
    from dateutil import parser as dateutil_parser

    try:
        return dateutil_parser.parse(timestamp).date()
    except (ValueError, OverflowError):
        return None


# -- trafilatura's XML ------------------------------------------------------------


def _main_blocks(element: _Element) -> Iterator[Block]:
    """Blocks of trafilatura's <main> (or of a <quote> or <list> in it), in order."""
    for child in element:
        tag = child.tag
        if tag == "head":
            yield Block("heading", _xml_text(child))
        elif tag == "list":
            for item in child.iterchildren("item"):
                yield Block("paragraph", _xml_text(item, skip="list"))
                yield from _main_blocks(item)
        elif tag == "quote" and child.find("p") is not None:
            yield from _main_blocks(child)
        elif tag == "table":
            for row in child.iter("row"):
                yield Block("paragraph", " | ".join(_xml_text(cell) for cell in row.iterchildren("cell")))
        elif tag in ("graphic", "lb", "item"):
            continue
        else:  # p, quote, code, and anything trafilatura adds later
            yield Block("paragraph", _xml_text(child))


def _xml_text(element: _Element, skip: str | None = None) -> str:
    """Text of an element on one line; <lb/> is a space, ``skip`` children are left out."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append(" ")
        elif child.tag != skip:
            parts.append(_xml_text(child))
        parts.append(child.tail or "")
    return clean_line("".join(parts))


# -- HTML fragments (feed content) ----------------------------------------------------

_TAG = re.compile(r"<(?:[a-zA-Z][a-zA-Z0-9]*|/[a-zA-Z]|!--)")
_BLOCK_TAGS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dt", "dd", "figcaption"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "dfn", "em", "font", "i", "img",
        "ins", "del", "kbd", "label", "mark", "q", "s", "samp", "small", "span", "strike",
        "strong", "sub", "sup", "time", "tt", "u", "var", "wbr",
    }
)  # fmt: skip
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "iframe", "object", "embed", "svg", "math", "template"})


def html_fragment_blocks(html: str) -> tuple[Block, ...]:
    """Blocks of an HTML fragment such as a feed entry's content, in order.

    p, h1-h6, li, blockquote (and pre, dt, dd, figcaption) are one block each,
    headings as "heading"; loose text between them is split at <br>. Text
    without any tag is plain text: one paragraph per non-blank line.
    """
    html = without_control_references(normalise_text(html))
    if not _TAG.search(html):
        lines = (clean_line(line) for line in unescape(html).split("\n"))
        return tuple(Block("paragraph", line) for line in lines if line)
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.fragment_fromstring(html, create_parent="div")
    except (etree.ParserError, ValueError):
        return ()
    return tuple(_fragment_blocks(root))


def _fragment_blocks(container: HtmlElement) -> Iterator[Block]:
    run: list[str] = []  # loose text of the container; "\n" where a <br> was
    run.append(container.text or "")
    for child in container:
        tag = child.tag if isinstance(child.tag, str) else None  # comments, PIs
        if tag in _SKIPPED_TAGS:
            pass
        elif tag == "br":
            run.append("\n")
        elif tag is None or (tag in _INLINE_TAGS and not _has_blocks(child)):
            if tag is not None:
                run.append(_fragment_text(child, br="\n"))
        else:
            yield from _loose_paragraphs(run)
            if tag in _BLOCK_TAGS and not _has_blocks(child):
                yield Block("heading" if tag in _HEADINGS else "paragraph", _fragment_text(child, br=" "))
            else:
                yield from _fragment_blocks(child)
        run.append(child.tail or "")
    yield from _loose_paragraphs(run)


def _loose_paragraphs(run: list[str]) -> Iterator[Block]:
    for line in "".join(run).split("\n"):
        if text := clean_line(line):
            yield Block("paragraph", text)
    run.clear()


def _has_blocks(element: HtmlElement) -> bool:
    return any(
        isinstance(d.tag, str) and d.tag not in _INLINE_TAGS and d.tag != "br"
        for d in element.iterdescendants()
    )


def _fragment_text(element: HtmlElement, *, br: str) -> str:
    parts = [element.text or ""]
    for child in element:
        if child.tag == "br":
            parts.append(br)
        elif isinstance(child.tag, str) and child.tag not in _SKIPPED_TAGS:
            parts.append(_fragment_text(child, br=br))
        parts.append(child.tail or "")
    return "".join(parts) if br == "\n" else clean_line("".join(parts))
