"""Input a user may not expect to be trouble: odd file names, odd file types, bombs, huge articles."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_cli import ingest_json, write_article


def _write_bytes_name(folder: Path, name: bytes, text: str) -> None:
    with open(os.path.join(os.fsencode(folder), name), "wb") as handle:
        handle.write(text.encode("utf-8"))


def test_a_file_name_that_is_not_utf8_is_stored_and_given_back(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "good1.txt", "Harbour reopens after the storm", None)
    write_article(folder, "good2.txt", "Council votes on the new budget", None)
    _write_bytes_name(folder, b"r\xe9sum\xe9.txt", "A summary of the week\n\nThe lede of it.\n\nThe body of it.\n")
    report = ingest_json(archive, folder)
    assert (report["new"], report["failed"]) == (3, 0)
    # recognised as unchanged the next time
    again = ingest_json(archive, folder)
    assert (again["new"], again["unchanged"]) == (0, 3)
    exported = [json.loads(line) for line in archive("export", "--format", "jsonl").stdout.splitlines()]
    files = {record["title"]: record["files"] for record in exported}
    assert files["A summary of the week"] == [str(folder / "r\\xe9sum\\xe9.txt")]
    summary = next(r for r in exported if r["title"] == "A summary of the week")
    shown = archive("show", summary["id"]).stdout
    assert "r\\xe9sum\\xe9.txt" in shown


def test_a_broken_file_with_a_name_that_is_not_utf8_is_named_in_json(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "good.txt", "Harbour reopens after the storm", None)
    _write_bytes_name(folder, b"bad\xff.txt", "only a title\n")
    report = ingest_json(archive, folder, expect=1)
    assert [f["path"] for f in report["failures"]] == [str(folder / "bad\\xff.txt")]
    assert report["new"] == 1


def test_lone_surrogates_in_json_cost_nothing_but_themselves(archive, tmp_path: Path) -> None:
    dump = tmp_path / "dump.jsonl"
    dump.write_text(
        '{"title": "Bad \\ud800 title", "maintext": "Some text long enough.", "url": "http://x.org/\\udce9"}\n'
        '{"title": "Good title", "maintext": "Other text long enough."}\n',
        encoding="utf-8",
    )
    report = ingest_json(archive, dump)
    assert (report["new"], report["failed"]) == (2, 0)
    titles = sorted(json.loads(line)["title"] for line in archive("export").stdout.splitlines())
    assert titles == ["Bad \ufffd title", "Good title"]
