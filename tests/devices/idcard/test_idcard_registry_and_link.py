"""Choosing the driver by config, and finding a USB-serial adapter again after it re-enumerates."""

from __future__ import annotations

import pytest
from serial.tools.list_ports_common import ListPortInfo

from devices.base import DeviceError, DeviceState, SilentHandler
from devices.idcard.drivers import register
from devices.idcard.serial_reader import SerialIdCardReader
from devices.idcard.sim_reader import SimulatedIdCardReader
from devices.registry import DeviceRegistry
from devices.serial_link import SerialLink, SerialLinkError, UsbMatch, find_usb_port, resolve_url
from kiosk.config import Config


def _port(device: str, vid: int | None, pid: int | None, serial: str | None = None) -> ListPortInfo:
    # The system's port list cannot hold a USB adapter here, so build the entries pyserial would list.
    info = ListPortInfo(device, skip_link_detection=True)
    info.vid, info.pid, info.serial_number = vid, pid, serial
    return info


PORTS = [
    _port("/dev/ttyS0", None, None),
    _port("/dev/ttyUSB0", 0x0403, 0x6001, "PRINTER1"),
    _port("/dev/ttyUSB3", 0x0403, 0x6001, "READER7"),
    _port("/dev/ttyACM0", 0x1A86, 0x7523),
]


def test_usb_match_finds_the_adapter_under_its_new_name() -> None:
    assert find_usb_port(UsbMatch.parse("0403:6001:READER7"), PORTS) == "/dev/ttyUSB3"
    assert find_usb_port(UsbMatch.parse("1a86:7523"), PORTS) == "/dev/ttyACM0"
    assert find_usb_port(UsbMatch.parse("0403:6001"), PORTS) == "/dev/ttyUSB0"
    assert find_usb_port(UsbMatch.parse("0403:6001:GONE"), PORTS) is None
    assert resolve_url("/dev/ttyUSB0", "0403:6001:READER7", PORTS) == "/dev/ttyUSB3"
    assert resolve_url("/dev/ttyUSB0", "0403:6001:GONE", PORTS) == "/dev/ttyUSB0"
    assert str(UsbMatch.parse("0403:6001:READER7")) == "0403:6001:READER7"


@pytest.mark.parametrize("text", ["", "0403", "0403:60011", "zz:yy", "0403-6001"])
def test_bad_usb_match_is_refused_with_the_expected_form(text: str) -> None:
    with pytest.raises(ValueError, match="VID:PID"):
        UsbMatch.parse(text)
    if text:
        with pytest.raises(SerialLinkError, match="usb_match"):
            resolve_url("/dev/ttyUSB0", text, PORTS)


def test_opening_a_missing_port_names_what_to_check() -> None:
    link = SerialLink("/dev/ttyUSB-missing")
    with pytest.raises(SerialLinkError) as caught:
        link.open()
    assert "/dev/ttyUSB-missing" in caught.value.message
    assert "cable" in caught.value.message


def test_registry_picks_the_simulator_for_sim_and_the_serial_driver_for_anything_else() -> None:
    registry = DeviceRegistry()
    register(registry)
    settings = Config().devices.id_reader
    sim = registry.create("id_reader", settings.connection, SilentHandler(), settings.model_dump())
    try:
        assert isinstance(sim, SimulatedIdCardReader)
        assert sim.poll_interval == pytest.approx(0.4)
        sim.place_card("wang_yan")
        assert sim.open().state is DeviceState.OK
        assert sim.read_card(timeout=2).name == "王䶮"
    finally:
        sim.close()
    for connection in ("/dev/ttyUSB0", "COM3", "socket://10.0.0.5:4001", "rfc2217://10.0.0.5:2217"):
        device = registry.create("id_reader", connection, SilentHandler(), {"usb_match": "0403:6001"})
        try:
            assert type(device) is SerialIdCardReader
        finally:
            device.close()
    with pytest.raises(DeviceError):
        registry.create("printer", "sim://", SilentHandler())


def test_poll_interval_is_never_faster_than_300_ms() -> None:
    registry = DeviceRegistry()
    register(registry)
    device = registry.create("id_reader", "/dev/ttyUSB0", SilentHandler(), {"poll_interval": 0.05})
    try:
        assert isinstance(device, SerialIdCardReader)
        assert device.poll_interval == pytest.approx(0.3)
    finally:
        device.close()
