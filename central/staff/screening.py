"""What intake does with an assisted case or a laptop's 回交/回访 (docs/protocol.md, "Assisted handling").

:meth:`StaffIntake.screen` looks at an opened payload before it is stored: a payload with an ``assisted`` block
is refused (422 ``authorization_invalid``, with the sentence a staff member reads) when its 委托 does not parse,
does not name the matter, was not valid on the day the case was made, or the catalog says the service is
须本人到场; a ``"kind": "case_event"`` must name a case the platform holds, of the same staff member.
:meth:`StaffIntake.record` then writes, in the transaction that stores the submission, the case with its
委托 (stored once) and its 受理 step, or the event in the case's history. A kiosk's payload costs one bytes
search and nothing more (unless it holds ``\\u`` escapes, then it is read in full).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from central.clock import CHINA_TIME, iso, utc_now
from central.schema import console_catalogs, staff_accounts, staff_authorizations, staff_cases
from central.staff.accounts import STAFF_NO
from central.staff.lifecycle import MAX_NOTE_CHARS, record_event
from offline_cache.wire.authorization import Authorization, AuthorizationError, parse_authorization, refusal
from offline_cache.wire.protocol import ASSISTED_MODES, CASE_EVENT_STATES, KIND_CASE_EVENT, canonical_json, load_json


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    message: str


@dataclass(frozen=True)
class AssistedCase:
    """An assisted case that passed the check: who handled it, how, under which 委托."""

    staff_no: str
    mode: str
    service_code: str
    authorization: Authorization | None


@dataclass(frozen=True)
class CaseEventIn:
    """A laptop's 回交/回访 of a case the platform holds (``case_no``: that case's number)."""

    event: str
    case_no: str
    case_submission_id: str
    staff_no: str
    at: str
    note: str


Screened = AssistedCase | CaseEventIn


class StaffIntake:
    """The assisted-handling part of intake; ``catalog`` gives the catalog file's bytes (the console's newest
    published catalog, when there is one, wins, as for terminals)."""

    def __init__(self, engine: Engine, catalog: Callable[[], bytes] | None = None) -> None:
        self.engine = engine
        self.catalog = catalog
        self._proxy: tuple[str, dict[str, str]] = ("", {})

    def proxy_allowed(self, conn: Connection, service_code: str) -> bool:
        """The catalog's 可代办 flag of a service (a service the catalog does not list is 可代办)."""
        row = conn.execute(select(console_catalogs.c.content).order_by(console_catalogs.c.seq.desc()).limit(1)).first()
        content = row[0].encode("utf-8") if row is not None else self.catalog() if self.catalog else b"{}"
        digest = hashlib.sha256(content).hexdigest()
        if digest != self._proxy[0]:
            flags: dict[str, str] = {}
            try:
                services = json.loads(content).get("services", [])
                for service in services if isinstance(services, list) else []:
                    if isinstance(service, dict) and isinstance(service.get("code"), str):
                        flags[service["code"]] = str(service.get("proxy", "allowed"))
            except (ValueError, AttributeError):
                flags = {}
            self._proxy = (digest, flags)
        return self._proxy[1].get(service_code, "allowed") != "in_person"

    def screen(
        self, conn: Connection, payload: bytes, service_code: str, made_at: datetime
    ) -> Screened | Refusal | None:
        """The check of one opened payload: ``None`` for a kiosk's own, the refusal, or what to record."""
        if b'"assisted"' not in payload and KIND_CASE_EVENT.encode() not in payload and b"\\u" not in payload:
            return None  # (a key spelled with \u escapes is read in full, so it cannot slip past)
        try:
            document = load_json(payload)
        except ValueError:
            return None
        if not isinstance(document, dict):
            return None
        if document.get("kind") == KIND_CASE_EVENT:
            return self._event(conn, document)
        block = document.get("assisted")
        if block is None:
            return None
        return self._case(conn, document, service_code, made_at)

    @staticmethod
    def _who(conn: Connection, block: object) -> tuple[str, str, dict[str, Any]] | Refusal:
        """The staff number and mode of an assisted block, or why they are not acceptable."""
        if not isinstance(block, dict):
            return Refusal(422, "invalid_assisted", "the assisted block must be an object")
        staff_no, mode = block.get("staff_no"), block.get("mode")
        if not isinstance(staff_no, str) or not STAFF_NO.match(staff_no):
            return Refusal(422, "invalid_assisted", "assisted.staff_no must be a staff number")
        if mode not in ASSISTED_MODES:
            return Refusal(422, "invalid_assisted", f"assisted.mode must be one of {', '.join(ASSISTED_MODES)}")
        known = conn.execute(select(staff_accounts.c.staff_no).where(staff_accounts.c.staff_no == staff_no)).first()
        if known is None:
            return Refusal(422, "unknown_staff", f"工号 {staff_no} 不是本平台的工作人员 (unknown staff number)")
        return staff_no, str(mode), block

    def _case(
        self, conn: Connection, document: dict[str, Any], service_code: str, made_at: datetime
    ) -> Screened | Refusal:
        who = self._who(conn, document.get("assisted"))
        if isinstance(who, Refusal):
            return who
        staff_no, mode, block = who
        raw = block.get("authorization")
        if raw is None:
            return AssistedCase(staff_no, mode, service_code, None)
        try:
            auth = parse_authorization(raw)
        except AuthorizationError as exc:
            return Refusal(422, "authorization_invalid", f"委托书无效：{exc}")
        reason = refusal(
            auth, service_code, self.proxy_allowed(conn, service_code), made_at.astimezone(CHINA_TIME).date()
        )
        applicant = document.get("applicant")
        applicant_id = applicant.get("id_number") if isinstance(applicant, dict) else None
        if reason is None and isinstance(applicant_id, str) and applicant_id.upper() != auth.principal.id_number:
            reason = "委托书的委托人不是本件的申请人；请由申请人本人出具委托书"
        if reason is not None:
            return Refusal(422, "authorization_invalid", reason)
        return AssistedCase(staff_no, mode, service_code, auth)

    @staticmethod
    def _event(conn: Connection, document: dict[str, Any]) -> Screened | Refusal:
        event, case_id, staff_no = document.get("event"), document.get("case_submission_id"), document.get("staff_no")
        at, note = document.get("at", ""), document.get("note", "")
        if event not in CASE_EVENT_STATES:
            return Refusal(422, "invalid_case_event", f"event must be one of {', '.join(CASE_EVENT_STATES)}")
        if not isinstance(staff_no, str) or not STAFF_NO.match(staff_no):
            return Refusal(422, "invalid_case_event", "staff_no must be a staff number")
        if not _is_time(at) or not isinstance(note, str) or len(note) > MAX_NOTE_CHARS:
            return Refusal(422, "invalid_case_event", f"at must be a time, note at most {MAX_NOTE_CHARS} characters")
        if not isinstance(case_id, str) or len(case_id) > 36:
            return Refusal(422, "unknown_case", "case_submission_id must name a case's submission")
        row = conn.execute(
            select(staff_cases.c.case_no, staff_cases.c.staff_no).where(staff_cases.c.submission_id == case_id)
        ).first()
        if row is None or row.staff_no != staff_no:
            return Refusal(422, "unknown_case", "no assisted case of this staff member has that submission id")
        return CaseEventIn(str(event), str(row.case_no), case_id, staff_no, at, note)

    @staticmethod
    def record(conn: Connection, terminal_id: str, submission_id: str, case_no: str, screened: Screened) -> None:
        """Write what ``screened`` says, in the transaction storing its submission."""
        if isinstance(screened, CaseEventIn):
            record_event(
                conn,
                screened.case_no,
                screened.event,
                by=screened.staff_no,
                note=screened.note,
                at=screened.at or None,
                terminal_id=terminal_id,
                event_submission_id=submission_id,
            )
            return
        now = iso(utc_now())
        auth = screened.authorization
        if auth is not None:
            held = conn.execute(
                select(staff_authorizations.c.authorization_id).where(
                    staff_authorizations.c.authorization_id == auth.authorization_id
                )
            ).first()
            if held is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            insert(staff_authorizations).values(
                                authorization_id=auth.authorization_id,
                                body=canonical_json(auth.to_json()).decode("utf-8"),
                                terminal_id=terminal_id,
                                submission_id=submission_id,
                                received_at=now,
                            )
                        )
                except IntegrityError:
                    pass  # another case carrying the same 委托 stored it first
        conn.execute(
            insert(staff_cases).values(
                submission_id=submission_id,
                terminal_id=terminal_id,
                case_no=case_no,
                staff_no=screened.staff_no,
                service_code=screened.service_code,
                mode=screened.mode,
                authorization_id=auth.authorization_id if auth else None,
                state="accepted",
                state_at=now,
            )
        )
        record_event(conn, case_no, "accepted", by="platform", at=now)


def _is_time(value: object) -> bool:
    """An ISO 8601 time as a laptop writes it (or ``""``: the platform's time is used)."""
    if not isinstance(value, str) or len(value) > 40:
        return False
    if not value:
        return True
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True
