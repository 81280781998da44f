"""Text from outside made safe to print, and output that fits the stream it goes to.

Two faults share this module. A file name, title or URL may hold escape
sequences that a terminal obeys (set the window title, clear the screen), or
bytes that are not UTF-8 (surrogate escapes from the file system): whatever
came from outside is shown with those characters escaped (``terminal_safe``).
And a terminal or pipe need not be UTF-8 (``PYTHONIOENCODING=latin-1``, an
old ``LANG``): what it cannot encode gets a stand-in instead of a
``UnicodeEncodeError`` (``fallback_streams``, ``fit_stream``).
"""

from __future__ import annotations

import codecs
import functools
import os
import re
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import IO, Any

TEXT_FALLBACK = "newsarchive-text"
JSON_FALLBACK = "newsarchive-json"

# C0 and C1 controls, DEL, lone surrogates (a file name's bytes that are not UTF-8), and
# the bidirectional controls, which make a name or title read as another ("exe.txt" shown
# for "txt.exe"): U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069.
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = "\x00-\x1f\x7f-\x9f\ud800-\udfff" + _BIDI
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Stand-ins for the non-ASCII characters our own output uses, and common typography.
_STAND_INS = {
    "…": "...", "█": "#", "▓": "%", "▒": "+", "░": ":", "–": "-", "—": "-", "‘": "'", "’": "'",
    "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "•": "*", "·": ".", "×": "x", "\u00a0": " ",
}


def escape_char(char: str) -> str:
    """How one unsafe character is shown: ``\\x1b``, ``\\n``, and a non-UTF-8 byte as ``\\xff``."""
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape: the byte the name really has
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


@functools.lru_cache(maxsize=8)
def _unsafe(keep: str) -> re.Pattern[str]:
    # A carriage return alone moves the cursor back over what was printed: kept only as CRLF.
    kept = keep.replace("\r", "")
    guards = ("(?!\r\n)" if "\r" in keep else "") + (f"(?![{re.escape(kept)}])" if kept else "")
    return re.compile(f"{guards}[{_UNSAFE}]")


def terminal_safe(text: str, keep: str = "") -> str:
    """``text`` with every control character and lone surrogate escaped, except those in ``keep``.

    A ``"\\r"`` in ``keep`` keeps it only where it ends a line (CSV's CRLF).
    Text for people and CSV: JSON escapes its own way (``json_safe``).
    """
    return _unsafe(keep).sub(lambda match: escape_char(match.group()), text)


_JSON_UNSAFE = re.compile(f"[\x7f-\x9f\ud800-\udfff{_BIDI}]")


def json_safe(json_text: str) -> str:
    """JSON text with DEL, C1 controls, lone surrogates and bidi controls as ``\\uXXXX`` escapes.

    ``json.dumps`` escapes C0 controls itself but leaves these raw, and a
    terminal obeys C1 controls too. Outside strings JSON is ASCII, so every
    such character is inside a string, where the escape means the same.
    """
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", json_text)


def _stand_in(char: str, encoding: str) -> str:
    if char in _STAND_INS:
        return _STAND_INS[char]
    code = ord(char)
    if 0xD800 <= code <= 0xDFFF:
        return escape_char(char)
    # é on an ASCII stream is e: the letter without its accent, when the stream has it.
    base = "".join(part for part in unicodedata.normalize("NFKD", char) if not unicodedata.combining(part))
    if base and base != char and encodes(base, encoding):
        return base
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def encodes(text: str, encoding: str = "utf-8") -> bool:
    """Whether ``text`` can be written in ``encoding``; in UTF-8, False only for lone surrogates
    (the bytes of a name or argument that are not UTF-8)."""
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return False
    return True


def _text_fallback(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    stand_ins = (_stand_in(char, error.encoding) for char in error.object[error.start : error.end])
    return "".join(stand_ins), error.end


def _json_fallback(error: UnicodeError) -> tuple[str, int]:
    """A character the stream cannot encode, as JSON's escape: valid JSON on any ASCII-based stream."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start : error.end].encode("utf-16-be", "surrogatepass")
    escapes = (f"\\u{int.from_bytes(units[at : at + 2], 'big'):04x}" for at in range(0, len(units), 2))
    return "".join(escapes), error.end


codecs.register_error(TEXT_FALLBACK, _text_fallback)
codecs.register_error(JSON_FALLBACK, _json_fallback)


def wants_color(stream: IO[str] | None) -> bool:
    """Bold only on a terminal that shows it, and not when the user said NO_COLOR (no-color.org).

    ``stream`` is None when the command was started with it closed (``>&-``).
    """
    if not is_terminal(stream):
        return False
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def is_terminal(stream: IO[str] | None) -> bool:
    """Whether ``stream`` is a terminal; None (started with it closed, ``>&-``) is not."""
    return stream is not None and stream.isatty()


@contextmanager
def fallback_streams() -> Iterator[None]:
    """While inside, stdout and stderr print a stand-in for what their encoding lacks.

    Covers every line printed, Click's own messages included; JSON, where a
    stand-in would not be valid, is fitted beforehand (``fit_stream``).
    """
    changed: list[tuple[Any, Any]] = []
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure") and getattr(stream, "errors", None) != TEXT_FALLBACK:
            changed.append((stream, stream.errors))
            stream.reconfigure(errors=TEXT_FALLBACK)
    try:
        yield
    finally:
        for stream, errors in changed:
            with suppress(OSError, ValueError):  # (closed, or the disk it writes to is full)
                stream.reconfigure(errors=errors)


def fit_stream(text: str, stream: IO[str] | None = None, *, json: bool = False) -> str:
    """``text`` as ``stream`` (default stdout) can encode it; JSON gets ``\\uXXXX`` escapes."""
    encoding = getattr(stream or sys.stdout, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        return text.encode(encoding, JSON_FALLBACK if json else TEXT_FALLBACK).decode(encoding)
    except LookupError:
        pass
    return text
