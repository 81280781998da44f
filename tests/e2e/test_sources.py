"""Files read from a named source folder (`archive ingest --source NAME FOLDER`) are known by the name and their path
in the folder: one share mounted at two places (here a link to it, and a copy of it) is one set of files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from test_cli import ingest_json
from test_faults import make_collection


@pytest.fixture
def mounts(tmp_path: Path) -> tuple[Path, Path]:
    """One share, mounted at two places: a link to it, and a copy of it (same names, sizes and times)."""
    share = make_collection(tmp_path / "share" / "2024", 5).parent
    (tmp_path / "mnt").mkdir()
    (tmp_path / "mnt" / "a").symlink_to(share, target_is_directory=True)
    shutil.copytree(share, tmp_path / "mnt" / "b")
    return tmp_path / "mnt" / "a", tmp_path / "mnt" / "b"


def _files(archive, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    found = json.loads(archive("search", query, "--json").stdout)["hits"]
    return json.loads(archive("show", found[0]["id"], "--json").stdout)["files"]  # type: ignore[no-any-return]


def test_one_share_under_two_mount_points_is_one_set_of_files(archive, mounts: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    a, b = mounts
    assert ingest_json(archive, "--source", "share", a)["new"] == 5
    again = ingest_json(archive, "--source", "share", b)
    assert (again["new"], again["duplicate"], again["unchanged"]) == (0, 0, 5)  # (not even read again)
    assert _files(archive, "zqx3") == ["share:2024/0003.txt"]
    (b / "2024" / "0003.txt").write_text("Council meeting number 3 ends\nThe council changed its mind about zqxnew.\n", encoding="utf-8")
    (b / "2024" / "0004.txt").unlink()
    changed = ingest_json(archive, "--source", "share", b)
    assert (changed["new"], changed["updated"], changed["unchanged"]) == (0, 1, 3)
    assert _files(archive, "zqxnew") == ["share:2024/0003.txt"]
    assert _files(archive, "zqx4") == ["share:2024/0004.txt"]  # (a file gone from the share stays, as ever)
    assert "from 5 files" in archive("info").stdout


def test_files_recorded_by_absolute_path_before_move_under_the_source(archive, mounts: tuple[Path, Path]) -> None:  # type: ignore[no-untyped-def]
    a, _b = mounts
    ingest_json(archive, a)
    assert _files(archive, "zqx1") == [str((a / "2024" / "0001.txt").resolve())]
    moved = ingest_json(archive, "--source", "share", a)
    assert (moved["new"], moved["duplicate"], moved["updated"]) == (0, 0, 5)  # (their source is recorded now)
    assert _files(archive, "zqx1") == ["share:2024/0001.txt"]
    assert "from 5 files" in archive("info").stdout
