"""A PostgreSQL server that cannot be used is said in one line that names it (host:port/dbname, never a password),
with a hint for a server, whichever way it fails: refused, unknown, no such database or user, a wrong password,
no answer, a connection lost mid-command."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from _postgres import Server
from test_faults import make_collection


def one_line(stderr: str) -> tuple[str, str]:
    """The error and hint lines of a command's stderr, checked to be just those."""
    error, hint = stderr.splitlines()
    assert error.startswith("Error: ") and hint.startswith("Hint: ") and "secret" not in stderr
    return error, hint


@pytest.fixture
def server_url(postgres: Server, monkeypatch: pytest.MonkeyPatch) -> str:
    url = postgres.database()
    monkeypatch.setenv("ARCHIVE_ENGINE", "whoosh")
    return url


def host_port(url: str) -> str:
    return url.split("@", 1)[1].rsplit("/", 1)[0]


@pytest.mark.parametrize("command", [("list",), ("search", "zqx1"), ("ingest", "IN")], ids=" ".join)
def test_a_server_that_cannot_be_used_is_named_in_one_line(
    archive, server_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    folder = make_collection(tmp_path / "in", 1)
    args = [folder if arg == "IN" else arg for arg in command]
    server = host_port(server_url)
    base = server_url.rsplit("/", 1)[0]
    cases = {
        f"{base.replace('news@', 'news:secret@')}/nosuch": (
            f"Error: database nosuch does not exist on the server at {server}",
            f"Hint: create it there (createdb -h 127.0.0.1 -p {server.split(':')[1]} nosuch, as a user allowed to), "
            "or name another in ARCHIVE_DATABASE_URL",
        ),
        server_url.replace("news@", "ghost:secret@"): (
            f'Error: the server at {server} has no user (role) "ghost": cannot open {server}/{server_url.rsplit("/", 1)[1]}',
            f"Hint: ask the administrator of {server} for that user, or name another in ARCHIVE_DATABASE_URL",
        ),
        "postgresql+psycopg://news:secret@127.0.0.1:9/news": (
            "Error: cannot connect to the archive database at 127.0.0.1:9/news: the server refused the connection",
            "Hint: check that the PostgreSQL server at 127.0.0.1:9 is running and listening there, "
            "or the host and port in ARCHIVE_DATABASE_URL",
        ),
        "postgresql+psycopg://news:secret@no-such-host.invalid/news": (
            "Error: cannot connect to the archive database at no-such-host.invalid/news: no host is known by that name",
            "Hint: check the host (no-such-host.invalid) that ARCHIVE_DATABASE_URL names",
        ),
    }
    for url, expected in cases.items():
        monkeypatch.setenv("ARCHIVE_DATABASE_URL", url)
        assert one_line(archive(*args, expect=1).stderr) == expected, url


def test_a_wrong_password_is_refused_in_one_line(archive, postgres: Server, server_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    if postgres.folder is None:
        pytest.skip("needs the tests' own server, to ask for a password (ARCHIVE_TEST_POSTGRES_URL is given)")
    import psycopg

    with psycopg.connect(postgres.admin_url, autocommit=True) as connection:
        connection.execute("DROP ROLE IF EXISTS careful")
        connection.execute("CREATE ROLE careful LOGIN PASSWORD 'right'")
        hba = Path(connection.execute("SHOW hba_file").fetchone()[0])  # type: ignore[index]
        rules = hba.read_text()
        if "careful" not in rules:
            hba.write_text("host all careful 127.0.0.1/32 scram-sha-256\n" + rules)
        connection.execute("SELECT pg_reload_conf()")
    server = host_port(server_url)
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", server_url.replace("news@", "careful:secret@"))
    assert one_line(archive("info", expect=1).stderr) == (
        f'Error: the server at {server} refused user "careful": password authentication failed for user "careful"',
        f"Hint: check the user and password in ARCHIVE_DATABASE_URL (or ~/.pgpass, PGPASSWORD) with the administrator of {server}",
    )
    monkeypatch.delenv("PGPASSWORD", raising=False)
    monkeypatch.setenv("PGPASSFILE", "/nonexistent")
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", server_url.replace("news@", "careful@"))  # no password at all
    assert one_line(archive("info", expect=1).stderr) == (
        f'Error: the server at {server} asks user "careful" for a password, and none is given ({server}/{server_url.rsplit("/", 1)[1]})',
        f"Hint: give the password of {server} in ARCHIVE_DATABASE_URL (postgresql+psycopg://USER:PASSWORD@HOST/DB), ~/.pgpass or PGPASSWORD",
    )


def test_a_url_of_no_known_database_is_named_with_its_scheme(archive, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", "postgresl+psycopg://news:secret@127.0.0.1/news")
    assert one_line(archive("search", "zqx1", expect=1).stderr)[0] == (
        "Error: cannot use database URL 'postgresl+psycopg://news:***@127.0.0.1/news': "
        "no database is known by the scheme 'postgresl+psycopg'"
    )


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that takes connections and never answers them."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_server_that_does_not_answer_is_given_up_on(archive, server_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with silent_server() as port:
        monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"postgresql+psycopg://news:secret@127.0.0.1:{port}/news?connect_timeout=1")
        assert one_line(archive("info", expect=1).stderr) == (
            f"Error: cannot connect to the archive database at 127.0.0.1:{port}/news: no answer from the server in time",
            f"Hint: check that the server at 127.0.0.1:{port} is up and reachable from this machine "
            "(a slow link: connect_timeout=SECONDS in ARCHIVE_DATABASE_URL)",
        )


@contextmanager
def cutting_proxy(target: str, cut_at: bytes) -> Iterator[int]:
    """A port passing connections on to the server at ``target`` (host:port), which drops a connection (both ways)
    as soon as its client sends a statement holding ``cut_at``: the server gone away mid-command."""
    host, port = target.split(":")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)

    def pump(source: socket.socket, sink: socket.socket, watch: bool) -> None:
        try:
            while chunk := source.recv(65536):
                if watch and cut_at in chunk:
                    break
                sink.sendall(chunk)
        except OSError:
            pass
        for end in (source, sink):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            end.close()

    def serve() -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection((host, int(port)))
            threading.Thread(target=pump, args=(client, upstream, True), daemon=True).start()
            threading.Thread(target=pump, args=(upstream, client, False), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()


def test_a_connection_lost_mid_command_is_said_in_one_line(archive, server_url: str, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ARCHIVE_DATABASE_URL", server_url)
    archive("ingest", make_collection(tmp_path / "in", 3))
    name = server_url.rsplit("/", 1)[1]
    with cutting_proxy(host_port(server_url), b"FROM articles") as port:
        monkeypatch.setenv("ARCHIVE_DATABASE_URL", f"postgresql+psycopg://news:secret@127.0.0.1:{port}/{name}")
        assert one_line(archive("list", expect=1).stderr) == (
            f"Error: the connection to the database at 127.0.0.1:{port}/{name} was lost",
            f"Hint: the server at 127.0.0.1:{port} (ARCHIVE_DATABASE_URL) stopped or dropped the connection: "
            "run the command again once it is back",
        )
