"""Usage events (使用统计) read off a visit: what a hall's analyst sees, and never who the visitor was."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.usage import UsageLog, UsageSettings
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import SubmitOutcome
from kiosk.visit.showcase import SAMPLE_APPLICANT
from kiosk.visit.strings import Texts
from kiosk.visit.usage_events import UsageEvent, VisitUsageRecorder
from offline_cache.store import Outbox
from offline_cache.wire.sealing import Sealer, load_public_key

HOUR = datetime(2026, 11, 23, 10, 15)


class Ticks:
    """A clock the test moves: each step takes the seconds the test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def watched(elder: bool = False) -> tuple[CitizenFlow, list[UsageEvent], Ticks]:
    flow = CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts("zh_CN"), today=lambda: date(2026, 11, 23))
    events: list[UsageEvent] = []
    ticks = Ticks()
    VisitUsageRecorder(events.append, clock=ticks, now=lambda: HOUR, elder=lambda: elder).watch(flow)
    return flow, events, ticks


def finish_allowance_visit(flow: CitizenFlow, ticks: Ticks) -> None:
    flow.start()
    ticks.now += 4
    flow.choose_service("GLJT-01")
    ticks.now += 6
    flow.identified(SAMPLE_APPLICANT)
    for raw in ("13812345678", "sscard", "no", "signature.png"):
        ticks.now += 10
        flow.answer(raw)
    flow.confirm()
    flow.submitted(SubmitOutcome("accepted", case_no="SB2026112300000001"))
    flow.to_rating()
    flow.choose_rating(4)
    flow.reset()


def test_a_finished_visit_tells_service_steps_outcome_and_rating() -> None:
    flow, events, ticks = watched()
    finish_allowance_visit(flow, ticks)
    kinds = [e.kind for e in events]
    assert kinds[0] == "visit_started"
    assert kinds[-1] == "visit_ended"
    chosen = [e for e in events if e.kind == "service_chosen"]
    assert [e.service for e in chosen] == ["GLJT-01"]
    assert [e.outcome for e in events if e.kind == "outcome"] == ["accepted"]
    assert [e.level for e in events if e.kind == "rating"] == [4]
    steps = {e.step: e.seconds for e in events if e.kind == "step_done"}
    assert steps["services"] == 4
    assert steps["identify"] == 6
    assert steps["form:phone"] == 10
    assert all(e.hour == "2026-11-23T10" for e in events)


def test_a_visit_left_on_a_question_says_which_one() -> None:
    flow, events, ticks = watched(elder=True)
    flow.start()
    flow.choose_service("GLJT-01")
    flow.identified(SAMPLE_APPLICANT)
    flow.answer("13812345678")
    ticks.now += 60
    flow.reset()  # the idle wipe
    left = events[-1]
    assert left.kind == "visit_abandoned"
    assert (left.service, left.step) == ("GLJT-01", "form:payout")
    assert left.elder is True
    assert left.language == "zh_CN"


def test_events_hold_no_name_id_number_or_phone() -> None:
    flow, events, ticks = watched()
    finish_allowance_visit(flow, ticks)
    text = json.dumps([e.to_json() for e in events], ensure_ascii=False)
    for secret in (SAMPLE_APPLICANT.name, SAMPLE_APPLICANT.id_number, "13812345678", "5678"):
        assert secret not in text
    # (the sealed payload's plaintext, as the platform opens it: tests/central/test_usage_rollup.py)


def new_outbox(folder: Path) -> Outbox:
    key = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Outbox(folder, terminal_id="t-1", sealer=Sealer(load_public_key(key)))


def test_events_go_in_batches_and_old_ones_are_dropped(tmp_path: Path) -> None:
    outbox = new_outbox(tmp_path / "outbox")
    clock = Ticks()
    settings = UsageSettings(hall="hall-a", batch_events=3, max_age_days=1, max_events=5)
    log = UsageLog(
        tmp_path / "usage.sqlite3", outbox, settings, terminal_id="t-1", time_zone="Asia/Shanghai", clock=clock
    )
    log.after_put = lambda: None
    event = UsageEvent("visit_started", "2026-11-23T10")
    log.record(event)
    log.record(event)
    assert len(outbox.items()) == 0
    log.record(event)  # the third fills a batch: into the outbox
    assert len(outbox.items()) == 1
    assert log.pending() == 0
    log.record(event)
    clock.now += 2 * 86400  # two days on: past the one day kept
    log.record(UsageEvent("visit_ended", "2026-11-25T10"))
    assert [e["kind"] for e in log.events()] == ["visit_ended"]
    log.close()
    outbox.close()


def test_the_hall_keeps_the_events_of_the_visits_it_watches(tmp_path: Path) -> None:
    from kiosk.config import parse_config
    from kiosk.hall.compose import open_hall
    from kiosk.paths import TerminalPaths

    config = parse_config(
        f'data_dir = "{tmp_path / "data"}"\n[terminal]\nid = "t-usage"\n'
        '[platform]\nurl = "http://127.0.0.1:9"\ntoken = "t"\n'
        "[devices.id_reader]\nenabled = false\n[devices.printer]\nenabled = false\n"
        '[devices.camera]\nenabled = false\n[usage]\nhall = "东城大厅"\nkeep_days = 7\n'
    )
    hall = open_hall(config, demo=False, paths=TerminalPaths(tmp_path / "data"))
    try:
        assert hall.usage is not None
        assert (hall.usage.settings.hall, hall.usage.settings.max_age_days) == ("东城大厅", 7)
        flow = CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts("en"), today=lambda: date(2026, 11, 23))
        hall.watch_visits(flow, lambda: True)
        flow.start()
        flow.choose_service("PDQH-06")
        flow.reset()
        events = hall.usage.events()
        assert [e["kind"] for e in events] == [
            "visit_started",
            "step_done",
            "service_chosen",
            "step_done",
            "visit_abandoned",
        ]
        assert events[0] == {"kind": "visit_started", "hour": events[0]["hour"], "elder": True, "language": "en"}
        assert (events[-1]["service"], events[-1]["step"]) == ("PDQH-06", "form:counter")
    finally:
        hall.close()


def test_a_broken_book_loses_the_event_not_the_visit(tmp_path: Path) -> None:
    outbox = new_outbox(tmp_path / "outbox")
    log = UsageLog(
        tmp_path / "usage.sqlite3", outbox, UsageSettings(hall="hall-a"), terminal_id="t-1", time_zone="Asia/Shanghai"
    )
    log.close()  # as good as a disk that refuses every write
    flow = CitizenFlow(bundled_catalog(), "示范大厅", texts=Texts("zh_CN"), today=lambda: date(2026, 11, 23))
    VisitUsageRecorder(log.record, clock=Ticks(), now=lambda: HOUR).watch(flow)
    flow.start()
    flow.choose_service("PDQH-06")
    assert flow.step == "form"
    outbox.close()
