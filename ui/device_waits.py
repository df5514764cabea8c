"""The device a kiosk step listens to (a card, a QR code, the camera's picture) and its wait.

A wait starts when a step that listens to a device is entered, never on a re-render, and is cancelled when the
step is left or the visit wiped; its answers are dropped after (each wait has a serial number, and the visit's
guard drops what belongs to a wiped visit)."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.visit.ports import HallPorts, Wait
from kiosk.visit.views import FieldView, FlowScreen, IdentifyView
from ui.bridge import MainThreadBridge

#: Form questions answered through the camera: their step shows what the camera sees.
CAMERA_FIELDS = ("document", "photo")

Guard = Callable[[Callable[..., None]], Callable[..., None]]


def device_of(screen: FlowScreen) -> str | None:
    """The device a screen listens to: ``card``, ``qr``, ``camera`` (a live picture), or None."""
    view = screen.view
    if isinstance(view, IdentifyView):
        return "qr" if view.method == "qr" else "card"
    if isinstance(view, FieldView) and view.field.kind in CAMERA_FIELDS and view.captured is None:
        return "camera"
    return None


class DeviceWaits:
    def __init__(
        self,
        ports: HallPorts,
        bridge: MainThreadBridge,
        identified: Callable[..., None],
        identify_failed: Callable[..., None],
        this_visit: Guard,
    ) -> None:
        self.ports = ports
        self.bridge = bridge
        self.identified = identified
        self.identify_failed = identify_failed
        self.this_visit = this_visit  # drops what arrives for a visit already wiped
        self.device: str | None = None  # what the running wait listens to
        self._wait: Wait | None = None
        self._serial = 0  # counts waits: an answer from a cancelled one is dropped
        self._preview_frame: bytes | None = None

    def follow(self, screen: FlowScreen) -> None:
        """The screen's device: a new wait when it changes, none when the screen listens to nothing."""
        device = device_of(screen)
        if device != self.device:
            self.end()
            if device is not None:
                self._start(device)

    def _start(self, device: str) -> None:
        self.device = device
        if device == "camera":
            self._wait = self.ports.capture.watch_preview(self._for_wait(self._show_frame))
            return
        on_ok = self._for_wait(self.identified)
        on_error = self._for_wait(self.identify_failed)
        identification = self.ports.identification
        start = identification.wait_for_qr if device == "qr" else identification.wait_for_card
        self._wait = start(on_ok, on_error)

    def end(self) -> None:
        wait, self._wait, self.device = self._wait, None, None
        self._serial += 1
        self._preview_frame = None
        if wait is not None:
            wait.cancel()

    def _for_wait(self, fn: Callable[..., None]) -> Callable[..., None]:
        """A device callback (any thread) reaching ``fn`` on the main thread while the wait it came from runs."""
        serial = self._serial  # the wait being started (ending a wait moves the count on)
        current = self.this_visit(fn)

        def if_running(*args: object) -> None:
            if self._serial == serial:
                current(*args)

        def relay(*args: object) -> None:
            self.bridge.run_on_main(lambda: if_running(*args))

        return relay

    def _show_frame(self, frame: bytes) -> None:
        self._preview_frame = frame

    def request_preview(self, deliver: Callable[[bytes | None], None]) -> None:
        """The camera's latest picture, from the step's preview wait. Until its first picture arrives, one is
        fetched on a worker (so the step shows a picture at once, and ``bridge.wait_idle`` waits for it); a
        failed fetch answers None, so the screen asks again."""
        if self._preview_frame is not None or self.device != "camera":
            deliver(self._preview_frame)
            return
        serial = self._serial

        def first(frame: bytes | None) -> None:
            if self._serial == serial and self._preview_frame is None:
                self._preview_frame = frame
            deliver(self._preview_frame if self._serial == serial else None)

        self.bridge.run_in_worker(self.ports.capture.preview, first, lambda _exc: deliver(None))
