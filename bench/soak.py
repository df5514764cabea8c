"""500 scripted visits back to back (高龄津贴申请 with the simulated ID card, printed receipt, rating, wipe),
offscreen, as a hall runs it: the kiosk process with simulated devices, the central platform in a process
of its own on loopback (``kiosk-central serve``), so the figures are the kiosk's alone.

Reports resident memory (RSS) after the first visits and at the end: goal growth ≤ 10 MB, total ≤ 250 MB.
Peer, in the same run: the RSS of the same process before the first visit (what the libraries alone cost).

    .venv/bin/python bench/soak.py [--visits 500]

``--faults`` (run as root: the data folder is a tmpfs of its own) puts the hall through its faults at chosen
visit numbers (fractions of ``--visits``, see ``FAULTS``): the card reader unplugged and replugged, the
printer (a serial printer simulator on loopback) running out of paper in the middle of a receipt and then
not answering (jammed), the camera gone, the platform process stopped and started again on its port, and the
data folder full for one visit. It prints crashes (exceptions anywhere in the process), visits that could not
finish for a reason the screen did not explain, submissions lost or duplicated (every submission the outbox
took is on the platform exactly once after the queue drains) and memory growth after warm-up.

    sudo .venv/bin/python bench/soak.py --faults [--visits 2000] [--tap-guard 0.05]

``kill -USR1`` ends a fault soak after the visit in progress and prints the figures of the visits run.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from citizen_script import Resident, external_platform
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


def rss_mb() -> float:
    with Path("/proc/self/status").open(encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def dump_smaps(path: str) -> None:
    """Where the resident memory is, mapping by mapping (for finding what to trim)."""
    Path(path).write_text(Path("/proc/self/smaps").read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--visits", type=int, default=500)
    parser.add_argument("--faults", action="store_true", help="unplug, paper out, jam, platform down, disk full")
    parser.add_argument(
        "--tap-guard",
        type=float,
        default=0.6,
        help="seconds a new button ignores taps (the shell's 0.6 s: a person's pace); less runs more visits an hour",
    )
    args = parser.parse_args()
    if args.faults:
        from soak_faults import fault_soak

        print(json.dumps(fault_soak(args.visits, args.tap_guard)))
        return
    app = start_application()  # as ``kiosk run`` starts: heap settings, garbage collection on the Qt thread
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as data, external_platform(Path(data)) as platform_toml:
        config = parse_config(f'data_dir = "{data}"\n{platform_toml}\n[voice]\nengine = "record"\n')
        hall = open_hall(config, demo=False, paths=TerminalPaths(Path(data) / "hall"))
        bridge = MainThreadBridge()
        voice = RecordingVoice()
        controller = KioskController(config, hall.catalog(), hall.ports, voice, bridge)
        controller.window.tap_guard.seconds = args.tap_guard
        controller.window.resize(1080, 1920)
        controller.window.show()
        controller.activate()
        demo = DemoControls(hall.reader, hall.camera)

        def place() -> None:
            demo.remove_card()
            time.sleep(0.45)
            demo.place_card()

        watch = MemoryWatch()
        before = rss_mb()
        started = time.monotonic()
        after_warm_up = before
        cases = 0
        for visit in range(args.visits):
            resident = Resident(controller, place)
            try:
                cases += resident.old_age_allowance().startswith("SB")
            except TimeoutError:
                watch.report(controller.window, visit)  # what was measured so far is not lost with the run
                raise
            app.removeEventFilter(resident.watch)
            voice.records.clear()  # the recorder keeps what was said; a real voice keeps nothing
            if (visit + 1) % 50 == 0:  # progress on stderr: the figures so far survive a crash of the run
                print(f"visit {visit + 1}: rss {rss_mb():.1f} MB{watch.progress()}", file=sys.stderr, flush=True)
            if visit + 1 == WARM_UP:
                gc.collect()
                after_warm_up = rss_mb()
                watch.warm(controller.window, visit + 1)
        gc.collect()
        end = rss_mb()
        watch.report(controller.window, args.visits)
        if os.environ.get("SOAK_SMAPS"):
            dump_smaps(os.environ["SOAK_SMAPS"])
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
        trimmed = rss_mb()
        seconds = time.monotonic() - started
        controller.deactivate()
        bridge.shutdown()
        hall.close()
    print(
        json.dumps(
            {
                "bench": "soak",
                "visits": args.visits,
                "tap_guard_s": args.tap_guard,
                "case_numbers_issued": cases,
                "seconds": round(seconds, 1),
                "rss_before_first_visit_mb": round(before, 1),
                "rss_after_warm_up_mb": round(after_warm_up, 1),
                "rss_end_mb": round(end, 1),
                "rss_end_after_malloc_trim_mb": round(trimmed, 1),
                "growth_after_warm_up_mb": round(end - after_warm_up, 1),
                "goal_growth_mb": 10,
                "goal_total_mb": 250,
                "meets_goals": end - after_warm_up <= 10 and end <= 250,
            }
        )
    )


if __name__ == "__main__":
    main()
