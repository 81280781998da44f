"""Attention over time counted from a small real archive: the database and index in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import cli
from newsarchive.config import resolve_config
from newsarchive.engines import open_engine
from newsarchive.errors import InvalidQuery
from newsarchive.render.text import trend_text
from newsarchive.services.trend import trend
from test_trend import labels

ARTICLES = {
    "kursk-1.txt": ("Kursk offensive stalls", "Troops dig in near Kursk.", "10 November 2024 09:13"),
    "kursk-2.txt": ("Kursk talks", "Envoys discuss Kursk again.", "12 November 2024 18:00"),
    "kursk-3.txt": ("Kursk in winter", "Snow falls on Kursk.", "3 January 2025 07:45"),
    "kursk-undated.txt": ("Kursk explained", "A guide to the Kursk region.", None),
    "harvest.txt": ("Harvest report", "Farmers bring in the wheat.", "20 December 2024 12:00"),
    "harvest-2.txt": ("Harvest festival", "Villages celebrate the wheat.", "21 December 2024 12:00"),
}


def write_articles(folder: Path) -> None:
    folder.mkdir()
    for name, (title, lede, dateline) in ARTICLES.items():
        lines = [title, lede] + ([dateline] if dateline else [])
        lines += [
            "The first paragraph of the report gives the details that the lede only hinted at.",
            "A second paragraph quotes officials and observers at some length.",
        ]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_trend_of_a_small_real_archive(tmp_path: Path) -> None:
    home, folder = tmp_path / "home", tmp_path / "articles"
    write_articles(folder)
    result = CliRunner().invoke(cli, ["ingest", "--home", str(home), str(folder)])
    assert result.exit_code == 0, result.output
    engine = open_engine(resolve_config(home))

    counted = trend(engine, ["kursk", "wheat"], by="month", normalize=True)
    assert labels(counted.buckets) == ["2024-11", "2024-12", "2025-01"]
    assert [series.counts for series in counted.series] == [[2, 0, 1], [0, 2, 0]]
    assert counted.archived == [2, 2, 1]
    assert [series.shares for series in counted.series] == [[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert counted.undated == {"kursk": 1, "wheat": 0}
    assert trend_text(counted).endswith("1 matching article is undated and not charted (kursk: 1, wheat: 0).")

    with pytest.raises(InvalidQuery):
        trend(engine, ["kursk AND"])
