"""The Unicode ranges of the scripts treated specially are one set, which reading and searching share."""

from __future__ import annotations

import re

from newsarchive import scripts
from newsarchive.reading.draft import word_count
from newsarchive.reading.neardup import MIN_WORDS, sketch


def members(ranges: str) -> set[str]:
    """Every character a character-class body of ranges holds."""
    pattern = re.compile(f"[{ranges}]")
    return {chr(code) for code in range(0x110000) if pattern.match(chr(code))}


def test_the_sets_hold_what_their_names_say() -> None:
    assert {"漢", "𠀀", "丽"} <= members(scripts.HAN)  # (Extension B and a compatibility ideograph too)
    assert {"か", "カ", "ㇰ", "ｶ"} <= members(scripts.KANA)  # (small and half-width katakana too)
    assert {"한", "ᄒ", "ㅎ"} <= members(scripts.HANGUL)
    assert "ᄒ" not in members(scripts.CJK)  # (a jamo alone is not a syllable)
    assert {"ไ", "ກ", "က", "ក"} <= members(scripts.UNSPACED) - members(scripts.CJK)
    assert not members(scripts.UNSPACED) & set("abc абв αβγ 123 ,.、。")


def test_each_character_of_an_unspaced_script_is_a_word_however_it_is_written() -> None:
    assert word_count("ﾄｳｷｮｳ ㇰㇱ 東京 news") == 5 + 2 + 2 + 1  # (half-width and small katakana as well)
    assert sketch("ﾄｳｷｮｳﾃﾞﾝﾘｮｸ" * MIN_WORDS) is not None  # (long enough to compare, as in full width)
