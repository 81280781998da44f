"""The Unicode ranges of the writing systems newsarchive treats specially, as regular-expression
character-class bodies (``re.compile(f"[{HAN}]")``).

One place for them, so that reading (how long a text is, which language it is in) and
searching (which text is cut into pairs of characters) agree on what a Chinese,
Japanese or Korean character is. Standard library only: anything may import it.
"""

from __future__ import annotations

#: Latin letters: ASCII's, and those with accents of Latin-1, Latin Extended-A and -B and Latin Extended Additional.
LATIN = "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff"
#: Arabic, with its supplement (Persian, Urdu).
ARABIC = "\u0600-\u06ff\u0750-\u077f"
#: Hebrew (and Yiddish).
HEBREW = "\u0590-\u05ff"
#: Cyrillic, with its supplement (letters of the languages of Russia's republics, Abkhaz...).
CYRILLIC = "\u0400-\u052f"
#: Greek, with its extended block (polytonic accents).
GREEK = "\u0370-\u03ff\u1f00-\u1fff"
#: Han ideographs: CJK Unified Ideographs, Extension A, the compatibility ideographs, and
#: Extensions B to H (the supplementary planes, U+20000 to U+3134F).
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
#: Japanese kana: hiragana and katakana, the katakana phonetic extensions (small ㇰ to ㇿ),
#: and half-width katakana.
KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
#: Hangul syllables, the form in which Korean is written (NFC composes jamo into them).
HANGUL_SYLLABLES = "\uac00-\ud7af"
#: All of Hangul: its syllables, and the jamo (letters) alone or in their compatibility block.
HANGUL = "\u1100-\u11ff\u3130-\u318f" + HANGUL_SYLLABLES
#: Chinese, Japanese and Korean: Han, kana and Hangul syllables, whose characters are words
#: or parts of words with no space between them (searching cuts them into pairs).
CJK = HAN + KANA + HANGUL_SYLLABLES
#: Other scripts written without spaces between words: Thai and Lao, Myanmar, Khmer.
SOUTHEAST_ASIAN = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
#: Every script written without spaces between words (and Korean syllables, each about a word's
#: worth of letters): in them each character counts as a word when a text's length is judged.
UNSPACED = CJK + SOUTHEAST_ASIAN
