"""The hall's calls to its platform over the one platform client, against a real HTTP server on loopback
that can hold a request in flight: a staff call (呼叫工作人员) is not held behind the ratings upload or the
catalog refresh, and an alert raised while a beat is in flight is carried by a later beat."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import parse_config
from kiosk.hall.compose import open_hall
from kiosk.hall.heartbeat import Heartbeat
from kiosk.hall.rating_upload import send_pending_ratings
from kiosk.paths import TerminalPaths
from kiosk.records.ratings import RatingBook
from kiosk.visit.ports import Rating, Terminal
from offline_cache.courier import PlatformClient, PlatformLink
from offline_cache.wire.protocol import HEADER_IDEMPOTENCY_KEY, envelope

TERMINAL = "platform-calls-001"
#: The most any held request waits for its release: a failing test ends instead of hanging.
HOLD_LIMIT = 30.0
#: The most a test waits for an event it needs.
WAIT = 20.0


@dataclass
class Hold:
    """Requests whose path holds ``fragment`` wait, in flight, until :meth:`release` (``times``: None = all)."""

    fragment: str
    times: int | None = None
    arrived: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)
    in_flight: int = 0

    def release(self) -> None:
        self.released.set()


class LoopbackPlatform:
    """Just enough of the platform: heartbeats (their alerts kept in order), ratings, the catalog."""

    def __init__(self) -> None:
        self.alerts: list[dict[str, Any]] = []
        self.beats: list[list[str]] = []  # the alert kinds of each answered beat
        self.ratings: list[str] = []
        self.holds: list[Hold] = []
        #: Ratings of these case numbers are refused (400), as a platform refuses a body it cannot take.
        self.refused_cases: set[str] = set()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                platform._wait_if_held(self.path)
                self._answer(503, {"error": {"code": "busy", "message": "catalog not ready"}})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                platform._wait_if_held(self.path)
                if self.path.endswith("/heartbeat"):
                    with platform._changed:
                        platform.alerts.extend(body["alerts"])
                        platform.beats.append([a["kind"] for a in body["alerts"]])
                        platform._changed.notify_all()
                    self._answer(200, envelope("heartbeat_reply", received_at="now", config={}, notices=[]))
                elif self.path.endswith("/ratings") and body["case_no"] in platform.refused_cases:
                    self._answer(400, {"error": {"code": "invalid", "message": "case_no"}})
                elif self.path.endswith("/ratings"):
                    key = self.headers[HEADER_IDEMPOTENCY_KEY]
                    with platform._changed:
                        platform.ratings.append(key)
                        platform._changed.notify_all()
                    self._answer(201, envelope("rating_receipt", rating_id=key, case_no=body["case_no"]))
                else:
                    self._answer(404, {"error": {"code": "not_found", "message": self.path}})

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def hold(self, fragment: str, times: int | None = None) -> Hold:
        hold = Hold(fragment, times)
        with self._lock:
            self.holds.append(hold)
        return hold

    def _wait_if_held(self, path: str) -> None:
        with self._lock:
            hold = next((h for h in self.holds if h.fragment in path and h.times != 0), None)
            if hold is None:
                return
            if hold.times is not None:
                hold.times -= 1
            hold.in_flight += 1
        hold.arrived.set()
        hold.released.wait(HOLD_LIMIT)
        with self._lock:
            hold.in_flight -= 1

    def wait_for(self, predicate: Any) -> bool:
        with self._changed:
            return bool(self._changed.wait_for(predicate, WAIT))

    def close(self) -> None:
        for hold in self.holds:
            hold.release()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform() -> Iterator[LoopbackPlatform]:
    server = LoopbackPlatform()
    yield server
    server.close()


def _report() -> dict[str, Any]:
    return {"queue_depth": 0, "devices": {}}


def test_a_staff_call_reaches_the_platform_while_the_ratings_upload_and_the_catalog_refresh_are_slow(
    platform: LoopbackPlatform, tmp_path: Path
) -> None:
    config = parse_config(
        f'data_dir = "{tmp_path / "data"}"\n[terminal]\nid = "{TERMINAL}"\n'
        f'[platform]\nurl = "{platform.url}"\ntoken = "t"\n'
        "[devices.id_reader]\nenabled = false\n[devices.printer]\nenabled = false\n"
        "[devices.camera]\nenabled = false\n"
    )
    paths = TerminalPaths(tmp_path / "data").ensure()
    book = RatingBook(paths.ratings)
    rating_id = book.record(Rating(5, "", "SB2026000001", "GLJT-01"), Terminal(TERMINAL, "110101"), None)
    book.close()
    ratings = platform.hold("/ratings")
    catalog = platform.hold("/catalog")
    hall = open_hall(config, demo=False, paths=paths)
    try:
        # The first beat reached the platform; the ratings upload that follows it is now stuck in flight.
        assert ratings.arrived.wait(WAIT)
        with ThreadPoolExecutor(1) as pool:
            assert pool.submit(hall.ports.staff.call_staff, "services").result(WAIT) is True
            assert ratings.in_flight == 1 and not ratings.released.is_set()
            assert [a["screen"] for a in platform.alerts if a["kind"] == "call_staff"] == ["services"]

            # The ratings reach the platform; now the catalog refresh is stuck, and a call still goes through.
            ratings.release()
            assert platform.wait_for(lambda: platform.ratings == [rating_id])
            assert catalog.arrived.wait(WAIT)
            assert pool.submit(hall.ports.staff.call_staff, "review").result(WAIT) is True
            assert catalog.in_flight == 1
            assert [a["screen"] for a in platform.alerts if a["kind"] == "call_staff"] == ["services", "review"]
        assert hall.heartbeat.pending_alerts() == []
    finally:
        catalog.release()
        hall.close()


def test_an_alert_raised_while_a_beat_is_in_flight_is_sent_by_a_later_beat(platform: LoopbackPlatform) -> None:
    client = PlatformClient(PlatformLink(platform.url, "t", TERMINAL))
    heartbeat = Heartbeat(client, _report, interval=3600)
    first = platform.hold("/heartbeat", times=1)
    heartbeat.raise_alert("voice", state="offline")
    heartbeat.start()
    try:
        assert first.arrived.wait(WAIT)  # the first beat carries the voice alert and is held in flight
        with ThreadPoolExecutor(3) as pool:
            # While it is in flight: another alert, a staff call, and a plain beat asked for by someone else.
            heartbeat.raise_alert("printer", state="paper_out")
            call = pool.submit(heartbeat.call_staff, "services")
            beat = pool.submit(heartbeat.beat, WAIT)
            assert platform.beats == []
            first.release()
            assert call.result(WAIT) is True
            assert beat.result(WAIT) is True
        assert platform.beats[0] == ["voice"]
        assert sorted(kind for kinds in platform.beats[1:] for kind in kinds) == ["call_staff", "printer"]
        assert heartbeat.pending_alerts() == []
    finally:
        heartbeat.stop()
        client.close()


def test_every_alert_reaches_the_platform_once_when_many_threads_ask_for_beats(platform: LoopbackPlatform) -> None:
    client = PlatformClient(PlatformLink(platform.url, "t", TERMINAL))
    heartbeat = Heartbeat(client, _report, interval=3600)
    heartbeat.start()
    start = threading.Barrier(8)

    def raise_and_beat(n: int) -> bool:
        start.wait()
        heartbeat.raise_alert("test", n=n)
        return heartbeat.beat(WAIT)

    try:
        with ThreadPoolExecutor(8) as pool:
            assert all(pool.map(raise_and_beat, range(8)))
        assert sorted(a["n"] for a in platform.alerts if a["kind"] == "test") == list(range(8))
        assert heartbeat.pending_alerts() == []
    finally:
        heartbeat.stop()
        client.close()


def test_a_staff_call_without_the_platform_says_so_and_the_alert_waits_for_the_next_beat(
    platform: LoopbackPlatform,
) -> None:
    link = PlatformLink("http://127.0.0.1:9", "t", TERMINAL)  # nothing listens on the discard port
    heartbeat = Heartbeat(PlatformClient(link), _report, interval=3600)
    heartbeat.start()
    try:
        assert heartbeat.call_staff("services") is False
        assert [a["kind"] for a in heartbeat.pending_alerts()] == ["call_staff"]
    finally:
        heartbeat.stop()


def test_a_rating_the_platform_refuses_does_not_hold_back_the_ratings_after_it(
    platform: LoopbackPlatform, tmp_path: Path
) -> None:
    platform.refused_cases.add("SB-REFUSED")
    client = PlatformClient(PlatformLink(platform.url, "t", TERMINAL))
    book = RatingBook(tmp_path / "ratings.db")
    terminal = Terminal(TERMINAL, "110101")
    try:
        book.record(Rating(1, "等待时间长", "SB-REFUSED", "GLJT-01"), terminal, None)
        kept = book.record(Rating(5, "", "SB2026000003", "GLJT-01"), terminal, None)
        assert send_pending_ratings(book, client) == 1
        assert platform.ratings == [kept]
        assert book.pending() == []  # the refused one is kept in the book, never sent again
    finally:
        book.close()
        client.close()


def test_ratings_wait_in_the_book_while_the_platform_is_unreachable(tmp_path: Path) -> None:
    client = PlatformClient(PlatformLink("http://127.0.0.1:9", "t", TERMINAL))
    book = RatingBook(tmp_path / "ratings.db")
    try:
        rating_id = book.record(Rating(4, "", "SB2026000004", "GLJT-01"), Terminal(TERMINAL, "110101"), None)
        assert send_pending_ratings(book, client) == 0
        assert [rid for rid, _ in book.pending()] == [rating_id]
    finally:
        book.close()
        client.close()
