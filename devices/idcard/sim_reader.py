"""The ``sim://`` ID card reader: the serial driver talking real bytes to an in-process simulator.

The demo runs exactly the code a hall runs, down to the frames on a loopback socket; only the reader at
the other end is simulated. ``sim://?card=li_kun`` starts with that sample card on the reader; the demo's
screens place and remove cards through :attr:`SimulatedIdCardReader.simulator`.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from devices.base import DeviceHandler
from devices.idcard.sam import SamTimeouts
from devices.idcard.serial_reader import SerialIdCardReader
from devices.idcard.simulator import IdCardSimulator


def sample_in_url(connection: str) -> str:
    """The sample card named by ``sim://?card=NAME``, or "" for an empty reader."""
    return parse_qs(urlsplit(connection).query).get("card", [""])[0]


class SimulatedIdCardReader(SerialIdCardReader):
    """A :class:`SerialIdCardReader` whose line leads to an :class:`IdCardSimulator` on loopback."""

    def __init__(
        self,
        connection: str = "sim://",
        handler: DeviceHandler | None = None,
        *,
        name: str = "id_reader",
        poll_interval: float = 0.4,
        timeouts: SamTimeouts | None = None,
    ) -> None:
        self.simulator = IdCardSimulator()
        card = sample_in_url(connection)
        if card:
            self.simulator.place_card(card)
        url = self.simulator.serve_socket()
        super().__init__(url, handler, name=name, poll_interval=poll_interval, timeouts=timeouts)

    def place_card(self, sample_name: str) -> None:
        self.simulator.place_card(sample_name)

    def remove_card(self) -> None:
        self.simulator.remove_card()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.simulator.close()
