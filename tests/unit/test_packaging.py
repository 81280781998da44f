"""What `pip install .` ships: every package of the source tree (an editable install would hide a missing one)."""

from __future__ import annotations

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_every_package_in_the_source_tree_is_listed_for_installing() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    source = REPO / "src"
    found = {init.parent.relative_to(source).as_posix().replace("/", ".") for init in source.glob("newsarchive/**/__init__.py")}
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
