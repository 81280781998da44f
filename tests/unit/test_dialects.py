"""What differs by database (storage.dialects): which dialect a URL gets, and a server's failures said in one line."""

from __future__ import annotations

import pytest

from newsarchive.storage.dialects import Dialect, libpq_url, server_error, where

URL = "postgresql+psycopg://news:secret@db.example:5433/archive"


@pytest.mark.parametrize(
    ("url", "name"),
    [("sqlite:////data/archive.db", "sqlite"), ("sqlite://", "sqlite"), (URL, "postgresql"),
     ("postgresql://news@db/archive", "postgresql"), ("mysql+pymysql://news@db/archive", "server")],
)  # fmt: skip
def test_each_url_gets_its_dialect(url: str, name: str) -> None:
    assert Dialect.for_url(url).name == name


def test_a_server_is_named_by_host_port_and_database_never_its_password() -> None:
    assert where(URL) == "db.example:5433/archive"
    assert where("postgresql+psycopg://news@db.example/archive") == "db.example/archive"
    assert libpq_url(URL + "?sslmode=require") == "postgresql://news:secret@db.example:5433/archive?sslmode=require"


@pytest.mark.parametrize(
    ("said", "message"),
    [
        ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  no pg_hba.conf entry for '
         'host "10.0.0.9", user "news", database "archive", no encryption',
         'the server at db.example:5433 does not let this machine in as "news" (db.example:5433/archive)'),
        ("consuming input failed: server closed the connection unexpectedly\n\tThis probably means the server "
         "terminated abnormally\n\tbefore or while processing the request.",
         "the connection to the database at db.example:5433/archive was lost"),
        ('connection failed: connection to server at "10.0.0.5", port 5433 failed: fe_sendauth: no password supplied',
         'the server at db.example:5433 asks user "news" for a password, and none is given (db.example:5433/archive)'),
        ("terminating connection due to administrator command", "the connection to the database at db.example:5433/archive was lost"),
        ("the connection is lost", "the connection to the database at db.example:5433/archive was lost"),
        ("connection timeout expired", "cannot connect to the archive database at db.example:5433/archive: no answer from the server in time"),
        ('connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  the database system is '
         "starting up\n", "cannot use the archive database at db.example:5433/archive: the database system is starting up"),
    ],
)  # fmt: skip
def test_each_failure_of_a_server_is_one_line(said: str, message: str) -> None:
    got, hint = server_error(URL, said, "ARCHIVE_DATABASE_URL")
    assert got == message and "\n" not in got + hint and "secret" not in got + hint
    assert "db.example:5433" in hint and "ARCHIVE_DATABASE_URL" in hint
