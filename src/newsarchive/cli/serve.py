"""`archive serve`: the archive's pages in a browser (``newsarchive.web``), until Ctrl-C."""

from __future__ import annotations

import os
import re
import socket
from typing import TYPE_CHECKING

import click

from newsarchive.cli.options import archive_command
from newsarchive.errors import ArchiveError, InvalidSetting
from newsarchive.render import terminal

if TYPE_CHECKING:
    from newsarchive.archive import Archive

#: A token must survive a URL and a cookie as it is, and be hard to guess.
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,}")


@archive_command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but this machine's own needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in the default browser.")
@click.option("--token", envvar="ARCHIVE_SERVE_TOKEN", metavar="TOKEN", show_envvar=True,
              help="Ask every request for this token (16 or more letters, digits, . _ ~ -).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Server processes: searching is mostly Python, so one process uses one core.")
@click.option("--threads", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Requests each process works on at once (more wait their turn): two, so that one slow search "
              "does not hold up the rest.")
def serve(
    archive: Archive, host: str, port: int, open_browser: bool, token: str | None, workers: int, threads: int
) -> None:
    """Serve the archive as web pages, read-only, until Ctrl-C.

    Search with facets and paging, whole articles with their copies and
    similar articles, attention over time as a chart, telling words,
    exports and the archive's facts; every page also as JSON (its .json
    path, or Accept: application/json), described at /openapi.json.

    Only this machine can connect unless --host says otherwise, and then
    --token (or $ARCHIVE_SERVE_TOKEN) is required: the printed link carries
    it once, programs send "Authorization: Bearer TOKEN". A search stops
    after $ARCHIVE_SEARCH_SECONDS (10); an ingest may run meanwhile in
    another process, and the pages show what it has committed.

    \b
    Examples:
      archive serve
      archive serve --port 8080 --open
      curl 'http://127.0.0.1:8000/search.json?q=kursk&limit=5'
      ARCHIVE_SERVE_TOKEN=$(python3 -c 'import secrets; print(secrets.token_urlsafe())') archive serve --host 0.0.0.0

    Needs the web extra: pip install 'newsarchive[web]'.
    """
    from newsarchive.web.security import TOKEN_ENV, is_loopback

    _require_web_extra()
    loopback = is_loopback(host)
    if token is not None and not _TOKEN.fullmatch(token):
        raise InvalidSetting("the token must be 16 or more letters, digits, '.', '_', '~' or '-'",
                             hint="python3 -c 'import secrets; print(secrets.token_urlsafe())' makes one")
    if not loopback and token is None:
        raise InvalidSetting(
            f"listening on {terminal.terminal_safe(host)} lets other machines read the archive, so it needs a token",
            hint=f"give --token TOKEN (or set {TOKEN_ENV}), or leave --host at 127.0.0.1",
        )
    archive.info()  # (an archive that cannot be read is said now, as every command says it, not at the first page)
    archive.close()  # (each of the server's threads opens its own)
    listening = _listen(host, port)
    _run(archive, listening, token=token, loopback=loopback, workers=workers, threads=threads, open_browser=open_browser)


def _require_web_extra() -> None:
    try:
        import fastapi  # noqa: F401
        import jinja2  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ArchiveError(
            f"`archive serve` needs the web extra, which is not installed ({error.name} is missing)",
            hint="pip install 'newsarchive[web]' (in a checkout: pip install '.[web]')",
        ) from None


def _listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, so that a port in use is said in one line before anything starts."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise InvalidSetting(f"cannot listen on {terminal.terminal_safe(host)}: {error.strerror}") from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        hint = "another program listens there: choose another --port (0 picks a free one)" if port else None
        raise ArchiveError(f"cannot listen on {terminal.terminal_safe(host)} port {port}: {error.strerror}", hint=hint) from None
    listening.listen(128)
    return listening


def _run(
    archive: Archive, listening: socket.socket, *, token: str | None, loopback: bool, workers: int, threads: int,
    open_browser: bool,
) -> None:  # fmt: skip
    import uvicorn

    from newsarchive.web.app import SETTINGS_ENV, ServeSettings

    settings = ServeSettings(home=str(archive.config.home), token=token, loopback_only=loopback, threads=threads)
    options = {"log_level": "warning", "access_log": False, "timeout_graceful_shutdown": 5, "limit_concurrency": 256}
    if workers == 1:
        config = uvicorn.Config(settings.app(), **options)  # type: ignore[arg-type]
    else:  # (each process makes its app from the settings in its environment, as uvicorn starts them afresh)
        os.environ[SETTINGS_ENV] = settings.to_json()
        config = uvicorn.Config("newsarchive.web.app:app_from_environment", factory=True, workers=workers, **options)  # type: ignore[arg-type]
    host, port = listening.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    url = f"http://{shown}:{port}/" + (f"?token={token}" if token else "")
    click.echo(f"Serving the archive at {terminal.terminal_safe(str(archive.config.home))} on {url}  (Ctrl-C stops)")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    try:
        if workers == 1:
            uvicorn.Server(config).run(sockets=[listening])
        else:
            from uvicorn.supervisors import Multiprocess

            Multiprocess(config, sockets=[listening]).run()
    except KeyboardInterrupt:  # (uvicorn raises the Ctrl-C it caught again once it has shut down cleanly)
        pass
    finally:
        listening.close()
    click.echo("Stopped.", err=True)
