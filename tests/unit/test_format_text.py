"""parse_text_article: the seed layout (with a dateline) and the BBC layout (its real articles: tests/integration)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from conftest import SEED
from newsarchive.errors import UnparseableArticle
from newsarchive.reading.decode import decode_text
from newsarchive.reading.draft import ArticleDraft, Block, PublishedDate
from newsarchive.reading.formats.text import body_blocks, looks_like_subheading, parse_text_article


def parse_file(path) -> ArticleDraft:
    return parse_text_article(decode_text(path.read_bytes()).text)


def kinds(blocks: tuple[Block, ...]) -> list[str]:
    return [block.kind for block in blocks]


def headings(draft: ArticleDraft) -> list[str]:
    return [block.text for block in draft.blocks if block.kind == "heading"]


# -- the seed article -------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> ArticleDraft:
    return parse_file(SEED)


def test_seed_title(seed: ArticleDraft) -> None:
    assert seed.title == "Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat"


def test_seed_lede(seed: ArticleDraft) -> None:
    assert seed.description is not None
    assert seed.description.startswith("The Kremlin will not engage in peace negotiations")
    assert seed.description.endswith("preventing Putin from starting negotiations with Kyiv.")


def test_seed_date(seed: ArticleDraft) -> None:
    assert seed.published == PublishedDate(
        at=datetime(2024, 11, 10, 9, 13, tzinfo=UTC),
        text="10 November 2024 09:13",
        precision="minute",
    )


def test_seed_date_in_kyiv_time() -> None:
    draft = parse_text_article(SEED.read_text("utf-8"), ZoneInfo("Europe/Kyiv"))
    assert draft.published is not None
    assert draft.published.at == datetime(2024, 11, 10, 7, 13, tzinfo=UTC)
    assert draft.published.offset == 120


def test_dateline_zone_gives_the_offset() -> None:
    text = (
        "Talks resume after a night in Geneva\n"
        "Delegations met again after midnight.\n"
        "Sunday 10 November 2024 01:30 MSK\n"
        "The talks went on until dawn, officials said.\n"
    )
    assert parse_text_article(text).published == PublishedDate(
        at=datetime(2024, 11, 9, 22, 30, tzinfo=UTC), text="Sunday 10 November 2024 01:30 MSK", precision="minute",
        offset=180,
    )


def test_seed_has_exactly_two_subheadings(seed: ArticleDraft) -> None:
    assert headings(seed) == [
        "Talks only after pushing Ukrainians out of Kursk",
        "They are to be pushed out by New Year’s Eve",
    ]


def test_seed_body(seed: ArticleDraft) -> None:
    assert len(seed.blocks) == 14  # 17 lines: title, lede, dateline, then the body
    assert seed.blocks[0].text.startswith("According to journalists, Kremlin representatives")
    assert seed.blocks[-1] == Block(
        "paragraph",
        "According to the source, there is now an \"order\" to clear the Kursk region by New "
        "Year’s Eve. He noted that new forces recruited during the recruitment surge in late "
        "August and September \"will be directed towards this goal.\" Previously, Werstka "
        "reported that after the AFU attack in the Kursk region, the number of people willing "
        "to sign a contract with the Ministry of Defence in Moscow doubled.",
    )


# -- BBC files ----------------------------------------------------------------------


# -- layouts --------------------------------------------------------------------------


def test_dateline_right_after_the_title_makes_the_first_paragraph_the_lede() -> None:
    draft = parse_text_article("Title\nPublished: 2024-11-10\nFirst paragraph.\nSecond one.\n")
    assert draft.description == "First paragraph."
    assert draft.blocks == (Block("paragraph", "Second one."),)
    assert draft.published is not None and draft.published.precision == "day"


def test_several_lede_lines_before_the_dateline_are_joined() -> None:
    draft = parse_text_article("Title\nLede one.\n\nLede two.\n10 Nov 2024\nBody.\n")
    assert draft.description == "Lede one. Lede two."
    assert draft.blocks == (Block("paragraph", "Body."),)


def test_a_date_deep_in_the_body_is_not_a_dateline() -> None:
    text = "Title\nOne.\nTwo.\nThree.\nFour.\n10 November 2024\nFive.\n"
    draft = parse_text_article(text)
    assert draft.published is None
    assert draft.description == "One."
    assert "10 November 2024" in [block.text for block in draft.blocks]


def test_blank_lines_and_spaces_only_separate_paragraphs() -> None:
    text = "\n\n  Title  \n\n\n  Standfirst.  \n\n\n\nBody one.\n \nBody two.\n\n"
    draft = parse_text_article(text)
    assert draft == ArticleDraft(
        title="Title",
        description="Standfirst.",
        blocks=(Block("paragraph", "Body one."), Block("paragraph", "Body two.")),
        language="und",  # (too short to tell)
    )


def test_title_and_one_paragraph() -> None:
    draft = parse_text_article("Title\n\nOnly paragraph.\n")
    assert (draft.description, draft.blocks) == ("Only paragraph.", ())


# -- errors ------------------------------------------------------------------------------


def reason(text: str) -> str:
    with pytest.raises(UnparseableArticle) as caught:
        parse_text_article(text)
    return caught.value.reason


@pytest.mark.parametrize("text", ["", " \n\t\n  ", "\n\n\n"])
def test_blank_text(text: str) -> None:
    assert reason(text) == "blank file"


@pytest.mark.parametrize("text", ["Title", "Title\n\n  \n", "Title\n10 November 2024 09:13\n"])
def test_title_without_text(text: str) -> None:
    assert reason(text) == "no article text after the title"


def test_first_line_too_long_for_a_title() -> None:
    expected = "first line is 999 characters long: not a title"
    assert reason("word " * 200 + "\nsecond line") == expected


def test_title_of_500_characters_is_accepted() -> None:
    assert parse_text_article("x" * 500 + "\nText.").title == "x" * 500


# -- subheadings -------------------------------------------------------------------------

PROSE = "The minister said the talks would resume next week, according to officials."


@pytest.mark.parametrize(
    "line",
    [
        "Talks only after pushing Ukrainians out of Kursk",
        "They are to be pushed out by New Year’s Eve",
        "2005: the year ahead",
        "WORLD OF WARCRAFT",
    ],
)
def test_lines_that_look_like_subheadings(line: str) -> None:
    assert looks_like_subheading(line)


@pytest.mark.parametrize(
    "line",
    [
        "He said:",
        "Chelsea 2-1 Arsenal.",
        "It was over.”",
        "What next?",
        "Really?’",
        "78,000",
        "a lower-case start",
        "“Quoted words”",
        "This line is far too long to be a subheading because it has more than twelve words",
        "X" * 91,
    ],
)
def test_lines_that_do_not_look_like_subheadings(line: str) -> None:
    assert not looks_like_subheading(line)


def test_a_subheading_between_prose_paragraphs() -> None:
    blocks = body_blocks([PROSE, "Talks only after pushing Ukrainians out of Kursk", PROSE])
    assert kinds(blocks) == ["paragraph", "heading", "paragraph"]


def test_the_last_paragraph_is_never_a_subheading() -> None:
    assert kinds(body_blocks([PROSE, "Further reading"])) == ["paragraph", "paragraph"]


def test_a_list_of_short_lines_is_not_subheadings() -> None:
    lines = [PROSE, "Newcastle v Chelsea", "Burnley v Blackburn", "Everton v Man Utd", PROSE]
    assert kinds(body_blocks(lines)) == ["paragraph"] * 5


def test_a_line_continued_by_the_next_paragraph_is_not_a_subheading() -> None:
    # The BBC files lost bold names: "Double Olympic champion [Kelly Holmes]" / "marked her ..."
    lines = [PROSE, "Double Olympic champion", "marked her first appearance on home soil.", PROSE]
    assert kinds(body_blocks(lines)) == ["paragraph"] * 4


def test_a_line_answering_a_colon_is_not_a_subheading() -> None:
    assert kinds(body_blocks(["All black", PROSE], after="Playing colours:")) == ["paragraph"] * 2


def test_lines_of_chinese_prose_are_prose_around_a_subheading() -> None:
    # Neither a run of characters without spaces nor a line ending in "。" is a short list line.
    prose = ("国家统计局周二公布的数据显示，十月份全国居民消费价格同比上涨百分之零点三", "分析人士认为，国内需求仍然偏弱。")
    blocks = body_blocks([prose[0], "Market Outlook", prose[1], "完。"])
    assert kinds(blocks) == ["paragraph", "heading", "paragraph", "paragraph"]


def test_the_language_given_for_a_run_reaches_the_text_reader(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """``read_file(..., language=)`` hands it to the text reader (its dateline is read in it) and records it."""
    from newsarchive.reading import files
    from newsarchive.reading.formats import text

    given: list[str | None] = []
    parse = text.parse_text_article

    def spy(decoded: str, default_tz, language=None):  # type: ignore[no-untyped-def]
        given.append(language)
        return parse(decoded, default_tz, language)

    monkeypatch.setattr(text, "parse_text_article", spy)
    path = tmp_path / "seed.txt"
    path.write_bytes(SEED.read_bytes())
    assert [item.draft.language for item in files.read_file(path, UTC, language="uk").items] == ["uk"]  # type: ignore[union-attr]
    assert [item.draft.language for item in files.read_file(path, UTC).items] == ["en"]  # type: ignore[union-attr]
    assert given == ["uk", None]
