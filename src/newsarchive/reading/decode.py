"""Turn the bytes of an article file into clean text, or say why we cannot.

Order of the checks: empty file, known binary signatures, byte order marks,
NUL and control bytes, UTF-8 (also when cut short at the very end), and last
a legacy 8-bit encoding chosen from a short list of plausible ones.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace

import charset_normalizer

from newsarchive.errors import UnreadableFile


@dataclass(frozen=True)
class DecodedText:
    """Text decoded from a file: ``encoding`` is the codec used (Python's name);
    ``note`` says why, when it is not the one the document declared."""

    text: str
    encoding: str
    warnings: tuple[str, ...] = ()
    note: str | None = None


def decode_text(data: bytes) -> DecodedText:
    """Decode an article file's bytes, normalise line ends, NFC and control characters.

    Raises UnreadableFile("empty file" / "binary file (...)" / "unknown text encoding").
    """
    return _decode(data)


def decode_unnormalised(data: bytes) -> DecodedText:
    """``decode_text`` without ``normalise_text``: the text as the file has it.

    For formats whose syntax the normalisation could break, which normalise each
    field they read instead: in JSON a U+2028 inside a string would become a line
    break, which JSON refuses there.
    """
    raw = _decode_raw(data)
    return DecodedText(raw.text, raw.encoding, raw.warnings)


def _decode(data: bytes, utf8: _Raw | None = None) -> DecodedText:
    """``decode_text``; ``utf8`` is the bytes already decoded as UTF-8 by the caller, used instead of decoding them again."""
    raw = _decode_raw(data, utf8)
    return DecodedText(normalise_text(raw.text), raw.encoding, raw.warnings)


def _decode_raw(data: bytes, utf8: _Raw | None = None) -> _Raw:
    if not data:
        raise UnreadableFile("empty file")
    kind = _binary_signature(data)
    if kind is not None:
        raise UnreadableFile(f"binary file ({kind})")
    decoded = _decode_with_bom(data)
    if decoded is None:
        _reject_binary(data)
        decoded = utf8 or _decode_utf8(data, "utf-8", allow_lone_lead_byte=False)
    if decoded is None:
        return _decode_legacy(data)
    return _repaired_mojibake(decoded) or decoded


#: Accented Latin-1 letters: nearly all the letters of 8-bit Cyrillic (or Greek...) text read as Latin-1.
_LATIN1_LETTERS = re.compile(r"[\u00c0-\u00ff]")
#: Below this share of a text's first characters, accented letters are a Western language's own.
_MOJIBAKE_SHARE = 0.3
#: Fewer different accented letters than this are a name or two, not a text read in the wrong code page.
_MOJIBAKE_LETTERS = 10
#: Nor is a text with fewer words of accented letters alone than this.
_MOJIBAKE_WORDS = 3
_LATIN1_WORD = re.compile(r"(?<![^\W\d_])[\u00c0-\u00ff]{3,}(?![^\W\d_])")
#: The code pages an 8-bit text is wrongly read in before being saved as UTF-8.
_WRONG_READINGS = ("cp1252", "latin-1")


def _repaired_mojibake(decoded: _Raw) -> _Raw | None:
    """Unicode text that is 8-bit text once read in the wrong code page ("Ìîñêâà" for "Москва" in cp1251),
    read again in the code page that makes sense of it, with a warning (the warning alone when none does);
    None when it is no such text."""
    head = decoded.text[:4096]
    accented = _LATIN1_LETTERS.findall(head)
    if (
        len(set(accented)) < _MOJIBAKE_LETTERS  # (a language's worth of letters, not a name or a run of one)
        or len(accented) <= _MOJIBAKE_SHARE * len(head)
        or len(_LATIN1_WORD.findall(head)) < _MOJIBAKE_WORDS
        or oddness(head) <= _MAX_ODDNESS
    ):
        return None
    for wrong in _WRONG_READINGS:
        try:
            data = decoded.text.encode(wrong)
        except UnicodeEncodeError:
            continue
        readings = _legacy_readings(data)
        scores = {encoding: oddness(text[:4096]) for encoding, text in readings.items()}
        if scores and min(scores.values()) <= _MAX_REPAIRED_ODDNESS:
            encoding = min(scores, key=lambda name: scores[name])
            warning = (
                f"mis-encoded text: {encoding} text once read as {wrong} and saved as {decoded.encoding}; "
                f"read as {encoding}"
            )
            return _Raw(readings[encoding], encoding, (*decoded.warnings, warning))
    warning = "mis-encoded text: its words are accented Latin letters, as 8-bit text read in the wrong code page"
    return _Raw(decoded.text, decoded.encoding, (*decoded.warnings, warning))


#: A repaired reading must be about as plausible as text gets.
_MAX_REPAIRED_ODDNESS = 0.05


# Leading bytes of formats people drop into folders by mistake. Checked first
# because some (a short PDF, a PNG header) could pass the control-byte test.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"\x1f\x8b", "gzip data"),
    (b"PK\x03\x04", "zip archive"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE document"),
)


def _binary_signature(data: bytes) -> str | None:
    for magic, kind in _SIGNATURES:
        if data.startswith(magic):
            # "BZh" is also how an English word can start; bzip2 follows it with
            # a block size digit and the block magic.
            if magic == b"BZh" and not re.match(rb"BZh[1-9]1AY&SY", data):
                continue
            return kind
    return None


# UTF-32 marks first: the UTF-32-LE mark begins with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True)
class _Raw:
    text: str
    encoding: str
    warnings: tuple[str, ...] = ()


def _decode_with_bom(data: bytes) -> _Raw | None:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            codec = "utf-8" if encoding == "utf-8-sig" else encoding
            decoded = _decode_utf8(body, codec, allow_lone_lead_byte=True)
            if decoded is None:
                raise UnreadableFile(f"invalid {codec.upper()} after a byte order mark")
            return _Raw(decoded.text, encoding, decoded.warnings)
    return None


# Control bytes that plain text does not contain; TAB, LF, VT, FF, CR and ESC
# (ANSI colour codes) are left out. Random or compressed bytes are ~10% these;
# a few stray ones in a text file are removed later instead.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r\x1b")
_MAX_CONTROL_SHARE = 0.02
_MAX_STRAY_CONTROLS = 3


def _reject_binary(data: bytes) -> None:
    if b"\x00" in data:
        raise UnreadableFile("binary file (NUL bytes)")
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > _MAX_STRAY_CONTROLS and controls > _MAX_CONTROL_SHARE * len(data):
        raise UnreadableFile("binary file (control bytes)")


def _decode_utf8(data: bytes, codec: str, *, allow_lone_lead_byte: bool) -> _Raw | None:
    """Strict decode; a character cut off by the end of the file is dropped with a warning.

    A single lead byte at the very end of an otherwise-ASCII file is more likely
    a legacy letter ("caf\\xe9") than a cut-off UTF-8 character, so without other
    multi-byte UTF-8 before it (or a BOM) we let the caller try legacy encodings.
    """
    try:
        return _Raw(data.decode(codec), codec)
    except UnicodeDecodeError as error:
        cut_short = error.reason in {"unexpected end of data", "truncated data"}
        if not cut_short or error.end != len(data):
            return None
        head, tail = data[: error.start], data[error.start :]
        if codec == "utf-8" and not allow_lone_lead_byte and len(tail) == 1 and head.isascii():
            return None
        try:
            text = head.decode(codec)
        except UnicodeDecodeError:
            return None
        name = codec.upper().removesuffix("-LE").removesuffix("-BE")
        return _Raw(text, codec, (f"truncated {name} sequence at end of file",))


# -- legacy 8-bit encodings ---------------------------------------------------

# Only single-byte encodings that news text plausibly comes in. Every byte
# string decodes in most of them, so the choice is made by judging the text
# each one produces. The order breaks ties: Windows code pages are far more
# common than their ISO cousins. mac_cyrillic is left out on purpose: Greek
# and Arabic text read as mac_cyrillic looks like plausible Cyrillic, and
# without it such files are refused rather than garbled.
LEGACY_CANDIDATES: tuple[str, ...] = (
    "cp1252",
    "cp1251",
    "koi8_r",
    "cp1250",
    "iso8859_15",
    "iso8859_2",
    "cp866",
    "iso8859_5",
)

# Above this share of suspicious characters among the non-ASCII ones, no
# candidate is believed.
_MAX_ODDNESS = 0.5

# Typographic characters real text is full of; any other non-letter outside
# ASCII (box drawing, C1 controls, ¤ ¦ ¨ ¸ ...) is suspicious.
_TEXT_SYMBOLS = frozenset("\u00a0\u00ad“”‘’‚„«»‹›–—…•·€£¥¢§¶°©®™±×÷½¼¾²³¡¿№‰†µ")
# Of those, the ones that never touch a letter: "£15", not "Ј15" or "дл€".
_DETACHED_SYMBOLS = frozenset("€£¥¢№§±×÷½¼¾‰•")
# Symbols that may sit between two letters of one word: apostrophes, NBSP after
# a one-letter preposition, soft hyphen, Catalan l·l.
_WORD_INTERNAL = frozenset("’‘·\u00a0\u00ad")

# The non-ASCII letters of the languages these code pages serve (é is in all:
# loanwords). A wrong code page turns letters into ones that no single language
# uses together: Czech read as cp1252 mixes š with ø and è.
_ALPHABETS: tuple[frozenset[str], ...] = tuple(
    frozenset(letters + "é")
    for letters in (
        "àâçèêëîïôœùûüÿ",  # French (æ only in "ex æquo")
        "äöüß",  # German
        "áíñóúü",  # Spanish
        "áâãàçêíóôõú",  # Portuguese
        "àèìíîòóùú",  # Italian
        "àçèíïòóúü",  # Catalan
        "áèëïóöüú",  # Dutch
        "æøåäö",  # Scandinavian
        "áðíóúýþæö",  # Icelandic
        "ąćęłńóśźż",  # Polish
        "áčďěíňóřšťúůýž",  # Czech
        "áäčďíĺľňóôŕšťúýž",  # Slovak
        "áíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian, Slovene, Bosnian
        "ăâîșțşţ",  # Romanian
        "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",  # Russian
        "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",  # Ukrainian
        "абвгдеёжзійклмнопрстуўфхцчшыьэюя",  # Belarusian
        "абвгдђежзијклљмнњопрстћуфхцчџш",  # Serbian
        "абвгдѓежзѕијклљмнњопрстќуфхцчџш",  # Macedonian
    )
)

# One-letter words that exist (any case): French/Portuguese à, Italian è,
# Portuguese é, Hungarian ő, Scandinavian å/ø/ö, Icelandic á/í/ó/ú, and the
# Russian/Ukrainian prepositions and conjunctions. Any other lone accented
# letter, like the "č" of Italian "non è" read as cp1250, is a bad sign.
_ONE_LETTER_WORDS = frozenset("àèéóőåøöáíúвскуиоаяійз")

_WORD = re.compile(r"[^\W\d_]+")


def _legacy_readings(data: bytes) -> dict[str, str]:
    """The different texts the legacy candidates make of ``data``, by encoding."""
    texts: dict[str, str] = {}
    for encoding in LEGACY_CANDIDATES:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Identical results need no choosing: keep the preferred encoding's name.
        if text not in texts.values():
            texts[encoding] = text
    return texts


def _decode_legacy(data: bytes) -> _Raw:
    texts = _legacy_readings(data)
    scores = {encoding: oddness(text) for encoding, text in texts.items()}
    if not scores or min(scores.values()) > _MAX_ODDNESS:
        cjk = _decode_cjk(data)
        if cjk is None:
            raise UnreadableFile("unknown text encoding")
        return cjk
    best = min(scores.values())
    tied = [encoding for encoding, score in scores.items() if score - best < 1e-9]
    encoding = tied[0] if len(tied) == 1 else _break_tie(data, tied)
    # Not a warning: a legacy encoding is normal for older collections; the
    # encoding itself tells the caller (``archive ingest -v`` names it).
    return _Raw(texts[encoding], encoding)


def oddness(text: str) -> float:
    """How implausible the non-ASCII part of ``text`` is: 0 is fine, 1 is all wrong.

    It is the share of non-ASCII characters that look like a wrong decoding:
    symbols real text does not use or in places it does not use them, letters
    glued to digits, words mixing scripts or with impossible letter case, long
    words made only of accented Latin letters (Cyrillic read as Latin-1),
    letters that no single language uses together, and Cyrillic letters in a
    mostly English text.
    """
    non_ascii = sum(1 for c in text if ord(c) > 127)
    if not non_ascii:
        return 0.0
    odd: float = _odd_characters(text)
    odd += sum(_odd_letters_in_word(m.group()) for m in _WORD.finditer(text))
    # Half weight: names from other languages ("Peñasco" in French) are normal.
    odd += _letters_outside_one_alphabet(text) / 2
    cyrillic = sum(1 for c in text if "\u0400" <= c <= "\u04ff")
    ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    if 4 * cyrillic < ascii_letters:
        odd += cyrillic
    return min(1.0, odd / non_ascii)


def _odd_characters(text: str) -> int:
    odd = 0
    for i, c in enumerate(text):
        if ord(c) <= 127:
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if c.isalpha():
            odd += before.isdigit() or after.isdigit()
        elif c not in _TEXT_SYMBOLS:
            odd += 1
        elif c in _DETACHED_SYMBOLS:
            odd += before.isalpha() or after.isalpha()
        elif c not in _WORD_INTERNAL:
            odd += before.isalpha() and after.isalpha()
    return odd


def _odd_letters_in_word(word: str) -> int:
    foreign = sum(1 for c in word if not c.isascii())
    if not foreign:
        return 0
    if len({_script(c) for c in word}) > 1:
        return foreign
    if not (word.islower() or word.isupper() or word.istitle()):
        return foreign
    if len(word) >= 3 and foreign == len(word) and _script(word[0]) == "LATIN":
        return foreign
    if len(word) == 1 and word.lower() not in _ONE_LETTER_WORDS:
        return 1
    return 0


def _letters_outside_one_alphabet(text: str) -> int:
    letters = Counter(c for c in text.lower() if not c.isascii() and c.isalpha())
    if not letters:
        return 0
    fitting = max(sum(n for c, n in letters.items() if c in alphabet) for alphabet in _ALPHABETS)
    return letters.total() - fitting


def _script(letter: str) -> str:
    return unicodedata.name(letter, "UNKNOWN").split(" ")[0]


# How much better charset-normalizer's coherence must rate an encoding before
# it overrides the order of LEGACY_CANDIDATES. On short texts its scores are
# noisy (it prefers cp1250 for "non č possibile"); above this margin it was
# right 56 times out of 58 in our trials with translated UI strings.
_COHERENCE_MARGIN = 0.15


def _break_tie(data: bytes, tied: list[str]) -> str:
    """Among equally plausible encodings, prefer the one whose letters fit a language.

    charset-normalizer's coherence compares letter frequencies with those of
    real languages (long Czech text read as cp1252 has too many è and ø).
    """
    coherence = dict.fromkeys(tied, 0.0)
    by_name = {codecs.lookup(encoding).name: encoding for encoding in tied}
    for match in charset_normalizer.from_bytes(data, cp_isolation=tied):
        encoding = by_name.get(codecs.lookup(match.encoding).name)
        if encoding is not None:
            coherence[encoding] = max(coherence[encoding], match.coherence)
    preferred = tied[0]
    challenger = max(tied, key=lambda encoding: coherence[encoding])
    if coherence[challenger] - coherence[preferred] >= _COHERENCE_MARGIN:
        return challenger
    return preferred


# Multi-byte legacy encodings of Chinese, Japanese and Korean news. Tried only
# when no 8-bit encoding makes sense of the bytes (their text read as 8-bit is
# all odd), so the Western and Cyrillic choices above never change.
CJK_CANDIDATES: tuple[str, ...] = ("gb18030", "big5", "shift_jis", "cp932", "euc_jp", "euc_kr", "cp949")
# charset-normalizer's "chaos" of a decoding: 0 reads as real text.
_MAX_CHAOS = 0.1


def _decode_cjk(data: bytes) -> _Raw | None:
    match = charset_normalizer.from_bytes(data, cp_isolation=list(CJK_CANDIDATES)).best()
    if match is None or match.chaos > _MAX_CHAOS:
        return None
    encoding = codecs.lookup(match.encoding).name
    return _Raw(data.decode(encoding), encoding)


def decode_declared(data: bytes, codec: str | None, label: str | None = None) -> DecodedText:
    """Decode markup whose encoding the document or its server declares.

    ``codec`` is the declared encoding as a Python codec name (None: nothing
    declared), ``label`` as it was written. A declaration is believed unless
    the bytes say otherwise: non-ASCII bytes that are valid UTF-8 are UTF-8
    (a page saved as UTF-8 keeps its old "iso-8859-1" meta tag), and an 8-bit
    declaration under which the text makes no sense gives way to what
    charset-normalizer finds plausible. Without a declaration, or when the
    declared codec cannot decode the bytes, decode_text judges them.
    """
    said = label or codec
    if codec is None:
        return decode_text(data)
    utf8 = None if codec == "utf-8" or data.isascii() else _decode_utf8(data, "utf-8", allow_lone_lead_byte=False)
    if utf8 is not None:
        return replace(_decode(data, utf8), note=f"declared {said}, but the bytes are UTF-8: read as UTF-8")
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        decoded = decode_text(data)
        return replace(decoded, note=f"declared {said}, which does not fit the bytes: read as {decoded.encoding}")
    if codec != "utf-8" and not data.isascii():
        found = _less_odd(data, text) or _more_plausible(data, codec)
        if found is not None:
            return DecodedText(
                normalise_text(data.decode(found)), found,
                note=f"declared {said}, but the text makes sense only as {found}: read as {found}",
            )
    return DecodedText(normalise_text(text), codec)


# How much less odd (``oddness``) another 8-bit reading must be than the
# declared one to be preferred: cp1251 bytes under a koi8-r declaration read
# 0.25 odd as koi8-r ("йПЕЛКЭ ГЮЪБХК") and 0 as cp1251, while a right
# declaration reads near 0. Judged on the start of the text, which is enough.
_ODDNESS_MARGIN = 0.15
_ODDNESS_SAMPLE = 65_536


def _less_odd(data: bytes, declared_text: str) -> str | None:
    """A legacy 8-bit encoding whose text is far more plausible than the declared
    8-bit encoding's, by our own measure, which judges short texts too (where
    charset-normalizer is not confident enough to say)."""
    if len(declared_text) != len(data):
        return None  # a multi-byte encoding: oddness judges 8-bit readings only
    declared = oddness(declared_text[:_ODDNESS_SAMPLE])
    if declared < _ODDNESS_MARGIN:
        return None
    scores = {
        encoding: oddness(text[:_ODDNESS_SAMPLE])
        for encoding, text in _legacy_readings(data[:_ODDNESS_SAMPLE]).items()
    }
    best = min(scores, key=lambda encoding: scores[encoding], default=None)
    # The other reading must make sense itself: GBK bytes are odd in every 8-bit encoding.
    if best is None or scores[best] >= _ODDNESS_MARGIN or scores[best] > declared - _ODDNESS_MARGIN:
        return None
    return best


def _more_plausible(data: bytes, codec: str) -> str | None:
    """An encoding charset-normalizer finds plausible when it finds ``codec`` not plausible at all."""
    # (not "preemptive": the declaration in the bytes must not vouch for itself)
    if charset_normalizer.from_bytes(data, cp_isolation=[codec], preemptive_behaviour=False).best() is not None:
        return None
    match = charset_normalizer.from_bytes(data, preemptive_behaviour=False).best()
    if match is None or match.chaos > _MAX_CHAOS:
        return None
    return codecs.lookup(match.encoding).name


# -- normalisation ------------------------------------------------------------

# Line and paragraph separators (the ones str.splitlines() honours and that are
# not dropped as controls below) become plain LF, so later steps split on "\n" alone.
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# C0 controls except TAB and LF, plus DEL and C1 controls: never meaningful in an
# article. So are U+FFFE and U+FFFF, which no XML document can hold either.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")


# Lone surrogates: JSON's "\\ud800" escapes make them, and no database or file can hold them.
_SURROGATES = re.compile("[\ud800-\udfff]")


def normalise_text(text: str) -> str:
    """LF line ends, NFC, no control characters other than LF and TAB (nor the
    non-characters U+FFFE and U+FFFF), and no lone surrogates (each becomes
    U+FFFD, as a broken UTF-8 byte would)."""
    text = without_controls(_LINE_BREAKS.sub("\n", text))
    text = without_surrogates(text)
    return unicodedata.normalize("NFC", text)


def without_controls(text: str) -> str:
    """``text`` without the control characters ``normalise_text`` drops (line breaks stay as they are)."""
    return _CONTROLS.sub("", text)


def without_surrogates(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD."""
    return _SURROGATES.sub("\ufffd", text)
