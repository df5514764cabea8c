"""The terminal's heartbeat to the platform: device health, queue depth, and alerts ("call staff").

A "呼叫工作人员" press is an alert that rides the next heartbeat; it is sent at once when the platform answers,
and kept (in memory, re-sent with every heartbeat) until it does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from offline_cache.wire.protocol import HEADER_TERMINAL_ID, PATH_HEARTBEAT, is_envelope

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(
        self,
        session: Callable[[], requests.Session],
        base_url: Callable[[], str],
        terminal_id: str,
        report: Callable[[], dict[str, Any]],
        *,
        interval: float = 60.0,
        app_version: str = "",
    ) -> None:
        self._session = session
        self._base_url = base_url
        self.terminal_id = terminal_id
        self._report = report
        self.interval = interval
        self.app_version = app_version
        self._pending: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.last_reply: dict[str, Any] | None = None
        self.after_beat: list[Callable[[bool], None]] = []

    def raise_alert(self, kind: str, **details: Any) -> None:
        with self._lock:
            self._pending.append({"kind": kind, "at": datetime.now(UTC).isoformat(), **details})

    def call_staff(self, screen: str) -> bool:
        """Alert the hall's staff; True when the platform took it now."""
        self.raise_alert("call_staff", screen=screen)
        return self.beat()

    def beat(self) -> bool:
        with self._lock:
            alerts = list(self._pending)
        body = {
            **self._report(),
            "alerts": alerts,
            "app_version": self.app_version,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        url = self._base_url() + PATH_HEARTBEAT.format(terminal_id=self.terminal_id)
        try:
            response = self._session().post(url, json=body, headers={HEADER_TERMINAL_ID: self.terminal_id}, timeout=5)
            reply = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            log.info("heartbeat: platform not reached (%s)", type(exc).__name__)
            return False
        ok = is_envelope(reply, "heartbeat_reply")
        if ok:
            with self._lock:
                del self._pending[: len(alerts)]
            self.last_reply = reply if isinstance(reply, dict) else None
        for callback in list(self.after_beat):
            callback(ok)
        return ok

    def start(self) -> None:
        def loop() -> None:
            while not self._stop.wait(self.interval):
                try:
                    self.beat()
                except Exception:  # a report bug must not stop the heartbeat
                    log.exception("heartbeat failed")

        self._thread = threading.Thread(target=loop, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
