"""The fault soak of ``bench/soak.py --faults``: visits through the real controller while devices, the platform
and the disk fail at chosen visit numbers, and what it costs.

The faults (``FAULTS``, as fractions of the run, each beginning before its first visit and ending after its
last):

- ``reader_unplugged``: the ID card simulator's line is dropped (:meth:`IdCardSimulator.unplug`), then replugged;
- ``paper_out_mid_receipt``: the serial printer simulator runs out of paper 300 bytes into the receipt;
- ``printer_jammed``: the printer stops answering (its ``SILENT`` mode), then is back online;
- ``camera_gone``: the camera's cable is pulled (:meth:`SimulatedCamera.set_connected`), then put back;
- ``platform_down``: the platform's process is stopped, and started again on the same port;
- ``disk_full``: the data folder (a tmpfs of its own, so this needs root) is filled to the last byte for one
  visit, then the filler is removed.

The printer simulator and the platform run in processes of their own, so the memory figures are the kiosk's.
A visit that does not reach its end within the script's waits "could not finish"; it is explained when the
screen it stopped on says why (the view's message, notice or print message is not empty).
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.request
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from citizen_script import Resident
from PySide6.QtWidgets import QApplication
from soak_memory import MemoryWatch

from accessibility.voice_recording import RecordingVoice
from kiosk.config import parse_config
from kiosk.hall.compose import DemoControls, open_hall
from kiosk.paths import TerminalPaths
from ui.application import start_application
from ui.bridge import MainThreadBridge
from ui.controller import KioskController

WARM_UP = 20
TERMINAL = "soak-0001"

#: Each fault's first and last visit, as fractions of the run (never inside the warm-up).
FAULTS: dict[str, tuple[float, float]] = {
    "reader_unplugged": (0.10, 0.11),
    "paper_out_mid_receipt": (0.20, 0.20),
    "printer_jammed": (0.30, 0.31),
    "camera_gone": (0.40, 0.45),
    "platform_down": (0.50, 0.55),
    "disk_full": (0.60, 0.60),
}

#: The printer simulator in a process of its own, driven by lines on its stdin.
PRINTER = """
import sys
from devices.printer.simulator import PaperMode, SerialPrinterSimulator
sim = SerialPrinterSimulator(transport="socket")
print(sim.start(), flush=True)
for line in sys.stdin:
    word, _, arg = line.strip().partition(" ")
    if word == "out_after":
        sim.run_out_after(int(arg))
    elif word == "mode":
        sim.set_mode(PaperMode(arg))
    print("ok", flush=True)
"""


def rss_mb() -> float:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class Printer:
    """The serial printer simulator's process; ``say`` waits for its ``ok``."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", PRINTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.url = self.process.stdout.readline().strip()

    def say(self, line: str) -> None:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def stop(self) -> None:
        self.process.kill()
        self.process.wait()


class PlatformProcess:
    """``kiosk-central serve`` in its own process on one loopback port, stopped and started at will."""

    def __init__(self, folder: Path) -> None:
        central = [sys.executable, "-m", "central.cli"]
        self.db = folder / "central.sqlite3"
        keys = folder / "platform-keys.json"
        subprocess.run([*central, "keygen", "--out", str(keys)], check=True, capture_output=True)
        enrolled = subprocess.run(
            [*central, "enroll", TERMINAL, "--db", f"sqlite:///{self.db}"], check=True, capture_output=True, text=True
        )
        self.token = enrolled.stdout.strip().splitlines()[-1]
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.command = [
            *central,
            "serve",
            "--port",
            str(self.port),
            "--db",
            f"sqlite:///{self.db}",
            "--keys",
            str(keys),
        ]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.seal_public_key = ""
        self.start()

    def start(self) -> None:
        self.server = subprocess.Popen(self.command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(self.url + "/api/v1/platform-keys", timeout=2) as answer:
                    import json

                    self.seal_public_key = json.load(answer)["seal_public_key"]
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def stop(self) -> None:
        if self.server is not None:
            self.server.terminate()
            self.server.wait(timeout=30)
            self.server = None

    def ids(self) -> Counter[str]:
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            rows = conn.execute("SELECT id FROM submissions WHERE terminal_id = ?", (TERMINAL,)).fetchall()
        return Counter(row[0] for row in rows)


@contextlib.contextmanager
def data_folder() -> Iterator[tuple[Path, bool]]:
    """A data folder, on a tmpfs of its own when this process may mount one (then the disk can fill)."""
    folder = Path(tempfile.mkdtemp(prefix="hall-soak-"))
    mounted = False
    if os.geteuid() == 0:
        mounted = (
            subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512m", "tmpfs", str(folder)], check=False).returncode
            == 0
        )
    try:
        yield folder, mounted
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(folder)], check=False)
        subprocess.run(["rm", "-rf", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system has no byte left; returns it (remove it to empty the disk again)."""
    filler = folder / "filler.bin"
    with contextlib.suppress(OSError), filler.open("wb", buffering=0) as out:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while out.write(b"\0" * size):
                    pass
    return filler


def explained(controller: KioskController) -> str:
    """What the screen a visit stopped on says about why ("" when it says nothing)."""
    view: object = controller.flow.screen.view
    if not dataclasses.is_dataclass(view):
        return ""
    for item in dataclasses.fields(view):
        if any(word in item.name for word in ("message", "notice", "hint", "reason", "error")):
            value = getattr(view, item.name)
            text = getattr(value, "key", value) if value is not None else ""
            if isinstance(text, str) and text.strip():
                return f"{controller.window.screen_name}: {text.strip()[:80]}"
    return ""


def fault_soak(visits: int, tap_guard_s: float) -> dict[str, Any]:
    app = start_application()
    assert isinstance(app, QApplication)
    crashes: list[str] = []
    hooks = (sys.excepthook, threading.excepthook)

    def main_thread_hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        crashes.append(f"{kind.__name__} (main thread)")
        hooks[0](kind, value, tb)

    def thread_hook(hook: Any) -> None:
        crashes.append(f"{hook.exc_type.__name__} ({hook.thread.name if hook.thread else '?'})")
        hooks[1](hook)

    sys.excepthook, threading.excepthook = main_thread_hook, thread_hook
    schedule = {
        name: (max(WARM_UP + 1, int(start * visits)), max(WARM_UP + 1, int(end * visits)))
        for name, (start, end) in FAULTS.items()
    }
    printer = Printer()
    with data_folder() as (folder, can_fill):
        platform = PlatformProcess(folder)
        config = parse_config(
            f'data_dir = "{folder}"\n'
            f'[platform]\nurl = "{platform.url}"\ntoken = "{platform.token}"\n'
            f'public_key = "{platform.seal_public_key}"\nverify_tls = false\n'
            f'[terminal]\nid = "{TERMINAL}"\n'
            f'[devices.printer]\nconnection = "{printer.url}"\n'
            '[voice]\nengine = "record"\n'
        )
        hall = open_hall(config, demo=False, paths=TerminalPaths(folder / "hall"))
        bridge = MainThreadBridge()
        voice = RecordingVoice()
        controller = KioskController(config, hall.catalog(), hall.ports, voice, bridge)
        controller.window.tap_guard.seconds = tap_guard_s
        controller.window.resize(1080, 1920)
        controller.window.show()
        controller.activate()
        demo = DemoControls(hall.reader, hall.camera)
        reader = getattr(hall.reader, "simulator", None)
        camera = hall.camera
        filler: Path | None = None

        def begin(name: str) -> None:
            nonlocal filler
            if name == "reader_unplugged" and reader is not None:
                reader.unplug()
            elif name == "paper_out_mid_receipt":
                printer.say("out_after 300")
            elif name == "printer_jammed":
                printer.say("mode silent")
            elif name == "camera_gone" and camera is not None:
                camera.set_connected(False)  # type: ignore[attr-defined]
            elif name == "platform_down":
                platform.stop()
            elif name == "disk_full" and can_fill:
                filler = fill(folder)

        def end(name: str) -> None:
            nonlocal filler
            if name == "reader_unplugged" and reader is not None:
                reader.replug()
            elif name in ("paper_out_mid_receipt", "printer_jammed"):
                printer.say("mode online")
            elif name == "camera_gone" and camera is not None:
                camera.set_connected(True)  # type: ignore[attr-defined]
            elif name == "platform_down":
                platform.start()
                hall.sync.trigger()
            elif name == "disk_full" and filler is not None:
                filler.unlink()
                filler = None

        def place() -> None:
            demo.remove_card()
            time.sleep(0.45)
            demo.place_card()

        # SIGUSR1 ends the run after the visit in progress, with the figures so far (and the drain).
        asked_to_stop = threading.Event()
        signal.signal(signal.SIGUSR1, lambda _signum, _frame: asked_to_stop.set())
        visits_run = 0
        finished = queued = 0
        stopped: dict[int, str] = {}
        unexplained: dict[int, str] = {}
        script_errors: dict[int, str] = {}
        started = time.monotonic()
        watch = MemoryWatch()
        after_warm_up = rss_mb()
        for visit in range(1, visits + 1):
            if asked_to_stop.is_set():
                break
            visits_run = visit
            for name, (first, _) in schedule.items():
                if first == visit:
                    begin(name)
            resident = Resident(controller, place)
            try:
                case_no = resident.old_age_allowance()
                finished += 1
                queued += not case_no.startswith("SB")
            except TimeoutError:
                why = explained(controller)
                (stopped if why else unexplained)[visit] = why or controller.window.screen_name
            except Exception as exc:
                # The script met a screen it does not know (not a crash of the kiosk): where, and what.
                frame = traceback.extract_tb(exc.__traceback__)[-1]
                script_errors[visit] = f"{type(exc).__name__} at {Path(frame.filename).name}:{frame.lineno}"
            finally:
                app.removeEventFilter(resident.watch)
                voice.records.clear()
            if controller.window.screen_name != "attract":
                controller.wipe()
                try:
                    resident.on("attract")
                except TimeoutError:
                    crashes.append(f"visit {visit}: no way back to the attract screen")
            for name, (_, last) in schedule.items():
                if last == visit:
                    end(name)
            if visit % 50 == 0:
                print(
                    f"visit {visit}: rss {rss_mb():.1f} MB, {len(stopped)} stopped{watch.progress()}",
                    file=sys.stderr,
                    flush=True,
                )
            if visit == WARM_UP:
                gc.collect()
                after_warm_up = rss_mb()
                watch.warm(controller.window, visit)
        seconds = time.monotonic() - started
        for name, (first, last) in schedule.items():
            if first <= visits_run < last:  # stopped early inside a fault: lift it before the drain
                end(name)
        gc.collect()
        end_rss = rss_mb()
        watch.report(controller.window, visits_run)
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        trimmed = rss_mb()
        # Drain: everything the outbox took must reach the platform exactly once.
        drain_until = time.monotonic() + 600
        hall.sync.trigger()
        while hall.sync.status().pending and time.monotonic() < drain_until:
            QApplication.processEvents()
            time.sleep(0.2)
        taken = {item.id: item.state for item in hall.outbox.items(limit=1_000_000)}
        on_platform = platform.ids()
        controller.deactivate()
        bridge.shutdown()
        hall.close()
        platform.stop()
    printer.stop()
    lost = sorted(set(taken) - set(on_platform))
    duplicated = sorted(i for i, n in on_platform.items() if n > 1)
    return {
        "bench": "soak --faults",
        "visits": visits,
        "visits_run": visits_run,
        "faults_at_visits": {name: list(span) for name, span in schedule.items()},
        "disk_full_applied": can_fill,
        "tap_guard_s": tap_guard_s,
        "seconds": round(seconds, 1),
        "visits_finished": finished,
        "finished_queued_not_numbered_at_once": queued,
        "could_not_finish_explained": len(stopped),
        "explanations": sorted(Counter(stopped.values()).items()),
        "could_not_finish_unexplained": len(unexplained),
        "unexplained": unexplained,
        "script_errors": script_errors,
        "crashes": len(crashes),
        "crash_kinds": sorted(Counter(crashes).items()),
        "submissions_taken": len(taken),
        "outbox_states": sorted(Counter(taken.values()).items()),
        "submissions_lost": len(lost),
        "submissions_duplicated": len(duplicated),
        "rss_after_warm_up_mb": round(after_warm_up, 1),
        "rss_end_mb": round(end_rss, 1),
        "rss_end_after_malloc_trim_mb": round(trimmed, 1),
        "growth_after_warm_up_mb": round(end_rss - after_warm_up, 1),
        "goal": {"crashes": 0, "unexplained": 0, "lost": 0, "duplicated": 0, "growth_mb": 10},
    }
