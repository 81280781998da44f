"""Smoke test of the benchmark suite on 50 articles (about 15 s). Times nothing, asserts no speed.

    .venv/bin/python -m pytest benchmarks/test_smoke.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from make_corpus import DEFAULT_SOURCE, article_files, format_dateline, parse_dateline, split_article, write_corpus

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(not DEFAULT_SOURCE.is_dir(), reason=f"no BBC set at {DEFAULT_SOURCE}")


def test_corpus_is_deterministic_and_in_the_seed_layout(tmp_path: Path) -> None:
    write_corpus(tmp_path / "a", 50, seed=7)
    write_corpus(tmp_path / "b", 50, seed=7)
    first, second = article_files(tmp_path / "a"), article_files(tmp_path / "b")

    assert len(first) == 50
    assert [path.read_bytes() for path in first] == [path.read_bytes() for path in second]
    article = split_article(first[0].read_text(encoding="utf-8"))
    assert article.title and article.description and article.paragraphs
    assert article.published is not None


@pytest.mark.parametrize("form", [0, 1, 2])
def test_datelines_read_back(form: int) -> None:
    moment = datetime(2024, 11, 10, 21, 13)
    assert parse_dateline(format_dateline(moment, form)) == moment


def test_run_quick_writes_markdown_and_json(tmp_path: Path) -> None:
    command = [
        sys.executable, str(HERE / "run.py"), "--quick", "--sizes", "50", "--repeat", "1", "--warm-queries", "20",
        "--work", str(tmp_path / "work"), "--out", str(tmp_path / "results"),
    ]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0, finished.stderr[-3000:]

    (data,) = (tmp_path / "results").glob("*.json")
    results = json.loads(data.read_text(encoding="utf-8"))
    (size,) = results["sizes"]
    assert size["corpus"]["files"] == 50
    assert size["newsarchive"]["ingest"]["report"]["failed"] == 0
    assert size["hits"]["common word"]["newsarchive"] == size["hits"]["common word"]["sqlite-utils"]
    markdown = data.with_suffix(".md").read_text(encoding="utf-8")
    assert "## Targets" in markdown and "## 50 generated articles" in markdown
