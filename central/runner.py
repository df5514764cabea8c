"""An embedded central platform on loopback, for the demo and for tests: ``start_central(db_url)``.

uvicorn runs in a daemon thread on 127.0.0.1; ``start_central`` returns once the server answers. The heavy
imports (FastAPI, uvicorn, SQLAlchemy) happen inside ``start_central``, so importing this module is cheap and
the demo can paint its first screen before the platform starts.
"""

from __future__ import annotations

import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from central.keys import PlatformKeys


class CentralStartError(Exception):
    """The embedded platform did not come up; the message says what to check (database URL, port)."""


@dataclass
class RunningCentral:
    """A platform serving on loopback: its URL, public keys, admin token; ``enroll`` and ``stop``."""

    url: str
    public_key: bytes
    signing_public_key: bytes
    admin_token: str
    _server: Any = field(repr=False)
    _thread: threading.Thread = field(repr=False)
    _platform: Any = field(repr=False)

    def enroll(self, terminal_id: str) -> str:
        """Enroll ``terminal_id`` directly in the database and return its bearer token."""
        token: str = self._platform.terminals.enroll(terminal_id)
        return token

    def revoke(self, terminal_id: str) -> None:
        self._platform.terminals.revoke(terminal_id)

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._platform.engine.dispose()

    def __enter__(self) -> RunningCentral:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()


def start_central(
    db_url: str,
    *,
    catalog: Path | None = None,
    keys: PlatformKeys | None = None,
    port: int = 0,
    admin_token: str | None = None,
    max_attachment_bytes: int | None = None,
    startup_timeout: float = 15.0,
) -> RunningCentral:
    """Start the platform on 127.0.0.1:``port`` (0: a free port) and return when it answers."""
    import uvicorn

    from central.app import create_app
    from central.catalog_file import CatalogFile
    from central.db import open_engine
    from central.keys import PlatformKeys
    from central.platform import Limits, Platform

    platform_keys = keys or PlatformKeys.generate()
    limits = Limits() if max_attachment_bytes is None else Limits(attachment_bytes=max_attachment_bytes)
    platform = Platform(
        engine=open_engine(db_url),
        keys=platform_keys,
        catalog=CatalogFile(catalog),
        admin_token=admin_token or secrets.token_urlsafe(24),
        limits=limits,
    )
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only on sockets whose proto says TCP; with proto 0 every
    # keep-alive request waits ~40 ms for a delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
    except OSError as exc:
        sock.close()
        raise CentralStartError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror}") from exc
    bound_port = sock.getsockname()[1]
    # log_config=None: uvicorn's loggers keep no handlers of their own and pass records to the process's
    # logging, so the platform's one policy (central.app: type and path, never a message) is all that shows.
    config = uvicorn.Config(
        create_app(platform),
        log_level="warning",
        log_config=None,
        access_log=False,
        lifespan="off",
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name=f"central-{bound_port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            raise CentralStartError(f"the embedded platform did not start on 127.0.0.1:{bound_port}")
        time.sleep(0.01)
    return RunningCentral(
        url=f"http://127.0.0.1:{bound_port}",
        public_key=platform_keys.seal_public,
        signing_public_key=platform_keys.signing_public,
        admin_token=platform.admin_token,
        _server=server,
        _thread=thread,
        _platform=platform,
    )
