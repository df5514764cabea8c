"""The terminal's heartbeat to the platform: device health, queue depth, and alerts ("call staff").

The heartbeat beats on its own thread only, every ``interval`` seconds and whenever it is asked: a
"呼叫工作人员" press adds an alert and asks for a beat now, then waits for that beat (never for the ratings
upload or the catalog refresh, which run on their own thread after a beat: :mod:`kiosk.hall.upkeep`). An
alert is kept (in memory, re-sent with every beat) until a beat carrying it is answered; an alert raised
while a beat is in flight stays for a later beat, since only the alerts a beat carried leave with its answer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests

from offline_cache.courier import PlatformClient
from offline_cache.observers import ObserverList
from offline_cache.wire.protocol import PATH_HEARTBEAT, is_envelope

log = logging.getLogger(__name__)

#: How long a staff call waits for its beat before telling the person to go to the desk (the alert stays).
STAFF_WAIT = 15.0
#: After a staff call, beat this often (seconds), for at most ACK_WATCH seconds, until the hall acknowledges it.
ACK_BEAT = 3.0
ACK_WATCH = 180.0


class Heartbeat:
    def __init__(
        self,
        client: PlatformClient,
        report: Callable[[], dict[str, Any]],
        *,
        interval: float = 60.0,
        app_version: str = "",
        timeout: float = 5.0,
    ) -> None:
        self._client = client
        self.terminal_id = client.link.terminal_id
        self._report = report
        self.interval = interval
        self.app_version = app_version
        self.timeout = timeout
        self._changed = threading.Condition()
        self._pending: list[dict[str, Any]] = []
        self._asked = 0  # beats asked for so far
        self._answered = 0  # every ask up to this one was followed by a finished beat
        self._last_ok = False
        self._stopping = False
        self._thread: threading.Thread | None = None
        self.last_reply: dict[str, Any] | None = None
        #: After each beat, on the heartbeat's thread, with whether the platform answered: keep callbacks quick.
        self.after_beat: ObserverList[bool] = ObserverList()
        #: The times (``at``) of this terminal's staff calls that the hall's staff acknowledged (工作人员马上到),
        #: from the answers' ``staff_calls``; observers hear each one once, on the heartbeat's thread.
        self.acknowledged_calls: set[str] = set()
        self.staff_did_acknowledge: ObserverList[str] = ObserverList()
        self._last_call: str | None = None
        self._watch_ack_until = 0.0

    def raise_alert(self, kind: str, **details: Any) -> None:
        """An alert for the next beat."""
        self._raise(kind, **details)

    def _raise(self, kind: str, **details: Any) -> dict[str, Any]:
        alert = {"kind": kind, "at": datetime.now(UTC).isoformat(), **details}
        with self._changed:
            self._pending.append(alert)
        return alert

    def pending_alerts(self) -> list[dict[str, Any]]:
        with self._changed:
            return list(self._pending)

    def call_staff(self, screen: str, wait: float = STAFF_WAIT) -> bool:
        """Alert the hall's staff; True when the platform took the alert now."""
        alert = self._raise("call_staff", screen=screen)
        self._last_call = str(alert["at"])
        self._watch_ack_until = time.monotonic() + ACK_WATCH
        self.beat(wait)
        with self._changed:
            return all(pending is not alert for pending in self._pending)

    def staff_coming(self) -> bool:
        """Whether the hall's staff acknowledged the last staff call from this terminal (工作人员马上到)."""
        return self._last_call is not None and self._last_call in self.acknowledged_calls

    def beat(self, wait: float = 60.0) -> bool:
        """Ask the heartbeat's thread for a beat now and wait for it (at most ``wait`` seconds): True when the
        platform answered. Not from the heartbeat's own thread (an ``after_beat`` callback): it would wait on itself.
        """
        if threading.current_thread() is self._thread:
            raise RuntimeError("a beat asked for on the heartbeat's own thread would wait for itself")
        with self._changed:
            if self._thread is None or self._stopping:
                return False
            self._asked += 1
            ask = self._asked
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._answered >= ask or self._stopping, timeout=wait)
            return self._answered >= ask and self._last_ok

    def start(self) -> None:
        """Beat at once, then every ``interval`` seconds and whenever asked, on the heartbeat's own thread."""
        with self._changed:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def _run(self) -> None:
        first = True
        while True:
            with self._changed:
                if not first:
                    self._changed.wait_for(lambda: self._asked > self._answered or self._stopping, self._next_wait())
                first = False
                if self._stopping:
                    return
                ask = self._asked
                alerts = list(self._pending)
            try:
                ok = self._send(alerts)
            except Exception:  # a report bug must not stop the heartbeat
                log.exception("heartbeat failed")
                ok = False
            with self._changed:
                if ok:
                    # Only what this beat carried: an alert raised meanwhile waits for the next beat.
                    self._pending = [a for a in self._pending if all(a is not sent for sent in alerts)]
                self._answered, self._last_ok = ask, ok
                self._changed.notify_all()
            self.after_beat.notify(ok)

    def _next_wait(self) -> float:
        """The interval; while a staff call waits for the hall's acknowledgement, a few seconds."""
        if not self.staff_coming() and time.monotonic() < self._watch_ack_until:
            return min(self.interval, ACK_BEAT)
        return self.interval

    def _send(self, alerts: list[dict[str, Any]]) -> bool:
        body = {
            **self._report(),
            "alerts": alerts,
            "app_version": self.app_version,
            "sent_at": datetime.now(UTC).isoformat(),
        }
        try:
            response = self._client.request(
                "POST", PATH_HEARTBEAT.format(terminal_id=self.terminal_id), json=body, timeout=self.timeout
            )
            reply = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError) as exc:
            log.info("heartbeat: platform not reached (%s)", type(exc).__name__)
            return False
        if not is_envelope(reply, "heartbeat_reply"):
            return False
        self.last_reply = reply if isinstance(reply, dict) else None
        self._note_acknowledgements(reply)
        return True

    def _note_acknowledgements(self, reply: Any) -> None:
        calls = reply.get("staff_calls") if isinstance(reply, dict) else None
        for call in calls if isinstance(calls, list) else []:
            at = call.get("at") if isinstance(call, dict) else None
            if isinstance(at, str) and call.get("state") == "acknowledged" and at not in self.acknowledged_calls:
                self.acknowledged_calls.add(at)
                self.staff_did_acknowledge.notify(at)
