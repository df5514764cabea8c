"""One sync of a staff member's laptop (同步): the staff list in, the cases out, their states back.

:meth:`AssistedSync.run` does, in order, reporting counts as it goes (for the case list's progress bar):

1. ``GET /api/v1/staff``: the hall's accounts and their password hashes replace the laptop's directory, so a
   member disabled at the platform is refused from now on (:class:`kiosk.assisted.staff.StaffDirectory`);
2. cases a crash left half-put are settled (:meth:`AssistedOutbox.recover`), then the outbox is drained by the
   terminal's own sync engine (the ``drain`` callable: ``SyncEngine.run_once``), and the outbox's delivery states
   are carried into the book (已送达 with the 受理编号, 需处理 with the reason);
3. ``GET /api/v1/cases?staff=…&since=…&cursor=…``, page by page: the platform's lifecycle (受理 → 办理 → … → 回访)
   of this member's cases comes back into the book.

The platform unreachable is an answer, not an error: the report says so and nothing in the book is lost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlencode

import requests

from kiosk.assisted.cases import LIFECYCLE, CaseBook
from kiosk.assisted.staff import StaffDirectory, StaffRecord, StaffSession
from kiosk.hall.assisted_outbox import AssistedOutbox
from offline_cache.courier import PlatformClient
from offline_cache.models import OutboxEvent
from offline_cache.observers import ObserverList
from offline_cache.sync import SyncReport
from offline_cache.wire.protocol import PATH_CASES, PATH_STAFF

#: Pages of case states read at most in one sync (a safety stop against a cursor that never ends).
_MAX_PAGES = 1000

SyncStep = Literal["staff", "send", "states", "done"]


class PlatformUnreachableError(Exception):
    """The platform did not answer (or answered with something that is not the protocol)."""


@dataclass(frozen=True)
class SyncProgress:
    """One step of a sync for the progress bar: ``done`` of ``total`` (``total`` 0 when not yet known)."""

    step: SyncStep
    done: int
    total: int
    message: str


@dataclass(frozen=True)
class AssistedSyncReport:
    """What a sync did, in counts the case list shows."""

    reached: bool
    staff: int = 0
    sent: int = 0
    retried: int = 0
    quarantined: int = 0
    states: int = 0
    message: str = ""


def staff_from_json(body: Mapping[str, Any]) -> list[StaffRecord]:
    """The records of ``GET /api/v1/staff``'s answer (docs/protocol.md); bad entries are skipped, not fatal."""
    out = []
    for item in body.get("staff") or ():
        try:
            out.append(
                StaffRecord(
                    str(item["staff_no"]),
                    str(item["name"]),
                    item["role"],
                    str(item["password_hash"]),
                    bool(item.get("active", not item.get("disabled", False))),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _latest_note(item: Mapping[str, Any]) -> str:
    """The note of a case's latest state (why it was suspended, what the department said)."""
    history = item.get("history")
    if isinstance(history, list) and history and isinstance(history[-1], dict):
        return str(history[-1].get("note") or "")
    return ""


class AssistedSync:
    """The sync of one laptop: one platform client, the staff directory, the outbox and its drain."""

    def __init__(
        self,
        client: PlatformClient,
        directory: StaffDirectory,
        outbox: AssistedOutbox,
        drain: Callable[[], SyncReport],
        clock: Callable[[], datetime],
        *,
        events: ObserverList[OutboxEvent] | None = None,
        page_size: int | None = None,
    ) -> None:
        self.client = client
        self.directory = directory
        self.outbox = outbox
        self.drain = drain
        self.clock = clock
        #: The sync engine's events (``SyncEngine.events``): with them the progress bar moves with each delivery.
        self.events = events
        #: Cases per page of ``GET /cases`` (``None``: the platform's default, ``CASES_PAGE_DEFAULT``).
        self.page_size = page_size

    def _get(self, path: str) -> dict[str, Any]:
        try:
            answer = self.client.request("GET", path)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise PlatformUnreachableError(f"平台无法连接：{exc.__class__.__name__}") from None
        if answer.status_code != 200:
            raise PlatformUnreachableError(f"平台答复 {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            raise PlatformUnreachableError("平台的答复不是协议格式（可能是网络登录页）") from None
        if not isinstance(body, dict):
            raise PlatformUnreachableError("平台的答复不是协议格式")
        return body

    def pull_staff(self) -> int:
        """Replace the laptop's staff directory with the platform's; returns how many accounts it lists."""
        records = staff_from_json(self._get(PATH_STAFF))
        self.directory.replace(records, self.clock())
        return len(records)

    def pull_states(self, book: CaseBook, progress: Callable[[SyncProgress], None]) -> int:
        """The platform's lifecycle states of this member's cases since the last pull; returns how many changed."""
        by_submission = {c.submission_id: c.case_id for c in book.cases() if c.submission_id}
        by_case_id = {c.case_id: c.case_id for c in book.cases()}
        since = book.states_since or ""
        cursor = ""
        changed = 0
        seen = 0
        newest = since
        for _ in range(_MAX_PAGES):
            query = {"staff": book.staff_no}
            if self.page_size is not None:
                query["limit"] = str(self.page_size)
            if since:
                query["since"] = since
            if cursor:
                query["cursor"] = cursor
            body = self._get(f"{PATH_CASES}?{urlencode(query)}")
            for item in body.get("cases") or ():
                seen += 1
                local = by_submission.get(item.get("submission_id")) or by_case_id.get(item.get("case_id"))
                state = item.get("state")
                at = item.get("state_at")
                if local is None or state not in LIFECYCLE or not isinstance(at, str) or not at:
                    continue
                before = book.case(local)
                after = book.record_platform_state(
                    local, state, at, case_no=item.get("case_no"), reason=_latest_note(item)
                )
                changed += after is not before
                newest = max(newest, at) if newest else at
            progress(SyncProgress("states", seen, 0, f"已取回 {seen} 件的办理进度"))
            cursor = str(body.get("next_cursor") or "")
            if not cursor:
                break
        if newest:
            book.note_states_since(newest)
        return changed

    def _drain(self, ids: set[str], progress: Callable[[SyncProgress], None]) -> SyncReport:
        """Drain the outbox; each of the member's submissions that settles moves the progress bar one step."""
        unsent = len(ids)
        done = [0]

        def delivered(event: OutboxEvent) -> None:
            if event.kind in ("sent", "quarantined") and event.submission_id in ids:
                done[0] += 1
                progress(SyncProgress("send", min(done[0], unsent), unsent, f"已发送 {done[0]} 件"))

        if self.events is None:
            return self.drain()
        self.events.add(delivered)
        try:
            return self.drain()
        finally:
            self.events.remove(delivered)

    def run(
        self,
        book: CaseBook,
        session: StaffSession,
        progress: Callable[[SyncProgress], None] = lambda _: None,
    ) -> AssistedSyncReport:
        """One whole sync for the logged-in member; never raises for a platform that is away."""
        now = self.clock()
        try:
            progress(SyncProgress("staff", 0, 0, "正在同步工作人员名单"))
            staff = self.pull_staff()
        except PlatformUnreachableError as exc:
            return AssistedSyncReport(False, message=f"{exc}；案件都已安全保存在本机，联网后再同步")
        self.outbox.recover(book, session, now)
        waiting = {c.submission_id for c in book.cases() if c.state in ("queued", "sending") and c.submission_id}
        unsent = len(waiting)
        progress(SyncProgress("send", 0, unsent, f"正在发送 {unsent} 件"))
        report = self._drain(waiting, progress)
        self.outbox.refresh(book, self.clock())
        left = sum(1 for c in book.cases() if c.state in ("queued", "sending"))
        progress(SyncProgress("send", max(0, unsent - left), unsent, f"已发送 {report.sent} 件"))
        try:
            states = self.pull_states(book, progress)
        except PlatformUnreachableError as exc:
            return AssistedSyncReport(
                True, staff, report.sent, report.retried, report.quarantined, 0, f"办理进度暂未取回：{exc}"
            )
        done = self.clock()
        self.directory.note_contact(done)
        if not report.offline and left == 0:
            book.note_synced(done)
        message = f"同步完成：发送 {report.sent} 件，更新进度 {states} 件"
        if report.quarantined:
            message += f"，{report.quarantined} 件需处理"
        progress(SyncProgress("done", 1, 1, message))
        return AssistedSyncReport(True, staff, report.sent, report.retried, report.quarantined, states, message)
