"""Where the team's shared test data lives: ../shared next to the repository."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED: Path = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under SHARED; skips the test if it is missing, fails if CI is set."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"shared test data not found: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def bbc_path(*parts: str) -> Path:
    """A file or folder of the BBC corpus, e.g. bbc_path("sport", "199.txt")."""
    shared_path("corpora", "bbc")
    return shared_path("corpora", "bbc", *parts)
