"""`archive serve` as a user starts it: what it refuses, in one line each, and one real run until Ctrl-C."""

from __future__ import annotations

import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import Result

from conftest import Cli, Stack, no_archive_error
from newsarchive.web import server
from test_cli import write_article

TOKEN = "s3cret-token_0123456789"
NEEDS_A_TOKEN = "Hint: give --token TOKEN (or set ARCHIVE_SERVE_TOKEN), or leave --host at 127.0.0.1\n"
TOKEN_FORM = (
    "Error: the token must be 16 or more letters, digits, '.', '_', '~' or '-'\n"
    "Hint: python3 -c 'import secrets; print(secrets.token_urlsafe())' makes one\n"
)
NO_EXTRA = (
    "Error: `archive serve` needs the web extra, which is not installed ({} is missing)\n"
    "Hint: pip install 'newsarchive[web]' (in a checkout: pip install '.[web]')\n"
)


@pytest.fixture(scope="module")
def one_article(tmp_path_factory: pytest.TempPathFactory, stack: Stack) -> Iterator[tuple[Cli, Path]]:
    """An archive of one article, for the module: `archive ...` on it and its home."""
    folder = tmp_path_factory.mktemp("serve")
    write_article(folder / "in", "a.txt", "Harbour reopens after the storm", "3 March 2024")
    database = stack.database()
    archive = Cli(stack.settings(database))
    archive("ingest", "--home", folder / "archive", folder / "in")
    yield archive, folder / "archive"
    stack.drop(database)


@pytest.fixture
def served(one_article: tuple[Cli, Path], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    """`archive serve ARGS` on the module's archive; one that got as far as serving fails the test instead."""
    archive, home = one_article

    def would_serve(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("archive serve got as far as serving")

    monkeypatch.setattr(server, "run", would_serve)
    return lambda *args, expect=0: archive("serve", "--home", home, *args, expect=expect)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.1", "archive.example"])
def test_another_address_than_loopback_needs_a_token(served: Callable[..., Result], host: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARCHIVE_SERVE_TOKEN", raising=False)
    result = served("--host", host, expect=2)
    assert result.stderr == f"Error: listening on {host} lets other machines read the archive, so it needs a token\n{NEEDS_A_TOKEN}"
    assert result.stdout == ""


@pytest.mark.parametrize("token", ["short", "0123456789abcde", "with space 0123456789", "tok/en+0123456789=", "é" * 20, ""])
def test_a_token_that_would_not_survive_a_url_is_refused(served: Callable[..., Result], token: str, monkeypatch: pytest.MonkeyPatch) -> None:
    assert served("--token", token, expect=2).stderr == TOKEN_FORM
    monkeypatch.setenv("ARCHIVE_SERVE_TOKEN", token)
    if token:  # (an empty variable is no token at all)
        assert served("--host", "0.0.0.0", expect=2).stderr == TOKEN_FORM


def test_a_port_in_use_is_said_in_one_line(served: Callable[..., Result]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = served("--port", str(port), expect=1)
    assert result.stderr == (
        f"Error: cannot listen on 127.0.0.1 port {port}: Address already in use\n"
        "Hint: another program listens there: choose another --port (0 picks a free one)\n"
    )


def test_a_port_out_of_range_is_a_usage_error(served: Callable[..., Result]) -> None:
    assert "Invalid value for '--port': 65536 is not in the range 0<=x<=65535." in served("--port", "65536", expect=2).stderr


def test_without_an_archive_it_says_so_as_every_command_does(archive, archive_home: Path) -> None:  # type: ignore[no-untyped-def]
    said = archive("serve", expect=1).stderr
    assert said == archive("info", expect=1).stderr
    assert said.startswith(no_archive_error(archive_home))


@pytest.mark.parametrize("module", ["fastapi", "jinja2", "uvicorn"])
def test_without_the_web_extra_it_says_how_to_get_it(served: Callable[..., Result], module: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, module, None)  # (import fails as where it is not installed)
    result = served(expect=1)
    assert (result.stdout, result.stderr) == ("", NO_EXTRA.format(module))
    assert "pip install 'newsarchive[web]'" in served("--help").stdout  # the help needs no extra


def _line(stream, timeout: float) -> str:  # type: ignore[no-untyped-def]
    # (a selector, not select(): late in a long test session a pipe's descriptor may be past select's 1024)
    with selectors.DefaultSelector() as waiting:
        waiting.register(stream, selectors.EVENT_READ)
        assert waiting.select(timeout), f"nothing printed in {timeout} s"
    return str(stream.readline())


def test_it_serves_until_ctrl_c(one_article: tuple[Cli, Path]) -> None:
    archive, home = one_article
    environment = {**os.environ, **archive.runner.env, "ARCHIVE_HOME": str(home), "ARCHIVE_SERVE_TOKEN": TOKEN}
    server = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment,
    )  # fmt: skip
    try:
        printed = _line(server.stdout, 30)
        prefix = f"Serving the archive at {home} on http://127.0.0.1:"
        assert printed.startswith(prefix) and printed.endswith(f"/?token={TOKEN}  (Ctrl-C stops)\n"), printed
        base = printed.split(" on ", 1)[1].split("?", 1)[0]
        bearer = {"authorization": f"Bearer {TOKEN}"}
        found = httpx.get(base + "search.json", params={"q": "harbour"}, headers=bearer, timeout=10).json()
        assert [hit["title"] for hit in found["hits"]] == ["Harbour reopens after the storm"]
        assert httpx.get(base + "info.json", timeout=10).status_code == 401
        opened = httpx.get(printed.split(" on ", 1)[1].split()[0], timeout=10)  # the printed link: a cookie, then the page
        assert opened.status_code == 303 and opened.headers["location"] == "/"
        assert httpx.get(base + "info.json", cookies=opened.cookies, timeout=10).json()["articles"] == 1
        started = time.monotonic()
        server.send_signal(signal.SIGINT)
        out, errors = server.communicate(timeout=15)
        assert time.monotonic() - started < 5
    finally:
        if server.poll() is None:
            server.kill()
            server.communicate()
    assert (server.returncode, out, errors) == (0, "", "Stopped.\n")

