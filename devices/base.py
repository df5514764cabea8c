"""The device layer's shared parts: status, the per-device I/O thread, the device ABC, the handler port.

Every device (设备: ID card reader, receipt printer, camera, voice) owns exactly one I/O thread. Calls from
anywhere else are marshalled onto it with :meth:`DeviceThread.call`; a driver asserts it is on its own
thread before touching hardware. Drivers never talk to a person: when they need something (take the card
away, add paper) they call the :class:`DeviceHandler` port, which the UI implements.
"""

from __future__ import annotations

import abc
import enum
import logging
import random
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Generic, ParamSpec, Protocol, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")
P = ParamSpec("P")


class DeviceState(enum.Enum):
    """What a technician sees first: can the device be used."""

    OK = "ok"
    DEGRADED = "degraded"
    OFFLINE = "offline"


@dataclass(frozen=True)
class DeviceHealth:
    """A device's state and a reason a technician can act on ("串口 /dev/ttyUSB0 无响应: 检查连接线")."""

    state: DeviceState
    reason: str = ""
    checked_at: float = field(default_factory=time.time)

    @property
    def usable(self) -> bool:
        return self.state is not DeviceState.OFFLINE


class DeviceError(Exception):
    """An error a person can meet at a device; ``message`` is readable (and speakable) as it stands."""

    def __init__(self, message: str, *, technician_hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.technician_hint = technician_hint


class DeviceThread:
    """One named I/O thread for one device (Electrum's ``run_in_hwd_thread``)."""

    def __init__(self, name: str) -> None:
        self.name = f"device-{name}"
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=self.name)
        self._thread_ident: int | None = None
        self._executor.submit(self._remember_ident).result()

    def _remember_ident(self) -> None:
        self._thread_ident = threading.get_ident()

    def submit(self, fn: Callable[..., T], *args: object) -> Future[T]:
        """Queue ``fn(*args)`` on the device thread; the result arrives in the future."""
        return self._executor.submit(fn, *args)

    def call(self, fn: Callable[..., T], *args: object, timeout: float | None = None) -> T:
        """Run ``fn(*args)`` on the device thread and wait for it (directly if already there)."""
        if self.is_current():
            return fn(*args)
        return self._executor.submit(fn, *args).result(timeout=timeout)

    def is_current(self) -> bool:
        return threading.get_ident() == self._thread_ident

    def assert_current(self) -> None:
        assert self.is_current(), f"device I/O off its thread {self.name}"

    def shutdown(self, *, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


class Observers(Generic[P]):
    """A plain list of callbacks for one event (``receipt_did_print``); no Qt signals below ``ui/``.

    The devices' twin of ``offline_cache.observers.ObserverList`` (which may not be imported from here).
    """

    def __init__(self) -> None:
        self._callbacks: list[Callable[P, None]] = []
        self._lock = threading.Lock()

    def connect(self, callback: Callable[P, None]) -> None:
        with self._lock:
            self._callbacks.append(callback)

    def disconnect(self, callback: Callable[P, None]) -> None:
        with self._lock:
            self._callbacks.remove(callback)

    def emit(self, *args: P.args, **kwargs: P.kwargs) -> None:
        with self._lock:
            callbacks = list(self._callbacks)
        for callback in callbacks:
            try:
                callback(*args, **kwargs)
            except Exception:  # an observer's bug must not stop the device
                log.exception("observer %r failed", callback)


class DeviceHandler(Protocol):
    """The port through which a driver asks the person for something; the UI implements it."""

    def device_needs_person(self, device: str, message: str) -> None:
        """Show and speak ``message`` (e.g. "请把身份证放在感应区") until the next call or :meth:`clear`."""

    def device_clear_request(self, device: str) -> None:
        """The request is satisfied or withdrawn."""


class SilentHandler:
    """A handler for command-line use and tests: remembers what would have been asked (the last
    :attr:`KEPT`: the hall's own devices run with one for months)."""

    KEPT = 64

    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []

    def device_needs_person(self, device: str, message: str) -> None:
        self._remember((device, message))

    def device_clear_request(self, device: str) -> None:
        self._remember((device, ""))

    def _remember(self, request: tuple[str, str]) -> None:
        self.requests.append(request)
        del self.requests[: -self.KEPT]


@dataclass(frozen=True)
class Backoff:
    """Capped exponential backoff with full jitter, for reconnecting after an unplug.

    The platform's ``offline_cache.backoff.Backoff`` is the same formula with Retry-After (not importable here).
    """

    base: float = 0.5
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return random.uniform(0.0, min(self.cap, self.base * (2 ** min(attempt, 16))))


class Device(abc.ABC):
    """A device kind's common surface: a thread, a health, polling, reconnection, status events."""

    kind: str = "device"

    def __init__(self, name: str, handler: DeviceHandler | None = None) -> None:
        self.name = name
        self.handler: DeviceHandler = handler or SilentHandler()
        self.thread = DeviceThread(name)
        self._health = DeviceHealth(DeviceState.OFFLINE, "尚未连接 / not connected yet")
        self.device_did_change_health: Observers[[DeviceHealth]] = Observers()
        self._poll_stop = threading.Event()
        self._poller: threading.Thread | None = None

    @property
    def health(self) -> DeviceHealth:
        return self._health

    def _set_health(self, health: DeviceHealth) -> None:
        changed = (health.state, health.reason) != (self._health.state, self._health.reason)
        self._health = health
        if changed:
            self.device_did_change_health.emit(health)

    @abc.abstractmethod
    def _open(self) -> None:
        """Open the connection (on the device thread); raise :class:`DeviceError` when it cannot."""

    @abc.abstractmethod
    def _close(self) -> None:
        """Close the connection (on the device thread); never raises."""

    @abc.abstractmethod
    def _probe(self) -> DeviceHealth:
        """Ask the device how it is (on the device thread); raise :class:`DeviceError` when it is gone."""

    def open(self) -> DeviceHealth:
        return self.thread.call(self._open_and_probe)

    def _open_and_probe(self) -> DeviceHealth:
        try:
            self._open()
            self._set_health(self._probe())
        except DeviceError as exc:
            self._close()
            self._set_health(DeviceHealth(DeviceState.OFFLINE, exc.message))
        return self._health

    def check(self) -> DeviceHealth:
        """Probe now; reopen if the device was offline (one attempt)."""
        return self.thread.call(self._check)

    def _check(self) -> DeviceHealth:
        if self._health.state is DeviceState.OFFLINE:
            return self._open_and_probe()
        try:
            self._set_health(self._probe())
        except DeviceError as exc:
            self._close()
            self._set_health(DeviceHealth(DeviceState.OFFLINE, exc.message))
        return self._health

    def start_polling(self, interval: float = 5.0, backoff: Backoff | None = None) -> None:
        """Poll health every ``interval`` seconds; while offline, retry with capped jittered backoff."""
        if self._poller is not None and self._poller.is_alive():
            return  # one poller per device: a second would double the traffic and race the first
        backoff = backoff or Backoff()

        def loop() -> None:
            attempt = 0
            while not self._poll_stop.is_set():
                try:
                    health = self.check()
                except Exception as exc:  # a driver bug must not kill the poller
                    log.exception("%s: probe failed", self.name)
                    health = DeviceHealth(DeviceState.OFFLINE, f"内部错误 / internal error: {exc}")
                if health.state is DeviceState.OFFLINE:
                    wait = max(0.2, backoff.delay(attempt))
                    attempt += 1
                else:
                    wait, attempt = interval, 0
                self._poll_stop.wait(wait)

        self._poll_stop.clear()
        self._poller = threading.Thread(target=loop, name=f"poll-{self.name}", daemon=True)
        self._poller.start()

    def close(self) -> None:
        self._poll_stop.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
        try:
            self.thread.call(self._close, timeout=5)
        finally:
            self.thread.shutdown(wait=False)
