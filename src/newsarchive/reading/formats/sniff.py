"""Tell which article format a file is in, from its name and first bytes.

The content decides when it is unambiguous (a ".txt" that starts with
"<!DOCTYPE html" is a web page); otherwise the extension does. Standard
library only: this runs for every file met, before any parser is imported.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib

from newsarchive.reading import FORMATS  # noqa: F401  (one list of formats, re-exported here)

EXTENSIONS: dict[str, str] = {
    ".txt": "text",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".html": "html",
    ".htm": "html",
    ".xhtml": "html",
    ".rss": "feed",
    ".atom": "feed",
    ".xml": "feed",  # only when the content is a feed: most XML files are not
    ".warc": "warc",
    ".warc.gz": "warc",
}

#: How much of a file detect_format needs to see.
HEAD_BYTES = 8192

# Formats files are mistaken for: never articles, whatever their name.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"%PDF-",
    b"PK\x03\x04",
    b"\x7fELF",
    b"\xd0\xcf\x11\xe0",
    b"RIFF",
    b"\x00\x00\x00",
    b"7z\xbc\xaf",
    b"\xfd7zXZ",
)
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf"})
# Markup before the first element: comments, processing instructions, doctype.
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)", re.IGNORECASE | re.DOTALL)
_ELEMENT = re.compile(r"\s*<([A-Za-z][\w:.-]*)")
_JSON_START = re.compile(r'[\[{]\s*(?:["{\[\]}]|$)')
_HTML_DOCTYPE = re.compile(r"<!doctype\s+html", re.IGNORECASE)
# Elements only a web page starts with.
_HTML_ROOTS = frozenset({"html", "head", "body"})


def detect_format(name: str, head: bytes) -> str | None:
    """One of FORMATS for a file called ``name`` whose first bytes are ``head``
    (HEAD_BYTES or the whole file), or None when it is no article format."""
    extension = _extension(name)
    by_name = EXTENSIONS.get(extension)
    by_content = _sniff(head, extension)
    if by_content == "binary":
        return None
    if by_content is not None:
        return by_content
    if extension == ".xml":
        return None
    return by_name


_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(head: bytes) -> bool:
    return head.startswith(_GZIP_MAGIC)


def name_inside_gzip(name: str) -> str:
    """The name a gzip-compressed file had before: "page.html.gz" -> "page.html"."""
    return name[: -len(".gz")] if name.lower().endswith(".gz") else name


def named_format(name: str) -> str | None:
    """The format a file's name claims; ".xml" claims none, as most XML files are no feeds."""
    extension = _extension(name)
    return None if extension == ".xml" else EXTENSIONS.get(extension)


def _extension(name: str) -> str:
    """The extension that says the format: ".warc.gz" whole, else the one under
    ".gz", whether the content is compressed or (as it sometimes is) not."""
    base = re.split(r"[/\\]", name)[-1].lower()
    if base.endswith(".warc.gz"):
        return ".warc.gz"
    base = base.removesuffix(".gz")
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def _sniff(head: bytes, extension: str) -> str | None:
    """The format the content shows unambiguously, "binary", or None if it does not tell."""
    if is_gzip(head):
        start = _gunzip_start(head)
        if start.startswith(b"WARC/") or (not start and extension == ".warc.gz"):
            return "warc"  # (too little of the file to look inside: the name decides)
        return "binary"
    if head.startswith(b"WARC/"):
        return "warc"
    if head.startswith(_BINARY_MAGIC):
        return "binary"
    text = _head_text(head)
    if text is None:
        return "binary"
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        return _sniff_json(stripped, extension)
    if stripped.startswith("<"):
        return _sniff_markup(stripped)
    return None


def _gunzip_start(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return b""


def _head_text(head: bytes) -> str | None:
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace")
    if b"\x00" in head:
        return None
    # The head may end inside a character; legacy encodings keep ASCII markup readable.
    return head.decode("utf-8", errors="replace")


def _sniff_json(text: str, extension: str) -> str | None:
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    whole = _json_value(text)
    if whole is None and not _JSON_START.match(lines[0]):
        return None  # "[Updated] Storm hits coast": text that starts with a bracket
    named = EXTENSIONS.get(extension)
    first = _json_value(lines[0])
    if isinstance(first, dict):
        if len(lines) == 1:
            # One object on one line is both a JSON file and a JSON Lines file.
            return "jsonl" if named == "jsonl" else "json"
        # The head may cut the second line short: an opening brace will do.
        if lines[1].startswith("{"):
            return "jsonl"
    if whole is not None or lines[0].startswith("[") or lines[0] == "{":
        return "json"  # an array, or an object over several lines
    # A first line longer than the head, or a broken one: the name decides.
    return named if named in ("json", "jsonl") else "json"


def _json_value(text: str) -> object | None:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _sniff_markup(text: str) -> str | None:
    if _HTML_DOCTYPE.match(text):
        return "html"
    position = 0
    while (prologue := _PROLOGUE.match(text, position)) is not None and prologue.end() > position:
        if _HTML_DOCTYPE.search(prologue.group()):
            return "html"
        position = prologue.end()
    element = _ELEMENT.match(text, position)
    if element is None:
        return None
    root = element.group(1).lower()
    if root in _FEED_ROOTS:
        return "feed"
    if root in _HTML_ROOTS:
        return "html"
    return None
