"""The fast indexing path of the text fields gives exactly what Whoosh's analyzer gives."""

from __future__ import annotations

import pytest
from tests._corpus import articles
from tests._shared import bbc_path
from whoosh import fields

from _memory import peak_memory
from newsarchive.engines.whoosh.analysis import StemmedText, analyzer
from newsarchive.text import analysis as text_analysis
from newsarchive.text.analysis import stemmed_positions

pytestmark = pytest.mark.no_archive  # (a Whoosh index or files alone: once, not once per stack)


def _reference(text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(fields.TEXT(analyzer=analyzer(), field_boost=2.0).index(text))


def _fast(text: str) -> list[tuple[bytes, int, float, bytes]]:
    return sorted(StemmedText(analyzer(), field_boost=2.0).index(text))


#: Made-up articles (``tests._corpus``): numbers, money, abbreviations, apostrophes, words in several scripts.
CORPUS = articles(40, seed=3)


@pytest.mark.parametrize("number", range(0, 40, 3))
def test_articles_index_as_the_analyzer_does(number: int) -> None:
    doc = CORPUS[number]
    for text in (doc.title, doc.description, doc.body):
        assert _fast(text) == _reference(text)


# Corpus-based: the BBC articles of ../shared, where present, for what real text holds that made-up text
# may not (a stray "Delaware*" in business/261, whose asterisk Whoosh's tokenizer keeps).
@pytest.mark.parametrize("name", ["business/261.txt", "sport/199.txt", "politics/001.txt", "tech/100.txt"])
def test_real_articles_index_as_the_analyzer_does(name: str) -> None:
    raw = bbc_path(*name.split("/")).read_bytes()
    text = raw.decode("utf-8", errors="replace")
    assert _fast(text) == _reference(text)


@pytest.mark.parametrize(
    "text",
    [
        "İstanbul's mayor met Ünal in Düsseldorf; the Straße was closed.",  # lower() lengthens "İ"
        "ΑΘΗΝΑ: Η κυβέρνηση ανακοίνωσε νέα μέτρα.",
        "U.S. shares fell 1.5% to $3.2bn; e.g. J.P. Morgan's 3.14 forecast",
        "the a of to in",  # nothing but stop words
        "A I x y elections ELECTION Elected electing",  # one-letter words dropped, stems merged
        "",
        "price*s and c++ and wild*card",
    ],
)
def test_hand_written_texts_index_as_the_analyzer_does(text: str) -> None:
    assert _fast(text) == _reference(text)


def test_positions_close_up_behind_stop_words() -> None:
    # "The" (0) and "of" (3) are stop words: "Prime" keeps its place, 1, and the rest close up behind it.
    found = stemmed_positions("The Prime Minister of Britain said the prime minister")
    assert {stem: list(places) for stem, places in found.items()} == {
        b"prime": [1, 5],
        b"minist": [2, 6],
        b"britain": [3],
        b"said": [4],
    }


@pytest.mark.parametrize("number", [1, 7])
def test_a_text_read_in_pieces_indexes_as_the_analyzer_does(number: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # Cut after every few dozen characters: "U.S.", "3.14" and "wild*card" must not be cut inside.
    monkeypatch.setattr(text_analysis, "PIECE_CHARS", 40)
    text = CORPUS[number].body + " U.S. shares fell 1.5% to $3.2bn; J.P. Morgan's 3.14 wild*card Delaware*"
    assert _fast(text) == _reference(text)


def test_a_long_text_is_analysed_in_a_small_multiple_of_its_size() -> None:
    # A book-length article: a list of its words would take some ten times the text, its positions as ints eighteen.
    words = [f"{word}{number % 900}" for number, word in enumerate(("kursk", "talks", "prime", "minister", "said") * 80_000)]
    text = " ".join(words)  # 4.6 MB of ASCII, 400,000 words
    positions, peak = peak_memory(lambda: stemmed_positions(text))
    assert sum(map(len, positions.values())) == 400_000
    assert peak < 1.5 * len(text)


def test_whoosh_add_document_reads_text_in_the_language_it_is_told() -> None:
    # Whoosh's own writer hands a field its value alone: outside ``document_language`` a text is English.
    from whoosh.filedb.filestore import RamStorage

    from newsarchive.engines.whoosh.analysis import document_language
    from newsarchive.engines.whoosh.schema import build_schema

    index = RamStorage().create_index(build_schema())
    with index.writer() as writer:
        writer.add_document(id="plain", body="Переговоры продолжились")
        with document_language("ru"):
            writer.add_document(id="told", body="Переговоры продолжились", lang="ru")
        writer.add_document(id="after", body="Talks resumed")
    with index.searcher() as searcher:
        reader = searcher.reader()

        def terms(article_id: str) -> set[str]:
            docnum = searcher.document_number(id=article_id)
            return {
                term.decode("utf-8") for term in reader.lexicon("body") if docnum in reader.postings("body", term).all_ids()
            }

        assert terms("plain") == {"переговоры", "продолжились"}  # (Porter leaves Cyrillic as it is)
        assert terms("told") == {"переговор", "продолж"}
        assert terms("after") == {"talk", "resum"}
