"""Which search engine an archive uses: named in its settings, the embedded Whoosh index by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsarchive.config import resolve_config
from newsarchive.engines import ENGINES, open_engine
from newsarchive.errors import InvalidSetting
from newsarchive.storage.settings import chosen_engine


def test_the_default_engine_is_the_embedded_index_in_the_home(tmp_path: Path) -> None:
    config = resolve_config(tmp_path)
    assert config.engine is None and chosen_engine(config) == ENGINES[0] == "whoosh"
    engine = open_engine(config)
    assert engine.name == "whoosh" and not engine.exists()


def test_the_engine_is_named_by_archive_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARCHIVE_ENGINE", "lucene")
    config = resolve_config(tmp_path)
    assert config.engine == "lucene"
    with pytest.raises(InvalidSetting, match="^unknown search engine 'lucene'$") as error:
        open_engine(config)
    assert error.value.hint == "set ARCHIVE_ENGINE to one of: whoosh, postgres"
