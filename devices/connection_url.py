"""Is a device's connection URL well formed? (连接地址检查) Checked before anything is opened.

A typo in a connection (an unknown scheme, a port out of range, a USB id that is not hexadecimal) is a
different thing from a device that is not there: the first is told as what is wrong with the text, the
second as what to check on the device. :func:`check_connection` reads only the text; it never opens a port.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from urllib.parse import parse_qs, urlsplit

from devices.registry import ANY_SCHEME, DriverEntry

#: The URL schemes pyserial's ``serial_for_url`` opens (a bare device path is the ``serial`` scheme).
PYSERIAL_SCHEMES = ("socket", "rfc2217", "loop", "spy", "hwgrep", "alt", "cp2110")
#: Schemes that name a host and a port.
_NETWORK = {"socket", "rfc2217", "tcp"}
_PORT_REQUIRED = {"socket", "rfc2217"}


class ConnectionUrlError(ValueError):
    """The connection text is malformed; ``message`` says what is wrong with it (one line)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def known_schemes(entries: Iterable[DriverEntry]) -> tuple[str, ...]:
    """The schemes a device kind's registered drivers accept; a catch-all serial driver means pyserial's."""
    schemes: set[str] = set()
    for entry in entries:
        if entry.scheme == ANY_SCHEME:
            schemes.update(("serial", *PYSERIAL_SCHEMES))
        else:
            schemes.add(entry.scheme)
    return tuple(sorted(schemes))


def check_connection(url: str, schemes: Collection[str]) -> str:
    """Return ``url`` if it is a well-formed connection for one of ``schemes``, else raise
    :class:`ConnectionUrlError`. ``serial`` in ``schemes`` admits a bare device path (``/dev/ttyUSB0``, ``COM3``)."""
    text = url.strip()
    if not text:
        raise ConnectionUrlError("is empty (e.g. sim://, /dev/ttyUSB0, tcp://192.168.1.50:9100)")
    if text != url or any(ch.isspace() for ch in text):
        raise ConnectionUrlError(f"'{url}' contains spaces")
    known = ", ".join(sorted(schemes))
    if "://" not in text:
        if "serial" not in schemes:
            raise ConnectionUrlError(f"'{url}' has no scheme (known: {known})")
        return url
    scheme = text.split("://", 1)[0].lower()
    if scheme not in schemes:
        raise ConnectionUrlError(f"unknown scheme '{scheme}' in '{url}' (known: {known})")
    try:
        parts = urlsplit(text)
    except ValueError as exc:  # e.g. an unbalanced IPv6 bracket
        raise ConnectionUrlError(f"'{url}' is not a valid URL: {exc}") from None
    query = parse_qs(parts.query)
    if scheme in _NETWORK:
        _check_host_port(url, scheme, parts.hostname, parts.netloc)
    elif scheme == "usb":
        _check_usb(url, parts.netloc, query)
    elif scheme in {"file", "serial"} and not parts.path:
        raise ConnectionUrlError(f"'{url}' names no path (e.g. {scheme}:///dev/…)")
    elif scheme == "cups" and not (parts.netloc or parts.path.strip("/")):
        raise ConnectionUrlError(f"'{url}' names no CUPS queue (e.g. cups://receipt)")
    elif scheme == "v4l2" and not (parts.netloc or parts.path):
        raise ConnectionUrlError(f"'{url}' names no camera (e.g. v4l2://0 or v4l2:///dev/video0)")
    if "baudrate" in query:
        _check_number(url, "baudrate", query["baudrate"][-1], low=1, high=10_000_000, base=10)
    return url


def _check_host_port(url: str, scheme: str, host: str | None, netloc: str) -> None:
    if not host:
        raise ConnectionUrlError(f"'{url}' names no host (e.g. {scheme}://192.168.1.50:9100)")
    port_text = netloc.rsplit("]", 1)[-1].rpartition(":")[2] if ":" in netloc.rsplit("]", 1)[-1] else ""
    if not port_text:
        if scheme in _PORT_REQUIRED:
            raise ConnectionUrlError(f"'{url}' names no port (e.g. {scheme}://{host}:4001)")
        return
    if not port_text.isdigit():
        raise ConnectionUrlError(f"port '{port_text}' in '{url}' is not a number")
    if not 1 <= int(port_text) <= 65535:
        raise ConnectionUrlError(f"port {port_text} in '{url}' is out of range (1–65535)")


def _check_usb(url: str, netloc: str, query: dict[str, list[str]]) -> None:
    ids = netloc.split(":")
    if len(ids) != 2 or not all(1 <= len(part) <= 4 and _is_hex(part) for part in ids):
        raise ConnectionUrlError(f"'{url}' is not usb://VID:PID in hexadecimal (e.g. usb://0416:5011)")
    for name in ("in_ep", "out_ep"):
        if name in query:
            _check_number(url, name, query[name][-1], low=0, high=0xFF, base=0)


def _check_number(url: str, name: str, text: str, *, low: int, high: int, base: int) -> None:
    try:
        value = int(text, base)
    except ValueError:
        raise ConnectionUrlError(f"{name} '{text}' in '{url}' is not a number") from None
    if not low <= value <= high:
        raise ConnectionUrlError(f"{name} {text} in '{url}' is out of range ({low}–{high})")


def _is_hex(text: str) -> bool:
    return all(ch in "0123456789abcdefABCDEF" for ch in text)
