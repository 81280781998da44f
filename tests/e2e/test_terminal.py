"""Output that suits its stream: escapes from outside never reach a terminal, and any encoding prints."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import Result

from conftest import SEED, database_rows
from newsarchive.render import terminal
from test_terminal_rules import HOSTILE, HOSTILE_SHOWN

RAW = ("\x1b", "\x07", "\x9b")


def assert_safe(result: Result) -> None:
    for stream in (result.stdout, result.stderr):
        assert not any(char in stream for char in RAW), stream


# --- the rules --------------------------------------------------------------------


# --- through the CLI ------------------------------------------------------------------


def set_title(home: Path, article_id: str, title: str) -> None:
    """A title with controls, as a database written by another tool may hold (ingest strips them)."""
    database_rows(home, "UPDATE articles SET title = :title WHERE id = :id", write=True, title=title, id=article_id)


def test_escapes_in_names_titles_urls_and_sources_are_shown_escaped(archive, tmp_path: Path, archive_home: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / f"a{HOSTILE}.txt")
    shutil.copy(SEED, folder / "plain.txt")
    (folder / f"empty{HOSTILE}.txt").write_bytes(b"")
    page = {"title": "Harbour reopens", "maintext": "The harbour reopened after the storm, " * 5,
            "url": f"http://example.org/{HOSTILE}", "date_publish": "2024-11-11"}
    (folder / "feed.jsonl").write_text(json.dumps(page) + "\n", encoding="utf-8")

    ingested = archive("ingest", "-v", "--source", f"bbc{HOSTILE}", folder, expect=1)
    assert_safe(ingested)
    assert f"error: {folder}/empty{HOSTILE_SHOWN}.txt: empty file" in ingested.stderr

    seed_id = json.loads(archive("search", "Kursk", "--json").stdout)["hits"][0]["id"]
    harbour_id = json.loads(archive("search", "harbour", "--json").stdout)["hits"][0]["id"]
    assert json.loads(archive("show", harbour_id, "--json").stdout)["url"] == "http://example.org/]0;pwned[2J31m"
    set_title(archive_home, seed_id, f"Kursk {HOSTILE}")
    url = f"http://example.org/{HOSTILE}"  # (ingest strips them from URLs too)
    database_rows(archive_home, "UPDATE articles SET url = :url WHERE id = :id", write=True, url=url, id=harbour_id)
    archive("reindex")

    shown = archive("show", seed_id)
    assert_safe(shown)
    assert shown.stdout.startswith(f"Kursk {HOSTILE_SHOWN}\n")
    assert f"bbc{HOSTILE_SHOWN}:a{HOSTILE_SHOWN}.txt" in shown.stdout and f"source:    bbc{HOSTILE_SHOWN}" in shown.stdout
    assert f"url:       http://example.org/{HOSTILE_SHOWN}" in archive("show", harbour_id).stdout
    for command in (
        ["search", "Kursk"], ["search", "Kursk", "--facet", "source"], ["list"], ["dupes"], ["similar", harbour_id],
        ["search", "Kursk", "--json"], ["list", "--json"], ["dupes", "--json"], ["show", seed_id, "--json"],
        ["export"], ["trend", f"Kursk{HOSTILE}"], ["terms", f"Kursk{HOSTILE}"],
    ):
        result = archive(*command)
        assert_safe(result)
    # CSV and Markdown are data: exact when redirected or piped, made safe only on a terminal.
    for command in (["list", "--csv"], ["export", "--format", "csv"], ["export", "--format", "md"]):
        assert f"Kursk {HOSTILE}" in archive(*command).stdout
        with pytest.MonkeyPatch.context() as on_a_terminal:
            on_a_terminal.setattr("newsarchive.cli.output._stdout_is_terminal", lambda: True)
            shown = archive(*command)
        assert_safe(shown)
        assert f"Kursk {HOSTILE_SHOWN}" in shown.stdout
    assert_safe(archive("remove", "--json", harbour_id))
    assert f"[bbc{HOSTILE_SHOWN}]" in archive("list").stdout
    assert f"= bbc{HOSTILE_SHOWN}:a{HOSTILE_SHOWN}.txt" in archive("dupes").stdout
    missing = archive("show", f"x{HOSTILE}", expect=1)
    assert_safe(missing)


def test_a_name_that_is_not_utf8_is_named_escaped(archive, tmp_path: Path) -> None:
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/bad\xff.txt")
    result = archive("ingest", bad, expect=1)
    assert f"error: {tmp_path}/bad\\xff.txt: no such file or folder" in result.stderr


def test_every_output_fits_a_latin1_terminal(archive, tmp_path: Path, archive_home: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder)
    page = {"title": "Кремль о переговорах", "maintext": "Kursk: переговоры начнутся только после. " * 5}
    (folder / "ru.jsonl").write_text(json.dumps(page, ensure_ascii=False) + "\n", encoding="utf-8")
    archive("ingest", folder)
    env = {**os.environ, "ARCHIVE_HOME": str(archive_home), "PYTHONIOENCODING": "latin-1", "LC_ALL": "C"}

    def run(*args: str | bytes) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([sys.executable, "-m", "newsarchive", *args], env=env, capture_output=True)

    text = run("search", "Kursk")
    assert text.returncode == 0 and not text.stderr, text.stderr.decode()
    assert b"... of Ukraine (AFU) withdraw" in text.stdout
    assert b"\\u041a\\u0440\\u0435\\u043c\\u043b\\u044c" in text.stdout  # Кремль, escaped
    found = run("search", "Kursk", "--json")
    assert found.returncode == 0 and not found.stderr, found.stderr.decode()
    assert {hit["title"] for hit in json.loads(found.stdout)["hits"]} >= {"Кремль о переговорах"}
    exported = run("export")
    assert [json.loads(line)["title"] for line in exported.stdout.splitlines()][-1] == "Кремль о переговорах"
    failed = run("ingest", os.fsencode(tmp_path) + b"/bad\xff\xe2\x80\xa6.txt")
    assert failed.returncode == 1 and b"bad\\xff....txt: no such file or folder" in failed.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_output_to_a_full_disk_is_one_line(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    failed = archive("export", "-o", "/dev/full", expect=1)
    assert failed.stderr == (
        "Error: could not write /dev/full (what it holds is incomplete): No space left on device\n"
        "Hint: make room on the disk and run the command again\n"
    )
    missing = archive("export", "-o", seed_dir / "nowhere" / "all.jsonl", expect=1)
    assert missing.stderr.endswith("all.jsonl: No such file or directory\n")
    env = {**os.environ, "ARCHIVE_HOME": str(archive_home)}
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "newsarchive", "search", "Kursk"], env=env, stdout=full,
                              stderr=subprocess.PIPE, text=True)
    # (Said by the command's own handler of machine failures, before the group's last resort for stdout.)
    assert (done.returncode, done.stderr) == (
        1, "Error: No space left on device\nHint: make room on the disk and run the command again\n"
    )


def test_bidi_controls_are_escaped_so_a_title_cannot_read_as_another(archive, seed_dir: Path, archive_home: Path):
    # U+202E turns "report_fdp.exe" into what reads as "report_exe.pdf".
    assert terminal.terminal_safe("report_\u202efdp.exe") == "report_\\u202efdp.exe"
    assert terminal.json_safe('"report_\u202efdp.exe"') == '"report_\\u202efdp.exe"'
    archive("ingest", seed_dir)
    set_title(archive_home, archive("list", "--json").stdout.split('"id": "')[1][:10], "Kursk \u202eevil\u2066")
    archive("reindex")  # (search reads titles from the index)
    for args in (("list",), ("list", "--json"), ("export",), ("search", "Kursk")):
        result = archive(*args)
        assert "\u202e" not in result.stdout and "\u2066" not in result.stdout, args
        assert "evil" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("ingest", "--source", "caf\udce9", "{seeds}"),
        ("list", "--source", "\udcff"),
        ("show", "\udcff"),
        ("remove", "\udcffab"),
        ("trend", "kursk", "\udcff"),
    ],
)
def test_text_options_that_are_not_utf8_are_a_usage_error(archive, seed_dir: Path, args: tuple[str, ...]) -> None:
    # Bytes that are not UTF-8 in argv reach Python as lone surrogates ('\udce9' for the byte 0xe9).
    archive("ingest", seed_dir)
    before = archive("info", "--json").stdout
    result = archive(*(arg.format(seeds=seed_dir) for arg in args), expect=2)
    assert "holds bytes that are not UTF-8 text (shown as \\xNN)" in result.stderr.splitlines()[-1]
    assert not any(0xDC80 <= ord(char) <= 0xDCFF for char in result.stderr)  # shown as \\xNN, never raw
    assert archive("info", "--json").stdout == before


def test_a_closed_stdout_is_one_line_and_a_closed_stderr_no_crash(archive, seed_dir: Path, archive_home: Path) -> None:
    archive("ingest", seed_dir)
    env = {**os.environ, "ARCHIVE_HOME": str(archive_home)}

    def run(closed: int) -> subprocess.CompletedProcess[bytes]:
        # `archive search Kursk >&-` and `2>&-`: Python starts with sys.stdout (stderr) None
        return subprocess.run(
            [sys.executable, "-m", "newsarchive", "search", "Kursk"], env=env, capture_output=True,
            preexec_fn=lambda: os.close(closed),
        )

    no_stdout = run(1)
    assert (no_stdout.returncode, no_stdout.stderr) == (1, b"Error: standard output is closed: nothing could be printed\n")
    no_stderr = run(2)
    assert no_stderr.returncode == 0 and b"Kursk" in no_stderr.stdout
