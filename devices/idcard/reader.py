"""The ID card reader as the rest of the kiosk sees it (身份证阅读器): read a card, or be told when one
arrives and leaves.

:class:`IdCardReader` is the device kind; drivers implement three small steps on the device thread and
inherit the "wait for card" loop, which polls no faster than every 300 ms (readers and their SAMs do not
like being hammered, and a citizen cannot place a card faster than that anyway). Events are plain
callbacks: ``card_did_arrive(card)``, ``card_did_leave()``, ``card_did_fail(error)``.
"""

from __future__ import annotations

import abc
import logging
import threading
import time

from devices.base import Device, DeviceError, DeviceHandler, DeviceHealth, DeviceState, Observers
from devices.idcard.card import IdCard
from devices.idcard.errors import IdCardError, NoCardError, ReaderTimeoutError
from devices.serial_link import SerialLinkError

log = logging.getLogger(__name__)

#: The fastest a reader is polled for a card, in seconds.
MIN_POLL_INTERVAL = 0.3
PLACE_CARD = "请把身份证放在感应区 / please place your ID card on the reader"


class IdCardReader(Device):
    """A reader of second-generation ID cards (二代证) and the permits that share their chip format."""

    kind = "id_reader"

    def __init__(self, name: str, handler: DeviceHandler | None = None, *, poll_interval: float = 0.4) -> None:
        super().__init__(name, handler)
        self.poll_interval = max(MIN_POLL_INTERVAL, poll_interval)
        self.card_did_arrive: Observers[[IdCard]] = Observers()
        self.card_did_leave: Observers[[]] = Observers()
        self.card_did_fail: Observers[[IdCardError]] = Observers()
        self._watch_stop = threading.Event()
        self._watcher: threading.Thread | None = None
        # Device-thread state of the watch loop.
        self._card_on_reader: IdCard | None = None
        self._last_failure = ""
        self._degraded_by_line = False

    # --- what a driver implements (all on the device thread) ------------------------------------------

    @abc.abstractmethod
    def _read_card_once(self) -> IdCard:
        """One attempt: find, select and read; :class:`NoCardError` if no card is there."""

    @abc.abstractmethod
    def _card_still_there(self) -> bool:
        """After a successful read: is that card still on the reader?"""

    # --- reading on request ----------------------------------------------------------------------------

    def read_card(self, timeout: float = 5.0) -> IdCard:
        """Wait up to ``timeout`` seconds for a card and read it (from any thread)."""
        return self.thread.call(self._read_card, timeout)

    def _read_card(self, timeout: float) -> IdCard:
        self.thread.assert_current()
        deadline = time.monotonic() + timeout
        asked = False
        try:
            while True:
                try:
                    card = self._read_card_once()
                except NoCardError:
                    if time.monotonic() + self.poll_interval > deadline:
                        raise
                    if not asked:
                        self.handler.device_needs_person(self.name, PLACE_CARD)
                        asked = True
                    time.sleep(self.poll_interval)
                    continue
                except SerialLinkError as exc:
                    self._went_offline(exc)
                    raise
                self._line_is_fine()
                return card
        finally:
            if asked:
                self.handler.device_clear_request(self.name)

    # --- waiting for cards in the background -----------------------------------------------------------

    @property
    def card_on_reader(self) -> IdCard | None:
        """The card the watch loop last read and believes still lies on the reader."""
        return self._card_on_reader

    def start_watching(self) -> None:
        """Poll for cards every :attr:`poll_interval` and emit ``card_did_*`` (health polling is separate:
        :meth:`start_polling` reconnects after an unplug)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._watch_stop.clear()
        self._watcher = threading.Thread(target=self._watch_loop, name=f"watch-{self.name}", daemon=True)
        self._watcher.start()

    def stop_watching(self) -> None:
        self._watch_stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
            self._watcher = None

    def _watch_loop(self) -> None:
        while not self._watch_stop.is_set():
            started = time.monotonic()
            try:
                self.thread.call(self._watch_tick)
            except RuntimeError:  # the device thread was shut down under us
                return
            except Exception:  # a driver bug must not end the watching
                log.exception("%s: watch step failed", self.name)
            self._watch_stop.wait(max(0.0, self.poll_interval - (time.monotonic() - started)))

    def _watch_tick(self) -> None:
        self.thread.assert_current()
        if self.health.state is DeviceState.OFFLINE:
            return
        try:
            if self._card_on_reader is None:
                card = self._read_card_once()
                self._card_on_reader, self._last_failure = card, ""
                self._line_is_fine()
                self.card_did_arrive.emit(card)
            elif not self._card_still_there():
                self._card_on_reader = None
                self.card_did_leave.emit()
        except NoCardError:
            self._last_failure = ""
            self._line_is_fine()
        except SerialLinkError as exc:
            self._went_offline(exc)
        except IdCardError as exc:
            if isinstance(exc, ReaderTimeoutError):
                self._degraded_by_line = True
                self._set_health(DeviceHealth(DeviceState.DEGRADED, f"{exc.message} ({exc.technician_hint})"))
            if exc.message != self._last_failure:
                self._last_failure = exc.message
                self.card_did_fail.emit(exc)

    def _line_is_fine(self) -> None:
        state = self.health.state
        if state is DeviceState.OFFLINE or (self._degraded_by_line and state is DeviceState.DEGRADED):
            self._degraded_by_line = False
            self._set_health(self._ready_health())

    def _went_offline(self, error: DeviceError) -> None:
        self._close()
        self._set_health(DeviceHealth(DeviceState.OFFLINE, error.message))

    def _set_health(self, health: DeviceHealth) -> None:
        # A reader that went away took its card with it, as far as anyone waiting on the card can tell.
        if health.state is DeviceState.OFFLINE and self._card_on_reader is not None:
            self._card_on_reader = None
            self.card_did_leave.emit()
        super()._set_health(health)

    def _ready_health(self) -> DeviceHealth:
        return DeviceHealth(DeviceState.OK, "读卡器就绪 / reader ready")

    def close(self) -> None:
        self.stop_watching()
        super().close()
