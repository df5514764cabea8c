"""The wire types of assisted handling on their own: staff password hashes (and the hostile strings a laptop must
not spend minutes on), the 委托's JSON round trip with its strict parsing, and the refusal a staff member reads."""

from __future__ import annotations

import base64
import time
from datetime import date
from typing import Any

import pytest

from offline_cache.wire.authorization import (
    AuthorizationError,
    new_authorization_id,
    parse_authorization,
    refusal,
)
from offline_cache.wire.id_check import has_valid_check_character, mod11_2
from offline_cache.wire.staff_hash import hash_password, is_well_formed, verify_password

SALT = base64.b64encode(b"s" * 16).decode()
KEY = base64.b64encode(b"k" * 32).decode()


def test_a_hash_verifies_its_password_only() -> None:
    stored = hash_password("li-daiban-2026")
    assert stored.startswith("scrypt$16384$8$1$") and is_well_formed(stored)
    assert verify_password("li-daiban-2026", stored)
    assert not verify_password("li-daiban-2027", stored)
    assert hash_password("li-daiban-2026") != stored  # a fresh salt each time


@pytest.mark.parametrize(
    "hostile",
    [
        f"scrypt$1048576$8$1${SALT}${KEY}",  # 1 GiB of memory
        f"scrypt$16384$1024$1${SALT}${KEY}",
        f"scrypt$16384$8$64${SALT}${KEY}",
        f"scrypt$16385$8$1${SALT}${KEY}",  # not a power of two
        f"scrypt$99999999999999$8$1${SALT}${KEY}",
        f"scrypt$16384$8$1$!!!${KEY}",
        f"scrypt$16384$8$1${base64.b64encode(b's' * 4096).decode()}${KEY}",
        f"argon2$16384$8$1${SALT}${KEY}",
        "scrypt$16384$8$1",
        "",
        "x" * 100_000,
    ],
)
def test_hostile_hashes_are_refused_quickly_without_raising(hostile: str) -> None:
    started = time.monotonic()
    assert not verify_password("anything", hostile)
    assert not is_well_formed(hostile)
    assert time.monotonic() - started < 1.0


def test_the_costliest_accepted_hash_stays_bounded() -> None:
    started = time.monotonic()
    assert not verify_password("anything", f"scrypt$65536$8$2${SALT}${KEY}")
    assert time.monotonic() - started < 15.0  # about 8 times a normal check; never minutes


def test_the_check_character_is_gb_11643() -> None:
    assert mod11_2("11010519491231002") == "X"
    assert has_valid_check_character("11010519491231002X")
    assert not has_valid_check_character("110105194912310021")
    assert not has_valid_check_character("11010519491231002x")


def _wire(**changes: Any) -> dict[str, Any]:
    principal = "11010519491231002X"
    agent_17 = "44030419800202345"
    raw: dict[str, Any] = {
        "authorization_id": new_authorization_id(),
        "principal": {"name": "张桂兰", "id_number": principal, "phone": "13900000001"},
        "agent": {
            "name": "李代办",
            "id_number": agent_17 + mod11_2(agent_17),
            "phone": "0755-1234567",
            "staff_no": "S001",
        },
        "relationship": "帮办代办员",
        "matters": ["GLJT-01", "SBZM-03"],
        "valid_from": "2026-11-01",
        "valid_until": "2026-11-30",
        "sub_delegation": False,
        "consent": [{"kind": "thumbprint", "sha256": "a" * 64}, {"kind": "principal_present", "card_read": True}],
    }
    raw.update(changes)
    return raw


def test_an_authorization_round_trips_and_sums_up_without_id_numbers() -> None:
    raw = _wire()
    auth = parse_authorization(raw)
    assert auth.to_json() == raw
    assert parse_authorization(auth.to_json()) == auth
    summary = auth.summary()
    assert "张桂兰 委托 李代办" in summary and "屏幕指印" in summary and "不可转委托" in summary
    assert raw["principal"]["id_number"] not in summary
    forever = parse_authorization(_wire(valid_until="until_closed"))
    assert forever.valid_until is None and forever.to_json()["valid_until"] == "until_closed"


@pytest.mark.parametrize(
    "changes",
    [
        {"matters": ["ALL"]},
        {"matters": ["全部"]},
        {"matters": ["GLJT-01"] * 40},
        {"matters": [1]},
        {"valid_from": "2026-12-01", "valid_until": "2026-11-01"},
        {"sub_delegation": "no"},
        {"consent": [{"kind": "principal_present", "card_read": "yes"}]},
        {"consent": [{"kind": "voice"}]},
        {"agent": {"name": "李", "id_number": "11010519491231002X", "phone": "13900000001"}},  # the principal
        {"principal": {"name": "", "id_number": "11010519491231002X", "phone": "13900000001"}},
        {"principal": {"name": "张", "id_number": "11010519491231002X", "phone": "call me"}},
        {"principal": {"name": "张", "id_number": "11010519491231002X", "phone": "1", "staff_no": "S1"}},
    ],
)
def test_strict_parsing_says_what_is_wrong(changes: dict[str, Any]) -> None:
    with pytest.raises(AuthorizationError) as caught:
        parse_authorization(_wire(**changes))
    assert str(caught.value)


@pytest.mark.parametrize("raw", [None, [], "委托", 42, {}])
def test_what_is_not_an_authorization_object_is_refused(raw: object) -> None:
    with pytest.raises(AuthorizationError):
        parse_authorization(raw)


def test_the_refusal_names_the_reason() -> None:
    auth = parse_authorization(_wire())
    assert refusal(auth, "GLJT-01", True, date(2026, 11, 15)) is None
    assert "须本人到场" in str(refusal(auth, "GLJT-01", False, date(2026, 11, 15)))
    assert "未包含" in str(refusal(auth, "JZZ-04", True, date(2026, 11, 15)))
    assert "尚未生效" in str(refusal(auth, "GLJT-01", True, date(2026, 10, 31)))
    assert "已过期" in str(refusal(auth, "GLJT-01", True, date(2026, 12, 1)))
    assert refusal(auth, "GLJT-01", True, date(2026, 11, 30)) is None  # the last day still counts
    forever = parse_authorization(_wire(valid_until="until_closed"))
    assert refusal(forever, "SBZM-03", True, date(2031, 1, 1)) is None
