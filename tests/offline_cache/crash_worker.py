"""A forking worker for the crash test: imports once, then forks one short-lived child per trial.

Reads one JSON command per line on stdin; forks; the child saves submissions (``put``) or runs one sync pass
(``sync``) on the command's folder. Every step that reaches the disk or the network is counted: an SQL
statement, an ``fsync``, a rename, an unlink, an HTTP request. With ``kill_at`` = k the child stops just before
step k, prints ``paused <pid> <k> <step>`` and waits to be killed; without it the child runs to the end and
prints ``steps <json list of the step names>``. The worker prints ``done <wait status>`` once the child is
gone. The worker itself has no threads and no open database, so forking it is safe.

So that step k names the same moment in every run, the sync pass carries its deliveries on the calling
thread (``InlineExecutor``) instead of the engine's pool: the disk sees the same claims, answers and settles,
in one fixed order.
"""

from __future__ import annotations

import base64
import json
import os
import re
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import requests

import offline_cache.sync
from offline_cache.backoff import Backoff
from offline_cache.courier import PlatformLink
from offline_cache.models import NewAttachment
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer, load_public_key

SUMMARY = SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-11-22T08:00:00+00:00")


class Steps:
    """Counts the child's steps; stops for good before step ``kill_at``."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.kill_at: int | None = None
        self.counting = False

    def step(self, name: str) -> None:
        if not self.counting:
            return
        if len(self.names) == self.kill_at:
            print(f"paused {os.getpid()} {self.kill_at} {name}", flush=True)
            threading.Event().wait()  # until the SIGKILL
        self.names.append(name)


STEPS = Steps()


def _sql_name(sql: str) -> str:
    return "sql " + " ".join(sql.split()[:3])


class CountingConnection(sqlite3.Connection):
    """The outbox's connection with every statement and commit counted as a step."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        STEPS.step(_sql_name(sql))
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        STEPS.step(_sql_name(sql))
        return super().executemany(sql, parameters)

    def executescript(self, script: str, /) -> sqlite3.Cursor:
        STEPS.step("sql script")
        return super().executescript(script)

    def commit(self) -> None:
        STEPS.step("sql commit")
        super().commit()


def _counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        STEPS.step(name)
        return function(*args, **kwargs)

    return wrapper


class InlineExecutor:
    """Runs each submitted call at once on the calling thread and hands back its finished future."""

    def __init__(self, *_args: object, **_kwargs: object) -> None:
        pass

    def submit(self, function: Callable[..., Any], /, *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass


def _install_hooks() -> None:
    connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(*args, **kwargs, factory=CountingConnection)

    sqlite3.connect = counting_connect  # type: ignore[assignment]
    os.fsync = _counted("fsync", os.fsync)
    os.replace = _counted("rename", os.replace)
    os.unlink = _counted("unlink", os.unlink)
    send = requests.Session.send

    def counting_send(self: requests.Session, request: requests.PreparedRequest, **kwargs: Any) -> Any:
        path = re.sub(r"[0-9a-f]{64}", "<sha256>", (request.path_url or "").split("?")[0])
        STEPS.step(f"http {request.method} {path}")
        return send(self, request, **kwargs)

    requests.Session.send = counting_send  # type: ignore[method-assign]
    offline_cache.sync.ThreadPoolExecutor = InlineExecutor  # type: ignore[misc,assignment]


def _put(command: dict[str, Any]) -> None:
    key = load_public_key(base64.b64decode(str(command["public_key"])))
    outbox = Outbox(Path(str(command["folder"])), terminal_id=str(command["terminal"]), sealer=Sealer(key))
    STEPS.counting = True
    with Path(str(command["log"])).open("a", encoding="ascii") as log:
        for attachments in ([], [NewAttachment(os.urandom(40_000), "image/jpeg"), NewAttachment(b"scan")]):
            submission_id = outbox.put(b'{"trial": true}', SUMMARY, attachments)
            log.write(submission_id + "\n")
            log.flush()


def _sync(command: dict[str, Any]) -> None:
    link = PlatformLink(str(command["url"]), str(command["token"]), str(command["terminal"]))
    settings = SyncSettings(workers=2, use_batch=bool(command["batch"]), batch_size=3, backoff=Backoff(0.0, 0.001))
    engine = SyncEngine(Path(str(command["folder"])), link, settings)
    STEPS.counting = True
    engine.outbox.recover_leases()  # as a freshly started terminal does
    engine.run_once()


def main() -> None:
    _install_hooks()
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                STEPS.kill_at = command.get("kill_at")
                (_put if command["mode"] == "put" else _sync)(command)
                print("steps " + json.dumps(STEPS.names), flush=True)
            except BaseException as exc:  # reported to the test, which fails on it
                traceback.print_exc()
                print(f"error {exc!r}", flush=True)
            finally:
                os._exit(0)
        _, status = os.waitpid(pid, 0)
        print(f"done {status}", flush=True)


if __name__ == "__main__":
    main()
