"""Which language an article is recorded in: identified from its text, or taken from its file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.errors import InvalidLanguage
from newsarchive.reading.draft import ArticleDraft, Block
from newsarchive.reading.language import UNDETERMINED, checked_language, identify, identify_article, iso_639_1, settle

RUSSIAN = (
    "Переговоры о перемирии в Курской области зашли в тупик. Стороны не смогли договориться о выводе войск, "
    "сообщили источники в Москве. По словам собеседников агентства, делегации встречались дважды за последнюю "
    "неделю, однако так и не согласовали сроки отвода подразделений от линии соприкосновения. "
)
ENGLISH = (
    "Councillors voted by a large majority to back the plan, which has been debated for more than a year "
    "after a public consultation drew thousands of responses. Local businesses had warned that removing "
    "parking spaces would hurt trade, but the council said footfall usually rises when streets become safer. "
)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Переговоры в Киеве зашли в тупик", "ru"),
        ("Уряд схвалив програму підтримки переселенців", "uk"),
        ("Bundesregierung einigt sich auf neuen Haushalt", "de"),
        ("Les négociations sont dans l'impasse", "fr"),
        ("El Gobierno aprueba la reforma de las pensiones", "es"),
        ("Rząd przyjął projekt ustawy o ochronie środowiska", "pl"),
        # Han alone is Chinese even when the model leans to Japanese; any kana is Japanese; Hangul Korean.
        ("国务院部署进一步扩大内需的措施", "zh"),
        ("会议还研究了其他事项。", "zh"),
        ("政府、新たな経済対策を閣議決定", "ja"),
        ("정부, 새 경제 대책 발표", "ko"),
    ],
)
def test_a_headline_is_enough(text: str, language: str) -> None:
    assert identify(text) == language


@pytest.mark.parametrize("text", ["Kursk", "OK", "—", "Trump Putin Zelensky", "12345 67890 !!! ???", "  \n "])
def test_too_few_letters_is_undetermined(text: str) -> None:
    assert identify(text) == UNDETERMINED


def test_a_list_of_names_the_model_is_unsure_of_is_undetermined() -> None:
    # Enough letters, but no language: the model's best guess (English, 0.23) is not a decision.
    assert identify("Trump Putin Zelensky Macron Scholz") == UNDETERMINED


def test_ukrainian_letters_overrule_a_russian_guess_on_a_short_text() -> None:
    text = "Переговори зайшли в глухий кут, кажуть посадовці"  # (the model says Russian, 0.57)
    assert identify(text) == "uk"


def test_a_mixed_text_is_in_the_language_of_most_of_it() -> None:
    # An English quote at the start, Russian for the rest: three windows vote by their length.
    text = ENGLISH[:250] + "\n" + RUSSIAN * 4
    assert identify(text) == "ru"
    assert identify(RUSSIAN[:250] + "\n" + ENGLISH * 4) == "en"


def test_a_short_mixed_text_is_in_the_language_of_most_of_its_paragraphs() -> None:
    # Too mixed for the model to be sure of whole (English, 0.33): each paragraph is sure, and they vote.
    text = (
        "Talks stall over Kursk ceasefire\n\n"
        "Negotiators failed to agree on a timetable for withdrawing troops, officials said on Monday.\n\n"
        '"Переговоры зашли в тупик, стороны не смогли договориться", said a spokesman in Moscow.\n\n'
        "A new round of talks is expected next month in Geneva."
    )
    assert identify(text) == "en"
    # A list of names, a line each, says no more than on one line.
    assert identify("Trump Putin Zelensky Macron Scholz\nErdogan Modi Lula Ramaphosa Albanese") == UNDETERMINED


def test_a_team_sheet_at_the_end_does_not_unsettle_a_story() -> None:
    # Names score low in any language; the start, which the model is sure of, vouches for the vote's winner.
    text = (
        "Dal Pozzo in to replace Benvenuti\n\nMarco dal Pozzo has been handed the task of replacing the injured "
        "Luca Benvenuti at flanker in Italy's team to face Wales on Saturday. The coach said he had no doubts. "
        "\"We are going to Cardiff for the win and nothing else,\" said the manager.\n\n"
        "R Marini (Parma); G Benvenuti (Stade Francais), C Stoichi (Montpellier), A Mazzi (Viadana), "
        "L Nitti (Calvisano); L Orsini (Padova), A Tronchi (Treviso); A Lo Cascio (L'Aquila), F Onorati (Treviso), "
        "M Castelli (Calvisano), S Dellapiana (Agen), M Bortone (Narbonne, capt), A Persichetti (Agen), "
        "D dal Pozzo (Treviso), S Parisi (Treviso), G Intorre (Calvisano), S Perugino (Calvisano)."
    )
    assert identify(text) == "en"


def test_an_article_is_identified_from_its_title_lede_and_body() -> None:
    assert identify_article("Переговоры зашли в тупик", None, [RUSSIAN, RUSSIAN]) == "ru"
    assert identify_article("Kursk", "OK", []) == UNDETERMINED


@pytest.mark.parametrize(
    ("tag", "code"),
    [
        ("ru", "ru"), ("EN", "en"), ("und", "und"), ("rus", "ru"), ("ger", "de"), ("deu", "de"), ("zho", "zh"),
        ("iw", "he"), ("zxx", None), ("mul", None), ("zz", None), ("qqq", None), (None, None), ("", None),
    ],
)  # fmt: skip
def test_codes_a_file_gives_are_iso_639_1_or_nothing(tag: str | None, code: str | None) -> None:
    assert iso_639_1(tag) == code


def test_settle_prefers_the_forced_language_then_the_files_then_identification() -> None:
    draft = ArticleDraft(title="Переговоры зашли в тупик", description=RUSSIAN, blocks=(Block("paragraph", RUSSIAN),))
    assert settle(draft).language == "ru"
    assert settle(draft, "de").language == "de"
    assert settle(ArticleDraft(**{**draft.__dict__, "language": "uk"})).language == "uk"  # (the file is believed)
    assert settle(ArticleDraft(**{**draft.__dict__, "language": "rus"})).language == "ru"
    assert settle(ArticleDraft(**{**draft.__dict__, "language": "zxx"})).language == "ru"


@pytest.mark.parametrize("code", ["ru", "uk", "en", "und", "zh"])
def test_a_known_code_is_accepted(code: str) -> None:
    assert checked_language(code) == code


@pytest.mark.parametrize("code", ["RU", "xx", "rus", "english", "", "en-GB", "r"])
def test_an_unknown_code_is_refused(code: str) -> None:
    with pytest.raises(InvalidLanguage, match=repr(code)):
        checked_language(code)


def test_identification_downloads_nothing(tmp_path: Path) -> None:
    """The model comes with the package: a cache folder that is empty and read-only stays so, with no network."""
    cache = tmp_path / "cache"
    cache.mkdir()
    cache.chmod(0o555)
    environment = {
        **os.environ, "FTLANG_CACHE": str(cache), "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9",
    }  # fmt: skip
    code = "from newsarchive.reading.language import identify; print(identify('Переговоры о перемирии зашли в тупик'))"
    try:
        run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60)
    finally:
        cache.chmod(0o755)
    assert (run.returncode, run.stdout.strip()) == (0, "ru"), run.stderr
    assert list(cache.iterdir()) == []


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # A Chinese report that writes one Japanese company's name in katakana is still Chinese.
        ("国务院总理会见了日本丰田汽车公司社长トヨタ代表团，双方就扩大在华投资、新能源汽车合作等议题深入交换了意见。", "zh"),
        # A Chinese report naming a Korean official in Hangul, likewise.
        ("韩国总统在首尔会见中国外长，表示愿同中方加强沟通，推动两国关系健康发展。韩方代表团团长김철수表示欢迎。", "zh"),
        # A Korean report quoting a Japanese phrase is Korean.
        ("서울시는 새 교통 정책을 발표했다. 시장은 기자회견에서 この政策について 자세히 설명했다.", "ko"),
        # Japanese with little kana, as headlines have, is Japanese.
        ("首相、経済対策を閣議決定", "ja"),
        ("東京株式市場で日経平均が大幅続落", "ja"),
    ],
)
def test_chinese_japanese_and_korean_are_told_by_the_shares_of_their_scripts(text: str, language: str) -> None:
    assert identify(text) == language
