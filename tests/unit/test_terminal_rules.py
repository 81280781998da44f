"""Terminal safety rules: what reaches a terminal, a pipe or a JSON reader, without an archive."""

from __future__ import annotations

import io
import json
import os

import pytest

from newsarchive.engines.whoosh.reader import Hit
from newsarchive.render import data, terminal
from newsarchive.render import text as render

# A name that sets the window title, clears the screen and (C1 CSI) colours the rest red.
HOSTILE = "\x1b]0;pwned\x07\x1b[2J\x9b31m"
HOSTILE_SHOWN = "\\x1b]0;pwned\\x07\\x1b[2J\\x9b31m"


def test_terminal_safe_escapes_controls_and_bytes_that_are_not_utf8() -> None:
    name = os.fsdecode(b"bad\xff\x1b[2J\x7f\tx.txt")
    assert terminal.terminal_safe(name) == "bad\\xff\\x1b[2J\\x7f\\tx.txt"
    assert terminal.terminal_safe("one\ntwo\x1b", keep="\n") == "one\ntwo\\x1b"
    assert terminal.terminal_safe("a,b\r\nc\rd\n", keep="\r\n") == "a,b\r\nc\\rd\n"
    assert terminal.terminal_safe("Кремль’s “talks” …") == "Кремль’s “talks” …"


def test_our_own_bold_survives_while_theirs_is_escaped() -> None:
    snippet = "a \x01Kursk\x02 " + HOSTILE
    assert render.format_snippet(snippet, color=True) == "a \x1b[1mKursk\x1b[22m " + HOSTILE_SHOWN
    hit = Hit(id="0123456789", title="Title " + HOSTILE, published=None, precision=None, source=None,
              score=1.0, snippet="")
    (line, _blank) = render._hit_lines([hit], color=True)
    assert line == "0123456789  undated  \x1b[1mTitle " + HOSTILE_SHOWN + "\x1b[0m"


def test_bold_only_on_a_terminal_that_wants_it(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert terminal.wants_color(Terminal()) and not terminal.wants_color(io.StringIO())
    monkeypatch.setenv("TERM", "dumb")
    assert not terminal.wants_color(Terminal())
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("NO_COLOR", "1")
    assert not terminal.wants_color(Terminal())


def test_a_stream_that_lacks_a_character_gets_a_stand_in() -> None:
    assert "… – “é” Кр 😀".encode("latin-1", terminal.TEXT_FALLBACK) == '... - "é" \\u041a\\u0440 \\U0001f600'.encode("latin-1")
    assert "résumé".encode("ascii", terminal.TEXT_FALLBACK) == b"resume"


def test_json_stays_valid_json_on_any_stream() -> None:
    value = {"title": "Кремль … 😀 é", "files": [os.fsdecode(b"bad\xff.txt")], "url": "http://x/\x9b\x7f"}
    text = data.to_json(value)
    assert "\x9b" not in text and "\x7f" not in text
    for encoding in ("latin-1", "ascii", "utf-8"):
        fitted = text.encode(encoding, terminal.JSON_FALLBACK).decode(encoding)
        assert json.loads(fitted) == value, encoding
