"""Serving the app: the token's rule, the listening socket, uvicorn and its processes.

``archive serve`` checks what it was given (``check_token``), binds the
socket first (``listen``: a port in use is one line before anything
starts), then ``run``s until Ctrl-C. With several processes, uvicorn starts
each afresh; each makes its app from the settings the command leaves in its
environment (``app_from_environment``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsarchive.errors import ArchiveError, InvalidSetting
from newsarchive.render.terminal import terminal_safe

if TYPE_CHECKING:
    from fastapi import FastAPI

#: Where `archive serve --workers N` leaves each process its settings (``ServeSettings`` as JSON).
SETTINGS_ENV = "NEWSARCHIVE_SERVE_SETTINGS"
#: A token must survive a URL and a cookie as it is, and be hard to guess.
_TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,}")
#: The one-line recipe for a good token.
MAKE_A_TOKEN = "python3 -c 'import secrets; print(secrets.token_urlsafe())'"


@dataclass(frozen=True)
class ServeSettings:
    """What a server process makes its app with: the archive home and ``create_app``'s options."""

    home: str
    token: str | None = None
    loopback_only: bool = True
    threads: int = 2

    def app(self) -> FastAPI:
        """The app these settings make (the archive's configuration as every process resolves it afresh)."""
        from newsarchive.config import resolve_config
        from newsarchive.web.app import create_app

        return create_app(resolve_config(self.home), token=self.token, loopback_only=self.loopback_only, threads=self.threads)


def app_from_environment() -> FastAPI:
    """The app of a server process that uvicorn started afresh (`archive serve --workers N`)."""
    return ServeSettings(**json.loads(os.environ[SETTINGS_ENV])).app()


def check_token(host: str, token: str | None) -> bool:
    """Whether ``host`` keeps the server to this machine; refuses (InvalidSetting) a malformed token, and
    another address without one."""
    from newsarchive.web.security import TOKEN_ENV, is_loopback

    if token is not None and not _TOKEN.fullmatch(token):
        raise InvalidSetting("the token must be 16 or more letters, digits, '.', '_', '~' or '-'", hint=f"{MAKE_A_TOKEN} makes one")
    loopback = is_loopback(host)
    if not loopback and token is None:
        raise InvalidSetting(
            f"listening on {terminal_safe(host)} lets other machines read the archive, so it needs a token",
            hint=f"give --token TOKEN (or set {TOKEN_ENV}), or leave --host at 127.0.0.1",
        )
    return loopback


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to ``host``:``port``, so that a port in use is said in one line before anything starts."""
    try:
        family, kind, proto, _name, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except socket.gaierror as error:
        raise InvalidSetting(f"cannot listen on {terminal_safe(host)}: {error.strerror}") from None
    listening = socket.socket(family, kind, proto)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind(address)
    except OSError as error:
        listening.close()
        hint = "another program listens there: choose another --port (0 picks a free one)" if port else None
        raise ArchiveError(f"cannot listen on {terminal_safe(host)} port {port}: {error.strerror}", hint=hint) from None
    listening.listen(128)
    return listening


def url_of(listening: socket.socket, token: str | None) -> str:
    """The address a browser opens: the socket's, with the token once."""
    host, port = listening.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/" + (f"?token={token}" if token else "")


def run(settings: ServeSettings, listening: socket.socket, *, workers: int = 1) -> None:
    """Serve on ``listening`` until Ctrl-C (or SIGTERM), in ``workers`` processes; closes the socket."""
    import uvicorn

    options: dict[str, Any] = {"log_level": "warning", "access_log": False, "timeout_graceful_shutdown": 5, "limit_concurrency": 256}
    try:
        if workers == 1:
            uvicorn.Server(uvicorn.Config(settings.app(), **options)).run(sockets=[listening])
        else:
            from uvicorn.supervisors import Multiprocess

            os.environ[SETTINGS_ENV] = json.dumps(dataclasses.asdict(settings))
            config = uvicorn.Config(f"{__name__}:app_from_environment", factory=True, workers=workers, **options)
            Multiprocess(config, sockets=[listening]).run()
    except KeyboardInterrupt:  # (uvicorn raises the Ctrl-C it caught again once it has shut down cleanly)
        pass
    finally:
        listening.close()
