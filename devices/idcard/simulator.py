"""A simulated ID card reader (身份证阅读器模拟器) that speaks real SAM frames over a pty or a TCP socket.

The driver under test, the demo and ``kiosk doctor`` open it exactly as they open hardware: a pty path is
a serial port, ``socket://127.0.0.1:PORT`` is a network serial server. Cards are placed and removed with
:meth:`IdCardSimulator.place_card` / :meth:`remove_card`; faults are injected with :meth:`inject`;
:meth:`unplug` drops the line and refuses it until :meth:`replug`, like pulling the USB cable.

    sim = IdCardSimulator()
    url = sim.serve_socket()          # or sim.serve_pty() → "/dev/pts/7"
    sim.place_card("wang_yan")
    sim.inject(Fault.BAD_CHECKSUM, command=READ_BASE)
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import socket
import threading
import time
import tty
from collections.abc import Callable, Mapping

from devices.idcard.card import IdCard
from devices.idcard.frames import FrameParser
from devices.idcard.sam_peer import Fault, SamPeer, Transmission
from devices.idcard.samples import SAMPLE_CARDS

log = logging.getLogger(__name__)

__all__ = ["Fault", "IdCardSimulator"]


class IdCardSimulator:
    """One simulated reader on one line (a socket server or a pty), with a card slot and faults."""

    def __init__(self, cards: Mapping[str, IdCard] | None = None) -> None:
        self.peer = SamPeer(SAMPLE_CARDS if cards is None else cards)
        self.url = ""
        self._kind = ""
        self._port = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._listener: socket.socket | None = None
        self._conn: socket.socket | None = None
        self._master: int | None = None
        self._slave: int | None = None
        self._plugged = False

    # --- the API the demo and tests use ---------------------------------------------------------------

    def place_card(self, sample_name: str) -> None:
        """Put the named sample card (see :mod:`devices.idcard.samples`) on the reader."""
        self.peer.place_card(sample_name)

    def remove_card(self) -> None:
        self.peer.remove_card()

    @property
    def card_name(self) -> str:
        return self.peer.card_name

    @property
    def sample_names(self) -> list[str]:
        return sorted(self.peer.cards)

    def inject(self, fault: Fault, *, command: tuple[int, int] | None = None, times: int = 1,
               delay: float = 1.0) -> None:
        self.peer.inject(fault, command=command, times=times, delay=delay)

    def fail_with(self, status: int, *, command: tuple[int, int], times: int = 1) -> None:
        self.peer.fail_with(status, command=command, times=times)

    # --- transports ----------------------------------------------------------------------------------

    def serve_socket(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Listen on loopback; returns the pyserial URL (``socket://127.0.0.1:PORT``)."""
        self._kind, self._port = "socket", port
        self._start_socket(host)
        return self.url

    def serve_pty(self) -> str:
        """Open a pty pair; returns the path of the serial end (``/dev/pts/N``)."""
        self._kind = "pty"
        self._start_pty()
        return self.url

    def _start_socket(self, host: str = "127.0.0.1") -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, self._port))
        listener.listen(1)
        listener.settimeout(0.1)
        self._port = listener.getsockname()[1]
        self._listener = listener
        self.url = f"socket://{host}:{self._port}"
        self._run(self._serve_socket)

    def _start_pty(self) -> None:
        master, slave = os.openpty()
        tty.setraw(master)
        tty.setraw(slave)
        self._master, self._slave = master, slave
        self.url = os.ttyname(slave)
        self._run(self._serve_pty)

    def _run(self, target: Callable[[threading.Event], None]) -> None:
        self._stop = threading.Event()
        self._plugged = True
        self._thread = threading.Thread(target=target, args=(self._stop,), name="idcard-sim", daemon=True)
        self._thread.start()

    def unplug(self) -> None:
        """Drop the line: the open connection breaks and new ones are refused until :meth:`replug`."""
        self._plugged = False
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)
        for sock in (self._conn, self._listener):
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.close()
        self._conn = self._listener = None
        for fd in (self._master, self._slave):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = None

    def replug(self) -> None:
        """Plug the line back in: same socket port; a pty comes back under a new path, as USB does."""
        if self._plugged:
            return
        if self._kind == "socket":
            self._start_socket(self.url.removeprefix("socket://").rsplit(":", 1)[0])
        elif self._kind == "pty":
            self._start_pty()

    def close(self) -> None:
        self.unplug()

    def __enter__(self) -> IdCardSimulator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- serving loops (one thread) ------------------------------------------------------------------

    def _serve_socket(self, stop: threading.Event) -> None:
        while not stop.is_set():
            listener = self._listener
            if listener is None:
                return
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            conn.settimeout(0.05)
            self._conn = conn
            parser = FrameParser()
            with conn:
                while not stop.is_set():
                    try:
                        data = conn.recv(4096)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not data:
                        break
                    parser.feed(data)
                    if not self._send(self.peer.handle(parser), conn.sendall, stop):
                        break
            self._conn = None

    def _serve_pty(self, stop: threading.Event) -> None:
        master = self._master
        assert master is not None
        parser = FrameParser()
        while not stop.is_set():
            try:
                ready, _, _ = select.select([master], [], [], 0.05)
                if not ready:
                    continue
                data = os.read(master, 4096)
            except OSError:  # the other end closed, or we were unplugged
                time.sleep(0.05)
                continue
            parser.feed(data)

            def write(chunk: bytes, fd: int = master) -> None:
                os.write(fd, chunk)

            self._send(self.peer.handle(parser), write, stop)

    @staticmethod
    def _send(steps: list[Transmission], write: Callable[[bytes], object], stop: threading.Event) -> bool:
        for step in steps:
            try:
                if step.data:
                    write(step.data)
            except OSError:
                log.debug("simulated reader: peer went away mid-answer")
                return False
            if step.pause and stop.wait(step.pause):
                return False
        return True
