"""A forking worker for the audit log's crash test: imports once, then forks one short-lived child per trial.

Reads one JSON command per line on stdin: ``root`` (the terminal's data folder), ``count`` (entries to append),
``every`` (the checkpoint interval) and where to stop: ``kill_at`` (the k-th counted step from the start of the
child, opening included) or ``kill_on`` + ``occurrence`` (the n-th step whose name starts with ``kill_on``).
Counted steps: every SQL statement, ``fsync``, rename, link and unlink. The child prints ``appended <index>``
each time ``record`` returns; where it must stop it prints ``paused <pid> <k> <step>`` and waits for the
SIGKILL; a child that ran to the end prints ``steps <json list>``. The worker prints ``done <status>`` when the
child is gone. The worker has no threads and no open database, so forking it is safe.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from kiosk.paths import TerminalPaths
from kiosk.records.audit import AuditAction, AuditLog, Resident


class Steps:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.kill_at: int | None = None
        self.kill_on: str | None = None
        self.occurrence = 0
        self.seen = 0

    def step(self, name: str) -> None:
        stop = len(self.names) == self.kill_at
        if self.kill_on is not None and name.startswith(self.kill_on):
            self.seen += 1
            stop = stop or self.seen == self.occurrence
        if stop:
            print(f"paused {os.getpid()} {len(self.names)} {name}", flush=True)
            threading.Event().wait()  # until the SIGKILL
        self.names.append(name)


STEPS = Steps()


def _sql_name(sql: str) -> str:
    return "sql " + " ".join(sql.split()[:3])


class CountingConnection(sqlite3.Connection):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        STEPS.step(_sql_name(sql))
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        STEPS.step(_sql_name(sql))
        return super().executemany(sql, parameters)

    def commit(self) -> None:
        STEPS.step("sql commit")
        super().commit()


def _counted(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        STEPS.step(name)
        return function(*args, **kwargs)

    return wrapper


def _install_hooks() -> None:
    connect = sqlite3.connect

    def counting_connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        return connect(*args, **kwargs, factory=CountingConnection)

    sqlite3.connect = counting_connect  # type: ignore[assignment]
    os.fsync = _counted("fsync", os.fsync)
    os.replace = _counted("rename", os.replace)
    os.link = _counted("link", os.link)
    os.unlink = _counted("unlink", os.unlink)


def _append(command: dict[str, Any]) -> None:
    paths = TerminalPaths(Path(str(command["root"])))
    log = AuditLog(paths.audit, paths.audit_key, "T-crash", checkpoint_every=int(command["every"]))
    resident = Resident("11010519491231002X", "张小三")
    for n in range(int(command["count"])):
        if n % 7 == 6:
            index = log.record(AuditAction.STAFF_LOGOUT, "S01")
        else:
            index = log.record(AuditAction.RESIDENT_IDENTIFIED, "S01", resident=resident, case=f"C-{n}")
        print(f"appended {index}", flush=True)


def main() -> None:
    _install_hooks()
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                STEPS.kill_at = command.get("kill_at")
                STEPS.kill_on = command.get("kill_on")
                STEPS.occurrence = int(command.get("occurrence", 0))
                _append(command)
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
