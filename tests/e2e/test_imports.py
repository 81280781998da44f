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
