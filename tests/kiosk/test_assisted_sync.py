"""The laptop's sync against the real platform on loopback: an account disabled at the platform is refused from
the next sync on; an expired 委托 is refused on the laptop, and a case the platform refuses (须本人到场 there) is
quarantined with the reason and what to do while the others go on; a platform that cannot be reached is an
answer, not an error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import kiosk
from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from central.staff.accounts import StaffBook
from kiosk.assisted.authorization import (
    AuthorizationForm,
    AuthorizationRefused,
    ConsentImage,
    attach_authorization,
    build_authorization,
)
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.resident import resident_from_input
from kiosk.assisted.staff import LoginRefused, StaffDirectory, StaffSession
from kiosk.assisted.vault import Vault, new_data_key
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.assisted_sync import AssistedSync
from kiosk.paths import TerminalPaths
from kiosk.visit.identity import check_character
from kiosk.visit.ports import Terminal
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.sealing import Sealer, load_public_key

ZONE = ZoneInfo("Asia/Shanghai")
TERMINAL = "LAPTOP-sync-01"


def _id(first17: str) -> str:
    return first17 + check_character(first17)


@dataclass
class Desk:
    paths: TerminalPaths
    staff: StaffBook
    sync: AssistedSync
    outbox: Outbox


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    # The hall's catalog, with its 须本人到场 services (养老金资格认证, 居住证申领).
    catalog = Path(kiosk.__file__).parent / "data" / "sample_catalog.json"
    running = start_central(f"sqlite:///{tmp_path / 'central.db'}", keys=PlatformKeys.generate(), catalog=catalog)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def desk(tmp_path: Path, central: RunningCentral) -> Iterator[Desk]:
    engine = open_engine(f"sqlite:///{tmp_path / 'central.db'}", create_schema=False)
    staff = StaffBook(engine)
    staff.add("S001", "李代办", "agent", "li-2026!")
    staff.add("S002", "王代办", "agent", "wang-2026!")
    paths = TerminalPaths(tmp_path / "laptop").ensure()
    link = PlatformLink(central.url, central.enroll(TERMINAL), TERMINAL)
    client = PlatformClient(link)
    outbox = Outbox(paths.outbox, terminal_id=TERMINAL, sealer=Sealer(load_public_key(central.public_key)))
    sync_engine = SyncEngine(paths.outbox, link, SyncSettings(workers=2))
    adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted"))
    sync = AssistedSync(
        client, StaffDirectory(paths.assisted_staff), adapter, sync_engine.run_once, lambda: datetime.now(ZONE)
    )
    try:
        yield Desk(paths, staff, sync, outbox)
    finally:
        sync_engine.stop()
        outbox.close()
        client.close()
        engine.dispose()


def test_an_account_disabled_at_the_platform_is_refused_after_the_next_sync(desk: Desk) -> None:
    assert desk.sync.pull_staff() == 2
    now = datetime.now(ZONE)
    session = desk.sync.directory.login("S002", "wang-2026!", now)
    book = CaseBook(session.vault(desk.paths.assisted_cases), "S002")
    desk.staff.disable("S002")
    # Until the laptop syncs it cannot know; the sync of another member brings the news.
    assert desk.sync.directory.login("S002", "wang-2026!", now).staff_no == "S002"
    other = desk.sync.directory.login("S001", "li-2026!", now)
    assert desk.sync.run(CaseBook(other.vault(desk.paths.assisted_cases), "S001"), other).reached
    with pytest.raises(LoginRefused) as refused:
        desk.sync.directory.login("S002", "wang-2026!", now)
    assert refused.value.kind == "disabled"
    # A password reset at the platform reaches the laptop the same way (and the old one stops working).
    desk.staff.reset("S001", "li-new-2026!")
    desk.sync.pull_staff()
    with pytest.raises(LoginRefused):
        desk.sync.directory.login("S001", "li-2026!", now)
    assert len(book) == 0


def test_a_case_the_platform_refuses_is_quarantined_with_the_reason_and_the_others_go_on(desk: Desk) -> None:
    desk.sync.pull_staff()
    now = datetime.now(ZONE)
    session = desk.sync.directory.login("S001", "li-2026!", now)
    book = CaseBook(session.vault(desk.paths.assisted_cases), "S001")
    resident = resident_from_input("张桂兰", _id("52240119450101032"), "13900000001", today=now.date())
    form = AuthorizationForm(
        agent_name="李代办",
        agent_id_number=_id("52240119800505041"),
        agent_phone="13800000003",
        relationship="帮办代办员",
        matters=("GLJT-01",),
        valid_from=now.date() - timedelta(days=30),
        valid_until=None,
        images=(ConsentImage("signature", b"\x89PNG sig"),),
        agent_staff_no="S001",
    )
    good = book.new_case("GLJT-01", "高龄津贴申请", resident, now)
    attach_authorization(book, good.case_id, form, proxy_allowed=True, now=now)
    desk.sync.outbox.send(book, session, good.case_id, now)
    # A 委托 that has expired since the case was drafted: the laptop refuses to send it, as the platform would.
    expired = book.new_case("GLJT-01", "高龄津贴申请", resident, now)
    old = build_authorization(resident, replace(form, valid_until=now.date() - timedelta(days=1)))
    book.update_draft(expired.case_id, now, authorization=old.to_json())
    with pytest.raises(AuthorizationRefused, match="委托书已过期"):
        desk.sync.outbox.send(book, session, expired.case_id, now)
    book.discard_draft(expired.case_id)
    # The platform's catalog says 须本人到场 for 养老金资格认证, the laptop's (not yet refreshed) did not: the
    # platform refuses the case, the laptop quarantines it with the reason, the other case goes through.
    stale = book.new_case("YLRZ-02", "养老保险待遇资格认证", resident, now)
    attach_authorization(book, stale.case_id, replace(form, matters=("YLRZ-02",)), proxy_allowed=True, now=now)
    desk.sync.outbox.send(book, session, stale.case_id, now)

    report = desk.sync.run(book, session)
    assert (report.sent, report.quarantined) == (1, 1)
    assert "1 件需处理" in report.message
    rows = book.rows()
    assert rows[0].case_id == stale.case_id
    assert rows[0].state_label == "需处理"
    assert "须本人到场" in rows[0].reason
    assert "请核对后重新办理" in rows[0].reason
    assert book.case(good.case_id).state == "accepted"


def test_the_platform_away_is_an_answer_and_nothing_is_lost(tmp_path: Path) -> None:
    paths = TerminalPaths(tmp_path / "laptop").ensure()
    link = PlatformLink("http://127.0.0.1:9", "t", TERMINAL, connect_timeout=1.0)
    outbox = Outbox(paths.outbox, terminal_id=TERMINAL)
    client = PlatformClient(link)
    try:
        sync = AssistedSync(
            client,
            StaffDirectory(paths.assisted_staff),
            AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted")),
            lambda: pytest.fail("no drain while the platform is away"),
            lambda: datetime.now(ZONE),
        )
        with pytest.raises(LoginRefused) as refused:
            sync.directory.login("S001", "li-2026!", datetime.now(ZONE))
        assert refused.value.kind == "no_directory"
        book = CaseBook(Vault(paths.assisted_cases / "S001", new_data_key()), "S001")
        report = sync.run(book, StaffSession("S001", "李代办", "agent", b"k" * 32))
    finally:
        outbox.close()
        client.close()
    assert not report.reached
    assert "平台无法连接" in report.message
    assert "安全保存在本机" in report.message
