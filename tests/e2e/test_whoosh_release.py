"""The engine runs only on the Whoosh release its fast paths were verified against."""

from __future__ import annotations

import pytest
import whoosh

from conftest import SEED
from newsarchive.engines.whoosh.release import VERIFIED, WhooshVersionMismatch, check_release
from newsarchive.errors import IndexUnavailable


@pytest.mark.no_archive
def test_the_installed_release_is_the_verified_one() -> None:
    check_release()  # (if this fails, the pin in pyproject.toml and the environment disagree)


@pytest.mark.no_archive
def test_another_release_is_refused_with_the_command_that_installs_the_verified_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(whoosh, "__version__", (2, 7, 6))
    with pytest.raises(WhooshVersionMismatch) as raised:
        check_release()
    assert isinstance(raised.value, IndexUnavailable)
    assert (
        str(raised.value)
        == "the installed Whoosh is 2.7.6, but this newsarchive was verified against Whoosh 2.7.5 only"
    )
    assert raised.value.hint == "pip install 'whoosh-reloaded==2.7.5'"
    assert VERIFIED == (2, 7, 5)


@pytest.mark.local_index("the Whoosh release a home's index is opened with")
def test_a_command_says_so_in_one_line_when_it_first_uses_the_index(archive, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    archive("ingest", "-q", SEED)
    monkeypatch.setattr(whoosh, "__version__", (2, 8, 0))
    assert "Usage" in archive("--help").stdout  # (help never opens the index)
    result = archive("search", "election", expect=1)
    assert result.stdout == ""
    assert result.stderr == (
        "Error: the installed Whoosh is 2.8.0, but this newsarchive was verified against Whoosh 2.7.5 only\n"
        "Hint: pip install 'whoosh-reloaded==2.7.5'\n"
    )
