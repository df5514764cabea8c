"""Registers the ID card reader drivers: ``sim://`` → the simulator, any other connection → the serial driver."""

from __future__ import annotations

from typing import Any

from devices.base import Device, DeviceHandler
from devices.idcard.serial_reader import SerialIdCardReader
from devices.idcard.sim_reader import SimulatedIdCardReader
from devices.registry import ANY_SCHEME, DeviceRegistry

KIND = "id_reader"


def _simulated(connection: str, handler: DeviceHandler, options: dict[str, Any]) -> Device:
    return SimulatedIdCardReader(connection, handler, poll_interval=_interval(options))


def _serial(connection: str, handler: DeviceHandler, options: dict[str, Any]) -> Device:
    return SerialIdCardReader(
        connection,
        handler,
        usb_match=str(options.get("usb_match", "")),
        baudrate=int(options.get("baudrate", 115200)),
        poll_interval=_interval(options),
        with_fingerprint=bool(options.get("with_fingerprint", False)),
    )


def _interval(options: dict[str, Any]) -> float:
    if "poll_interval_ms" in options:
        return int(options["poll_interval_ms"]) / 1000
    return float(options.get("poll_interval", 0.4))


def register(registry: DeviceRegistry) -> None:
    """Add the ID card reader drivers to ``registry``; options mirror ``config.devices.id_reader``."""
    registry.register(KIND, ("sim",), _simulated, "simulated reader (real frames over loopback)")
    registry.register(KIND, (ANY_SCHEME,), _serial, "GA 467 SAM reader on any pyserial URL")
