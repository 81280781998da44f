"""Getting articles out again: list, export (and its round trip through ingest), remove."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from test_cli import search_json, write_article

FIXTURES = Path(__file__).parents[1] / "fixtures" / "formats"
COMPARED = ("title", "description", "body", "maintext", "date_publish", "date_text", "date_precision",
            "source", "source_domain", "url", "authors", "language")  # fmt: skip


def export_jsonl(archive, *args: str) -> list[dict]:  # type: ignore[no-untyped-def,type-arg]
    return [json.loads(line) for line in archive("export", *args).stdout.splitlines()]


def test_a_jsonl_export_ingests_back_unchanged(archive, another_archive, tmp_path: Path, seed_dir: Path) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", seed_dir, "--source", "werstka")
    archive("ingest", FIXTURES, expect=1)  # the fixtures hold broken records on purpose
    exported = export_jsonl(archive)
    assert len(exported) == json.loads(archive("info", "--json").stdout)["articles"]
    dump = tmp_path / "dump.jsonl"
    dump.write_text("".join(json.dumps(record) + "\n" for record in exported), encoding="utf-8")

    other = tmp_path / "other-archive"
    report = json.loads(another_archive("ingest", "--home", other, dump, "--json").stdout)
    assert (report["new"], report["failed"]) == (len(exported), 0)
    again = export_jsonl(another_archive, "--home", str(other))
    key = lambda record: record["id"]  # noqa: E731
    assert [r["id"] for r in sorted(again, key=key)] == [r["id"] for r in sorted(exported, key=key)]
    for before, after in zip(sorted(exported, key=key), sorted(again, key=key), strict=True):
        assert {k: before[k] for k in COMPARED} == {k: after[k] for k in COMPARED}
    # and into the archive it came from: nothing new
    report = json.loads(archive("ingest", dump, "--json").stdout)
    assert (report["new"], report["updated"], report["duplicate"]) == (0, 0, len(exported))


def test_export_of_a_query_as_csv_and_markdown(archive, seed_dir: Path, tmp_path: Path) -> None:
    archive("ingest", seed_dir)
    write_article(tmp_path / "in", "other.txt", "Harvest festival in the valley", "1 October 2024", "Farmers met.")
    archive("ingest", tmp_path / "in")
    rows = list(csv.DictReader(io.StringIO(archive("export", "Kursk", "--format", "csv").stdout)))
    assert [row["title"] for row in rows] == ["Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat"]
    assert rows[0]["date_publish"] == "2024-11-10T09:13:00+00:00"
    markdown = archive("export", "harvest", "--format", "md").stdout
    assert markdown.startswith("# Harvest festival in the valley\n") and "- published: 2024-10-01T00:00:00+00:00" in markdown
    out = tmp_path / "all.jsonl"
    archive("export", "-o", out)
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    assert archive("export", "zebra").stdout == ""


def test_export_between_dates_leaves_out_the_rest_and_the_undated(archive, seed_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", seed_dir)  # 2024-11-10
    write_article(tmp_path / "in", "october.txt", "Harvest festival in the valley", "1 October 2024", "Farmers met.")
    write_article(tmp_path / "in", "undated.txt", "A valley without a date", "", "Farmers met again.")
    archive("ingest", tmp_path / "in")
    titles = lambda *args: sorted(record["title"] for record in export_jsonl(archive, *args))  # noqa: E731
    assert titles("--since", "2024-10", "--until", "2024-10") == ["Harvest festival in the valley"]
    assert titles("--since", "2024-11") == ["Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat"]
    assert titles("farmers", "--until", "2024-12") == ["Harvest festival in the valley"]
    assert len(titles()) == 3
    assert archive("export", "--since", "someday", expect=2).stderr.startswith("Error: ")


def test_list_browses_newest_first_with_filters(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "a.txt", "Spring story", "3 March 2023")
    write_article(folder, "b.txt", "Autumn story", "5 October 2024 10:00")
    write_article(folder, "c.txt", "Undated story", None)
    archive("ingest", folder, "--source", "gazette")
    listed = json.loads(archive("list", "--json").stdout)
    assert [a["title"] for a in listed["articles"]] == ["Autumn story", "Spring story", "Undated story"]
    assert [a["title"] for a in json.loads(archive("list", "--since", "2024", "--json").stdout)["articles"]] == [
        "Autumn story"
    ]
    assert json.loads(archive("list", "--source", "nobody", "--json").stdout)["total"] == 0
    text = archive("list", "--limit", "2", "--page", "2").stdout
    assert text.splitlines()[0] == "3 articles (showing 3-3, newest first)" and "Undated story  [gazette]" in text


def test_remove_takes_articles_out_of_database_and_index(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    refused = archive("remove", article_id, "nosuchid00", expect=1)
    assert "no article with id 'nosuchid00'; nothing was removed" in refused.stderr
    assert search_json(archive, "Kursk")["total"] == 1
    assert archive("remove", article_id, "--json").stdout.startswith('{\n  "removed": [')
    assert search_json(archive, "Kursk")["total"] == 0
    assert json.loads(archive("check", "--json").stdout)["ok"]
    assert json.loads(archive("ingest", seed_dir, "--json").stdout)["new"] == 0  # the unchanged file stays out
    assert json.loads(archive("ingest", seed_dir, "--force", "--json").stdout)["new"] == 1
    result = archive("remove", article_id)
    assert result.stdout == (
        f"Removed {article_id}  Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat\n"
        "1 article removed from the database and the index.\n"
    )


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--page", "9223372036854775807"),
        ("list", "--limit", "99999999999999999999"),
        ("search", "Kursk", "--page", "9223372036854775807"),
        ("search", "Kursk", "--limit", "99999999999999999999"),
        ("similar", "c3eaa81b31", "--limit", "99999999999999999999"),
        ("dupes", "--limit", "99999999999999999999"),
    ],
)
def test_huge_page_numbers_and_sizes_are_a_usage_error(archive, seed_dir: Path, args: tuple[str, ...]) -> None:
    archive("ingest", seed_dir)
    result = archive(*args, expect=2)
    assert f"Invalid value for '{args[-2]}'" in result.stderr and "is not in the range" in result.stderr


def test_one_article_is_one_article(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    assert archive("list").stdout.startswith("1 article (showing 1-1, newest first)\n")
    assert archive("list", "--page", "2").stdout == "1 article; page 2 is past the last page.\n"
