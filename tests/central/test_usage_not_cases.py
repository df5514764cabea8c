"""A terminal's usage batch is counts, not a citizen's case: it takes no case number, no one finds it among the
cases, and it counts under the hall the fleet console records for its terminal when that differs from the
terminal's own configuration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select

from central.console.alerts import AlertBook
from central.console.cases import CaseDesk
from central.console.fleet import Fleet
from central.console.states import Thresholds
from central.db import open_engine
from central.importer import import_export
from central.keys import PlatformKeys
from central.runner import RunningCentral
from central.schema import staff_cases, submissions, usage_counts
from central.usage.rollup import rollup
from kiosk.hall.usage import batch_payload
from offline_cache.courier import PlatformLink
from offline_cache.drive import export_unsent, import_receipt
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine
from offline_cache.wire.protocol import PATH_CASE, USAGE_SERVICE_CODE, SubmissionSummary
from offline_cache.wire.sealing import Sealer, load_public_key

TERMINAL = "T-USAGE-9"
CONFIGURED_HALL = "旧址政务服务中心"  # what the terminal's configuration still says
CONSOLE_HALL = "新区政务服务中心"  # where the fleet console records it now
EVENTS = [{"kind": "visit_started", "hour": "2026-11-23T10"}, {"kind": "visit_started", "hour": "2026-11-23T11"}]


@dataclass
class Terminal:
    token: str
    outbox: Outbox
    sync: SyncEngine

    def send_usage(self, batch_id: str) -> str:
        payload = batch_payload(batch_id, EVENTS, terminal_id=TERMINAL, hall=CONFIGURED_HALL, time_zone="Asia/Shanghai")
        summary = SubmissionSummary(USAGE_SERVICE_CODE, "使用统计", "", "2026-11-23T03:00:00+00:00")
        item_id = self.outbox.put(payload, summary)
        assert self.sync.run_once().sent == 1
        return str(item_id)

    def send_case(self) -> str:
        payload = json.dumps({"service_code": "GLJT-01", "applicant": {"name": "张三丰"}}, ensure_ascii=False).encode()
        summary = SubmissionSummary("GLJT-01", "高龄津贴申请", "张*丰", "2026-11-23T03:00:00+00:00")
        item_id = self.outbox.put(payload, summary)
        assert self.sync.run_once().sent == 1
        return str(item_id)

    def case_no(self, item_id: str) -> str | None:
        (item,) = [i for i in self.outbox.items() if i.id == item_id]
        assert item.state == "sent"
        return item.case_no


@pytest.fixture
def terminal(central: RunningCentral, tmp_path: Path) -> Iterator[Terminal]:
    token = central.enroll(TERMINAL)
    sealer = Sealer(load_public_key(central.public_key))
    outbox = Outbox(tmp_path / "outbox", terminal_id=TERMINAL, sealer=sealer)
    yield Terminal(token, outbox, SyncEngine(tmp_path / "outbox", PlatformLink(central.url, token, TERMINAL)))
    outbox.close()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_engine(db_url)
    yield eng
    eng.dispose()


def visits_by_hall(engine: Engine) -> dict[str, float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(usage_counts.c.hall, usage_counts.c.value).where(usage_counts.c.measure == "visits")
        ).all()
    totals: dict[str, float] = {}
    for hall, value in rows:
        totals[hall] = totals.get(hall, 0.0) + float(value)
    return totals


def test_a_usage_batch_takes_no_case_number_and_is_found_among_no_cases(
    terminal: Terminal, engine: Engine, central: RunningCentral
) -> None:
    usage_id = terminal.send_usage("b-0001")
    case_id = terminal.send_case()
    marker = terminal.case_no(usage_id)
    number = terminal.case_no(case_id)
    assert marker == USAGE_SERVICE_CODE  # the receipt's place for a number holds the reserved code, no number
    assert number is not None and number.startswith("SB")
    with engine.connect() as conn:
        stored = dict(conn.execute(select(submissions.c.service_code, submissions.c.case_no)).all())
        assert conn.execute(select(staff_cases.c.case_no)).all() == []
    assert stored == {USAGE_SERVICE_CODE: None, "GLJT-01": number}
    # The console's case search by number and by the reserved code, and the case status a terminal asks.
    desk = CaseDesk(engine)
    assert [row.case_no for row in desk.search(number)] == [number]
    assert desk.search(USAGE_SERVICE_CODE) == []
    assert desk.search("使用统计") == []
    answer = requests.get(
        central.url + PATH_CASE.format(case_no=USAGE_SERVICE_CODE),
        headers={"Authorization": f"Bearer {terminal.token}"},
        timeout=10,
    )
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "unknown_case"
    assert rollup(engine).batches == 1  # and it still counts


def test_usage_counts_under_the_consoles_hall_when_it_is_set(terminal: Terminal, engine: Engine) -> None:
    terminal.send_usage("b-0001")
    rollup(engine)
    assert visits_by_hall(engine) == {CONFIGURED_HALL: 2.0}  # no console record yet: the configuration's hall
    fleet = Fleet(engine, Thresholds(), AlertBook(engine))
    assert fleet.place(TERMINAL, "示范区", CONSOLE_HALL, 0, datetime.now(UTC))
    terminal.send_usage("b-0002")
    rollup(engine)
    assert visits_by_hall(engine) == {CONFIGURED_HALL: 2.0, CONSOLE_HALL: 2.0}
    fleet.place(TERMINAL, "示范区", "", 0, datetime.now(UTC))  # the console's record cleared again
    terminal.send_usage("b-0003")
    rollup(engine)
    assert visits_by_hall(engine) == {CONFIGURED_HALL: 4.0, CONSOLE_HALL: 2.0}


def test_a_usage_batch_carried_on_a_drive_is_marked_sent_by_the_signed_receipt(
    terminal: Terminal, engine: Engine, central: RunningCentral, platform_keys: PlatformKeys, tmp_path: Path
) -> None:
    """A hall offline for weeks exports its outbox, usage batches included: the receipt file marks them sent."""
    payload = batch_payload("b-0100", EVENTS, terminal_id=TERMINAL, hall=CONFIGURED_HALL, time_zone="Asia/Shanghai")
    item_id = terminal.outbox.put(
        payload, SubmissionSummary(USAGE_SERVICE_CODE, "使用统计", "", "2026-11-23T03:00:00+00:00")
    )
    drive = tmp_path / "usb"
    assert export_unsent(terminal.outbox, drive).submissions == 1
    report = import_export(drive, engine, platform_keys)
    assert report.accepted == 1
    done = import_receipt(terminal.outbox, report.receipt_path, central.signing_public_key)
    assert done.marked == 1
    assert terminal.case_no(item_id) == USAGE_SERVICE_CODE
    with engine.connect() as conn:
        assert conn.execute(select(submissions.c.case_no)).scalar_one() is None
    assert rollup(engine).batches == 1
