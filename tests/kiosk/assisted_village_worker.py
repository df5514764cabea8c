"""A village day on a staff laptop, run as its own process so the test can SIGKILL it at a chosen step.

``python assisted_village_worker.py '<json>'`` with ``root`` (the terminal's data folder), ``public_key``
(the platform's X25519 key, base64), ``terminal_id``, ``unreachable`` (a URL where nothing listens), and where
to stop: ``kill_on`` (a step name's start) and ``occurrence`` (its n-th time in this run). Counted steps: every
SQL statement, rename and ``fsync``, and ``record_submission`` (a case put into the outbox, not yet noted in its
file). At the stop the worker prints ``paused <pid> <step>`` and waits for the SIGKILL.

The day: two staff members (S001, S003) take turns on the laptop, logging in and out four times, and handle 30
cases for 12 residents, each with an authorization, the resident's signature and a photo of the paper 委托书. The
platform is unreachable all day (a sync is tried once and says so). Run again after a kill, the worker carries on
from what the laptop holds, as a staff member would: cases already on it are not made again. It prints
``case <seq> <submission id>`` for every case saved to be sent and ``finished`` at the end.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kiosk.assisted.authorization import AuthorizationForm, ConsentImage, attach_authorization
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.resident import Resident
from kiosk.assisted.staff import StaffDirectory
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.assisted_sync import AssistedSync
from kiosk.paths import TerminalPaths
from kiosk.visit.identity import check_character
from kiosk.visit.ports import Terminal
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncReport
from offline_cache.wire.sealing import Sealer, load_public_key

ZONE = ZoneInfo("Asia/Shanghai")
PASSWORDS = {"S001": "li-2026!", "S003": "zhao-2026!"}
#: The catalog's services a proxy may handle that end in a case (养老金资格认证 is 须本人到场).
SERVICES = (("GLJT-01", "高龄津贴申请"),)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙"
#: Who works when: (staff, the case numbers of the day they handle in that turn).
TURNS = (("S001", range(8)), ("S003", range(8, 16)), ("S001", range(16, 23)), ("S003", range(23, 30)))


def resident(n: int) -> Resident:
    first17 = f"5224011940{(n % 12) + 1:02d}{10 + n:02d}03{n % 10}"
    return Resident(
        f"{SURNAMES[n]}老{'一二三四五六七八九十甲乙'[n]}", first17 + check_character(first17), f"1390000{n:04d}"
    )


def authorization_form(staff_no: str, code: str) -> AuthorizationForm:
    """The 委托书 of the day: the resident's signature on the screen and a photo of the signed paper."""
    agent_17 = f"5224011985{int(staff_no[1:]) % 12 + 1:02d}1504{int(staff_no[1:]) % 10}"
    return AuthorizationForm(
        agent_name={"S001": "李代办", "S003": "赵代办"}[staff_no],
        agent_id_number=agent_17 + check_character(agent_17),
        agent_phone="13800000001",
        relationship="帮办代办员",
        matters=(code,),
        valid_from=date(2026, 11, 1),
        valid_until=None,
        images=(),
        agent_staff_no=staff_no,
    )


class Steps:
    def __init__(self, kill_on: str | None, occurrence: int) -> None:
        self.kill_on = kill_on
        self.occurrence = occurrence
        self.seen = 0

    def step(self, name: str) -> None:
        if self.kill_on is not None and name.startswith(self.kill_on):
            self.seen += 1
            if self.seen == self.occurrence:
                print(f"paused {os.getpid()} {name}", flush=True)
                threading.Event().wait()  # until the SIGKILL


STEPS = Steps(None, 0)


class CountingConnection(sqlite3.Connection):
    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        STEPS.step("sql " + " ".join(sql.split()[:3]))
        return super().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Iterable[Any], /) -> sqlite3.Cursor:
        STEPS.step("sql " + " ".join(sql.split()[:3]))
        return super().executemany(sql, parameters)


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
    record = CaseBook.record_submission
    CaseBook.record_submission = _counted("record_submission", record)  # type: ignore[method-assign]


def day(command: dict[str, Any]) -> None:
    paths = TerminalPaths(Path(str(command["root"])))
    terminal = Terminal(str(command["terminal_id"]), "522401", "assisted")
    sealer = Sealer(load_public_key(base64.b64decode(str(command["public_key"]))))
    outbox = Outbox(paths.outbox, terminal_id=terminal.terminal_id, sealer=sealer)
    directory = StaffDirectory(paths.assisted_staff)
    cases = AssistedOutbox(outbox, terminal)
    link = PlatformLink(str(command["unreachable"]), "no-token", terminal.terminal_id, connect_timeout=1.0)
    away = AssistedSync(
        PlatformClient(link), directory, cases, lambda: SyncReport(offline=True), lambda: datetime.now(ZONE)
    )
    for staff_no, seqs in TURNS:
        now = datetime.now(ZONE)
        session = directory.login(staff_no, PASSWORDS[staff_no], now)
        book = CaseBook(session.vault(paths.assisted_cases), staff_no)
        book.note_opened(now)
        cases.recover(book, session, now)
        held = {c.answers.get("village_seq"): c for c in book.cases()}
        for seq in seqs:
            now = datetime.now(ZONE)
            code, title = SERVICES[seq % len(SERVICES)]
            case = held.get(seq)
            if case is None:
                case = book.new_case(
                    code,
                    title,
                    resident(seq % 12),
                    now,
                    answers={"village_seq": seq, "note": f"村民服务点第 {seq} 件"},
                )
            if case.authorization is None:
                # A kill may have left the images of an earlier try: they are replaced with the 委托 (a draft).
                images = (
                    ConsentImage("signature", b"\x89PNG signature %d" % seq),
                    ConsentImage("paper_photo", b"\xff\xd8\xff paper %d " % seq + os.urandom(2048), "image/jpeg"),
                )
                if case.attachments:
                    book.discard_draft(case.case_id)
                    case = book.new_case(code, title, resident(seq % 12), now, answers=dict(case.answers))
                form = replace(authorization_form(staff_no, code), images=images)
                attach_authorization(book, case.case_id, form, proxy_allowed=True, now=now)
            sent = cases.send(book, session, case.case_id, datetime.now(ZONE))
            print(f"case {seq} {sent.submission_id}", flush=True)
        report = away.run(book, session)
        assert not report.reached, report
        book.hold_for_resume(None)
    outbox.close()
    print("finished", flush=True)


def main() -> None:
    command = json.loads(sys.argv[1])
    STEPS.kill_on = command.get("kill_on")
    STEPS.occurrence = int(command.get("occurrence", 0))
    _install_hooks()
    day(command)


if __name__ == "__main__":
    main()
