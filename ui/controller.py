"""The kiosk controller: binds the citizen flow, the window, the voice, idle handling and the hall's ports.

It holds no rules: the flow decides what comes next, the idle clock decides when time is up, the ports do the
work. It renders, speaks, and moves blocking work to workers through the bridge.

A step's device wait is :mod:`ui.device_waits`; a call for staff and its acknowledgement,
:mod:`ui.staff_call_overlay`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from accessibility.speech_text import read_digits, speakable
from accessibility.themes import THEMES, Theme
from accessibility.voice import Voice
from kiosk.config import Config
from kiosk.hall.memory import give_back_free_heap
from kiosk.hall.technician_pin import PinLock
from kiosk.visit.catalog import Catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.idle import IdleClock
from kiosk.visit.ports import HallError, HallPorts, Notice, Rating, SubmissionRequest, SubmitOutcome
from kiosk.visit.session import Applicant, Session
from kiosk.visit.strings import Texts
from kiosk.visit.views import FlowScreen, ResultView
from ui.bridge import MainThreadBridge
from ui.device_waits import CAMERA_FIELDS, DeviceWaits
from ui.idle_warning import IdleWarning
from ui.parts import ScreenContext
from ui.screens.registry import build_screen
from ui.shell import KioskWindow, ShellActions
from ui.staff_call_overlay import StaffCallOverlay
from ui.technician_panel import TechnicianPanel

log = logging.getLogger(__name__)

#: Screens whose prompt never changes with data: spoken from the prompt cache (key → strings entry).
FIXED_PROMPTS = {
    "attract": "attract.prompt",
    "services": "services.prompt",
    "submitting": "submit.working",
}
#: How long the goodbye stays before the wipe.
THANKS_SECONDS = 6
#: After a wipe, when the visit's screens have been deleted: the heap's free pages go back to the system (≈ 1 ms).
GIVE_BACK_MS = 2000


def _print_state_changed(previous: FlowScreen | None, screen: FlowScreen) -> bool:
    """The outcome re-rendered only because its receipt started, finished or failed printing."""
    before, now = (previous.view if previous else None), screen.view
    return isinstance(before, ResultView) and isinstance(now, ResultView) and before.print_state != now.print_state


class KioskController(QObject):
    def __init__(
        self,
        config: Config,
        catalog: Catalog,
        ports: HallPorts,
        voice: Voice,
        bridge: MainThreadBridge,
        *,
        clock: Callable[[], float] = time.monotonic,
        session: Session | None = None,
        size: tuple[int, int] | None = None,
        mode: str | None = None,
    ) -> None:
        super().__init__()
        self.config = config
        self.ports = ports
        self.voice = voice
        self.bridge = bridge
        self.clock = clock
        self.default_theme = THEMES[config.ui.theme]
        self.theme: Theme = self.default_theme
        self.texts = Texts(config.ui.language)
        self.demo = ports.demo is not None
        #: ``kiosk run --mode assisted`` (or the config's mode): staff at a desk, so the kiosk's idle rules
        #: (the warning, the wipe) do not apply.
        self.assisted = (mode or config.terminal.mode) == "assisted"
        #: Now, in the hall's time zone: the attract clock and the age a card gives.
        self.hall_now = config.hall_clock()
        self.flow = CitizenFlow(
            catalog,
            config.terminal.hall_name,
            session=session or Session(),
            texts=self.texts,
            tiles_per_page=self.theme.max_tiles_per_page,
            today=lambda: self.hall_now().date(),
        )
        self.window = KioskWindow(
            ShellActions(
                toggle_elder=self.toggle_elder,
                volume_down=self.volume_down,
                volume_up=self.volume_up,
                repeat=self.voice.repeat,
                back=self.flow.back,
                start_over=self.start_over,
                call_staff=self.call_staff,
                technician=self.open_technician,
            )
        )
        tech = config.technician
        self.technician = TechnicianPanel(
            self.window,
            ports.technician,
            bridge,
            PinLock(tech.pin_hash, tech.max_attempts, tech.lockout_seconds, clock),
            voice,
        )
        timeouts = config.timeouts
        self.idle = IdleClock(
            timeouts.idle_seconds, timeouts.warning_seconds, timeouts.max_extensions, self.theme.timeout_factor
        )
        self.idle_warning = IdleWarning(self.window, self.voice, self.idle, self.wipe, self.extend)
        self._idle_timer = QTimer(self)
        self._idle_timer.setInterval(1000)
        self._idle_timer.timeout.connect(self.tick)
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.timeout.connect(self.wipe)
        self._wipe_pending = False
        self._pending_catalog: Catalog | None = None
        self._visit = 0  # counts wipes: an answer from a worker for an earlier visit is dropped
        self._active = True
        self._wipe_retry = QTimer(self)
        self._wipe_retry.setSingleShot(True)
        self._wipe_retry.setInterval(500)
        self._wipe_retry.timeout.connect(self.wipe)
        self._last_request: SubmissionRequest | None = None
        self._step = ""  # the step on screen: entering another one (not re-rendering) starts its timers and waits
        self.waits = DeviceWaits(ports, bridge, self.flow.identified, self.flow.identify_failed, self._this_visit)
        self.staff_call = StaffCallOverlay(self.window, voice, bridge, ports.staff, lambda: (self.theme, self.texts))
        self._shown: FlowScreen | None = None  # the screen last rendered from the flow
        self.flow.on_change.append(self._on_flow_change)
        self.window.orientation_did_change.append(self.render)
        if size is not None:  # lay the first screen out for the glass it will be on, once
            self.window.resize(*size)
        self.window.apply_theme(self.theme)
        self.voice.set_elder(self.theme.name == "elder")
        self._on_flow_change(self.flow.screen)

    # ------------------------------------------------------------------ lifecycle
    def activate(self) -> None:
        """Begin watching for touches and ticking the idle clock."""
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._idle_timer.start()
        prompts = []
        for language in ("zh_CN", "en"):
            texts = Texts(language)
            prompts += [(f"{name}.{language}", texts(key)) for name, key in FIXED_PROMPTS.items()]
            prompts += [(f"idle.{language}", texts("idle.prompt"))]
        self.voice.prepare(prompts)

    def deactivate(self) -> None:
        """Stop ticking and watching (the window is going away)."""
        self._active = False
        self._idle_timer.stop()
        self._thanks_timer.stop()
        self.staff_call.stop()
        self._wipe_retry.stop()
        self.waits.end()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin, QEvent.Type.KeyPress):
            self.idle.touch(self.clock())
        return False

    @property
    def landscape(self) -> bool:
        return self.window.width() > self.window.height()

    def context(self) -> ScreenContext:
        return ScreenContext(
            theme=self.theme,
            texts=self.texts,
            actions=self,
            demo=self.demo,
            landscape=self.landscape,
            camera_preview=self.waits.request_preview,
            clock=self.hall_now,
            handwriting=self.ports.handwriting,
        )

    def _on_flow_change(self, screen: FlowScreen) -> None:
        previous, self._shown = self._shown, screen
        self._follow_step(screen)  # first: the screen being built may ask the step's wait (the camera's picture)
        self.render(screen)
        if _print_state_changed(previous, screen):
            self._speak_print_state(screen)
        else:
            self._speak(screen)

    def render(self, screen: FlowScreen | None = None) -> None:
        screen = screen or self.flow.screen
        widget = build_screen(screen, self.context())
        self.window.show_screen(
            widget,
            screen.name,
            self.theme,
            self.texts,
            self.config.terminal.hall_name,
            can_back=self.flow.can_go_back(),
        )

    def _speak_print_state(self, screen: FlowScreen) -> None:
        """The outcome stays and its sentence is not cut: how printing ended is said after it."""
        view = screen.view
        if isinstance(view, ResultView) and view.print_state in ("printed", "paper_out", "failed"):
            self.voice.say(speakable(view.print_message, self.texts.language), interrupt=False)

    def _speak(self, screen: FlowScreen) -> None:
        if screen.name in FIXED_PROMPTS:
            self.voice.say_prompt(f"{screen.name}.{self.texts.language}", screen.prompt)
        else:
            self.voice.say(speakable(screen.prompt, self.texts.language))

    def _follow_step(self, screen: FlowScreen) -> None:
        """Start what belongs to a step when it is entered; a re-render of the same step starts nothing."""
        entered = screen.name != self._step
        self._step = screen.name
        self.waits.follow(screen)
        if entered and screen.name == "thanks":
            self._thanks_timer.start(THANKS_SECONDS * 1000)

    def _this_visit(self, fn: Callable[..., None]) -> Callable[..., None]:
        """``fn``, but doing nothing once the visit it belonged to has been wiped (a late card read, a
        receipt that finished printing after the wipe) or the window is gone."""
        visit = self._visit

        def guarded(*args: object) -> None:
            if self._active and self._visit == visit:
                fn(*args)

        return guarded

    # ------------------------------------------------------------------ shell actions
    def use_catalog(self, catalog: Catalog) -> None:
        """A newer catalog (from the platform): used from the next visit, or now if nobody is mid-visit."""
        if catalog is self.flow.catalog:
            return
        if self.flow.step == "attract":
            self.flow.catalog = catalog
            self.flow.refresh()
        else:
            self._pending_catalog = catalog

    def toggle_elder(self) -> None:
        self.set_theme("standard" if self.theme.name == "elder" else "elder")

    def toggle_high_contrast(self) -> None:
        self.set_theme("standard" if self.theme.name == "high_contrast" else "high_contrast")

    def set_theme(self, name: str) -> None:
        self.theme = THEMES[name]
        self.flow.tiles_per_page = self.theme.max_tiles_per_page
        self.idle.set_factor(self.theme.timeout_factor, self.clock())
        self.voice.set_elder(name == "elder")
        self.window.apply_theme(self.theme)
        self.render()

    def toggle_language(self) -> None:
        self.set_language("en" if self.texts.language == "zh_CN" else "zh_CN")

    def set_language(self, language: str) -> None:
        self.texts = Texts(language)
        self.flow.texts = self.texts
        self.voice.set_language("en" if language == "en" else "zh_CN")
        self.flow.refresh()

    def volume_up(self) -> None:
        self.voice.volume_up()
        self.voice.repeat()

    def volume_down(self) -> None:
        self.voice.volume_down()
        self.voice.repeat()

    def call_staff(self) -> None:
        """呼叫工作人员: the alert goes to the platform; the person is told help is coming (or where to go)."""
        self.staff_call.call(self.flow.step)

    def show_staff_coming(self, reached: bool) -> None:
        self.staff_call.show_coming(reached)

    # ------------------------------------------------------------------ technician mode
    def open_technician(self) -> None:
        self.technician.open(self.theme, self.texts)

    def check_pin(self, pin: str) -> None:
        self.technician.check_pin(pin)

    def start_over(self) -> None:
        self.voice.stop()
        self.flow.start_over()

    # ------------------------------------------------------------------ screen actions
    def start(self) -> None:
        self.idle.restart(self.clock(), self.theme.timeout_factor)
        self.flow.start()

    def choose_service(self, code: str) -> None:
        self.flow.choose_service(code)

    def show_page(self, page: int) -> None:
        self.flow.show_page(page)

    def answer(self, value: str) -> None:
        self.flow.answer(value)

    def answer_file(self, kind: str, data: bytes) -> None:
        suffix = ".png" if kind == "signature" else ".jpg"
        path = self.flow.session.temp_dir() / f"{kind}-{time.time_ns()}{suffix}"
        path.write_bytes(data)
        if kind in CAMERA_FIELDS:  # shown first, with 重拍 and 用这张
            self.flow.captured(path.name, file=path)
        else:
            self.flow.answer(path.name, file=path)

    def keep_capture(self) -> None:
        self.flow.keep_capture()

    def retake(self) -> None:
        self.flow.retake()

    def capture(self, kind: str) -> None:
        def failed(exc: Exception) -> None:
            if not isinstance(exc, HallError):
                log.warning("capture failed: %s", type(exc).__name__)
            notice = exc.notice if isinstance(exc, HallError) else Notice("device.camera_unavailable")
            self.flow.identify_failed(notice) if self.flow.step == "identify" else self.flow.field_error(notice)

        self.bridge.run_in_worker(
            lambda: self.ports.capture.capture(kind),
            self._this_visit(lambda data: self.answer_file(kind, data)),
            self._this_visit(failed),
        )

    def edit(self, key: str) -> None:
        self.flow.edit(key)

    def confirm(self) -> None:
        request = self.flow.confirm()
        self._last_request = request
        self.bridge.run_in_worker(
            lambda: self.ports.matters.handle(request),
            self._this_visit(self._submitted),
            self._this_visit(lambda exc: self._submitted(SubmitOutcome("failed", reason=str(exc)))),
        )

    def _submitted(self, outcome: SubmitOutcome) -> None:
        self.flow.submitted(outcome)
        if outcome.kind in ("accepted", "queued", "query", "ticket"):
            self.print_receipt()

    def use_id_card(self) -> None:
        self.flow.use_id_card()

    def use_qr(self) -> None:
        self.flow.use_qr()

    def demo_place_card(self) -> None:
        if self.ports.demo is not None:
            self.ports.demo.place_card()

    def demo_show_qr(self) -> None:
        if self.ports.demo is not None:
            self.ports.demo.show_qr()

    def print_receipt(self) -> None:
        request, outcome = self._last_request, self.flow.outcome
        if request is None or outcome is None:
            return
        self.flow.receipt_state("printing")

        def failed(exc: Exception) -> None:
            if isinstance(exc, HallError):
                self.flow.receipt_state(exc.state)
            else:
                log.warning("receipt failed: %s", type(exc).__name__)
                self.flow.receipt_state("failed")
            if self._wipe_pending:
                self.wipe()

        def printed(_none: None) -> None:
            self.flow.receipt_state("printed")
            if self._wipe_pending:
                self.wipe()

        self.bridge.run_in_worker(
            lambda: self.ports.receipts.print_receipt(request, outcome),
            self._this_visit(printed),
            self._this_visit(failed),
        )

    def finish_receipt(self) -> None:
        """完成 on the outcome: the rating next. Nothing else leaves the outcome but the idle warning."""
        self.flow.to_rating()

    def choose_rating(self, level: int) -> None:
        rating = self.flow.choose_rating(level)
        if rating is not None:
            self._send_rating(rating)

    def submit_rating(self, reason: str) -> None:
        self._send_rating(self.flow.submit_rating(reason))

    def toggle_reason(self, key: str) -> None:
        self.flow.toggle_reason(key)

    def _send_rating(self, rating: Rating) -> None:
        """Saved durably on a worker (the platform gets it after the next heartbeat), never waited for."""
        applicant: Applicant | None = self.flow.session.applicant
        self.bridge.run_in_worker(lambda: self.ports.matters.rate(rating, applicant), lambda _r: None)

    def skip_rating(self) -> None:
        self.flow.skip_rating()

    def read_back(self, key: str) -> None:
        """Each key on the keypad is said as it is pressed ("一", "三", "八"; X as "叉")."""
        self.voice.say(read_digits(key, self.texts.language))

    # ------------------------------------------------------------------ idle and wipe
    def tick(self) -> None:
        if self.flow.step != "attract" and not self.assisted:
            self.idle_warning.check(self.clock(), self.theme, self.texts)

    def extend(self) -> None:
        """The big "继续办理": full time again, everything entered kept."""
        self.idle_warning.extend(self.clock())

    def wipe(self) -> None:
        """End the visit: forget everything, restore the hall's defaults, back to the attract screen.

        A receipt being printed is never cut: the wipe waits for it and runs when printing ends.
        """
        if self.ports.receipts.busy():
            if not self._wipe_pending:
                self._wipe_pending = True
                self.idle_warning.forget()
                self.window.show_overlay(
                    self.theme, self.texts("idle.title"), self.texts("idle.waiting_for_print"), [], name="wipe-wait"
                )
            self._wipe_retry.start()
            return
        self._wipe_pending = False
        self._visit += 1
        self._thanks_timer.stop()
        self.idle_warning.forget()
        self._last_request = None
        self.window.hide_overlay()
        self.voice.stop()
        self.waits.end()
        self.flow.session.wipe()
        self.voice.reset()
        self.theme = self.default_theme
        self.texts = Texts(self.config.ui.language)
        self.flow.texts = self.texts
        self.flow.tiles_per_page = self.theme.max_tiles_per_page
        self.voice.set_elder(self.theme.name == "elder")
        self.voice.set_language("en" if self.texts.language == "en" else "zh_CN")
        self.window.apply_theme(self.theme)
        self.idle.restart(self.clock(), self.theme.timeout_factor)
        if self._pending_catalog is not None:
            self.flow.catalog, self._pending_catalog = self._pending_catalog, None
        self.flow.reset()
        QTimer.singleShot(GIVE_BACK_MS, self, give_back_free_heap)
