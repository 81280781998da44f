"""How a snippet marks its matched words, shared by the index (which marks) and the renderer."""

from __future__ import annotations

# Control characters never occur in stored text (decoding strips them), so
# they cannot be confused with the article's own characters.
MATCH_START = "\x01"
MATCH_END = "\x02"


def plain(snippet: str) -> str:
    return snippet.replace(MATCH_START, "").replace(MATCH_END, "")


def bold(snippet: str) -> str:
    """Matched words in bold for an ANSI terminal."""
    return snippet.replace(MATCH_START, "\x1b[1m").replace(MATCH_END, "\x1b[22m")
