"""What the staff member's client (帮办代办客户端) is given to work with: the hall's parts, passed in, no Qt.

The window decides nothing about logins, cases or limits: it asks the staff directory, the case book and the
sync (``kiosk/assisted``, ``kiosk/hall``) and shows their answers. Everything here is optional where a laptop
may lack it: no outbox wiring (a screenshot), no printer (a PDF or an on-screen QR instead), no camera.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.assisted.authorization import summary_for_slip
from kiosk.assisted.cases import Case, CaseBook
from kiosk.assisted.idle import IdleSettings
from kiosk.assisted.limits import CaseLimits
from kiosk.assisted.slip import Slip
from kiosk.assisted.staff import StaffDirectory, StaffSession
from kiosk.hall.assisted_sync import AssistedSyncReport, SyncProgress
from kiosk.visit.catalog import Catalog, Service
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome
from offline_cache.drive import ExportResult

#: ``AssistedOutbox.send``: a finished draft into the sealed outbox (待发送).
SendCase = Callable[[CaseBook, StaffSession, str, datetime], Case]
#: ``AssistedOutbox.send_event``: a recorded 回交 / 回访 into the outbox.
SendEvent = Callable[[CaseBook, StaffSession, str, str], str]
#: ``AssistedSync.run``: one sync, reporting progress (called on a worker thread).
RunSync = Callable[[CaseBook, StaffSession, Callable[[SyncProgress], None]], AssistedSyncReport]
#: ``AssistedSync.pull_staff``: the hall's staff list from the platform (before anyone can log in); how many.
PullStaff = Callable[[], int]
#: ``AssistedOutbox.export_member``: the member's unsent cases to a folder on a drive (导出到U盘).
ExportCases = Callable[[CaseBook, Path, datetime], ExportResult]
#: ``Matters.handle`` of the hall: a query answered or a queue ticket issued at once (代为查询, 代为取号).
HandleMatter = Callable[[SubmissionRequest], SubmitOutcome]
#: The receipt printer, if the laptop has one: True when the slip was printed.
PrintSlip = Callable[[Slip], bool]
#: The ID card reader: ``(name, id_number)`` of the card on it, or ``None``.
ReadCard = Callable[[], tuple[str, str] | None]
#: The document camera (straightened photo of the paper 委托书), JPEG bytes, or ``None``.
CapturePaper = Callable[[], bytes | None]

#: Why a service flagged 须本人到场 cannot be handled by proxy, and what to do instead.
IN_PERSON_REASON = (
    "此事项须本人到场办理（现场核验身份或本人签字），不能由他人代办；请约办事人本人到大厅，或预约上门服务"
)


@dataclass
class AssistedDesk:
    """The parts of one laptop the client uses; the composition (``ui/assisted/compose.py``) fills them in."""

    directory: StaffDirectory
    cases_root: Path
    catalog: Catalog
    hall_name: str
    clock: Callable[[], datetime]
    limits: CaseLimits = field(default_factory=CaseLimits)
    idle: IdleSettings = field(default_factory=IdleSettings)
    monotonic: Callable[[], float] = time.monotonic
    send_case: SendCase | None = None
    send_event: SendEvent | None = None
    sync: RunSync | None = None
    pull_staff: PullStaff | None = None
    export_cases: ExportCases | None = None
    handle_matter: HandleMatter | None = None
    print_slip: PrintSlip | None = None
    read_card: ReadCard | None = None
    capture_paper: CapturePaper | None = None
    #: Services the hall marks 须本人到场 (service code → why), beside any flag the catalog itself carries.
    in_person: Mapping[str, str] = field(default_factory=dict)
    #: Demo mode: the login screen says who to log in as ("" on a real laptop).
    demo_hint: str = ""

    def open_book(self, session: StaffSession) -> CaseBook:
        book = CaseBook(session.vault(self.cases_root), session.staff_no, self.limits)
        book.note_opened(self.clock())
        return book

    def in_person_reason(self, service: Service) -> str | None:
        """Why ``service`` cannot be handled for someone else (须本人到场), or ``None`` when it may (可代办)."""
        if service.code in self.in_person:
            return self.in_person[service.code] or IN_PERSON_REASON
        if service.proxy == "in_person":  # the catalog's flag (docs/protocol.md, "Assisted handling")
            return f"“{service.name.zh}”{IN_PERSON_REASON[3:]}"
        return None


def authorization_summary(
    authorization: Mapping[str, Any] | None, resident_masked: str, catalog: Catalog | None = None
) -> str:
    """The 委托 in one sentence (:func:`kiosk.assisted.authorization.summary_for_slip`), the matters by their
    names in ``catalog``."""
    titles = {service.code: service.name.zh for service in catalog.services} if catalog is not None else None
    return summary_for_slip(authorization, titles, resident_masked)
