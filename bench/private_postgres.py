"""A PostgreSQL server of the bench's own (as installer/setup.sh's start_test_postgres): initdb and pg_ctl in a
temporary folder on a free loopback port, as the ``postgres`` user when run as root, and a fresh database in it
for each run."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from central.db import open_engine


class PrivatePostgresError(Exception):
    """The server could not be set up; the message says what to check."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_postgres(command: str, root: bool) -> subprocess.CompletedProcess[str]:
    argv = ["su", "postgres", "-s", "/bin/sh", "-c", command] if root else ["/bin/sh", "-c", command]
    return subprocess.run(argv, capture_output=True, text=True, check=False)


@contextmanager
def private_postgres(folder: Path) -> Iterator[str]:
    """A PostgreSQL server of our own on a free loopback port (as installer/setup.sh's start_test_postgres)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not found:
        raise PrivatePostgresError("no PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)")
    bin_dir = found[-1]
    root = os.geteuid() == 0
    folder.mkdir(parents=True)
    if root:
        shutil.chown(folder, "postgres")
    port = free_port()
    data = folder / "data"
    made = _as_postgres(f"'{bin_dir}/initdb' -D '{data}' -A trust -U postgres -E UTF8", root)
    if made.returncode != 0:
        raise PrivatePostgresError(f"initdb failed: {made.stderr.strip()[-300:]}")
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
    started = _as_postgres(f"'{bin_dir}/pg_ctl' -D '{data}' -o '{options}' -l '{folder}/log' -w start", root)
    if started.returncode != 0:
        raise PrivatePostgresError(f"PostgreSQL did not start: see {folder}/log")
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        _as_postgres(f"'{bin_dir}/pg_ctl' -D '{data}' -m fast stop", root)


def fresh_postgres_database(server_url: str, name: str) -> str:
    admin = open_engine(server_url, create_schema=False).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server_url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def private_postgres_if(wanted: bool, folder: Path) -> Iterator[str | None]:
    """:func:`private_postgres` when ``wanted``, else nothing (``None``)."""
    if not wanted:
        yield None
        return
    with private_postgres(folder) as url:
        yield url
