"""Representative data for the staff member's client: a laptop's staff directory, residents and cases in
every state, for ``kiosk screenshots``, the accessibility audit, ``bench/caselist.py`` and the tests.

The staff accounts are hashed as the platform hashes them (``offline_cache.wire.staff_hash``); the cases are
written through the real case book into real vaults in a folder of the caller's."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from kiosk.assisted.cases import CaseBook, HandlingMode
from kiosk.assisted.resident import Resident, resident_from_input
from kiosk.assisted.staff import StaffDirectory, StaffRecord
from kiosk.hall.matters import provisional_number
from kiosk.visit.catalog import Catalog
from offline_cache.wire import authorization as wire
from offline_cache.wire.id_check import mod11_2
from offline_cache.wire.staff_hash import hash_password, verify_password
from ui.assisted.desk import AssistedDesk, RunSync

SHANGHAI = ZoneInfo("Asia/Shanghai")
#: The demo's moment: screenshots show the same ages every time.
DEMO_NOW = datetime(2026, 11, 25, 15, 30, tzinfo=SHANGHAI)


@dataclass(frozen=True)
class DemoStaff:
    staff_no: str
    name: str
    role: str
    password: str


DEMO_STAFF = (
    DemoStaff("A001", "李代办", "agent", "hall-A001"),
    DemoStaff("A002", "王帮办", "agent", "hall-A002"),
    DemoStaff("R001", "赵审核", "reviewer", "hall-R001"),
)
_NAMES = (
    "张桂兰",
    "王秀英",
    "李德福",
    "刘玉珍",
    "陈国强",
    "杨淑芬",
    "赵长顺",
    "黄凤英",
    "周建华",
    "吴金花",
    "徐福生",
    "孙秀兰",
)


def demo_id_number(index: int, born: int = 1926) -> str:
    """A well-formed ID number (GB 11643 check character) for demo resident ``index``."""
    first17 = f"130624{born + index % 20:04d}{1 + index % 12:02d}{1 + index % 28:02d}{index % 1000:03d}"
    return first17 + mod11_2(first17)


def demo_resident(index: int) -> Resident:
    return resident_from_input(_NAMES[index % len(_NAMES)], demo_id_number(index), f"139{index:08d}")


def demo_authorization(resident: Resident, service_code: str, agent: DemoStaff, when: datetime) -> dict[str, object]:
    """A 委托 as the form makes it: the resident authorises the staff member for one matter, signed on screen."""
    record = {
        "authorization_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo:{resident.id_number}:{service_code}")),
        "principal": {"name": resident.name, "id_number": resident.id_number, "phone": resident.phone},
        "agent": {
            "name": agent.name,
            "id_number": demo_id_number(500 + len(agent.staff_no), born=1980),
            "phone": "13800000001",
            "staff_no": agent.staff_no,
        },
        "relationship": "帮办代办员",
        "matters": [service_code],
        "valid_from": when.date().isoformat(),
        "valid_until": wire.UNTIL_CLOSED,
        "sub_delegation": False,
        "consent": [{"kind": "signature", "sha256": hashlib.sha256(resident.id_number.encode()).hexdigest()}],
    }
    return wire.parse_authorization(record).to_json()


def demo_directory(folder: Path, contacted_at: datetime) -> StaffDirectory:
    """A laptop's directory as one sync with the platform leaves it."""
    directory = StaffDirectory(folder, verify_password)
    records = [StaffRecord(s.staff_no, s.name, s.role, hash_password(s.password)) for s in DEMO_STAFF]  # type: ignore[arg-type]
    directory.replace(records, contacted_at)
    return directory


def demo_desk(
    root: Path,
    catalog: Catalog,
    *,
    clock: Callable[[], datetime] = lambda: DEMO_NOW,
    sync: RunSync | None = None,
) -> AssistedDesk:
    """A laptop in ``root`` with the demo staff, the hall's 须本人到场 service, and no devices."""
    directory = demo_directory(root / "staff", clock() - timedelta(days=1))
    return AssistedDesk(
        directory=directory,
        cases_root=root / "cases",
        catalog=catalog,
        hall_name="城关镇便民服务中心",
        clock=clock,
        sync=sync,
    )


def fill_cases(book: CaseBook, catalog: Catalog, now: datetime, count: int = 14) -> None:
    """``count`` cases of the book's member in the states a working week leaves: drafts, unsent, delivered,
    quarantined, and the platform's lifecycle."""
    services = [s for s in catalog.services if s.outcome == "case" and s.proxy == "allowed"]
    plan = ["quarantined", "draft", "queued", "queued", "delivered", "accepted", "processing", "suspended"]
    plan += ["concluded", "handed_back", "followed_up", "sending", "draft", "terminated"]
    for index in range(count):
        service = services[index % len(services)]
        created = now - timedelta(hours=3 * (count - index) + 2)
        mode: HandlingMode = "step" if index % 3 == 1 else "full"
        resident = demo_resident(index)
        staff = next((s for s in DEMO_STAFF if s.staff_no == book.staff_no), DEMO_STAFF[0])
        authorization = None if mode == "step" else demo_authorization(resident, service.code, staff, created)
        case = book.new_case(service.code, service.name.zh, resident, created, mode=mode, authorization=authorization)
        state = plan[index % len(plan)]
        if state == "draft":
            continue
        submission = str(uuid.uuid4())
        book.record_submission(case.case_id, submission, provisional_number(submission), created)
        case_no = f"CG{created:%Y%m%d}{index:04d}"
        if state in ("sending", "delivered"):
            book.record_delivery(case.case_id, state, created, case_no=case_no if state == "delivered" else None)
        elif state == "quarantined":
            reason = "平台退回：申请表缺少银行卡号"
            book.record_delivery(case.case_id, "quarantined", created, reason=reason)
        elif state != "queued":
            at = (created + timedelta(hours=1)).isoformat()
            reason = "缺少户口簿复印件" if state == "suspended" else ""
            book.record_platform_state(case.case_id, state, at, case_no=case_no, reason=reason)
