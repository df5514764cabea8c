"""Usage events from a terminal's visits travel sealed through its outbox to the platform on loopback and become
hourly counts per hall exactly once; none of them, nor the sealed payload's plaintext, names the visitor."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, select

from central.db import open_engine
from central.runner import RunningCentral
from central.schema import submissions, usage_counts
from central.usage.forecasts import refresh_forecasts
from central.usage.rollup import rollup
from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.usage import ExpectedWait, UsageLog, UsageSettings, batch_payload
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.session import Applicant
from kiosk.visit.strings import Texts
from kiosk.visit.usage_events import VisitUsageRecorder
from offline_cache.courier import PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine
from offline_cache.wire.protocol import (
    HEADER_IDEMPOTENCY_KEY,
    PATH_HEARTBEAT,
    PATH_SUBMISSIONS,
    USAGE_SERVICE_CODE,
    SubmissionSummary,
)
from offline_cache.wire.sealing import Sealer, load_public_key

TERMINAL = "T-USAGE-1"
HALL = "示范区政务服务中心"
#: The visitor of these tests: none of this may reach an event or a usage payload.
RESIDENT = Applicant("欧阳娜娜", "110101194001011234", birth_date=date(1940, 1, 1), address="东城区某街1号")
PHONE = "13900139000"


class Kiosk:
    """The terminal's side as the hall composes it: outbox, sync engine, usage book, a flow being watched."""

    def __init__(self, central: RunningCentral, folder: Path) -> None:
        token = central.enroll(TERMINAL)
        self.token = token
        sealer = Sealer(load_public_key(central.public_key))
        self.outbox = Outbox(folder / "outbox", terminal_id=TERMINAL, sealer=sealer)
        self.sync = SyncEngine(folder / "outbox", PlatformLink(central.url, token, TERMINAL))
        self.usage = UsageLog(
            folder / "usage.sqlite3",
            self.outbox,
            UsageSettings(hall=HALL, batch_events=500),
            terminal_id=TERMINAL,
            time_zone="Asia/Shanghai",
        )
        self.flow = CitizenFlow(bundled_catalog(), HALL, texts=Texts("zh_CN"), today=lambda: date(2026, 11, 23))
        self.ticks = 0.0
        recorder = VisitUsageRecorder(
            self.usage.record, clock=lambda: self.ticks, now=lambda: datetime(2026, 11, 23, 10, 5)
        )
        recorder.watch(self.flow)

    def finished_visit(self) -> None:
        flow = self.flow
        flow.start()
        flow.choose_service("GLJT-01")
        flow.identified(RESIDENT)
        for raw in (PHONE, "sscard", "no", "signature.png"):
            self.ticks += 12
            flow.answer(raw)
        flow.confirm()
        flow.submitted(SubmitOutcome("accepted", case_no="SB2026112300000001"))
        flow.to_rating()
        flow.choose_rating(2)
        flow.toggle_reason("rating.reason_slow")
        flow.submit_rating()
        flow.reset()

    def abandoned_visit(self) -> None:
        self.flow.start()
        self.flow.choose_service("GLJT-01")
        self.flow.identified(RESIDENT)
        self.flow.answer(PHONE)
        self.flow.reset()

    def send(self) -> None:
        self.usage.flush()
        report = self.sync.run_once()
        assert report.sent >= 1, report

    def close(self) -> None:
        self.usage.close()
        self.outbox.close()


@pytest.fixture
def kiosk(central: RunningCentral, tmp_path: Path) -> Iterator[Kiosk]:
    terminal = Kiosk(central, tmp_path)
    yield terminal
    terminal.close()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = open_engine(db_url)
    yield eng
    eng.dispose()


def counts(engine: Engine) -> dict[tuple[str, str, str], float]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                usage_counts.c.hour, usage_counts.c.service_code, usage_counts.c.measure, usage_counts.c.value
            ).where(usage_counts.c.hall == HALL)
        ).all()
    return {(h, s, m): float(v) for h, s, m, v in rows}


def usage_payloads(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(select(submissions.c.payload).where(submissions.c.service_code == USAGE_SERVICE_CODE)).all()
    return [json.loads(bytes(r[0])) for r in rows]


def test_visits_become_hourly_counts_once(kiosk: Kiosk, engine: Engine) -> None:
    kiosk.finished_visit()
    kiosk.abandoned_visit()
    kiosk.send()
    report = rollup(engine)
    assert (report.batches, report.dropped_events) == (1, 0)
    hour = "2026-11-23T10"
    seen = counts(engine)
    assert seen[(hour, "", "visits")] == 2
    assert seen[(hour, "", "completed")] == 1
    assert seen[(hour, "", "abandoned")] == 1
    assert seen[(hour, "GLJT-01", "chosen")] == 2
    assert seen[(hour, "GLJT-01", "abandoned:form:payout")] == 1
    assert seen[(hour, "GLJT-01", "rating:2")] == 1
    assert seen[(hour, "GLJT-01", "outcome:accepted")] == 1
    assert seen[(hour, "GLJT-01", "seconds:form:phone")] == 12
    assert rollup(engine).batches == 0  # nothing new: nothing counted again


def test_a_replayed_batch_is_not_counted_twice(kiosk: Kiosk, engine: Engine, central: RunningCentral) -> None:
    kiosk.finished_visit()
    kiosk.send()
    rollup(engine)
    before = counts(engine)
    # The same request again (an answer lost on the way back): the intake answers from the first copy.
    (item,) = kiosk.outbox.items()
    body = kiosk.outbox.sealed_body(item.id)
    assert body is not None
    again = requests.post(
        central.url + PATH_SUBMISSIONS,
        data=body,
        headers={
            "Authorization": f"Bearer {kiosk.token}",
            HEADER_IDEMPOTENCY_KEY: item.id,
            "Content-Type": "application/json",
        },
        timeout=10,
    )
    assert again.status_code in (200, 201)
    # The same batch put into the outbox again under a new submission id (a crash before the book let it go).
    (stored,) = usage_payloads(engine)
    payload = batch_payload(stored["batch_id"], stored["events"], terminal_id=TERMINAL, hall=HALL, time_zone="x")
    kiosk.outbox.put(payload, SubmissionSummary(USAGE_SERVICE_CODE, "使用统计", "", "2026-11-23T02:05:00+00:00"))
    assert kiosk.sync.run_once().sent == 1
    report = rollup(engine)
    assert (report.batches, report.repeated) == (0, 1)
    assert counts(engine) == before


def test_no_event_or_sealed_payload_names_the_visitor(kiosk: Kiosk, engine: Engine) -> None:
    kiosk.finished_visit()
    kiosk.abandoned_visit()
    events = json.dumps(kiosk.usage.events(), ensure_ascii=False)
    kiosk.send()
    (plain,) = usage_payloads(engine)  # the payload as the platform opened it from the seal
    text = events + json.dumps(plain, ensure_ascii=False)
    assert plain["hall"] == HALL and len(plain["events"]) > 10
    for secret in (RESIDENT.name, RESIDENT.id_number, PHONE, RESIDENT.address, "慢"):
        assert secret not in text


def test_the_heartbeat_brings_the_halls_forecast_for_the_ticket(
    kiosk: Kiosk, engine: Engine, central: RunningCentral
) -> None:
    for _ in range(6):  # six visits between 10:00 and 11:00
        kiosk.finished_visit()
    kiosk.send()
    rollup(engine)
    today = date.today()  # the heartbeat answers with the hours from now on
    refresh_forecasts(engine, today, days=3)  # a new hall: the stated fallback
    reply = requests.post(
        central.url + PATH_HEARTBEAT.format(terminal_id=TERMINAL),
        json={"queue_depth": 0, "devices": {}},
        headers={"Authorization": f"Bearer {kiosk.token}"},
        timeout=10,
    ).json()
    forecast = reply["usage_forecast"]
    assert forecast["hall"] == HALL
    first = forecast["hours"][0]["hour"]
    assert first >= today.isoformat()
    ten = datetime.fromisoformat(f"{first[:10]}T10:30")
    assert ExpectedWait(lambda: reply, lambda: ten).minutes(3) == 30  # three ahead, six an hour
    quiet = datetime.fromisoformat(f"{first[:10]}T15:30")
    assert ExpectedWait(lambda: reply, lambda: quiet).minutes(3) is None  # under one an hour: no estimate
