"""The driver for SAM ID card readers on a serial line (USB-serial, a network serial server, a simulator)."""

from __future__ import annotations

from devices.base import DeviceHandler, DeviceHealth, DeviceState
from devices.idcard.card import IdCard
from devices.idcard.errors import CardSelectError, IdCardError, NoCardError, ReaderProtocolError, describe
from devices.idcard.photo import NoPhotoDecoder, PhotoDecoder
from devices.idcard.reader import IdCardReader
from devices.idcard.sam import SamSession, SamTimeouts
from devices.serial_link import SerialLink


class SerialIdCardReader(IdCardReader):
    """A GA 467 SAM reader reached by a pyserial URL (``/dev/ttyUSB0``, ``socket://host:port``, …).

    ``usb_match`` ("VID:PID[:SERIAL]") finds the adapter again when it comes back under another name;
    ``with_fingerprint`` uses the "read base message and fingerprint" command some readers need (the
    fingerprint block is dropped: the kiosk does not keep fingerprints).
    """

    def __init__(
        self,
        connection: str,
        handler: DeviceHandler | None = None,
        *,
        name: str = "id_reader",
        usb_match: str = "",
        baudrate: int = 115200,
        poll_interval: float = 0.4,
        timeouts: SamTimeouts | None = None,
        with_fingerprint: bool = False,
        photo_decoder: PhotoDecoder | None = None,
    ) -> None:
        super().__init__(name, handler, poll_interval=poll_interval)
        self.connection = connection
        self.link = SerialLink(connection, usb_match=usb_match, baudrate=baudrate)
        self.session = SamSession(self.link, timeouts)
        self.with_fingerprint = with_fingerprint
        self.photo_decoder = photo_decoder or NoPhotoDecoder()

    def _open(self) -> None:
        self.thread.assert_current()
        self.link.open()

    def _close(self) -> None:
        self.link.close()

    def _probe(self) -> DeviceHealth:
        self.thread.assert_current()
        if not self.link.is_open:
            self.link.open()
        try:
            self.session.sam_status()
        except ReaderProtocolError as exc:
            return DeviceHealth(DeviceState.DEGRADED, describe(exc))
        except IdCardError as exc:
            if exc.status is not None:  # the SAM answered, but badly
                return DeviceHealth(DeviceState.DEGRADED, describe(exc))
            raise
        return self._ready_health()

    def _ready_health(self) -> DeviceHealth:
        return DeviceHealth(DeviceState.OK, f"读卡器就绪 / reader ready on {self.link.opened_url or self.connection}")

    def _read_card_once(self) -> IdCard:
        self.thread.assert_current()
        if not self.link.is_open:
            self.link.open()
        return self.session.read_card(with_fingerprint=self.with_fingerprint)

    def _card_still_there(self) -> bool:
        # A card that was read and still lies on the reader answers "find" with "no card" but can be
        # selected. "Card found" means a card has just entered the field: a new one, or the same one lifted
        # and placed again, and either way the next person's card, so the old one has left.
        self.thread.assert_current()
        try:
            self.session.find_card()
        except NoCardError:
            try:
                self.session.select_card()
            except (CardSelectError, NoCardError):
                return False
            return True
        return False

    def decode_photo(self, card: IdCard) -> bytes | None:
        """The card photo as an image, if a vendor decoder is installed; None means "show the placeholder"."""
        return self.photo_decoder.decode(card.photo)
