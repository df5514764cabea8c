"""A serial receipt printer simulator (打印机模拟器) for tests and for trying the driver without hardware.

It is the printer's end of a real serial line — a pseudo-terminal (the driver opens ``/dev/pts/N``) or a
loopback TCP port (the driver opens ``socket://127.0.0.1:PORT``) — so the driver's real pyserial code runs.
It keeps every byte it is sent, and answers the real-time status requests ``DLE EOT 1`` and ``DLE EOT 4``
as a printer in the chosen :class:`PaperMode` would: online, paper near end, paper out, or not at all.
"""

from __future__ import annotations

import contextlib
import enum
import os
import select
import socket
import threading
import tty

from devices.printer.status import DLE_EOT


class PaperMode(enum.Enum):
    ONLINE = "online"
    NEAR_END = "near_end"
    PAPER_OUT = "paper_out"
    SILENT = "silent"  # powered off, wrong baud rate: no answers at all


#: The one-byte answers of a real printer to DLE EOT 1 and DLE EOT 4 in each mode.
ANSWERS: dict[PaperMode, dict[int, int]] = {
    PaperMode.ONLINE: {1: 0x12, 4: 0x12},
    PaperMode.NEAR_END: {1: 0x12, 4: 0x1E},
    PaperMode.PAPER_OUT: {1: 0x1A, 4: 0x7E},
}


class SerialPrinterSimulator:
    """A printer at the far end of a pty or a loopback socket. Use as a context manager."""

    def __init__(self, mode: PaperMode = PaperMode.ONLINE, *, transport: str = "pty") -> None:
        if transport not in {"pty", "socket"}:
            raise ValueError("transport is 'pty' or 'socket'")
        self.transport = transport
        self.mode = mode
        self._received = bytearray()
        self._queries: list[int] = []
        self._pending = b""
        self._run_out_after: int | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = self._slave = -1
        self._server: socket.socket | None = None
        self._client: socket.socket | None = None
        self.url = ""

    # ------------------------------------------------------------------ control
    def start(self) -> str:
        """Start answering; returns the URL the driver should open."""
        if self.transport == "pty":
            self._master, self._slave = os.openpty()
            tty.setraw(self._slave)  # no echo, no newline translation: bytes pass as they are
            self.url = os.ttyname(self._slave)
        else:
            self._server = socket.create_server(("127.0.0.1", 0))
            self.url = f"socket://127.0.0.1:{self._server.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve, name="printer-simulator", daemon=True)
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for fd in (self._master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        for sock in (self._client, self._server):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()

    def __enter__(self) -> SerialPrinterSimulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def set_mode(self, mode: PaperMode) -> None:
        """The printer's state from now on; back ONLINE means a new roll, so a pending run-out is forgotten."""
        with self._lock:
            self.mode = mode
            if mode is PaperMode.ONLINE:
                self._run_out_after = None

    def run_out_after(self, byte_count: int) -> None:
        """Paper runs out after ``byte_count`` more printed bytes: the rest is lost, as on paper."""
        with self._lock:
            self._run_out_after = len(self._received) + byte_count

    def power_cycle(self) -> None:
        """Drop the current connection (socket transport), as a printer switched off and on does."""
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown(socket.SHUT_RDWR)
            client.close()

    @property
    def received(self) -> bytes:
        """Every byte that reached the paper (status requests left out)."""
        with self._lock:
            return bytes(self._received)

    @property
    def queries(self) -> list[int]:
        """The ``n`` of every ``DLE EOT n`` received, in order."""
        with self._lock:
            return list(self._queries)

    # ------------------------------------------------------------------ the printer's side
    def _serve(self) -> None:
        while not self._stop.is_set():
            if self.transport == "pty":
                self._serve_once(self._master, None)
            else:
                self._accept()

    def _accept(self) -> None:
        assert self._server is not None
        self._server.settimeout(0.1)
        try:
            client, _ = self._server.accept()
        except (TimeoutError, OSError):
            return
        with self._lock:
            self._client = client
        while not self._stop.is_set() and self._client is client:
            if not self._serve_once(client.fileno(), client):
                break
        with contextlib.suppress(OSError):
            client.close()

    def _serve_once(self, fd: int, sock: socket.socket | None) -> bool:
        try:
            ready, _, _ = select.select([fd], [], [], 0.05)
            if not ready:
                return True
            chunk = sock.recv(4096) if sock is not None else os.read(fd, 4096)
        except OSError:
            return False
        if not chunk:
            return False
        for reply in self._take(chunk):
            with contextlib.suppress(OSError):
                if sock is not None:
                    sock.sendall(reply)
                else:
                    os.write(fd, reply)
        return True

    def _take(self, chunk: bytes) -> list[bytes]:
        """Record printed bytes; answer status requests (a request may straddle two reads)."""
        replies: list[bytes] = []
        with self._lock:
            data = self._pending + chunk
            self._pending = b""
            start = 0
            while True:
                at = data.find(DLE_EOT, start)
                if at < 0 or at + 2 >= len(data):
                    tail_from = at if at >= 0 else len(data)
                    if at < 0 and data.endswith(DLE_EOT[:1]):
                        tail_from = len(data) - 1
                    self._print(data[start:tail_from])
                    self._pending = data[tail_from:]
                    break
                self._print(data[start:at])
                n = data[at + 2]
                self._queries.append(n)
                answer = ANSWERS.get(self.mode, {}).get(n)
                if answer is not None:
                    replies.append(bytes((answer,)))
                start = at + 3
        return replies

    def _print(self, data: bytes) -> None:
        if not data or self.mode is PaperMode.PAPER_OUT:
            return
        if self._run_out_after is not None:
            room = self._run_out_after - len(self._received)
            if len(data) >= room:
                self._received += data[: max(room, 0)]
                self.mode, self._run_out_after = PaperMode.PAPER_OUT, None
                return
        self._received += data
