"""The device registry: made once at start-up, passed to whoever needs a device (Picard's registry idea).

Drivers register a factory under a device kind and a connection scheme. The config names a connection
(``sim://``, ``/dev/ttyUSB0``, ``socket://host:port``, ``usb://0416:5011``, ``tcp://host:9100``, …) and the
registry picks the factory whose scheme matches best.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devices.base import Device, DeviceError, DeviceHandler

#: Register under this scheme to serve every connection no other entry of the kind claims.
ANY_SCHEME = "*"

Factory = Callable[[str, DeviceHandler, dict[str, Any]], Device]


@dataclass(frozen=True)
class DriverEntry:
    kind: str
    scheme: str
    factory: Factory
    description: str


def connection_scheme(connection: str) -> str:
    """``socket://h:p`` → ``socket``; a bare device path (``/dev/ttyUSB0``, ``COM3``) → ``serial``."""
    if "://" in connection:
        return connection.split("://", 1)[0].lower()
    return "serial"


class DeviceRegistry:
    """Which driver serves which device kind over which kind of connection."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], DriverEntry] = {}

    def register(self, kind: str, schemes: tuple[str, ...], factory: Factory, description: str) -> None:
        for scheme in schemes:
            self._entries[(kind, scheme)] = DriverEntry(kind, scheme, factory, description)

    def drivers(self, kind: str) -> list[DriverEntry]:
        return [e for (k, _), e in sorted(self._entries.items()) if k == kind]

    def create(
        self,
        kind: str,
        connection: str,
        handler: DeviceHandler,
        options: dict[str, Any] | None = None,
    ) -> Device:
        scheme = connection_scheme(connection)
        entry = self._entries.get((kind, scheme)) or self._entries.get((kind, ANY_SCHEME))
        if entry is None:
            known = ", ".join(sorted(s for (k, s) in self._entries if k == kind)) or "none"
            raise DeviceError(
                f"不支持的连接方式 '{connection}' / unsupported connection for {kind} (known: {known})"
            )
        return entry.factory(connection, handler, dict(options or {}))
