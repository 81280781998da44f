"""A hit's snippet: the best passages of its text around the query's words, marked, as every engine shows it.

An engine says which of its terms and phrases the query sought in each text
field (``marking``); the snippet is then made from the article's stored text
alone, each article read in its language, only for the hits shown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from newsarchive.engines.snippets import MATCH_END, MATCH_START
from newsarchive.text.highlight import Finder, PhraseWords, mark, passages
from newsarchive.text.languages import analysis_of, forms

SNIPPET_CHARS = 200
# The part of a text analysed for a snippet: from a little before the first
# match, long enough for two fragments.
WINDOW_BEFORE = 50
WINDOW_CHARS = 500
#: The fields a snippet is taken from, the first with a match.
SNIPPET_FIELDS = ("body", "description")

#: The finder of the query's words in a field (a name of ``SNIPPET_FIELDS``) of an article of an analysis.
Marking = Callable[[str, str], Finder]
#: Per field of ``SNIPPET_FIELDS``: the query's terms found in it, and its phrases.
SoughtWords = Mapping[str, tuple[frozenset[bytes], tuple[PhraseWords, ...]]]


def marking(words: SoughtWords) -> Marking:
    """The finder of ``words`` in each field, as each analysis (``languages.analysis_of``) reads a text."""

    @cache
    def finder(name: str, analysis: str) -> Finder:
        return Finder(*words[name], forms(analysis))

    return finder


def snippet(fields: Mapping[str, Any], words: Marking) -> str:
    """The best passages around the first match in the body, else in the description; else the lede.
    ``fields``: the article's ``body``, ``description`` and ``lang``.

    Only a window around the first match is analysed, however long the text.
    """
    analysis = analysis_of(fields.get("lang"))
    for name in SNIPPET_FIELDS:
        text = fields.get(name) or ""
        finder = words(name, analysis)
        found = finder.first(text) if text and finder else None
        if found is None:
            continue  # (the query matched in another field)
        start, window = _window(text, found)
        marked = _marked(window, finder)
        if marked:
            marked = " ".join(marked.split())
            if start and not marked.startswith("…"):
                marked = "… " + marked
            if start + len(window) < len(text.rstrip()) and not marked.endswith("…"):
                marked += " …"
            return marked
    lead = fields.get("description") or fields.get("body") or ""
    lead = " ".join(lead.split())
    return lead if len(lead) <= SNIPPET_CHARS else lead[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"


def _marked(text: str, words: Finder) -> str:
    """The best two passages of ``text`` with the query's words marked; empty if none is there."""
    chosen = passages(
        text, words.stems, max_chars=SNIPPET_CHARS // 2, surround=40, top=2, phrases=words.phrases,
        language=words.language,
    )  # fmt: skip
    return mark(text, chosen, MATCH_START, MATCH_END)


def _cut(text: str, length: int) -> str:
    """At most ``length`` characters of ``text``, ending at a word's end."""
    if len(text) <= length:
        return text
    cut = text[:length]
    space = cut.rfind(" ")
    return cut[:space] if space > 0 else cut


def _window(text: str, found: int) -> tuple[int, str]:
    """Where in ``text`` to look for a snippet: from a word or so before the match ``found`` there."""
    start = max(0, found - WINDOW_BEFORE)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < found else found
    return start, _cut(text[start : start + WINDOW_CHARS + 1], WINDOW_CHARS)
