"""代为查询 / 代为取号 in the window: the hall's answer fetched on a worker (a query may wait for the network),
then shown to the staff member on a slip the resident takes away (printed, PDF or QR), as a case's slip is."""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from kiosk.assisted.instant import InstantRefused, check_outcome
from kiosk.assisted.slip import Slip
from kiosk.visit.ports import SubmissionRequest
from ui.assisted.desk import HandleMatter, PrintSlip
from ui.assisted.slip_view import SlipView


class InstantRunner(QObject):
    """One request at a time to the hall's ``Matters.handle``; the answer comes back on the GUI thread."""

    #: The outcome (``SubmitOutcome``) or the sentence saying why there is none (``str``).
    matter_did_finish = Signal(object)

    def __init__(self, handle: HandleMatter) -> None:
        super().__init__()
        self._handle = handle
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, request: SubmissionRequest) -> bool:
        if self.running:
            return False
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
        self.matter_did_finish.emit(result)

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
