"""A serial line to a device (串口链路), named by a pyserial URL and found again by its USB identity.

Readers and printers hang off USB-serial adapters that come back as another ``/dev/ttyUSB*`` after an
unplug, or sit behind a network serial server (``socket://host:port``, ``rfc2217://host:port``). Every
connection is opened with :func:`serial.serial_for_url`, so a device in the hall, one in a network serial
box and a simulator in a test are reached the same way. When a ``usb_match`` ("VID:PID[:SERIAL]") is
configured, the port is looked up by that identity on every open, so re-enumeration does not need a
technician.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

import serial
from serial.tools import list_ports
from serial.tools.list_ports_common import ListPortInfo

from devices.base import DeviceError

try:  # POSIX ports raise termios.error (not an OSError) when the line vanishes under a flush
    import termios

    _LINE_ERRORS: tuple[type[BaseException], ...] = (serial.SerialException, OSError, termios.error)
except ImportError:  # pragma: no cover - Windows
    _LINE_ERRORS = (serial.SerialException, OSError)

_USB_MATCH = re.compile(r"^\s*([0-9A-Fa-f]{4}):([0-9A-Fa-f]{4})(?::(\S+))?\s*$")


class SerialLinkError(DeviceError):
    """The serial line cannot be opened or broke while in use (unplugged, refused, I/O error)."""


@dataclass(frozen=True)
class UsbMatch:
    """A USB-serial adapter's identity: vendor id, product id and optionally its serial number."""

    vid: int
    pid: int
    serial_number: str = ""

    @classmethod
    def parse(cls, text: str) -> UsbMatch:
        """``"1a86:7523"`` or ``"0403:6001:A50285BI"``; raise :class:`ValueError` on anything else."""
        found = _USB_MATCH.match(text)
        if found is None:
            raise ValueError(f"usb_match '{text}' is not VID:PID[:SERIAL] in hexadecimal (e.g. 1a86:7523)")
        return cls(int(found.group(1), 16), int(found.group(2), 16), found.group(3) or "")

    def matches(self, port: ListPortInfo) -> bool:
        if port.vid != self.vid or port.pid != self.pid:
            return False
        return not self.serial_number or (port.serial_number or "") == self.serial_number

    def __str__(self) -> str:
        base = f"{self.vid:04x}:{self.pid:04x}"
        return f"{base}:{self.serial_number}" if self.serial_number else base


def find_usb_port(match: UsbMatch, ports: Iterable[ListPortInfo] | None = None) -> str | None:
    """The device path of the first port whose USB identity matches, or None if it is not plugged in."""
    candidates = list(list_ports.comports() if ports is None else ports)
    for port in sorted(candidates, key=lambda p: p.device):
        if match.matches(port):
            return str(port.device)
    return None


def resolve_url(url: str, usb_match: str = "", ports: Iterable[ListPortInfo] | None = None) -> str:
    """The URL to open now: the port holding the USB identity if one is configured and present, else ``url``."""
    if not usb_match:
        return url
    try:
        match = UsbMatch.parse(usb_match)
    except ValueError as exc:
        raise SerialLinkError(f"配置错误 / bad config: {exc}", technician_hint="fix devices.*.usb_match") from None
    return find_usb_port(match, ports) or url


class SerialLink:
    """One open serial line: write a request, read bytes as they arrive until a deadline.

    Not thread-safe on purpose: it belongs to one device and is used only on that device's I/O thread.
    """

    def __init__(self, url: str, *, usb_match: str = "", baudrate: int = 115200) -> None:
        self.url = url
        self.usb_match = usb_match
        self.baudrate = baudrate
        self.opened_url = ""
        self._port: serial.Serial | None = None

    @property
    def is_open(self) -> bool:
        return self._port is not None

    def open(self) -> None:
        """Open the line (finding the adapter again by USB identity first); raise :class:`SerialLinkError`."""
        self.close()
        target = resolve_url(self.url, self.usb_match)
        try:
            port = serial.serial_for_url(target, baudrate=self.baudrate, timeout=0.05, write_timeout=2.0)
        except (serial.SerialException, OSError, ValueError) as exc:
            hint = f" (USB {self.usb_match} not found)" if self.usb_match and target == self.url else ""
            raise SerialLinkError(
                f"串口 {target} 无法打开 / cannot open serial port {target}{hint}: {exc}; "
                "check the cable, the USB-serial adapter and the port's permissions (dialout group)",
                technician_hint="kiosk doctor id-reader --port URL",
            ) from None
        self._port = port
        self.opened_url = target

    def close(self) -> None:
        port, self._port = self._port, None
        if port is not None:
            with contextlib.suppress(*_LINE_ERRORS):  # closing a vanished port is not news
                port.close()

    def _require(self) -> serial.Serial:
        if self._port is None:
            raise SerialLinkError(f"串口 {self.url} 未打开 / serial port {self.url} is not open")
        return self._port

    def _broken(self, exc: BaseException) -> SerialLinkError:
        self.close()
        return SerialLinkError(
            f"串口 {self.opened_url or self.url} 已断开 / serial line lost: {exc}; "
            "check that the device is plugged in and powered"
        )

    def discard_input(self) -> None:
        """Drop whatever arrived unasked (late answers to a timed-out request)."""
        port = self._require()
        try:
            port.reset_input_buffer()
        except _LINE_ERRORS as exc:
            raise self._broken(exc) from None

    def write(self, data: bytes) -> None:
        port = self._require()
        try:
            port.write(data)
            port.flush()
        except _LINE_ERRORS as exc:
            raise self._broken(exc) from None

    def read_some(self, deadline: float) -> bytes:
        """Bytes that arrive before ``deadline`` (a ``time.monotonic()`` value); b"" if none came in time."""
        port = self._require()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return b""
        try:
            port.timeout = min(remaining, 0.05)
            waiting = port.in_waiting
            return bytes(port.read(max(1, waiting)))
        except _LINE_ERRORS as exc:
            raise self._broken(exc) from None
