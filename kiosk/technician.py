"""Technician mode (维护模式), behind the PIN of :mod:`kiosk.technician_pin`.

What a technician at the kiosk needs first: every device's state and why, the queue, a test receipt, and a
"send now". The same checks exist on the command line (``kiosk doctor``, ``kiosk queue``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.hall import Hall

@dataclass(frozen=True)
class StatusLine:
    name: str
    state: str  # ok | degraded | offline
    reason: str


class HallTechnician:
    """The :class:`kiosk.ports.TechnicianDesk` port over the opened hall."""

    def __init__(self, hall: Hall) -> None:
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
        from kiosk.commands.doctor_printer import test_receipt
        from kiosk.receipt import build_receipt

        printer = self.hall.printer
        if printer is None:
            return "未配置打印机 / no printer configured"
        config = self.hall.config
        printer.print_document(build_receipt(test_receipt(config.terminal.hall_name, config.terminal.id)))
        return "测试回执已打印 / test receipt printed"

    def sync_now(self) -> str:
        self.hall.sync.trigger()
        return "已开始发送 / sending started"
