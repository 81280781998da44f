"""`archive serve`: the archive's pages in a browser (``newsarchive.web``), until Ctrl-C."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from newsarchive.cli.options import archive_command
from newsarchive.errors import ArchiveError
from newsarchive.render import terminal
from newsarchive.web.security import TOKEN_ENV

if TYPE_CHECKING:
    from newsarchive.archive import Archive


@archive_command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; any but this machine's own needs --token.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0: any free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the search page in the default browser.")
@click.option("--token", envvar=TOKEN_ENV, metavar="TOKEN", show_envvar=True,
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
    _require_web_extra()
    from newsarchive.web import server

    loopback = server.check_token(host, token)
    archive.info()  # (an archive that cannot be read is said now, as every command says it, not at the first page)
    archive.close()  # (each of the server's threads opens its own)
    listening = server.listen(host, port)
    url = server.url_of(listening, token)
    click.echo(f"Serving the archive at {terminal.terminal_safe(str(archive.config.home))} on {url}  (Ctrl-C stops)")
    if open_browser:
        import threading
        import webbrowser

        threading.Timer(0.5, webbrowser.open, (url,)).start()
    settings = server.ServeSettings(home=str(archive.config.home), token=token, loopback_only=loopback, threads=threads)
    server.run(settings, listening, workers=workers)
    click.echo("Stopped.", err=True)


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
