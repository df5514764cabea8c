"""The authorization form (委托书) on the laptop: what the staff member fills in, checked before a case uses it.

The 委托 itself is the wire's value (:mod:`offline_cache.wire.authorization`), read the same way by the platform.
This module turns the form into it — the principal is the case's resident, the consent images (signature,
thumbprint, photo of the signed paper 委托书) become attachments of the case and are named in the 委托 by their
sha256 — and refuses, in the sentence a staff member reads, what the platform would refuse: a 须本人到场
service, a matter the 委托 does not name, a 委托 not yet valid or expired, a principal who is not the resident.
One 委托 covers several cases of the same resident: :func:`authorizations_of` finds the ones already on the
laptop so the staff member reuses them instead of asking again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kiosk.assisted.cases import AttachmentRole, Case, CaseBook
from kiosk.assisted.resident import Resident
from kiosk.visit.identity import mask_name
from offline_cache.wire.authorization import (
    CONSENT_LABELS,
    UNTIL_CLOSED,
    Authorization,
    AuthorizationError,
    new_authorization_id,
    parse_authorization,
    refusal,
)


class AuthorizationRefused(Exception):  # noqa: N818 (a refusal the staff member reads, not a programming error)
    """The case cannot be handled under this 委托 (or at all by proxy); ``str(self)`` says why and what to do."""


@dataclass(frozen=True)
class ConsentImage:
    """A consent the principal gave as an image: ``signature`` / ``thumbprint`` on the screen, or ``paper_photo``."""

    kind: str
    data: bytes
    media_type: str = "image/png"


@dataclass(frozen=True)
class AuthorizationForm:
    """What the 委托书 screen collects. ``valid_until`` ``None``: until the matter is closed (至事项办结)."""

    agent_name: str
    agent_id_number: str
    agent_phone: str
    relationship: str
    matters: tuple[str, ...]
    valid_from: date
    valid_until: date | None
    sub_delegation: bool = False
    images: tuple[ConsentImage, ...] = ()
    #: 委托人本人在场; ``card_read`` when their ID card was read at the desk.
    principal_present: bool = False
    card_read: bool = False
    agent_staff_no: str | None = None


_ROLE_OF: dict[str, AttachmentRole] = {
    "signature": "signature",
    "thumbprint": "thumbprint",
    "paper_photo": "authorization_photo",
}


def build_authorization(
    principal: Resident, form: AuthorizationForm, authorization_id: str | None = None
) -> Authorization:
    """The 委托 of ``form`` for ``principal``, parsed as strictly as the platform parses it.

    Raises :class:`AuthorizationError` (the wire's, a Chinese sentence) for anything the platform would refuse.
    """
    consent: list[dict[str, object]] = []
    for image in form.images:
        if image.kind not in _ROLE_OF:
            raise AuthorizationError(f"不认识的同意方式：{image.kind}")
        if not image.data:
            raise AuthorizationError("签名或照片是空的，请重新采集")
        consent.append({"kind": image.kind, "sha256": hashlib.sha256(image.data).hexdigest()})
    if form.principal_present:
        consent.append({"kind": "principal_present", "card_read": form.card_read})
    agent: dict[str, object] = {"name": form.agent_name, "id_number": form.agent_id_number, "phone": form.agent_phone}
    if form.agent_staff_no is not None:
        agent["staff_no"] = form.agent_staff_no
    raw = {
        "authorization_id": authorization_id or new_authorization_id(),
        "principal": {"name": principal.name, "id_number": principal.id_number, "phone": principal.phone},
        "agent": agent,
        "relationship": form.relationship,
        "matters": list(form.matters),
        "valid_from": form.valid_from.isoformat(),
        "valid_until": form.valid_until.isoformat() if form.valid_until else UNTIL_CLOSED,
        "sub_delegation": form.sub_delegation,
        "consent": consent,
    }
    return parse_authorization(raw)


def check_case(case: Case, auth: Authorization, *, proxy_allowed: bool, today: date) -> None:
    """Refuse (:class:`AuthorizationRefused`) what the platform would refuse with 422 ``authorization_invalid``."""
    if auth.principal.id_number != case.resident.id_number:
        raise AuthorizationRefused("委托人不是本案的办事人：请为本人另填委托书")
    why = refusal(auth, case.service_code, proxy_allowed, today)
    if why is not None:
        raise AuthorizationRefused(why)


def check_in_person(service_code: str, *, proxy_allowed: bool) -> None:
    """A 须本人到场 service refuses proxy handling before anything is typed."""
    if not proxy_allowed:
        raise AuthorizationRefused(f"事项 {service_code} 须本人到场办理，不能由他人代办；请委托人本人到大厅办理")


def attach_authorization(
    book: CaseBook,
    case_id: str,
    form: AuthorizationForm,
    *,
    proxy_allowed: bool,
    now: datetime,
    reuse: Authorization | None = None,
) -> Authorization:
    """Check the 委托 for the case and keep it with the draft: its consent images become the case's attachments
    (sealed in the vault), the 委托's wire form goes into the case. ``reuse``: a 委托 already given for another
    case of the same resident (its images are attached again, so each case travels whole)."""
    case = book.case(case_id)
    auth = reuse or build_authorization(case.resident, form)
    check_case(case, auth, proxy_allowed=proxy_allowed, today=now.date())
    for image in form.images:
        book.add_attachment(case_id, image.data, image.media_type, _ROLE_OF[image.kind], now)
    book.update_draft(case_id, now, authorization=auth.to_json())
    return auth


def authorizations_of(book: CaseBook, resident: Resident, today: date) -> list[Authorization]:
    """The 委托 of ``resident`` already on this member's cases and still valid ``today`` (newest first)."""
    seen: dict[str, Authorization] = {}
    for case in sorted(book.cases(), key=lambda c: c.created_at, reverse=True):
        raw = case.authorization
        if not raw or case.resident.id_number != resident.id_number:
            continue
        try:
            auth = parse_authorization(raw)
        except AuthorizationError:
            continue
        expired = auth.valid_until is not None and today > auth.valid_until
        if auth.authorization_id not in seen and not expired:
            seen[auth.authorization_id] = auth
    return list(seen.values())


def summary_for_slip(
    raw: Mapping[str, object] | None, titles: Mapping[str, str] | None = None, resident_masked: str = ""
) -> str:
    """The 委托 in one sentence, for the 受理单 and the case: who authorised whom for what, until when, how
    consent was given — names masked, no ID number: ``张*兰 委托 李*办（帮办代办员）办理 高龄津贴申请，至
    2026-12-31；屏幕签名；不可转委托``. The matters by their ``titles`` (service code → name; a code without one
    stays a code); ``办事人本人在场办理（张*兰），无委托`` when there is no 委托."""
    if not raw:
        return f"办事人本人在场办理（{resident_masked}），无委托" if resident_masked else "办事人本人在场办理，无委托"
    try:
        auth = parse_authorization(dict(raw))
    except AuthorizationError as exc:
        return f"委托书无法读取：{exc}"
    until = f"至 {auth.valid_until.isoformat()}" if auth.valid_until else "至事项办结"
    ways = "、".join(CONSENT_LABELS[c.kind] for c in auth.consent)
    matters = "、".join((titles or {}).get(code, code) for code in auth.matters)
    return (
        f"{mask_name(auth.principal.name)} 委托 {mask_name(auth.agent.name)}（{auth.relationship}）办理 {matters}，"
        f"{until}；{ways}；{'可' if auth.sub_delegation else '不可'}转委托"
    )
