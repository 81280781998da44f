"""Dates on the clock an article was published by, and `--tz` for display, filters and trend buckets."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from newsarchive.db import alembic_config, ensure_schema


def test_upgrade_fills_the_offset_the_date_text_names(tmp_path: Path) -> None:
    from alembic import command

    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    command.upgrade(alembic_config(engine), "0001")
    rows = {
        "a1": ("2024-11-09 22:30:00", "10 November 2024 01:30 +03:00"),
        "a2": ("2024-11-10 14:05:00", "2024-11-10T09:05:00-05:00"),
        "a3": ("2024-11-10 09:13:00", "Sun, 10 Nov 2024 09:13:00 GMT"),
        "a4": ("2024-11-10 09:13:00", "10 November 2024 09:13"),  # no zone written
        "a5": ("2024-11-10 00:00:00", "10 November 2024"),
        "a6": ("2024-11-10 09:13:00", "10 November 2024 09:13 MSK"),  # a zone dateutil does not know
        "a7": ("2024-11-10 09:13:00", "2024-11-10T12:13:00+02:00"),  # not the moment stored
    }
    with engine.begin() as connection:
        for article_id, (published, written) in rows.items():
            connection.execute(
                text(
                    "INSERT INTO articles (id, title, body, published_at, date_text, authors, content_hash,"
                    " revision, ingested_at, updated_at) VALUES (:id, 't', '[]', :published, :written, '[]',"
                    " :id, 1, :now, :now)"
                ),
                {"id": article_id, "published": published, "written": written, "now": datetime.now(UTC).isoformat()},
            )
    ensure_schema(engine)
    with engine.connect() as connection:
        offsets = dict(connection.execute(text("SELECT id, published_offset FROM articles")).all())
    assert offsets == {"a1": 180, "a2": -300, "a3": 0, "a4": None, "a5": None, "a6": None, "a7": None}
