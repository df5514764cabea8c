"""How bytes reach a printer (打印机连接), chosen by the URL in the config.

=========================================  ==========================================================
``usb://0416:5011[?in_ep=0x82&out_ep=0x01]``  pyusb, through python-escpos's ``Usb`` printer
``/dev/ttyUSB0``, ``socket://h:p``          pyserial (:mod:`devices.serial_link`), 9600 baud unless said
``serial:///dev/ttyS0?baudrate=9600``       the same, with the baud rate in the URL
``tcp://192.168.1.50:9100``                 raw TCP ("JetDirect" port 9100)
``file:///dev/usb/lp0``                     a device file (the kernel's usblp driver); cannot read status
``cups://QUEUE``                            a raw CUPS queue through the ``lp`` command; cannot read status
``sim://``                                  an in-memory printer that keeps the bytes (demo, tests)
=========================================  ==========================================================

Every connection can write; those that can read answer :meth:`PrinterConnection.query` with the printer's
one-byte status reply, or ``None`` when the printer stays silent.
"""

from __future__ import annotations

import abc
import contextlib
import shutil
import socket
import subprocess
import time
from collections import deque
from pathlib import Path
from typing import Any, BinaryIO, ClassVar
from urllib.parse import parse_qs, urlsplit

from devices.base import DeviceError
from devices.printer import escpos_cache
from devices.printer.status import QUERY_PAPER, QUERY_PRINTER
from devices.serial_link import SerialLink


class PrinterConnectionError(DeviceError):
    """The printer cannot be reached, or the line broke while in use."""


class PrinterConnection(abc.ABC):
    """An open line to one printer."""

    url: str
    can_read: bool = True

    @abc.abstractmethod
    def write(self, data: bytes) -> None:
        """Send ``data``; raise :class:`PrinterConnectionError` if the line is gone."""

    @abc.abstractmethod
    def query(self, command: bytes, timeout: float) -> int | None:
        """Send a real-time status request and return the one-byte answer, or ``None`` on silence."""

    @abc.abstractmethod
    def close(self) -> None:
        """Close; never raises."""


class SerialConnection(PrinterConnection):
    def __init__(self, url: str, *, usb_match: str = "", baudrate: int = 9600) -> None:
        self.url = url
        self._link = SerialLink(url, usb_match=usb_match, baudrate=baudrate)
        try:
            self._link.open()
        except DeviceError as exc:
            hint = "kiosk doctor printer --status"
            raise PrinterConnectionError(exc.message, technician_hint=hint) from None

    def write(self, data: bytes) -> None:
        try:
            self._link.write(data)
        except DeviceError as exc:
            raise PrinterConnectionError(exc.message) from None

    def query(self, command: bytes, timeout: float) -> int | None:
        try:
            self._link.discard_input()
            self._link.write(command)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                answer = self._link.read_some(deadline)
                if answer:
                    return answer[-1]
        except DeviceError as exc:
            raise PrinterConnectionError(exc.message) from None
        return None

    def close(self) -> None:
        self._link.close()


class TcpConnection(PrinterConnection):
    def __init__(self, url: str, host: str, port: int) -> None:
        self.url = url
        try:
            self._sock = socket.create_connection((host, port), timeout=5.0)
        except OSError as exc:
            raise PrinterConnectionError(
                f"网络打印机 {host}:{port} 无法连接 / cannot connect to {host}:{port}: {exc}; "
                "check the printer's IP address, its power and the network cable",
            ) from None

    def write(self, data: bytes) -> None:
        try:
            self._sock.settimeout(30.0)
            self._sock.sendall(data)
        except OSError as exc:
            raise self._lost(exc) from None

    def query(self, command: bytes, timeout: float) -> int | None:
        self._discard_input()
        self.write(command)
        try:
            self._sock.settimeout(timeout)
            answer = self._sock.recv(16)
        except TimeoutError:
            return None
        except OSError as exc:
            raise self._lost(exc) from None
        if not answer:
            raise PrinterConnectionError(f"网络打印机关闭了连接 / {self.url} closed the connection")
        return answer[-1]

    def _discard_input(self) -> None:
        """Drop late answers to an earlier, timed-out query, so this one reads its own."""
        try:
            self._sock.settimeout(0.0)
            while self._sock.recv(64):
                pass
        except (BlockingIOError, TimeoutError):
            return
        except OSError as exc:
            raise self._lost(exc) from None

    def _lost(self, exc: OSError) -> PrinterConnectionError:
        return PrinterConnectionError(f"网络打印机连接已断开 / connection to {self.url} lost: {exc}")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.close()


class UsbConnection(PrinterConnection):
    def __init__(self, url: str, vendor: int, product: int, in_ep: int, out_ep: int) -> None:
        escpos_cache.prepare()
        from escpos.exceptions import DeviceNotFoundError
        from escpos.printer import Usb

        self.url = url
        self._printer = Usb(vendor, product, timeout=5000, in_ep=in_ep, out_ep=out_ep)
        try:
            self._printer.open(raise_not_found=True)
        except (DeviceNotFoundError, OSError) as exc:
            busy = "busy" in str(exc).lower()
            raise PrinterConnectionError(
                f"USB 打印机 {vendor:04x}:{product:04x} "
                + ("正被其他程序占用 / is busy (another program holds it)" if busy else "未找到 / not found")
                + ": " + " ".join(str(exc).split()),
                technician_hint="check the USB cable and power; lsusb; udev rule for the kiosk user",
            ) from None
        self._in_ep = in_ep

    def write(self, data: bytes) -> None:
        import usb.core

        try:
            self._printer._raw(data)
        except (usb.core.USBError, OSError, AssertionError) as exc:
            raise PrinterConnectionError(f"USB 打印机已断开 / USB printer lost: {exc}") from None

    def query(self, command: bytes, timeout: float) -> int | None:
        import usb.core

        self.write(command)
        try:
            answer = self._printer.device.read(self._in_ep, 16, int(timeout * 1000))
        except usb.core.USBTimeoutError:
            return None
        except (usb.core.USBError, OSError) as exc:
            raise PrinterConnectionError(f"USB 打印机已断开 / USB printer lost: {exc}") from None
        return int(answer[-1]) if len(answer) else None

    def close(self) -> None:
        # pyusb raises many kinds of error on a vanished device; closing is best effort.
        with contextlib.suppress(Exception):
            self._printer.close()


class FileConnection(PrinterConnection):
    can_read = False

    def __init__(self, url: str, path: str) -> None:
        self.url = url
        try:
            self._file: BinaryIO = Path(path).open("wb", buffering=0)  # noqa: SIM115 held open while in use
        except OSError as exc:
            busy = getattr(exc, "errno", None) == 16
            raise PrinterConnectionError(
                f"打印机设备文件 {path} "
                + ("正被其他程序占用 / is busy" if busy else "无法打开 / cannot be opened")
                + f": {exc}",
                technician_hint="is the printer on? is the kiosk user in the lp group?",
            ) from None

    def write(self, data: bytes) -> None:
        try:
            self._file.write(data)
        except OSError as exc:
            message = f"打印机设备文件写入失败 / cannot write to {self.url}: {exc}"
            raise PrinterConnectionError(message) from None

    def query(self, command: bytes, timeout: float) -> int | None:
        return None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


class CupsConnection(PrinterConnection):
    """A raw CUPS queue: each write is one job sent with ``lp -d QUEUE -o raw``."""

    can_read = False

    def __init__(self, url: str, queue: str) -> None:
        self.url = url
        self.queue = queue
        lp = shutil.which("lp")
        if lp is None:
            raise PrinterConnectionError(
                "找不到 lp 命令 / the lp command is missing: install cups-client, or use another connection"
            )
        self._lp = lp

    def write(self, data: bytes) -> None:
        try:
            # Fixed arguments and a queue name from the technician's own config file.
            done = subprocess.run(  # noqa: S603
                [self._lp, "-d", self.queue, "-o", "raw"],
                input=data, capture_output=True, timeout=30, check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PrinterConnectionError(f"CUPS 队列 {self.queue} 无法提交 / lp failed: {exc}") from None
        if done.returncode != 0:
            message = done.stderr.decode(errors="replace").strip()
            raise PrinterConnectionError(f"CUPS 队列 {self.queue} 拒绝了打印 / lp refused the job: {message}")

    def query(self, command: bytes, timeout: float) -> int | None:
        return None

    def close(self) -> None:
        pass


class SimConnection(PrinterConnection):
    """The demo printer: keeps what it was sent and answers status from :attr:`paper` ("ok", "near_end",
    "out" or "silent")."""

    ANSWERS: ClassVar[dict[str, dict[bytes, int]]] = {
        "ok": {QUERY_PRINTER: 0x12, QUERY_PAPER: 0x12},
        "near_end": {QUERY_PRINTER: 0x12, QUERY_PAPER: 0x1E},
        "out": {QUERY_PRINTER: 0x1A, QUERY_PAPER: 0x72},
    }

    def __init__(self, url: str, paper: str = "ok", keep: int = 20) -> None:
        self.url = url
        self.paper = paper
        #: The byte streams of the last ``keep`` print jobs, oldest first.
        self.jobs: deque[bytes] = deque(maxlen=keep)

    def write(self, data: bytes) -> None:
        if self.paper == "out":
            return  # paper out: the bytes go nowhere, as on a real printer
        self.jobs.append(bytes(data))

    def query(self, command: bytes, timeout: float) -> int | None:
        return self.ANSWERS.get(self.paper, {}).get(command)

    def close(self) -> None:
        pass


def open_connection(  # noqa: PLR0911 one return per scheme reads best
    url: str, options: dict[str, Any] | None = None
) -> PrinterConnection:
    """Open the connection ``url`` names; raise :class:`PrinterConnectionError` with what to check."""
    options = options or {}
    usb_match = str(options.get("usb_match", ""))
    if "://" not in url:
        return SerialConnection(url, usb_match=usb_match, baudrate=_baud(options, {}))
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    scheme = parts.scheme.lower()
    if scheme == "serial":
        return SerialConnection(parts.path, usb_match=usb_match, baudrate=_baud(options, query))
    if scheme in {"socket", "rfc2217", "loop"}:
        return SerialConnection(url, baudrate=_baud(options, query))
    if scheme == "tcp":
        if not parts.hostname:
            raise PrinterConnectionError(f"连接地址缺少主机 / no host in {url} (tcp://192.168.1.50:9100)")
        try:
            port = parts.port or 9100
        except ValueError:  # not a number, or out of range
            raise PrinterConnectionError(f"连接地址的端口无效 / bad port in {url} (1–65535)") from None
        return TcpConnection(url, parts.hostname, port)
    if scheme == "usb":
        vendor, product = _usb_ids(url, parts.netloc)
        try:
            in_ep = int(query.get("in_ep", ["0x82"])[0], 0)
            out_ep = int(query.get("out_ep", ["0x01"])[0], 0)
        except ValueError:
            raise PrinterConnectionError(f"USB 端点应为数字 / in_ep and out_ep in {url} must be numbers") from None
        return UsbConnection(url, vendor, product, in_ep, out_ep)
    if scheme == "file":
        return FileConnection(url, parts.path)
    if scheme == "cups":
        return CupsConnection(url, parts.netloc or parts.path.strip("/"))
    if scheme == "sim":
        return SimConnection(url, paper=str(options.get("paper", "ok")))
    raise PrinterConnectionError(f"不支持的打印机连接 / unsupported printer connection: {url}")


def _baud(options: dict[str, Any], query: dict[str, list[str]]) -> int:
    try:
        return int(query.get("baudrate", [options.get("baudrate", 9600)])[0])
    except ValueError:
        raise PrinterConnectionError("波特率必须是数字 / baudrate must be a number (e.g. 9600)") from None


def _usb_ids(url: str, netloc: str) -> tuple[int, int]:
    try:
        vendor, product = (int(part, 16) for part in netloc.split(":"))
    except ValueError:
        raise PrinterConnectionError(
            f"USB 地址应为 usb://VID:PID / {url} is not usb://VID:PID in hexadecimal (e.g. usb://0416:5011)"
        ) from None
    return vendor, product
