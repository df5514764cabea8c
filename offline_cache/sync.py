"""The sync worker (同步): drains the outbox to the platform on its own thread, with its own connection.

It wakes on a new submission, on a timer, when the network comes back (a cheap TCP probe while offline),
and on demand. Several deliveries are in flight at once; their results are recorded together in one commit.
401/403 pause all sending and raise a technician alert: a terminal with a bad token must not hammer the
platform, and the queue stays safe until someone re-enrolls it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from offline_cache.backoff import Backoff
from offline_cache.courier import BatchUnsupportedError, Courier, Outcome, PlatformLink, Verdict
from offline_cache.models import Delivery, OutboxEvent, OutboxStatus
from offline_cache.observers import ObserverList
from offline_cache.store import Outbox
from offline_cache.wire.protocol import BATCH_MAX_ITEMS, Receipt

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncSettings:
    """How hard and how often to try; the defaults suit a hall's kiosk on an ordinary network."""

    workers: int = 4
    use_batch: bool = True
    batch_size: int = 100
    interval: float = 30.0
    probe_interval: float = 5.0
    change_poll: float = 1.0
    lease_seconds: float = 120.0
    retention_days: float = 7.0
    backoff: Backoff = field(default_factory=Backoff)


@dataclass(frozen=True)
class SyncReport:
    """What one drain did."""

    sent: int = 0
    retried: int = 0
    quarantined: int = 0
    paused: bool = False
    offline: bool = False


def outbox_status(outbox: Outbox, now: float | None = None) -> OutboxStatus:
    """The queue at a glance, read from the outbox (works with or without a running worker)."""
    now = time.time() if now is None else now
    counts = outbox.counts()
    meta = outbox.meta()
    oldest = outbox.oldest_pending_queued_at()
    return OutboxStatus(
        pending=sum(counts.get(state, 0) for state in ("queued", "sending", "retry")),
        oldest_pending_age=None if oldest is None else max(0.0, now - oldest),
        counts=counts,
        last_success_at=float(meta["last_success_at"]) if "last_success_at" in meta else None,
        last_error=meta.get("last_error"),
        last_error_at=float(meta["last_error_at"]) if "last_error_at" in meta else None,
        paused="paused" in meta,
        paused_reason=meta.get("paused"),
    )


class SyncEngine:
    """Delivers the outbox in ``folder`` to the platform at ``link``; ``events`` reports every change."""

    def __init__(self, folder: Path, link: PlatformLink, settings: SyncSettings | None = None) -> None:
        self.settings = settings or SyncSettings()
        self.outbox = Outbox(folder, terminal_id=link.terminal_id)
        self.courier = Courier(link)
        self.events: ObserverList[OutboxEvent] = ObserverList()
        self.outbox.events.add(self.events.notify)
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        # Never fewer than two deliveries in flight: one slow answer must not hold up the whole queue.
        self._in_flight_max = max(2, self.settings.workers)
        self._pool = ThreadPoolExecutor(self._in_flight_max, thread_name_prefix="outbox-delivery")
        self._batch = self.settings.use_batch
        self._offline = False
        self._last_purge = 0.0

    # -- control ---------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker thread; leases left by a crash go back to the queue first."""
        if self._thread is not None:
            return
        self.outbox.recover_leases()
        self.outbox.sweep_orphans()
        self.resume()
        self._thread = threading.Thread(target=self._run, name="outbox-sync", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        self._pool.shutdown(wait=True, cancel_futures=True)
        self.courier.close()
        self.outbox.close()

    def trigger(self) -> None:
        """Sync now (a new submission, a technician's button, the network is back)."""
        self._wake.set()

    def watch(self, outbox: Outbox) -> None:
        """Sync whenever ``outbox`` (the caller's own instance on the same folder) saves a submission."""
        outbox.events.add(lambda event: self.trigger() if event.kind == "queued" else None)

    def resume(self) -> None:
        """Lift a pause (after the technician fixed the token) and try again."""
        if "paused" in self.outbox.meta():
            self.outbox.set_meta({"paused": None})
            self.events.notify(OutboxEvent("resumed"))
        self.trigger()

    @property
    def paused(self) -> bool:
        return "paused" in self.outbox.meta()

    def status(self) -> OutboxStatus:
        return outbox_status(self.outbox)

    # -- the worker ------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self._tick()
            except Exception as exc:  # noqa: BLE001
                # A bug or a failing disk must not kill the worker silently: record it and keep trying.
                _log.exception("outbox sync failed")
                self._note_error(f"sync worker error: {exc}")
            self._sleep(self._next_wait())

    def _sleep(self, seconds: float) -> None:
        """Wait for a trigger, the timer, or a commit by another connection (a ``put`` from another process:
        SQLite's ``data_version`` changes, checked every ``change_poll`` seconds without touching the disk)."""
        deadline = time.monotonic() + seconds
        version = self.outbox.data_version()
        while not self._stopping.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._wake.wait(min(remaining, self.settings.change_poll)):
                break
            if self.outbox.data_version() != version:
                break
        self._wake.clear()

    def _tick(self) -> None:
        if self.paused:
            return
        if self._offline:
            if not self.courier.reachable():
                return
            self._offline = False
            self.outbox.wake_network_retries()
        self.run_once()

    def _next_wait(self) -> float:
        wait = self.settings.interval
        due = self.outbox.next_due_at()
        if due is not None:
            wait = min(wait, max(0.05, due - time.time()))
        if self._offline:
            wait = min(wait, self.settings.probe_interval)
        return wait

    def run_once(self) -> SyncReport:
        """Deliver everything due now; returns what happened.

        Up to ``workers`` requests are in flight; as each answer comes back its results are recorded and the
        next chunk is leased and sent, so the outbox's bookkeeping overlaps the platform's work.
        """
        per_request = min(self.settings.batch_size, BATCH_MAX_ITEMS) if self._batch else 1
        started = time.time()  # one try per item per pass: a retry due during the pass waits for the next
        in_flight: dict[Future[dict[str, Outcome]], Sequence[Delivery]] = {}
        total = SyncReport()
        halted = False
        while True:
            while not halted and len(in_flight) < self._in_flight_max and not self._stopping.is_set():
                chunk = self.outbox.claim(per_request, self.settings.lease_seconds, due_by=started)
                if not chunk:
                    break
                in_flight[self._pool.submit(self._carry, chunk)] = chunk
            if not in_flight:
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            deliveries: list[Delivery] = []
            outcomes: dict[str, Outcome] = {}
            for future in done:
                deliveries.extend(in_flight.pop(future))
                outcomes.update(future.result())
            report = self._record(deliveries, outcomes)
            total = SyncReport(
                total.sent + report.sent,
                total.retried + report.retried,
                total.quarantined + report.quarantined,
                total.paused or report.paused,
                report.offline,
            )
            halted = halted or report.paused or report.offline
        self._offline = total.offline
        if time.time() - self._last_purge > 3600.0:
            self._last_purge = time.time()
            self.outbox.purge(self.settings.retention_days)
        return total

    def _carry(self, chunk: Sequence[Delivery]) -> dict[str, Outcome]:
        if len(chunk) > 1 or self._batch:
            try:
                return self.courier.deliver_batch(chunk)
            except BatchUnsupportedError:
                self._batch = False
        return {delivery.id: self.courier.deliver(delivery) for delivery in chunk}

    def _record(self, deliveries: Sequence[Delivery], outcomes: dict[str, Outcome]) -> SyncReport:
        sent: list[tuple[str, Receipt]] = []
        retry: list[tuple[str, float, str, str]] = []
        quarantined: list[tuple[str, str]] = []
        released: list[str] = []
        pause_reason = None
        for delivery in deliveries:
            outcome = outcomes.get(delivery.id) or Outcome(Verdict.RETRY, "no answer recorded")
            if outcome.verdict is Verdict.SENT and outcome.receipt is not None:
                sent.append((delivery.id, outcome.receipt))
            elif outcome.verdict is Verdict.QUARANTINE:
                quarantined.append((delivery.id, outcome.message))
            elif outcome.verdict is Verdict.PAUSE:
                released.append(delivery.id)
                pause_reason = outcome.message
            else:
                delay = self.settings.backoff.delay(delivery.attempts, outcome.retry_after)
                kind = "network" if outcome.network else "server"
                retry.append((delivery.id, delay, outcome.message, kind))
        self.outbox.settle(sent=sent, retry=retry, quarantined=quarantined, released=released)
        now = str(time.time())
        notes: dict[str, str | None] = {}
        if sent:
            notes["last_success_at"] = now
        failures = [message for _, _, message, _ in retry] + [reason for _, reason in quarantined]
        if failures or pause_reason:
            notes["last_error"] = pause_reason or failures[-1]
            notes["last_error_at"] = now
        if pause_reason:
            notes["paused"] = pause_reason
        if notes:
            self.outbox.set_meta(notes)
        if pause_reason:
            self.events.notify(OutboxEvent("paused", message=pause_reason))
        offline = bool(retry) and not sent and all(kind == "network" for *_, kind in retry)
        return SyncReport(len(sent), len(retry), len(quarantined), pause_reason is not None, offline)

    def _note_error(self, message: str) -> None:
        try:
            self.outbox.set_meta({"last_error": message, "last_error_at": str(time.time())})
        except Exception:  # noqa: BLE001
            _log.exception("cannot record the sync error")
