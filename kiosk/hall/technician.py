"""Technician mode (维护模式), behind the PIN of :mod:`kiosk.hall.technician_pin`.

What a technician at the kiosk needs first: every device's state and why, the queue, a test receipt, and a
"send now". The same checks exist on the command line (``kiosk doctor``, ``kiosk queue``).
"""

from __future__ import annotations

from typing import Protocol

from devices.base import DeviceHealth
from devices.printer.driver import ReceiptPrinter
from kiosk.config import Config
from kiosk.records.audit import TECHNICIAN, AuditAction, AuditLog
from kiosk.records.receipt_layout import build_receipt, printer_test_receipt
from kiosk.visit.ports import StatusLine
from offline_cache.sync import SyncEngine


class TechnicianHall(Protocol):
    """What technician mode reads from the opened hall (``kiosk.hall.compose.Hall`` is one)."""

    config: Config
    printer: ReceiptPrinter | None
    sync: SyncEngine
    audit: AuditLog | None

    def device_healths(self) -> dict[str, DeviceHealth]: ...


class HallTechnician:
    """The :class:`kiosk.visit.ports.TechnicianDesk` port over the opened hall."""

    def __init__(self, hall: TechnicianHall) -> None:
        self.hall = hall

    def report(self) -> list[StatusLine]:
        lines = [StatusLine(name, h.state.value, h.reason) for name, h in self.hall.device_healths().items()]
        status = self.hall.sync.status()
        queue_state = "ok" if not status.last_error else "degraded"
        detail = f"待发送 {status.pending} 件 / {status.pending} pending"
        if status.last_error:
            detail += f"; {status.last_error}"
        lines.append(StatusLine("outbox", queue_state, detail))
        return lines

    def test_print(self) -> str:

        printer = self.hall.printer
        if printer is None:
            return "未配置打印机 / no printer configured"
        config = self.hall.config
        printer.print_document(build_receipt(printer_test_receipt(config.terminal.hall_name, config.terminal.id)))
        self._record(AuditAction.DEVICE_TEST, {"device": "printer"})
        return "测试回执已打印 / test receipt printed"

    def pin_entered(self, ok: bool, locked_seconds: int = 0) -> None:
        """The PIN keypad's answer, right or wrong, goes into the audit log."""
        self._record(AuditAction.TECHNICIAN_PIN, {"ok": ok, "locked_seconds": locked_seconds})

    def _record(self, action: AuditAction, detail: dict[str, object]) -> None:
        if self.hall.audit is not None:
            self.hall.audit.record(action, TECHNICIAN, detail=detail)

    def sync_now(self) -> str:
        self.hall.sync.trigger()
        return "已开始发送 / sending started"
