"""The 委托 (authorization) of assisted handling, as a value both ends read the same way.

A resident (委托人, the principal) authorizes someone (受托人, the agent: a 帮办代办员 or a relative) to handle
named matters for them. The wire form is one JSON object (docs/protocol.md, "Assisted handling")::

    {"authorization_id": "<uuid>",
     "principal": {"name": "张桂兰", "id_number": "110101194501011234", "phone": "13900000000"},
     "agent": {"name": "李代办", "id_number": "…", "phone": "…"},
     "relationship": "帮办代办员",
     "matters": ["SOCIAL-PENSION"],                 # service codes, at least one; never "全权"/"all"
     "valid_from": "2026-11-25",
     "valid_until": "2026-12-31",                     # or "until_closed": valid until the matter is closed
     "sub_delegation": false,                         # 转委托 allowed
     "consent": [{"kind": "signature", "sha256": "<hex>"},
                 {"kind": "paper_photo", "sha256": "<hex>"}]}

Consent kinds: ``signature`` / ``thumbprint`` (the image on the screen, by its sha256), ``paper_photo`` (the
photo of the signed paper 委托书, by its sha256), ``principal_present`` (委托人本人在场, with ``"card_read": true``
when their ID card was read). At least one. The agent may carry ``staff_no`` when they are hall staff.

:func:`parse_authorization` is strict (unknown keys, wrong types, bad ID numbers, sweeping matters are refused
with a Chinese sentence in :class:`AuthorizationError`); :func:`refusal` says, in the sentence a staff member
reads, why a service cannot be handled under an authorization on a day, or ``None`` when it can.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from offline_cache.wire.id_check import has_valid_check_character

UNTIL_CLOSED = "until_closed"
ConsentKind = Literal["signature", "thumbprint", "paper_photo", "principal_present"]
CONSENT_KINDS: tuple[ConsentKind, ...] = ("signature", "thumbprint", "paper_photo", "principal_present")
CONSENT_LABELS: dict[str, str] = {
    "signature": "屏幕签名",
    "thumbprint": "屏幕指印",
    "paper_photo": "纸质委托书照片",
    "principal_present": "委托人本人在场",
}
#: Words that mean "everything": a 委托 names its matters (the standards forbid 全权委托 for these).
SWEEPING_MATTERS = frozenset({"全权", "全部", "所有", "ALL", "*", "ANY"})
MAX_MATTERS = 32
MAX_NAME_CHARS = 64
MAX_RELATIONSHIP_CHARS = 32
MAX_CONSENTS = 8
_SERVICE_CODE = re.compile(r"^[A-Z0-9_-]{2,32}$")
_PHONE = re.compile(r"^\+?[0-9][0-9-]{4,19}$")
_STAFF_NO = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_KEYS = frozenset(
    {"authorization_id", "principal", "agent", "relationship", "matters", "valid_from", "valid_until"}
    | {"sub_delegation", "consent"}
)
_PARTY_KEYS = frozenset({"name", "id_number", "phone"})


class AuthorizationError(ValueError):
    """A 委托 that cannot be read; ``str(self)`` says what is wrong, in Chinese."""


@dataclass(frozen=True)
class Party:
    """委托人 or 受托人."""

    name: str
    id_number: str
    phone: str
    #: The hall's staff number, when the agent is a 帮办代办员.
    staff_no: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "id_number": self.id_number, "phone": self.phone}
        if self.staff_no is not None:
            out["staff_no"] = self.staff_no
        return out


@dataclass(frozen=True)
class Consent:
    """How the principal agreed: an image by its sha256, or their presence (with the card read or not)."""

    kind: ConsentKind
    sha256: str | None = None
    card_read: bool = False

    def to_json(self) -> dict[str, Any]:
        if self.kind == "principal_present":
            return {"kind": self.kind, "card_read": self.card_read}
        return {"kind": self.kind, "sha256": self.sha256}


@dataclass(frozen=True)
class Authorization:
    """One 委托: who, for whom, which matters, how long, and how the principal consented."""

    authorization_id: str
    principal: Party
    agent: Party
    relationship: str
    matters: tuple[str, ...]
    valid_from: date
    #: ``None``: valid until the matter is closed (办结/终止).
    valid_until: date | None
    sub_delegation: bool
    consent: tuple[Consent, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "authorization_id": self.authorization_id,
            "principal": self.principal.to_json(),
            "agent": self.agent.to_json(),
            "relationship": self.relationship,
            "matters": list(self.matters),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat() if self.valid_until else UNTIL_CLOSED,
            "sub_delegation": self.sub_delegation,
            "consent": [c.to_json() for c in self.consent],
        }

    def summary(self) -> str:
        """One line for a 受理单: who authorized whom, for what, until when (ID numbers never shown)."""
        until = f"至 {self.valid_until.isoformat()}" if self.valid_until else "至事项办结"
        ways = "、".join(CONSENT_LABELS[c.kind] for c in self.consent)
        return (
            f"{self.principal.name} 委托 {self.agent.name}（{self.relationship}）办理 {'、'.join(self.matters)}，"
            f"{self.valid_from.isoformat()} {until}；{ways}；{'可' if self.sub_delegation else '不可'}转委托"
        )


def new_authorization_id() -> str:
    return str(uuid.uuid4())


def _text(raw: object, what: str, limit: int) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise AuthorizationError(f"{what}不能为空")
    if len(raw) > limit:
        raise AuthorizationError(f"{what}过长（最多 {limit} 个字符）")
    return raw.strip()


def _date(raw: object, what: str) -> date:
    if not isinstance(raw, str) or not _DATE.match(raw):
        raise AuthorizationError(f"{what}应为 YYYY-MM-DD 格式的日期")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise AuthorizationError(f"{what}不是存在的日期：{raw}") from None


def _party(raw: object, role: str, allow_staff_no: bool) -> Party:
    if not isinstance(raw, dict):
        raise AuthorizationError(f"{role}应为包含姓名、身份证号和电话的对象")
    allowed = _PARTY_KEYS | ({"staff_no"} if allow_staff_no else set())
    extra = sorted(set(raw) - allowed)
    if extra:
        raise AuthorizationError(f"{role}含有不认识的字段：{', '.join(map(str, extra))[:80]}")
    name = _text(raw.get("name"), f"{role}姓名", MAX_NAME_CHARS)
    id_number = raw.get("id_number")
    if not isinstance(id_number, str) or not has_valid_check_character(id_number):
        raise AuthorizationError(f"{role}的身份证号不正确（应为 18 位，末位校验码须符合 GB 11643）")
    phone = raw.get("phone")
    if not isinstance(phone, str) or not _PHONE.match(phone):
        raise AuthorizationError(f"{role}的联系电话不正确")
    staff_no = raw.get("staff_no")
    if staff_no is not None and (not isinstance(staff_no, str) or not _STAFF_NO.match(staff_no)):
        raise AuthorizationError(f"{role}的工号不正确")
    return Party(name, id_number, phone, staff_no)


def _consent(raw: object) -> Consent:
    if not isinstance(raw, dict) or raw.get("kind") not in CONSENT_KINDS:
        raise AuthorizationError(f"同意方式应为 {'/'.join(CONSENT_KINDS)} 之一")
    kind = raw["kind"]
    if kind == "principal_present":
        if set(raw) - {"kind", "card_read"} or not isinstance(raw.get("card_read", False), bool):
            raise AuthorizationError("“委托人本人在场”只记录是否读取了身份证（card_read: true/false）")
        return Consent(kind, None, bool(raw.get("card_read", False)))
    if set(raw) != {"kind", "sha256"} or not isinstance(raw["sha256"], str) or not _SHA256.match(raw["sha256"]):
        raise AuthorizationError(f"{CONSENT_LABELS[kind]}应以图片的 sha256（64 位小写十六进制）记录")
    return Consent(kind, raw["sha256"])


def _uuid(raw: object) -> str:
    try:
        if not isinstance(raw, str) or len(raw) != 36:
            raise ValueError
        return str(uuid.UUID(raw))
    except ValueError:
        raise AuthorizationError("委托书编号应为 UUID") from None


def _matters(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise AuthorizationError("委托书须写明具体委托事项（至少一项）")
    if len(raw) > MAX_MATTERS:
        raise AuthorizationError(f"委托事项过多（最多 {MAX_MATTERS} 项）")
    matters: list[str] = []
    for item in raw:
        if isinstance(item, str) and item.strip().upper() in SWEEPING_MATTERS:
            raise AuthorizationError("不接受“全权委托”：请逐项写明委托办理的事项")
        if not isinstance(item, str) or not _SERVICE_CODE.match(item):
            raise AuthorizationError(f"委托事项应为事项编码：{str(item)[:40]}")
        if item not in matters:
            matters.append(item)
    return tuple(matters)


def parse_authorization(raw: object) -> Authorization:
    """The 委托 in ``raw`` (decoded JSON), or :class:`AuthorizationError` saying what is wrong."""
    if not isinstance(raw, dict):
        raise AuthorizationError("委托书应为一个 JSON 对象")
    missing = sorted(_KEYS - set(raw))
    if missing:
        raise AuthorizationError(f"委托书缺少：{', '.join(missing)}")
    extra = sorted(set(raw) - _KEYS)
    if extra:
        raise AuthorizationError(f"委托书含有不认识的字段：{', '.join(map(str, extra))[:80]}")
    auth_id = _uuid(raw["authorization_id"])
    matters = _matters(raw["matters"])
    valid_from = _date(raw["valid_from"], "委托生效日期")
    until_raw = raw["valid_until"]
    valid_until = None if until_raw == UNTIL_CLOSED else _date(until_raw, "委托截止日期")
    if valid_until is not None and valid_until < valid_from:
        raise AuthorizationError("委托截止日期早于生效日期")
    if not isinstance(raw["sub_delegation"], bool):
        raise AuthorizationError("是否允许转委托应为 true 或 false")
    consent_raw = raw["consent"]
    if not isinstance(consent_raw, list) or not consent_raw:
        raise AuthorizationError("委托书须有委托人的同意：签名、指印、纸质委托书照片或本人在场")
    if len(consent_raw) > MAX_CONSENTS:
        raise AuthorizationError("同意方式过多")
    principal = _party(raw["principal"], "委托人", allow_staff_no=False)
    agent = _party(raw["agent"], "受托人", allow_staff_no=True)
    if principal.id_number == agent.id_number:
        raise AuthorizationError("委托人与受托人不能是同一人")
    return Authorization(
        authorization_id=auth_id,
        principal=principal,
        agent=agent,
        relationship=_text(raw["relationship"], "委托人与受托人的关系", MAX_RELATIONSHIP_CHARS),
        matters=matters,
        valid_from=valid_from,
        valid_until=valid_until,
        sub_delegation=raw["sub_delegation"],
        consent=tuple(_consent(c) for c in consent_raw),
    )


def refusal(auth: Authorization, service_code: str, proxy_allowed: bool, on_date: date) -> str | None:
    """Why ``service_code`` cannot be handled under ``auth`` on ``on_date`` (the sentence a staff member reads),
    or ``None`` when it can. ``proxy_allowed`` is the catalog's flag (``proxy``: ``allowed`` / ``in_person``)."""
    if not proxy_allowed:
        return f"事项 {service_code} 须本人到场办理，不能由他人代办；请委托人本人到大厅办理"
    if service_code not in auth.matters:
        return f"委托书未包含事项 {service_code}（委托事项：{'、'.join(auth.matters)}）；请委托人另行授权"
    if on_date < auth.valid_from:
        return f"委托书尚未生效（自 {auth.valid_from.isoformat()} 起有效）"
    if auth.valid_until is not None and on_date > auth.valid_until:
        return f"委托书已过期（有效期至 {auth.valid_until.isoformat()}）；请委托人重新授权"
    return None
