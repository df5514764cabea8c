"""Run a command as systemd would run hall-kiosk.service (a notify socket, a watchdog) and take a screenshot.

    python installer/kiosk_session_check.py --socket PATH --wayland PATH --out FILE.png -- COMMAND...

Binds ``--socket`` (a datagram socket, as systemd's NOTIFY_SOCKET), starts COMMAND (which is told where the
socket is by its own environment), waits for READY=1 and then two WATCHDOG=1, takes a screenshot of the Wayland
display at ``--wayland`` with grim, checks the picture is a painted screen (not one colour), stops the command and
exits 0. Exit 1 with the reason otherwise. Used by installer/test-packages.sh for the kiosk session under cage.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

READY_TIMEOUT_SECONDS = 180.0


def _wait_for(
    sock: socket.socket, deadline: float, wanted: str, seen: list[str], child: subprocess.Popen[bytes]
) -> bool:
    while time.monotonic() < deadline:
        if child.poll() is not None:
            return False
        sock.settimeout(min(2.0, max(0.1, deadline - time.monotonic())))
        try:
            message = sock.recv(4096).decode()
        except TimeoutError:
            continue
        seen.append(message)
        if message.startswith(wanted):
            return True
    return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--socket", type=Path, required=True)
    parser.add_argument("--wayland", type=Path, required=True, help="the compositor's socket (absolute path)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("command", nargs="+")
    args = parser.parse_args()

    args.socket.parent.mkdir(parents=True, exist_ok=True)
    args.socket.unlink(missing_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(args.socket))
    args.socket.chmod(0o777)  # the kiosk's user sends to it
    seen: list[str] = []
    with args.log.open("wb") as log:
        child = subprocess.Popen(args.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # noqa: S603
        try:
            deadline = time.monotonic() + READY_TIMEOUT_SECONDS
            if not _wait_for(sock, deadline, "READY=1", seen, child):
                print(f"no READY=1 from the kiosk under the compositor (exit {child.poll()}); saw {seen}")
                return 1
            for _ in range(2):
                if not _wait_for(sock, time.monotonic() + 60, "WATCHDOG=1", seen, child):
                    print(f"READY=1 came but no WATCHDOG=1 followed; saw {seen}")
                    return 1
            shot = subprocess.run(  # noqa: S603
                ["grim", str(args.out)],  # noqa: S607
                env={**os.environ, "WAYLAND_DISPLAY": str(args.wayland)},
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            if shot.returncode != 0:
                print(f"grim could not take the screenshot: {shot.stderr.strip()}")
                return 1
            from PIL import Image

            with Image.open(args.out) as image:
                colours = image.convert("RGB").getcolors(maxcolors=1 << 16)
                size = image.size
            if colours is not None and len(colours) < 8:
                print(f"the screenshot {args.out} ({size[0]}x{size[1]}) is nearly one colour: nothing was painted")
                return 1
            print(f"READY=1 after the first paint, WATCHDOG=1 pings, screenshot {args.out} ({size[0]}x{size[1]})")
            return 0
        finally:
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
            sock.close()


if __name__ == "__main__":
    sys.exit(main())
