"""decode_text: bytes of an article file -> clean text, or UnreadableFile."""

from __future__ import annotations

import codecs
import gzip
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from newsarchive.errors import UnreadableFile
from newsarchive.reading.decode import DecodedText, decode_declared, decode_text, normalise_text


def reason(data: bytes) -> str:
    with pytest.raises(UnreadableFile) as caught:
        decode_text(data)
    return caught.value.reason


# -- empty, binary ------------------------------------------------------------


def test_empty_file_is_unreadable() -> None:
    assert reason(b"") == "empty file"


def test_whitespace_only_is_decoded_not_refused() -> None:
    # "blank file" is the parser's verdict, not the decoder's.
    assert decode_text(b" \n\t\n") == DecodedText(" \n\t\n", "utf-8")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "binary file (PNG image)"),
        (gzip.compress(b"Ad sales boost Time Warner profit\n" * 20), "binary file (gzip data)"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\n", "binary file (PDF document)"),
        (b"PK\x03\x04\x14\x00\x00\x00\x08\x00", "binary file (zip archive)"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "binary file (JPEG image)"),
        (b"\x7fELF\x02\x01\x01", "binary file (executable)"),
    ],
)
def test_known_binary_formats_are_refused(data: bytes, expected: str) -> None:
    assert reason(data) == expected


def test_nul_bytes_without_a_bom_mean_binary() -> None:
    assert reason(b"Title\n\x00\x00body") == "binary file (NUL bytes)"


def test_utf16_without_bom_is_binary() -> None:
    # ASCII in UTF-16 is half NUL bytes; without a BOM we do not guess.
    assert reason("Chelsea sack Mutu".encode("utf-16-le")) == "binary file (NUL bytes)"


def test_many_control_bytes_mean_binary() -> None:
    data = bytes(range(1, 32)) * 4 + b"some text"
    assert reason(data) == "binary file (control bytes)"


def test_random_high_bytes_without_nul_are_refused() -> None:
    noise = bytes((i * 73 + 41) % 255 + 1 for i in range(600))
    assert reason(noise).startswith(("binary file", "unknown text encoding"))


def test_bzh_at_the_start_of_text_is_not_bzip2() -> None:
    assert decode_text(b"BZh is not a word\n").text == "BZh is not a word\n"


# -- BOMs and Unicode encodings -------------------------------------------------


def test_utf8_bom_is_stripped() -> None:
    decoded = decode_text(codecs.BOM_UTF8 + "Price: £5\n".encode())
    assert decoded == DecodedText("Price: £5\n", "utf-8-sig")


@pytest.mark.parametrize(
    ("bom", "codec"),
    [
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
        (codecs.BOM_UTF32_BE, "utf-32-be"),
    ],
)
def test_utf16_and_utf32_with_bom(bom: bytes, codec: str) -> None:
    text = "Київ – Kyiv, £5\r\nsecond line\n"
    decoded = decode_text(bom + text.encode(codec))
    assert decoded == DecodedText("Київ – Kyiv, £5\nsecond line\n", codec)


def test_utf16_cut_short_drops_the_half_character() -> None:
    data = codecs.BOM_UTF16_LE + "Kyiv".encode("utf-16-le") + b"K"
    decoded = decode_text(data)
    assert decoded.text == "Kyiv"
    assert decoded.warnings == ("truncated UTF-16 sequence at end of file",)


def test_garbage_after_a_utf8_bom_is_refused() -> None:
    assert reason(codecs.BOM_UTF8 + b"abc\xa3def") == "invalid UTF-8 after a byte order mark"


def test_valid_utf8() -> None:
    text = "Kremlin’s Kursk ultimatum – talks hinge on “retreat”, £15.8m\n"
    assert decode_text(text.encode()) == DecodedText(text, "utf-8")


def test_utf8_cut_in_the_middle_of_the_last_character() -> None:
    data = "Prices rose by 5 €".encode()[:-1]  # € is 3 bytes: keep 2
    decoded = decode_text(data)
    assert decoded == DecodedText(
        "Prices rose by 5 ", "utf-8", ("truncated UTF-8 sequence at end of file",)
    )


def test_utf8_cut_after_a_lead_byte_when_the_file_is_utf8_elsewhere() -> None:
    data = "The café paid £".encode()[:-1]
    decoded = decode_text(data)
    assert decoded.text == "The café paid "
    assert decoded.warnings == ("truncated UTF-8 sequence at end of file",)


def test_one_high_byte_at_the_end_of_ascii_is_a_legacy_letter_not_a_cut() -> None:
    decoded = decode_text(b"Lunch at the caf\xe9")
    assert (decoded.text, decoded.encoding) == ("Lunch at the café", "cp1252")


# -- legacy 8-bit encodings -----------------------------------------------------


ENGLISH_WITH_POUND = [
    "£5",
    "Tickets cost £5.",
    "Chelsea paid £15.8m for the striker.",
    "Chelsea sack Mutu\n\nChelsea have sacked Adrian Mutu after he failed a drugs test. "
    "The club paid a transfer fee of £15.8m for Mutu in 2003.\n",
]


@pytest.mark.parametrize("text", ENGLISH_WITH_POUND)
def test_english_with_a_pound_sign_in_cp1252(text: str) -> None:
    # charset-normalizer alone calls these cp1250 ("Ł5") or cp932 ("｣15.8m").
    decoded = decode_text(text.encode("cp1252"))
    assert decoded == DecodedText(text, "cp1252")


WESTERN_EUROPEAN = [
    "Größe",
    "Un café à Noël",
    "Die Straßenbahn fährt über die Brücke. Für die Bürger ist das eine große "
    "Erleichterung, sagte der Bürgermeister am Dienstag in München.",
    "L’été dernier, le ministre a déclaré « nous sommes prêts » devant l’Assemblée. "
    "Le coût s’élève à 5 € par habitant.",
    "He said “no” — and left… It cost €20 and £15.",
    "El niño comió en la montaña. ¿Dónde está? ¡Qué año!",
    "Non è possibile, ha detto il ministro: la città è già pronta.",
]


@pytest.mark.parametrize("text", WESTERN_EUROPEAN)
def test_western_european_text_in_cp1252(text: str) -> None:
    decoded = decode_text(text.encode("cp1252"))
    assert (decoded.text, decoded.encoding) == (text, "cp1252")


RUSSIAN = [
    "Новости дня",
    "Кремль ставит условие\nПереговоры о мире начнутся только после того, как украинские "
    "войска покинут Курскую область, сообщают источники.\n",
    "Экономика России\n\nЦентральный банк повысил ключевую ставку до 21% годовых. "
    "Аналитики ожидают, что инфляция замедлится к лету.\n",
]


@pytest.mark.parametrize("text", RUSSIAN)
def test_russian_text_in_cp1251(text: str) -> None:
    decoded = decode_text(text.encode("cp1251"))
    assert (decoded.text, decoded.encoding) == (text, "cp1251")


def test_ukrainian_text_in_cp1251() -> None:
    text = "Україна отримала нову партію озброєння від партнерів, повідомив міністр оборони."
    decoded = decode_text(text.encode("cp1251"))
    assert (decoded.text, decoded.encoding) == (text, "cp1251")


@pytest.mark.parametrize("text", RUSSIAN[1:])
def test_russian_text_in_koi8_r(text: str) -> None:
    decoded = decode_text(text.encode("koi8_r"))
    assert (decoded.text, decoded.encoding) == (text, "koi8_r")


@pytest.mark.parametrize("encoding", ["cp866", "iso8859_5"])
@pytest.mark.parametrize("text", RUSSIAN[1:])
def test_russian_text_in_dos_and_iso_cyrillic(text: str, encoding: str) -> None:
    # Older Russian collections come in the DOS code page (cp866) and in ISO-8859-5 too.
    decoded = decode_text(text.encode(encoding))
    assert (decoded.text, decoded.encoding) == (text, encoding)


@pytest.mark.parametrize("encoding", ["cp1251", "koi8_r"])
def test_cyrillic_once_read_as_latin1_and_saved_as_utf8_is_read_again_with_a_warning(encoding: str) -> None:
    text = RUSSIAN[1]
    garbled = text.encode(encoding).decode("cp1252").encode("utf-8")  # "Êðåìëü ñòàâèò óñëîâèå"
    decoded = decode_text(garbled)
    assert (decoded.text, decoded.encoding) == (text, encoding)
    assert decoded.warnings == (f"mis-encoded text: {encoding} text once read as cp1252 and saved as utf-8; read as {encoding}",)


def test_garbled_text_no_code_page_repairs_is_kept_with_a_warning() -> None:
    greek = "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία και τις συντάξεις."
    decoded = decode_text(greek.encode("cp1253").decode("latin-1").encode("utf-8"))
    assert decoded.warnings and decoded.warnings[0].startswith("mis-encoded text:")


@pytest.mark.parametrize(
    "text",
    [
        "Le gouvernement a annoncé une réforme économique très attendue à Paris.",
        "Ação: é lá, não há então coração à mão.",  # as accented as Portuguese gets
    ],
)
def test_accented_western_text_in_utf8_is_left_alone(text: str) -> None:
    assert decode_text(text.encode("utf-8")) == DecodedText(text, "utf-8")


def test_polish_text_in_cp1250() -> None:
    text = "Prezydent powiedział, że źródła są wiarygodne, a rząd przyjął ustawę o podatkach."
    decoded = decode_text(text.encode("cp1250"))
    assert (decoded.text, decoded.encoding) == (text, "cp1250")


def test_text_in_no_plausible_encoding_is_refused() -> None:
    assert reason("أعلنت الحكومة اليوم عن إجراءات جديدة لدعم الاقتصاد الوطني".encode("cp1256")) == "unknown text encoding"


@pytest.mark.parametrize(
    ("text", "codec", "read_as"),
    [
        ("中国经济增长放缓，政府出台新的刺激措施。", "gbk", "gb18030"),
        ("北京市政府今天宣布，将在明年春天开放新的地铁线路。", "gb2312", "gb18030"),
        ("台北市政府今天宣布，將在明年春天開放新的捷運路線。", "big5", "big5"),
        ("東京株式市場は本日、大幅に下落しました。", "shift_jis", "cp932"),
        ("東京都は本日、来年の春に新しい地下鉄路線を開業すると発表しました。", "euc_jp", "euc_jp"),
        ("서울시는 오늘 내년 봄에 새로운 지하철 노선을 개통한다고 발표했습니다.", "euc_kr", "cp949"),
    ],
)
def test_cjk_legacy_text_is_decoded(text: str, codec: str, read_as: str) -> None:
    # (gb18030, cp932 and cp949 are supersets of gbk/gb2312, shift_jis and euc_kr)
    decoded = decode_text(text.encode(codec))
    assert (decoded.text, decoded.encoding) == (text, read_as)


# -- normalisation --------------------------------------------------------------


def test_crlf_and_lone_cr_become_lf() -> None:
    assert decode_text(b"one\r\ntwo\rthree\n").text == "one\ntwo\nthree\n"


def test_text_is_nfc() -> None:
    assert decode_text("Cafe\u0301".encode()).text == "Café"


def test_stray_control_characters_are_removed_tab_and_newline_kept() -> None:
    assert decode_text(b"a\x01b\tc\x1b[0m\nd\x7f").text == "ab\tc[0m\nd"


def test_unicode_line_separators_become_lf() -> None:
    assert normalise_text("a\u2028b\u2029c\x85d\x0ce") == "a\nb\nc\nd\ne"


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


@settings(max_examples=150, deadline=None)
@given(st.binary(min_size=1, max_size=200))
def test_any_bytes_give_clean_text_or_unreadable_file(data: bytes) -> None:
    try:
        decoded = decode_text(data)
    except UnreadableFile:
        return
    assert _CONTROL.search(decoded.text) is None
    assert "\r" not in decoded.text


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1))
def test_utf8_text_round_trips(text: str) -> None:
    decoded = decode_text(text.encode())
    assert decoded.text == normalise_text(text)
    assert decoded.encoding == "utf-8"


SHORT_RUSSIAN = "Президент России заявил, что переговоры возможны. Встреча пройдёт в ближайшие недели."


@pytest.mark.parametrize(("declared", "written_in", "read_as"), [("koi8_r", "cp1251", "cp1251"), ("koi8_r", "koi8_r", "koi8_r"), ("cp1251", "cp1251", "cp1251")])
def test_a_short_text_is_read_in_the_8bit_encoding_it_makes_sense_in(declared: str, written_in: str, read_as: str) -> None:
    decoded = decode_declared(SHORT_RUSSIAN.encode(written_in), declared)
    assert (decoded.text, decoded.encoding) == (SHORT_RUSSIAN, read_as)
