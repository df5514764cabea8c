"""What the assisted-handling platform tests share: a platform on loopback serving the terminal's sample catalog
(which has 须本人到场 services), staff accounts, and a laptop sealing assisted cases and 回交/回访 events."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uuid_utils
from sqlalchemy import Engine

from central.db import open_engine
from central.keys import PlatformKeys
from central.runner import RunningCentral, start_central
from central.staff.accounts import StaffBook
from offline_cache.wire.id_check import mod11_2
from offline_cache.wire.sealing import Sealer, load_public_key
from offline_cache.wire.submission_body import sealed_json
from tests.central.conftest import Terminal

CATALOG = Path(__file__).parents[2] / "kiosk" / "data" / "sample_catalog.json"
ALLOWED = "GLJT-01"  # 高龄津贴申请: 可代办
IN_PERSON = "YLRZ-02"  # 养老金领取资格认证: 须本人到场
OTHER = "SBZM-03"
PASSWORDS = {"S001": "li-daiban-2026", "S002": "wang-shenhe-2026", "S003": "zhao-daiban-2026"}


def id_number(first17: str) -> str:
    return first17 + mod11_2(first17)


PRINCIPAL = {"name": "张桂兰", "id_number": id_number("11010119450101123"), "phone": "13900000001"}
AGENT = {"name": "李代办", "id_number": id_number("11010119800202345"), "phone": "13900000002", "staff_no": "S001"}


def authorization(matters: list[str] | None = None, **changes: Any) -> dict[str, Any]:
    auth: dict[str, Any] = {
        "authorization_id": str(uuid.uuid4()),
        "principal": dict(PRINCIPAL),
        "agent": dict(AGENT),
        "relationship": "帮办代办员",
        "matters": [ALLOWED] if matters is None else matters,
        "valid_from": "2026-11-01",
        "valid_until": "2026-12-31",
        "sub_delegation": False,
        "consent": [{"kind": "signature", "sha256": hashlib.sha256(b"signature").hexdigest()}],
    }
    auth.update(changes)
    return auth


class Laptop(Terminal):
    """A staff member's laptop: an enrolled terminal sealing whatever payload it is given."""

    def seal_payload(
        self,
        payload: dict[str, Any],
        service_code: str = ALLOWED,
        created_at: str = "2026-11-25T08:30:00+00:00",
        *,
        disguise: bool = False,
    ) -> dict[str, Any]:
        """``disguise``: the ``assisted`` key spelled with a JSON escape, as a hostile laptop might."""
        sid = str(uuid_utils.uuid7())
        data = json.dumps({"terminal_id": self.terminal_id, **payload}, ensure_ascii=False).encode()
        if disguise:
            data = data.replace(b'"assisted"', b'"\\u0061ssisted"')
        blob, _ = Sealer(load_public_key(self.central.public_key)).seal(sid, data, [])
        return {
            "id": sid,
            "terminal_id": self.terminal_id,
            "service_code": service_code,
            "created_at": created_at,
            "summary": {
                "service_code": service_code,
                "service_name": "代办事项",
                "applicant_masked": "张*兰",
                "created_at": created_at,
            },
            "sealed": sealed_json(blob),
            "attachments": [],
        }

    def case(
        self,
        service_code: str = ALLOWED,
        auth: dict[str, Any] | None = None,
        staff_no: str = "S001",
        mode: str = "full",
        created_at: str = "2026-11-25T08:30:00+00:00",
        *,
        disguise: bool = False,
    ) -> dict[str, Any]:
        payload = {
            "kind": "case",
            "service_code": service_code,
            "channel": "assisted",
            "applicant": dict(PRINCIPAL),
            "answers": {},
            "assisted": {"staff_no": staff_no, "mode": mode, "authorization": auth},
        }
        return self.seal_payload(payload, service_code, created_at, disguise=disguise)

    def event(self, case_submission_id: str, event: str = "handed_back", staff_no: str = "S001") -> dict[str, Any]:
        payload = {
            "kind": "case_event",
            "event": event,
            "event_id": str(uuid.uuid4()),
            "at": "2026-11-28T09:00:00+08:00",
            "note": "结果已交本人，本人签字",
            "case_submission_id": case_submission_id,
            "staff_no": staff_no,
        }
        return self.seal_payload(payload)


@pytest.fixture
def assisted_central(db_url: str, platform_keys: PlatformKeys) -> Iterator[RunningCentral]:
    running = start_central(db_url, keys=platform_keys, catalog=CATALOG)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def engine(db_url: str, assisted_central: RunningCentral) -> Iterator[Engine]:
    eng = open_engine(db_url, create_schema=False)
    yield eng
    eng.dispose()


@pytest.fixture
def staff(engine: Engine) -> StaffBook:
    book = StaffBook(engine)
    book.add("S001", "李代办", "agent", PASSWORDS["S001"])
    book.add("S002", "王审核", "reviewer", PASSWORDS["S002"])
    book.add("S003", "赵代办", "agent", PASSWORDS["S003"])
    return book


@pytest.fixture
def laptop(assisted_central: RunningCentral) -> Iterator[Laptop]:
    term = Laptop(assisted_central, "T-LAPTOP-01", assisted_central.enroll("T-LAPTOP-01"))
    yield term
    term.session.close()
