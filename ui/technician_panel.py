"""Technician mode on the kiosk: the PIN keypad, then every device's state in the hall's words, a test for each
device (a test receipt, a card read and shown masked, a spoken sentence), send-now, and the settings.

Words: every sentence is a catalog entry (:mod:`kiosk.visit.strings`, ``tech.*``), shown in the session's
language — Chinese unless the person at the kiosk switched to English. A device's own technical reason (from its
driver) is shown only when the device is not working, under the sentence, as "原因：…".

Settings: each device's connection is chosen from what is plugged in (a tap moves to the next one found), the
paper width, and the voice's default volume. The hall validates, writes the config file and applies the change in
place (:meth:`kiosk.hall.technician.HallTechnician.configure`); the voice's defaults are applied here. The camera's
pages (its test, and joining a platform by its enrolment code) are :mod:`ui.technician_camera`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial

from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from accessibility.themes import Theme
from accessibility.voice import Voice
from kiosk.hall.technician_pin import PinAnswer, PinLock
from kiosk.visit.ports import HallError, Notice, StatusLine, TechnicianDesk
from kiosk.visit.strings import CATALOG, Texts
from ui.bridge import MainThreadBridge
from ui.parts import button, grid, label
from ui.shell import KioskWindow, OverlayButton
from ui.technician_camera import camera_test_page, enrolment_page, plain_column
from ui.widgets.keypad import NumericKeypad

MARKS = {"ok": "✔", "degraded": "⚠", "offline": "✖"}
#: A PIN's typed characters, shown as dots (never the digits).
PIN_DOT = "●"
VOLUME_STEP = 0.1


def status_lines(lines: list[StatusLine], texts: Texts) -> list[str]:
    """Each device's state in the hall's words: "✔ 回执打印机：正常"; why, when it is not working."""
    shown: list[str] = []
    for line in lines:
        device_key = f"tech.device_{line.name}"
        device = texts(device_key) if device_key in CATALOG else line.name
        state_key = f"tech.state_{line.state}"
        state = texts(state_key) if state_key in CATALOG else line.state
        if line.name == "outbox":
            state = f"{state}，{texts('tech.outbox_pending', count=line.count)}"
        colon = ": " if texts.language == "en" else "："
        text = f"{MARKS.get(line.state, '?')} {device}{colon}{state}"
        if line.state != "ok" and line.reason:
            text += "\n    " + texts("tech.why", reason=line.reason)
        shown.append(text)
    return shown


def say(notice: Notice | str, texts: Texts) -> str:
    return notice.text(texts) if isinstance(notice, Notice) else notice


class TechnicianPanel:
    def __init__(
        self,
        window: KioskWindow,
        desk: TechnicianDesk | None,
        bridge: MainThreadBridge,
        lock: PinLock,
        voice: Voice | None = None,
    ) -> None:
        self.window = window
        self.desk = desk
        self.bridge = bridge
        self.lock = lock
        self.voice = voice
        self._theme: Theme | None = None
        self._texts = Texts()
        self._keypad: NumericKeypad | None = None
        #: Builds the page shown now again: the window turned between portrait and landscape.
        self._page: Callable[[], None] | None = None
        window.orientation_did_change.append(self._turned)

    def _turned(self) -> None:
        overlay = self.window.overlay
        if self._page is not None and overlay is not None and overlay.objectName().startswith("technician"):
            self._page()

    # ------------------------------------------------------------------ the PIN
    def open(self, theme: Theme, texts: Texts) -> None:
        """The PIN first: a keypad over everything, nothing of the screen beneath reachable. Each digit typed
        shows as a dot; a wrong PIN empties the keypad for the next try."""
        self._theme, self._texts = theme, texts
        self._page = lambda: self.open(theme, texts)
        holder = QWidget()
        landscape = self.window.width() > self.window.height()
        column = QHBoxLayout(holder) if landscape else QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(theme.spacing_px)
        dots = label("", "value", wrap=False, center=True)
        dots.setObjectName("technician-pin-dots")
        dots.setText(" ")
        dots.setAccessibleName(texts("tech.pin_typed", count=0))
        keypad = NumericKeypad(theme, max_length=12)
        keypad.setObjectName("technician-pin")

        def typed(value: str) -> None:
            dots.setText(" ".join(PIN_DOT * len(value)) or " ")
            dots.setAccessibleName(texts("tech.pin_typed", count=len(value)))

        keypad.value_changed.connect(typed)
        keypad.confirmed.connect(lambda: self.check_pin(keypad.value()))
        self._keypad = keypad
        leave = OverlayButton(texts("tech.exit"), self.window.hide_overlay, "technician-exit", "secondary")
        buttons = [leave]
        if landscape:  # the dots and 退出维护 in a column beside the keypad: its five rows keep their height
            side = plain_column(theme, dots)
            side_layout = side.layout()
            assert isinstance(side_layout, QVBoxLayout)
            side_layout.addStretch(1)
            side_layout.addWidget(button(leave.text, leave.on_click, leave.role, name=leave.name))
            column.addWidget(side, 1)
            column.addWidget(keypad, 2)
            buttons = []
        else:
            column.addWidget(dots)
            column.addWidget(keypad)
        self.window.show_overlay(
            theme, texts("tech.title"), texts("tech.pin_prompt"), buttons, name="technician-pin-panel", extra=holder
        )

    def check_pin(self, pin: str) -> None:
        """The slow hash (≈ 0.1 s) is checked on a worker; the answer comes back to the keypad."""
        self.bridge.run_in_worker(lambda: self._try(pin), self._answered)

    def _try(self, pin: str) -> PinAnswer:
        answer = self.lock.try_pin(pin)
        if self.desk is not None:
            self.desk.pin_entered(answer.ok, answer.locked_seconds)  # into the audit log, right or wrong
        return answer

    def _answered(self, answer: PinAnswer) -> None:
        if answer.ok:
            self._keypad = None
            self._refresh()
            return
        if self._keypad is not None:
            self._keypad.set_value("")  # the next try starts empty (a leftover digit would spoil the right PIN)
        overlay = self.window.overlay
        message = overlay.findChild(QLabel, "technician-pin-panel-message") if overlay else None
        if message is not None:
            if answer.locked_seconds:
                message.setText(self._texts("tech.locked", seconds=answer.locked_seconds))
            else:
                message.setText(self._texts("tech.pin_wrong", left=answer.attempts_left))

    # ------------------------------------------------------------------ the panel
    def _report(self) -> list[StatusLine]:
        return self.desk.report() if self.desk is not None else []

    def _refresh(self, note: Notice | str = "") -> None:
        """The states are read on a worker (the outbox's counts, each device's health), then shown."""
        self.bridge.run_in_worker(self._report, lambda lines: self._show_panel(lines, note))

    def _show_panel(self, lines: list[StatusLine], note: Notice | str = "") -> None:
        self._page = lambda: self._show_panel(lines, note)
        theme, texts = self._theme, self._texts
        assert theme is not None
        status = label("\n".join(status_lines(lines, texts)), wrap=False)
        status.setObjectName("technician-status")
        actions = [
            button(texts("tech.test_print"), lambda: self._do("test_print"), name="tech-test-print"),
            button(texts("tech.test_card"), self._test_card, name="tech-test-card"),
            button(texts("tech.test_voice"), self._test_voice, name="tech-test-voice"),
            button(texts("tech.test_camera"), self._test_camera, name="tech-test-camera"),
            button(texts("tech.sync_now"), lambda: self._do("sync_now"), name="tech-sync-now"),
            button(texts("tech.settings"), self._open_settings, "secondary", name="tech-settings"),
        ]
        landscape = self.window.width() > self.window.height()
        content = plain_column(theme, status, grid(theme, list(actions), 3 if landscape else 2))
        buttons = [OverlayButton(texts("tech.exit"), self.window.hide_overlay, "technician-exit", "secondary")]
        self.window.show_overlay(
            theme, texts("tech.title"), say(note, texts), buttons, name="technician-panel", extra=content
        )

    def _note(self, text: str) -> None:
        overlay = self.window.overlay
        message = overlay.findChild(QLabel, f"{overlay.objectName()}-message") if overlay else None
        if message is not None:
            message.setText(text)

    def _do(self, what: str) -> None:
        desk = self.desk
        if desk is None:
            return
        work: Callable[[], Notice] = desk.test_print if what == "test_print" else desk.sync_now

        def then_report() -> tuple[Notice, list[StatusLine]]:
            return work(), self._report()

        def failed(exc: Exception) -> None:
            self._refresh(exc.notice if isinstance(exc, HallError) else str(exc))

        self.bridge.run_in_worker(then_report, lambda done: self._show_panel(done[1], done[0]), failed)

    def _test_card(self) -> None:
        """Wait (on a worker) for a card on the reader; the answer shows it masked."""
        desk = self.desk
        if desk is None:
            return
        self._note(self._texts("tech.card_wait"))
        self.bridge.run_in_worker(
            desk.test_card,
            lambda notice: self._note(say(notice, self._texts)),
            lambda exc: self._note(say(exc.notice if isinstance(exc, HallError) else str(exc), self._texts)),
        )

    def _test_voice(self) -> None:
        texts = self._texts
        if self.voice is None:
            self._note(texts("tech.no_voice"))
            return
        self.voice.say(texts("tech.voice_sample"))
        if self.desk is not None:
            self.desk.device_tested("voice", self.voice.health.usable)
        self._note(texts("tech.voice_played"))

    def _test_camera(self) -> None:
        theme, desk = self._theme, self.desk
        assert theme is not None
        if desk is not None:
            self._page = self._test_camera
            camera_test_page(
                self.window, theme=theme, texts=self._texts, desk=desk, bridge=self.bridge, back=self._refresh
            )

    def _scan_enrolment(self) -> None:
        theme, desk = self._theme, self.desk
        assert theme is not None
        if desk is not None:
            self._page = self._scan_enrolment
            enrolment_page(
                self.window,
                theme=theme,
                texts=self._texts,
                desk=desk,
                bridge=self.bridge,
                back=self._open_settings,
                joined=self._open_settings,
            )

    # ------------------------------------------------------------------ settings
    def _open_settings(self, note: Notice | str = "") -> None:
        desk = self.desk
        if desk is None:
            return
        self.bridge.run_in_worker(
            lambda: (desk.settings(), desk.plugged_in()), lambda found: self._show_settings(*found, note)
        )

    def _show_settings(
        self, values: Mapping[str, object], found: Mapping[str, list[str]], note: Notice | str = ""
    ) -> None:
        self._page = lambda: self._show_settings(values, found, note)
        theme, texts = self._theme, self._texts
        assert theme is not None
        rows: list[QWidget] = []
        for device in ("id_reader", "printer", "camera"):
            key = f"devices.{device}.connection"
            current = str(values.get(key, ""))
            options = found.get(device, []) or [current]
            following = options[(options.index(current) + 1) % len(options)] if current in options else options[0]
            shown = texts("tech.sim") if current.startswith("sim") else current
            change = button(
                texts("tech.connection_next", value=following),
                partial(self._change, key, following),
                "secondary",
                name=f"tech-connection-{device}",
            )
            words = label(texts("tech.connection", device=texts(f"tech.device_{device}"), value=shown))
            rows.append(_beside(theme, words, change))
        devices, rows = rows, []
        width = values.get("devices.printer.paper_width_mm", 80)
        paper = button(
            texts("tech.paper_change", width=58 if width == 80 else 80),
            lambda: self._change("devices.printer.paper_width_mm", 58 if width == 80 else 80),
            "secondary",
            name="tech-paper",
        )
        rows.append(_beside(theme, label(texts("tech.paper", width=width)), paper))
        volume = float(str(values.get("voice.volume", 0.8)))
        rows.append(label(texts("tech.volume", percent=round(volume * 100))))
        rows.append(
            grid(
                theme,
                [
                    button(
                        texts("tech.volume_down"),
                        lambda: self._change("voice.volume", round(max(0.0, volume - VOLUME_STEP), 2)),
                        "secondary",
                        name="tech-volume-down",
                    ),
                    button(
                        texts("tech.volume_up"),
                        lambda: self._change("voice.volume", round(min(1.0, volume + VOLUME_STEP), 2)),
                        "secondary",
                        name="tech-volume-up",
                    ),
                ],
                2,
            )
        )
        url = str(values.get("platform.url", ""))
        shown_url = texts("tech.platform_embedded") if url == "embedded" else url
        enrol = button(texts("tech.enrol"), self._scan_enrolment, "secondary", name="tech-enrol")
        rows.append(_beside(theme, label(texts("tech.platform", url=shown_url)), enrol))
        landscape = self.window.width() > self.window.height()
        # landscape: the devices beside the paper and the voice, so every row keeps a finger's height
        content = plain_column(
            theme, grid(theme, [plain_column(theme, *devices), plain_column(theme, *rows)], 2 if landscape else 1)
        )
        buttons = [OverlayButton(texts("tech.back"), self._refresh, "tech-back", "secondary")]
        self.window.show_overlay(
            theme, texts("tech.settings"), say(note, texts), buttons, name="technician-settings", extra=content
        )

    def _change(self, key: str, value: object) -> None:
        """Validated, written and applied by the hall on a worker; the settings page then shows the outcome."""
        desk = self.desk
        if desk is None:
            return

        def done(notice: Notice) -> None:
            self._apply_voice(key, value)
            self._open_settings(notice)

        def failed(exc: Exception) -> None:
            self._open_settings(exc.notice if isinstance(exc, HallError) else str(exc))

        self.bridge.run_in_worker(lambda: desk.configure({key: value}), done, failed)

    def _apply_voice(self, key: str, value: object) -> None:
        """The voice's new defaults at once: the next visit starts with them, and so does this sentence."""
        if self.voice is None or key != "voice.volume" or not isinstance(value, int | float):
            return
        self.voice.settings = replace(self.voice.settings, volume=float(value))
        self.voice.volume = float(value)


def _beside(theme: Theme, words: QWidget, action: QWidget) -> QWidget:
    """A setting on one line: what it is now on the left, the button that changes it on the right."""
    holder = QWidget()
    holder.setObjectName("technician-column")
    line = QHBoxLayout(holder)
    line.setContentsMargins(0, 0, 0, 0)
    line.setSpacing(theme.spacing_px)
    words.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Minimum)  # the button keeps its text's width
    line.addWidget(words, 1)
    line.addWidget(action, 0)
    return holder
