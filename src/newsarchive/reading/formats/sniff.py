"""Tell which article format a file is in, from its name and first bytes.

The content decides when it is unambiguous (a ".txt" that starts with
"<!DOCTYPE html" is a web page); otherwise the extension does. What names
and what content show which format is each format's entry in ``registry``.
Standard library only: this runs for every file met, before any parser is imported.
"""

from __future__ import annotations

import codecs
import json
import re
import zlib

from newsarchive.reading import FORMATS  # noqa: F401  (one list of formats, re-exported here)
from newsarchive.reading.formats.registry import Format, formats


def extensions() -> dict[str, str]:
    """The format each suffix names, weak ones (".xml") included."""
    return {suffix: entry.name for entry in formats() for suffix in (*entry.suffixes, *entry.weak_suffixes)}


#: The formats' suffixes when this module was loaded (``extensions()`` reads the registry now).
EXTENSIONS: dict[str, str] = extensions()

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
# Markup before the first element: comments, processing instructions, doctype.
_PROLOGUE = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!doctype[^>]*>)", re.IGNORECASE | re.DOTALL)
_ELEMENT = re.compile(r"\s*<([A-Za-z][\w:.-]*)")
_JSON_START = re.compile(r'[\[{]\s*(?:["{\[\]}]|$)')
_HTML_DOCTYPE = re.compile(r"<!doctype\s+html", re.IGNORECASE)


def detect_format(name: str, head: bytes) -> str | None:
    """One of FORMATS for a file called ``name`` whose first bytes are ``head``
    (HEAD_BYTES or the whole file), or None when it is no article format."""
    extension = _extension(name)
    by_content = _sniff(head, extension)
    if by_content == "binary":
        return None
    if by_content is not None:
        return by_content
    return named_format(name)


_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(head: bytes) -> bool:
    return head.startswith(_GZIP_MAGIC)


def name_inside_gzip(name: str) -> str:
    """The name a gzip-compressed file had before: "page.html.gz" -> "page.html"."""
    return name[: -len(".gz")] if name.lower().endswith(".gz") else name


def named_format(name: str) -> str | None:
    """The format a file's name claims; a weak suffix (".xml") claims none, as most XML files are no feeds."""
    entry = _claimed(_extension(name))
    return entry.name if entry is not None else None


def _claimed(extension: str, *, weak: bool = False) -> Format | None:
    """The format whose suffixes (with ``weak``, also its weak ones) include ``extension``."""
    for entry in formats():
        if extension in entry.suffixes or (weak and extension in entry.weak_suffixes):
            return entry
    return None


def _extension(name: str) -> str:
    """The extension that says the format: a registered one with a dot inside
    (".warc.gz") whole, else the one under ".gz", whether the content is
    compressed or (as it sometimes is) not."""
    base = re.split(r"[/\\]", name)[-1].lower()
    for entry in formats():
        for suffix in (*entry.suffixes, *entry.weak_suffixes):
            if suffix.count(".") > 1 and base.endswith(suffix):
                return suffix
    base = base.removesuffix(".gz")
    dot = base.rfind(".")
    return base[dot:] if dot > 0 else ""


def _sniff(head: bytes, extension: str) -> str | None:
    """The format the content shows unambiguously, "binary", or None if it does not tell."""
    if is_gzip(head):
        # Only a format that reads gzip itself is told inside it; any other
        # compressed file is decompressed and its inside sniffed (``files``).
        start = _gunzip_start(head)
        for entry in formats():
            if entry.reads_gzip and start.startswith(entry.magic):
                return entry.name
        named = _claimed(extension)
        if not start and extension.endswith(".gz") and named is not None and named.reads_gzip:
            return named.name  # (too little of the file to look inside: the name decides)
        return "binary"
    for entry in formats():
        if head.startswith(entry.magic):
            return entry.name
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
    named = _claimed(extension, weak=True)
    named_layout = named.json if named is not None else None
    first = _json_value(lines[0])
    if isinstance(first, dict):
        if len(lines) == 1:
            # One object on one line is both a JSON file and a JSON Lines file.
            return _laid_out("lines" if named_layout == "lines" else "document")
        # The head may cut the second line short: an opening brace will do.
        if lines[1].startswith("{"):
            return _laid_out("lines")
    if whole is not None or lines[0].startswith("[") or lines[0] == "{":
        return _laid_out("document")  # an array, or an object over several lines
    # A first line longer than the head, or a broken one: the name decides.
    return _laid_out(named_layout or "document")


def _laid_out(layout: str) -> str | None:
    """The format of JSON laid out as one ``"document"`` or as ``"lines"``."""
    return next((entry.name for entry in formats() if entry.json == layout), None)


def _json_value(text: str) -> object | None:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _sniff_markup(text: str) -> str | None:
    if _HTML_DOCTYPE.match(text):
        return _rooted("html")
    position = 0
    while (prologue := _PROLOGUE.match(text, position)) is not None and prologue.end() > position:
        if _HTML_DOCTYPE.search(prologue.group()):
            return _rooted("html")
        position = prologue.end()
    element = _ELEMENT.match(text, position)
    if element is None:
        return None
    return _rooted(element.group(1).lower())


def _rooted(root: str) -> str | None:
    """The format of a markup document whose first element is ``root``."""
    return next((entry.name for entry in formats() if root in entry.roots), None)
