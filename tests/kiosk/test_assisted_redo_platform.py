"""修改后重新提交 against the real platform on loopback: a case the platform refused (须本人到场 there, the
laptop's catalog not yet refreshed) is made again, corrected (the resident came in person: 环节帮办 without a
委托) and sent; the platform takes it once, the refused one stays refused and leaves the top of the list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import kiosk
from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from central.schema import staff_cases
from central.staff.accounts import StaffBook
from kiosk.assisted.authorization import AuthorizationForm, ConsentImage, attach_authorization
from kiosk.assisted.cases import CaseBook
from kiosk.assisted.resident import resident_from_input
from kiosk.assisted.staff import StaffDirectory
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
TERMINAL = "LAPTOP-redo-01"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[RunningCentral]:
    catalog = Path(kiosk.__file__).parent / "data" / "sample_catalog.json"  # 养老金资格认证 须本人到场
    running = start_central(f"sqlite:///{tmp_path / 'central.db'}", keys=PlatformKeys.generate(), catalog=catalog)
    try:
        yield running
    finally:
        running.stop()


def test_a_refused_case_made_again_and_corrected_reaches_the_platform_once(
    tmp_path: Path, central: RunningCentral
) -> None:
    engine = open_engine(f"sqlite:///{tmp_path / 'central.db'}", create_schema=False)
    StaffBook(engine).add("S001", "李代办", "agent", "li-2026!")
    paths = TerminalPaths(tmp_path / "laptop").ensure()
    link = PlatformLink(central.url, central.enroll(TERMINAL), TERMINAL)
    client = PlatformClient(link)
    outbox = Outbox(paths.outbox, terminal_id=TERMINAL, sealer=Sealer(load_public_key(central.public_key)))
    engine_sync = SyncEngine(paths.outbox, link, SyncSettings(workers=1))
    adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "522401", "assisted"))
    sync = AssistedSync(client, StaffDirectory(paths.assisted_staff), adapter, engine_sync.run_once, lambda: now)
    try:
        now = datetime.now(ZONE)
        sync.pull_staff()
        session = sync.directory.login("S001", "li-2026!", now)
        book = CaseBook(session.vault(paths.assisted_cases), "S001")
        first17 = "52240119450101032"
        resident = resident_from_input("张桂兰", first17 + check_character(first17), "13900000001", today=now.date())
        agent = "52240119800505041"
        form = AuthorizationForm(
            agent_name="李代办",
            agent_id_number=agent + check_character(agent),
            agent_phone="13800000003",
            relationship="帮办代办员",
            matters=("YLRZ-02",),
            valid_from=now.date() - timedelta(days=1),
            valid_until=None,
            images=(ConsentImage("signature", b"\x89PNG sig"),),
            agent_staff_no="S001",
        )
        refused = book.new_case("YLRZ-02", "养老保险待遇资格认证", resident, now)
        attach_authorization(book, refused.case_id, form, proxy_allowed=True, now=now)
        adapter.send(book, session, refused.case_id, now)
        assert sync.run(book, session).quarantined == 1
        assert book.case(refused.case_id).state == "quarantined"

        # 修改后重新提交: the resident comes to the desk; the staff member helps with one step, no 委托.
        again = book.redo(refused.case_id, now)
        assert again.authorization == book.case(refused.case_id).authorization is not None
        book.update_draft(again.case_id, now, mode="step", authorization=None)
        adapter.send(book, session, again.case_id, now)
        report = sync.run(book, session)
        assert report.reached
        assert (report.sent, report.quarantined) == (1, 0)
        assert book.case(again.case_id).state == "accepted"
        assert book.case(refused.case_id).state == "redone"
        assert book.rows()[0].case_id == again.case_id  # nothing needs action any more
        with engine.connect() as conn:
            at_platform = conn.execute(select(staff_cases.c.submission_id)).scalars().all()
        assert at_platform == [book.case(again.case_id).submission_id]
        assert sync.run(book, session).sent == 0  # once
    finally:
        engine_sync.stop()
        outbox.close()
        client.close()
        engine.dispose()
