"""Snippet passages are the ones Whoosh's highlighter would pick, with the same words marked."""

from __future__ import annotations

import pytest
from whoosh import highlight

from newsarchive.engines.whoosh.analysis import analyzer
from newsarchive.text.analysis import stemmed_positions
from newsarchive.text.highlight import Finder, PhraseWords, mark, passages

MAX_CHARS, SURROUND = 100, 40


def _whoosh(text: str, stems: frozenset[bytes]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    """Whoosh's Highlighter.highlight_hit, re-tokenizing branch, down to the chosen fragments."""
    tokens = analyzer()(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = highlight.set_matched_filter(tokens, {stem.decode() for stem in stems})
    tokens = highlight.Highlighter._merge_matched_tokens(tokens)
    fragments = highlight.ContextFragmenter(maxchars=MAX_CHARS, surround=SURROUND).fragment_tokens(text, tokens)
    chosen = highlight.top_fragments(fragments, 2, highlight.BasicFragmentScorer(), highlight.FIRST)
    return [(f.startchar, f.endchar, [(t.startchar, t.endchar) for t in f.matches]) for f in chosen]


def _ours(text: str, stems: frozenset[bytes]) -> list[tuple[int, int, list[tuple[int, int]]]]:
    chosen = passages(text, stems, max_chars=MAX_CHARS, surround=SURROUND, top=2)
    return [(passage.start, passage.end, list(passage.marks)) for passage in chosen]


def _queries(text: str) -> list[frozenset[bytes]]:
    """Word sets a search might bring: common words, the article's own rare and frequent words, none found."""
    counted = sorted(stemmed_positions(text).items(), key=lambda item: (-len(item[1]), item[0]))
    frequent = [stem for stem, _ in counted[:6]]
    rare = [stem for stem, places in counted if len(places) == 1][:6]
    return [
        frozenset({b"year", b"govern"}),
        frozenset(frequent[:1]),
        frozenset(frequent[1:4]),
        frozenset(rare[:2]),
        frozenset({*rare[2:4], *frequent[4:6]}),
        frozenset({b"us", b"the"}),  # stems that are also stop words: those stay unmarked
        frozenset({b"zzzz"}),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul's mayor met Ünal in Düsseldorf; the Straße in İstanbul was closed.",
        "Using the US rules, users use it: us, U.S. and the US-based user.",
        "x" * 150 + " elections and election",  # a word longer than a passage
        "",
    ],
)
def test_hand_written_texts_give_whoosh_passages(text: str) -> None:
    for stems in (frozenset({b"istanbul", "ünal".encode()}), frozenset({b"us", b"user"}), frozenset({b"elect"})):
        assert _ours(text, stems) == _whoosh(text, stems)


def test_marking_wraps_the_words_and_shows_where_the_text_is_cut() -> None:
    text = (
        "The chancellor said on Monday that the budget would cut taxes. Critics said the plan "
        "was unfunded and that the budget office had not seen it. Markets were calm."
    )
    chosen = passages(text, frozenset({b"budget"}), max_chars=60, surround=20, top=2)
    assert mark(text, chosen, "[", "]") == (
        "… on Monday that the [budget] would cut taxes. Critics … and that the [budget] office had not seen …"
    )
    assert mark(text, [], "[", "]") == ""
    # No "…" for punctuation alone left out: a quote mark before, a full stop after.
    text = '"Budget cuts," he said.'
    assert mark(text, passages(text, frozenset({b"budget"}), max_chars=60, surround=20, top=2), "[", "]") == (
        '"[Budget] cuts," he said.'
    )


APART_THEN_TOGETHER = (
    "The minister said the prime concern was money. Another minister spoke of prime rates, and a junior "
    "minister agreed with the prime choice of words. " + "Talks went on through the night in the old hall. " * 3
    + "The prime suspect met the minister, and the minister named a prime witness. " * 2
    + "Talks went on through the night in the old hall. " * 3 + "At dawn the Prime Minister arrived in Geneva to sign the deal."
)


def test_a_phrase_is_marked_where_its_words_stand_together() -> None:
    phrase = PhraseWords((b"prime", b"minist"))
    chosen = passages(APART_THEN_TOGETHER, frozenset(), max_chars=MAX_CHARS, surround=SURROUND, top=2, phrases=[phrase])
    assert mark(APART_THEN_TOGETHER, chosen, "[", "]") == (
        "… the night in the old hall. At dawn the [Prime] [Minister] arrived in Geneva to sign the deal."
    )
    # Stop words take no place: "secretary of state" is the phrase secretari-state; slop lets words between.
    text = "The secretary spoke. The state replied. The Secretary of State left; the secretary, of course, of state."
    for slop, marked in [(1, "[Secretary] of [State] left; the secretary, of course, of state"),
                         (2, "[secretary] spoke. The [state] replied. The [Secretary] of [State] left; the [secretary], of course, of [state]")]:  # fmt: skip
        phrase = PhraseWords((b"secretari", b"state"), slop)
        shown = mark(text, passages(text, frozenset(), max_chars=200, surround=40, top=1, phrases=[phrase]), "[", "]")
        assert marked in shown and shown.count("[") == marked.count("[")


@pytest.mark.parametrize(
    ("text", "stems", "phrases", "found"),
    [
        # Stems that are not the start of their word: y -> i, an "e" put back, "-ble" for "-bility".
        ("Companions of the company.", {b"compani"}, [], "company."),
        ("They hopped, hoping for more.", {b"hope"}, [], "hoping for"),
        ("Its possibility was clear.", {b"possibl"}, [], "possibility"),
        # Word starts as the tokenizer splits: "U.S.Music" is one word; "İ" lower-cases to a plain "i".
        ("The U.S.Music label and music.", {b"music"}, [], "music."),
        ("Ankara, then İstanbul.", {b"istanbul"}, [], "İstanbul."),
        # A phrase where its words stand together, not where they stand apart; stop words take no place.
        ("Music, film and industry; the music industry.", set(), [(b"music", b"industri")], "music industry."),
        ("The Secretary of State left.", set(), [(b"secretari", b"state")], "Secretary of"),
        ("Nothing to find here.", {b"elect"}, [(b"music", b"industri")], None),
    ],
)
def test_the_finder_finds_the_first_real_match(
    text: str, stems: set[bytes], phrases: list[tuple[bytes, ...]], found: str | None
) -> None:
    finder = Finder(frozenset(stems), [PhraseWords(words) for words in phrases])
    assert finder.first(text) == (None if found is None else text.index(found))


# --- texts in other languages -----------------------------------------------------------------------


def _marked_in(text: str, query: str, language: str) -> str:
    from newsarchive.text.languages import forms

    words = forms(language)
    stems = frozenset(words.of(word) for word in query.split())
    finder = Finder(stems, (), words)
    assert finder.first(text) is not None, query
    return mark(text, passages(text, stems, max_chars=MAX_CHARS, surround=SURROUND, top=2, language=words), "[", "]")


@pytest.mark.parametrize(
    ("language", "text", "query", "shown"),
    [
        ("ru", "Стороны продолжили переговоры о прекращении огня.", "переговорами", "продолжили [переговоры] о"),
        ("ru", "Мэрия установила ёлку на Красной площади.", "елка", "установила [ёлку] на"),
        ("uk", "Після тривалих переговорів сторони повернули додому військових.", "переговори", "тривалих [переговорів]"),
        ("de", "Nach den Wahlen in Thüringen beginnen die Gespräche.", "wahl gesprach", "den [Wahlen] in Thüringen beginnen die [Gespräche]"),
        ("pt", "O governo retomou a negociação com os sindicatos.", "negociacao", "a [negociação] com"),
        ("zh", "习近平在北京市会见来访的外国领导人。", "北京 京市", "习近平在[北京市]会见"),
    ],
)  # fmt: skip
def test_the_forms_an_article_writes_are_marked_in_its_language(language: str, text: str, query: str, shown: str) -> None:
    assert shown in _marked_in(text, query, language)
