"""A fault-injecting HTTP/1.1 proxy on loopback, between a terminal and a real platform.

It is a TCP proxy that understands just enough HTTP/1.1 (request head, Content-Length body, response head and
body) to misbehave at exact moments: drop the connection after the platform committed but before the answer
reaches the terminal, answer as a captive portal, answer 429/503 with Retry-After, stall until the client
times out, trickle the answer a byte at a time, or be down altogether (nothing listening on its port).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass
class Fault:
    """Misbehave on requests matching ``method`` and a ``path`` fragment, ``times`` times (None: always).

    ``action``: ``drop_after_commit`` (forward, read the answer, then close without passing it on),
    ``drop_before`` (close without forwarding), ``portal`` (answer 200 with an HTML login page),
    ``redirect`` (302 to a login page), ``status`` (answer ``status`` with ``headers``, not forwarding),
    ``stall`` (hold the request ``delay`` seconds, then close), ``body`` (answer 200 with ``body``),
    ``trickle`` (forward, then pass the platform's answer on one byte every ``delay`` seconds).
    """

    action: str
    method: str | None = None
    path: str | None = None
    times: int | None = 1
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 5.0

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and (self.path is None or self.path in path)


@dataclass(frozen=True)
class Seen:
    """One request as the proxy saw it, and what it did with it."""

    at: float
    method: str
    path: str
    headers: dict[str, str]
    action: str


def _read_until(sock: socket.socket, buffer: bytearray, marker: bytes) -> bytes | None:
    while marker not in buffer:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer.extend(chunk)
    end = buffer.index(marker) + len(marker)
    head = bytes(buffer[:end])
    del buffer[:end]
    return head


def _read_exact(sock: socket.socket, buffer: bytearray, size: int) -> bytes | None:
    while len(buffer) < size:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        buffer.extend(chunk)
    data = bytes(buffer[:size])
    del buffer[:size]
    return data


def _headers(head: bytes) -> tuple[str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    fields = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            fields[name.strip().lower()] = value.strip()
    return lines[0], fields


def _answer(status: int, reason: str, headers: dict[str, str], body: bytes) -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}", f"Content-Length: {len(body)}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


PORTAL_PAGE = b"<html><body><h1>Welcome to Hall-WiFi</h1><form>Please log in</form></body></html>"


class FaultProxy:
    """Listens on 127.0.0.1 (a fixed port once chosen, so ``down()``/``up()`` keep the URL) and forwards."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.faults: list[Fault] = []
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._listener: socket.socket | None = None
        self._conns: set[socket.socket] = set()
        self.port = 0
        self.up()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self.faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.faults.clear()

    def up(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        """The network is gone: nothing listens, open connections are cut."""
        if self._listener is not None:
            with contextlib.suppress(OSError):
                self._listener.shutdown(socket.SHUT_RDWR)
            self._listener.close()
            self._listener = None
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def close(self) -> None:
        self.down()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self._lock:
                self._conns.add(client)
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self._lock:
            for fault in self.faults:
                if fault.matches(method, path) and (fault.times is None or fault.times > 0):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def _serve(self, client: socket.socket) -> None:
        upstream: socket.socket | None = None
        inbox, outbox = bytearray(), bytearray()
        try:
            while True:
                head = _read_until(client, inbox, b"\r\n\r\n")
                if head is None:
                    return
                request_line, fields = _headers(head)
                method, path = request_line.split(" ")[:2]
                body = _read_exact(client, inbox, int(fields.get("content-length", "0")))
                if body is None:
                    return
                fault = self._take_fault(method, path)
                with self._lock:
                    self.seen.append(Seen(time.time(), method, path, fields, fault.action if fault else "pass"))
                if fault is not None and fault.action not in ("drop_after_commit", "trickle"):
                    self._misbehave(client, fault)
                    return
                if upstream is None:
                    upstream = socket.create_connection(self.upstream)
                upstream.sendall(head + body)
                answer = self._read_answer(upstream, outbox, method)
                if answer is None:
                    return
                if fault is not None and fault.action == "trickle":
                    # The platform has answered; the terminal gets it a byte at a time, each well within its
                    # read timeout (a broken middlebox, a dying radio link).
                    for index in range(len(answer)):
                        client.sendall(answer[index : index + 1])
                        time.sleep(fault.delay)
                    return
                if fault is not None:  # drop_after_commit: the platform has answered; the terminal never hears
                    return
                client.sendall(answer)
        except OSError:
            return
        finally:
            with self._lock:
                self._conns.discard(client)
            for sock in (client, upstream):
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()

    @staticmethod
    def _read_answer(upstream: socket.socket, buffer: bytearray, method: str) -> bytes | None:
        head = _read_until(upstream, buffer, b"\r\n\r\n")
        if head is None:
            return None
        status_line, fields = _headers(head)
        status = int(status_line.split(" ")[1])
        length = 0 if method == "HEAD" or status in (204, 304) else int(fields.get("content-length", "0"))
        body = _read_exact(upstream, buffer, length)
        return None if body is None else head + body

    @staticmethod
    def _misbehave(client: socket.socket, fault: Fault) -> None:
        if fault.action == "portal":
            client.sendall(_answer(200, "OK", {"Content-Type": "text/html"}, PORTAL_PAGE))
        elif fault.action == "redirect":
            client.sendall(_answer(302, "Found", {"Location": "http://portal.invalid/login"}, b""))
        elif fault.action == "status":
            client.sendall(_answer(fault.status, "Fault", fault.headers, fault.body))
        elif fault.action == "body":
            client.sendall(_answer(200, "OK", {"Content-Type": "application/json", **fault.headers}, fault.body))
        elif fault.action == "stall":
            time.sleep(fault.delay)
        # drop_before: just close.
