"""Technician mode (维护模式), behind the PIN of :mod:`kiosk.hall.technician_pin`.

What a technician at the kiosk needs: every device's state and why, the queue, a test of each device (a test
receipt, a card read and shown masked, the camera's picture with the QR code it reads; the panel speaks a
sentence itself), "send now", and the settings a hall changes: each device's connection chosen from what is
plugged in, the paper width and the voice's default volume; the platform is joined by showing the camera the
enrolment code ``kiosk-central enroll --qr`` made (:mod:`kiosk.hall.enrolment`; it takes effect at the next
start). A change is validated exactly as the config file is at start-up, written to that file
(comments kept, atomically) and applied at once: the devices are re-opened through the hall, the kiosk keeps
running. Every test and change goes into the audit log. The same checks exist on the command line
(``kiosk doctor``, ``kiosk queue``).

What the desk says is a :class:`kiosk.visit.ports.Notice` (a catalog key with its fields): the panel shows it in
the session's language, Chinese by default.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from devices.base import Device, DeviceHealth
from devices.idcard.errors import IdCardError, NoCardError
from devices.idcard.reader import IdCardReader
from devices.printer.driver import ReceiptPrinter
from kiosk.config import Config, ConfigError, write_config
from kiosk.records.audit import TECHNICIAN, AuditAction, AuditLog
from kiosk.records.receipt_layout import build_receipt, printer_test_receipt
from kiosk.visit.identity import mask_id_number, mask_name
from kiosk.visit.ports import HallError, Notice, StatusLine
from offline_cache.sync import SyncEngine

#: The settings the panel may change: dotted config key → its kind (what the panel offers for it).
SETTINGS: dict[str, str] = {
    "devices.id_reader.connection": "connection",
    "devices.printer.connection": "connection",
    "devices.camera.connection": "connection",
    "devices.printer.paper_width_mm": "paper_width",
    "voice.volume": "volume",
}
#: Shown on the panel, changed only by an enrolment code (:meth:`HallTechnician.scan_enrolment`): a new platform
#: needs its keys and the terminal's token with it, and the kiosk has no Latin keyboard to type a URL.
READ_ONLY = ("platform.url", "terminal.id")


class TechnicianHall(Protocol):
    """What technician mode reads from the opened hall (``kiosk.hall.compose.Hall`` is one)."""

    config: Config
    printer: ReceiptPrinter | None
    reader: IdCardReader | None
    camera: Device | None
    sync: SyncEngine
    audit: AuditLog | None

    def device_healths(self) -> dict[str, DeviceHealth]: ...

    def reopen_devices(self, config: Config) -> None: ...


def plugged_in(
    *,
    serial_ports: Callable[[], list[str]] | None = None,
    usb_printers: Callable[[], list[str]] | None = None,
    cameras: Callable[[], list[str]] | None = None,
) -> dict[str, list[str]]:
    """The connections each device could use, from what is plugged in now, the simulator always last:
    serial ports (pyserial's ``list_ports``) for the card reader and serial printers, USB printers (pyusb,
    interface class 7) as ``usb://VID:PID``, cameras as ``/dev/videoN``."""
    serial = (serial_ports or _serial_ports)()
    printers = (usb_printers or _usb_printers)()
    video = (cameras or _cameras)()
    return {
        "id_reader": [*serial, "sim://"],
        "printer": [*printers, *serial, "sim://"],
        "camera": [*video, "sim://"],
    }


def _serial_ports() -> list[str]:
    from serial.tools import list_ports

    return sorted(port.device for port in list_ports.comports())


def _usb_printers() -> list[str]:
    try:
        import usb.core

        found = usb.core.find(find_all=True) or []
        printers = []
        for device in found:
            for configuration in device:
                if any(interface.bInterfaceClass == 7 for interface in configuration):  # USB printer class
                    printers.append(f"usb://{device.idVendor:04x}:{device.idProduct:04x}")
                    break
        return sorted(set(printers))
    except Exception:  # noqa: BLE001 - no libusb, no permission: no USB printers to offer
        return []


def _cameras() -> list[str]:
    return sorted(str(path) for path in Path("/dev").glob("video*"))


class HallTechnician:
    """The :class:`kiosk.visit.ports.TechnicianDesk` port over the opened hall."""

    def __init__(
        self,
        hall: TechnicianHall,
        config_path: Path | None = None,
        find_plugged_in: Callable[[], dict[str, list[str]]] = plugged_in,
    ) -> None:
        self.hall = hall
        #: The hall's config file: settings changed at the kiosk are written there (None: nowhere to write).
        self.config_path = config_path
        self._find_plugged_in = find_plugged_in
        #: The last enrolment code refused: not tried again while it stays in front of the camera.
        self._refused_code: str | None = None

    def report(self) -> list[StatusLine]:
        lines = [StatusLine(name, h.state.value, h.reason) for name, h in self.hall.device_healths().items()]
        status = self.hall.sync.status()
        queue_state = "ok" if not status.last_error else "degraded"
        lines.append(StatusLine("outbox", queue_state, status.last_error or "", status.pending))
        return lines

    # ----------------------------------------------------------------- tests
    def test_print(self) -> Notice:
        printer = self.hall.printer
        if printer is None:
            self._record(AuditAction.DEVICE_TEST, {"device": "printer", "ok": False})
            return Notice("tech.no_printer")
        config = self.hall.config
        printer.print_document(build_receipt(printer_test_receipt(config.terminal.hall_name, config.terminal.id)))
        self._record(AuditAction.DEVICE_TEST, {"device": "printer"})
        return Notice("tech.printed")

    def test_card(self, timeout: float = 10.0) -> Notice:
        """Wait for a card and read it; what is shown is masked (a technician needs to see the read works, not
        whose card it was)."""
        reader = self.hall.reader
        if reader is None:
            self._record(AuditAction.DEVICE_TEST, {"device": "id_reader", "ok": False})
            return Notice("tech.no_reader")
        try:
            card = reader.read_card(timeout)
        except NoCardError:
            self._record(AuditAction.DEVICE_TEST, {"device": "id_reader", "ok": False})
            return Notice("tech.no_card")
        except IdCardError as exc:
            self._record(AuditAction.DEVICE_TEST, {"device": "id_reader", "ok": False})
            return Notice.of("tech.card_failed", reason=type(exc).__name__)
        self._record(AuditAction.DEVICE_TEST, {"device": "id_reader", "ok": True})
        return Notice.of("tech.card_read", name=mask_name(card.name), number=mask_id_number(card.id_number))

    def camera_view(self) -> tuple[bytes, tuple[tuple[int, int], ...]] | None:
        """The camera's latest picture (JPEG) and the corners of a QR code found in it, in the picture's pixels
        (empty when none); None when the camera gives no picture."""
        from devices.camera.camera import Camera  # OpenCV: only when a technician asks for the picture
        from devices.camera.errors import CameraError
        from devices.camera.qr import decode_qr
        from kiosk.hall.capture import PREVIEW_WIDTH, jpeg

        camera = self.hall.camera
        if not isinstance(camera, Camera) or not camera.health.usable:
            return None
        frame = camera.latest_frame()
        if frame is None:
            return None
        try:
            found = decode_qr(frame)
        except CameraError:
            found = None
        scale = min(1.0, PREVIEW_WIDTH / frame.shape[1])
        corners = tuple((round(x * scale), round(y * scale)) for x, y in found.corners) if found else ()
        return jpeg(frame, PREVIEW_WIDTH, 80), corners

    def scan_enrolment(self) -> Notice | None:
        """Look for an enrolment code in the camera's latest picture; None while there is none (or only the one
        refused last). A code is checked with its platform and written to the config file: the answer says so,
        or :class:`HallError` says why nothing was written."""
        from devices.camera.camera import Camera  # OpenCV: only when a technician asks for the picture
        from devices.camera.errors import CameraError
        from devices.camera.qr import decode_qr
        from kiosk.hall.enrolment import join_platform

        camera = self.hall.camera
        frame = camera.latest_frame() if isinstance(camera, Camera) and camera.health.usable else None
        if frame is None:
            return None
        try:
            found = decode_qr(frame)
        except CameraError:
            return None
        if found is None or found.text == self._refused_code:
            return None
        before = str(self.hall.config.platform.url)
        try:
            code = join_platform(found.text, self.config_path, verify_tls=self.hall.config.platform.verify_tls)
        except HallError:
            self._refused_code = found.text
            self._record(AuditAction.CONFIG_CHANGE, {"changes": {"platform": "enrolment code"}, "ok": False})
            raise
        self._refused_code = None
        self._record(
            AuditAction.CONFIG_CHANGE,
            {
                "changes": {"platform.url": code.url, "terminal.id": code.terminal_id},
                "before": {"platform.url": before},
                "ok": True,
            },
        )
        return Notice.of("tech.enrolled", url=code.url, terminal=code.terminal_id)

    def device_tested(self, device: str, ok: bool) -> None:
        """A test the panel ran itself (the voice, the camera's picture), into the audit log."""
        self._record(AuditAction.DEVICE_TEST, {"device": device, "ok": ok})

    def sync_now(self) -> Notice:
        self.hall.sync.trigger()
        return Notice("tech.sending")

    def pin_entered(self, ok: bool, locked_seconds: int = 0) -> None:
        """The PIN keypad's answer, right or wrong, goes into the audit log."""
        self._record(AuditAction.TECHNICIAN_PIN, {"ok": ok, "locked_seconds": locked_seconds})

    # ----------------------------------------------------------------- settings
    def settings(self) -> dict[str, object]:
        """The current value of every setting the panel offers (dotted key → value)."""
        values: dict[str, object] = {}
        for dotted in (*SETTINGS, *READ_ONLY):
            node: object = self.hall.config
            for part in dotted.split("."):
                node = getattr(node, part)
            values[dotted] = node
        return values

    def plugged_in(self) -> dict[str, list[str]]:
        return self._find_plugged_in()

    def configure(self, changes: Mapping[str, object]) -> Notice:
        """Validate, write and apply ``changes``; :class:`HallError` (nothing written) if they cannot be used."""
        unknown = sorted(set(changes) - set(SETTINGS))
        if unknown:
            raise HallError(Notice.of("tech.setting_unknown", names=", ".join(unknown)))
        if self.config_path is None:
            raise HallError(Notice("tech.no_config_file"))
        before = self.settings()
        try:
            config = write_config(self.config_path, changes)
        except ConfigError as exc:
            self._record(AuditAction.CONFIG_CHANGE, {"changes": _plain(changes), "ok": False})
            raise HallError(Notice.of("tech.setting_invalid", reason=str(exc).split(": ", 1)[-1])) from None
        self._record(
            AuditAction.CONFIG_CHANGE,
            {"changes": _plain(changes), "before": _plain({k: before[k] for k in changes}), "ok": True},
        )
        if any(key.startswith("devices.") for key in changes):
            self.hall.reopen_devices(config)
        else:
            self.hall.config = config
        return Notice("tech.saved")

    def _record(self, action: AuditAction, detail: dict[str, object]) -> None:
        if self.hall.audit is not None:
            self.hall.audit.record(action, TECHNICIAN, detail=detail)


def _plain(values: Mapping[str, object]) -> dict[str, object]:
    """Values as the audit log's JSON can hold them."""
    return {k: v if isinstance(v, str | int | float | bool) else str(v) for k, v in values.items()}
