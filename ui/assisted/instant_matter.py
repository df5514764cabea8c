"""代为查询 / 代为取号 in the window: the hall's answer fetched on a worker (a query may wait for the network),
then shown to the staff member on a slip the resident takes away (printed, PDF or QR), as a case's slip is."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from kiosk.assisted.instant import InstantRefused, check_outcome, instant_request, instant_slip, is_instant
from kiosk.assisted.resident import Resident
from kiosk.assisted.slip import Slip
from kiosk.assisted.staff import StaffSession
from kiosk.visit.catalog import Service
from kiosk.visit.ports import SubmissionRequest, SubmitOutcome
from ui.assisted.desk import AssistedDesk, HandleMatter, PrintSlip, authorization_summary
from ui.assisted.slip_view import SlipView

#: Why a query or a queue number cannot be handled on a laptop that is not wired to the hall's services.
NO_INSTANT = "本机未接通大厅的查询和取号服务，不能代为办理；请办事人到大厅自助机或窗口办理"


def proxy_services(desk: AssistedDesk) -> list[Service]:
    """Every service of the catalog: cases go to a department; a query (代为查询) or a queue number (代为取号) is
    answered at once by the hall. Those that cannot be handled here are listed greyed, with the reason."""
    return list(desk.catalog.services)


def unavailable_reason(desk: AssistedDesk, service: Service) -> str | None:
    """Why ``service`` cannot even be chosen on this laptop (its answer needs a part the laptop lacks)."""
    return NO_INSTANT if is_instant(service) and desk.handle_matter is None else None


def slip_of(
    desk: AssistedDesk,
    session: StaffSession,
    service: Service,
    outcome: SubmitOutcome,
    resident: Resident,
    *,
    authorization: dict[str, Any] | None,
    at: datetime,
) -> Slip:
    """The resident's slip of a query's answer or a ticket, with who asked for whom under which 委托."""
    return instant_slip(
        service,
        outcome,
        resident,
        staff_no=session.staff_no,
        staff_name=session.name,
        hall_name=desk.hall_name,
        authorization_summary=authorization_summary(authorization, resident.masked_name, desk.catalog),
        printed_at=at,
    )


class InstantRunner(QObject):
    """One request at a time to the hall's ``Matters.handle`` on a worker; the slip (or why there is none) comes
    back on the GUI thread."""

    #: The slip to hand the resident (``kiosk.assisted.slip.Slip``).
    slip_ready = Signal(object)
    #: Why there is no answer, in the sentence the staff member reads.
    refused = Signal(str)
    _answered = Signal(object)

    def __init__(self, desk: AssistedDesk, handle: HandleMatter) -> None:
        super().__init__()
        self._desk = desk
        self._handle = handle
        self._thread: threading.Thread | None = None
        self._asked: tuple[Service, Resident, dict[str, Any] | None, StaffSession] | None = None
        self._answered.connect(self._finish)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def ask(
        self,
        service: Service,
        resident: Resident,
        authorization: dict[str, Any] | None,
        answers: dict[str, str],
        session: StaffSession,
    ) -> bool:
        if self.running:
            return False
        self._asked = (service, resident, authorization, session)
        request = instant_request(service, resident, answers)
        self._thread = threading.Thread(target=self._run, args=(request,), name="assisted-instant", daemon=True)
        self._thread.start()
        return True

    def _run(self, request: SubmissionRequest) -> None:
        try:
            result: object = check_outcome(self._handle(request))
        except InstantRefused as exc:
            result = str(exc)
        except Exception as exc:  # noqa: BLE001 - a hall fault is said on the screen, never a traceback
            result = f"大厅未能办理：{exc}。请稍后再试，或请办事人到窗口办理"
        self._answered.emit(result)

    def _finish(self, result: object) -> None:
        asked, self._asked = self._asked, None
        if not isinstance(result, SubmitOutcome) or asked is None:
            self.refused.emit(str(result))
            return
        service, resident, authorization, session = asked
        desk = self._desk
        slip = slip_of(desk, session, service, result, resident, authorization=authorization, at=desk.clock())
        self.slip_ready.emit(slip)

    def wait(self, timeout: float = 30.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)


class InstantSlipView(SlipView):
    """The slip of a query's answer or a queue ticket (nothing was saved to be sent)."""

    def __init__(self, slip: Slip, print_slip: PrintSlip | None, pdf_folder: Path) -> None:
        super().__init__(slip, print_slip, pdf_folder)
        self.setObjectName("assisted-instant-slip")
        ticket = slip.title.endswith("凭条")
        headline = "已代为取号，请把凭条交给办事人" if ticket else "查询结果如下，请告知办事人并把结果单交给他"
        for label in self.findChildren(QLabel):
            if label.text().startswith("案件已加密保存"):
                label.setText(headline)
        if print_slip is not None:
            self.print_button.setText("打印凭条" if ticket else "打印结果单")
