"""The citizen's path as an 80-year-old meets it: 高龄津贴申请 through the real window, with real clicks.

For each screen shape (1080×1920 portrait, 1920×1080 landscape) it starts its own Xvfb of that size, runs
``kiosk run --demo`` full screen on it (simulated devices, the embedded platform, a voice that only records),
and drives the visit with ``xdotool`` as a person would: 长辈版 on the attract screen, 开始办理, the service,
the demo ID card, the phone number on the keypad, the two choices, a signature stroke, 确认提交; then it reads
the outcome for ``--read-seconds`` (the old kiosk took it away after five), taps 完成, rates, and waits for the
goodbye to end the visit. Where each button is, and what each press hit, come from the window's layout probe
(:mod:`ui.layout_probe`, ``KIOSK_LAYOUT_PROBE``).

After 完成 it taps once more where 完成 was, 0.2 s later (a late finger): that tap must be held back, not skip
the rating. It is reported on its own and not counted among the visit's touches.

Printed, one JSON line: per shape, the touches (phone digits counted apart), how long each screen after 确认提交
stayed up and what ended it, the touches that landed on nothing (or were held back), and whether the late tap
skipped the rating. Goal: ≤ 12 touches besides the digits, every outcome up until dismissed, no touch on nothing.

    .venv/bin/python bench/usability.py [--read-seconds 12] [--shape portrait|landscape|both]

Needs Xvfb and xdotool (Debian: ``apt-get install -y xvfb xdotool``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

SHAPES = {"portrait": (1080, 1920), "landscape": (1920, 1080)}
PHONE = "13812345678"
#: A person looks at a new screen before touching it (and the window holds back taps for 0.6 s after a change).
LOOK_SECONDS = 1.0
#: The screens after 确认提交 whose time on the glass is reported.
OUTCOME_SCREENS = ("result", "rating", "thanks")
GOAL_TOUCHES = 12


class Probe:
    """The window's layout probe file, read as it changes."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def read(self) -> dict[str, Any]:
        try:
            return dict(json.loads(self.path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def wait(self, what: Callable[[dict[str, Any]], bool], timeout: float = 60.0, why: str = "") -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            shot = self.read()
            if shot and what(shot):
                return shot
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout:.0f} s for {why}; the window shows {shot.get('screen')!r}")
            time.sleep(0.05)

    def button(self, name: str, timeout: float = 60.0) -> dict[str, Any]:
        shot = self.wait(
            lambda s: any(b["name"] == name and b["enabled"] for b in s.get("buttons", [])), timeout, f"button {name}"
        )
        return next(b for b in shot["buttons"] if b["name"] == name and b["enabled"])

    def screen(self, name: str, timeout: float = 60.0) -> dict[str, Any]:
        return self.wait(lambda s: s.get("screen") == name and not s.get("overlay"), timeout, f"screen {name}")


class Finger:
    """xdotool on one display; counts touches."""

    def __init__(self, display: str, probe: Probe) -> None:
        self.env = {**os.environ, "DISPLAY": display}
        self.probe = probe
        self.touches = 0
        self.digits = 0
        #: The demo's "place the ID card" button: in a hall the card goes on the reader, not a touch on the glass.
        self.cards = 0

    def _xdo(self, *args: str) -> None:
        subprocess.run(["xdotool", *args], env=self.env, check=True, timeout=30)

    def tap(self, name: str, *, digit: bool = False, card: bool = False, look: float = LOOK_SECONDS) -> tuple[int, int]:
        box = self.probe.button(name)["rect"]
        time.sleep(look)
        box = self.probe.button(name)["rect"]  # where it is after the look (a screen can settle)
        x, y = box[0] + box[2] // 2, box[1] + box[3] // 2
        self._xdo("mousemove", str(x), str(y), "click", "1")
        if digit:
            self.digits += 1
        elif card:
            self.cards += 1
        else:
            self.touches += 1
        return x, y

    def tap_at(self, x: int, y: int) -> None:
        self._xdo("mousemove", str(x), str(y), "click", "1")

    def sign(self) -> None:
        """One stroke across the signature pad: a finger down, moved, lifted (one touch)."""
        shot = self.probe.wait(lambda s: bool(s.get("pads")), why="the signature pad")
        time.sleep(LOOK_SECONDS)
        x, y, w, h = shot["pads"][0]["rect"]
        self._xdo("mousemove", str(x + w // 5), str(y + h // 2), "mousedown", "1")
        for step in range(1, 9):
            px = x + w // 5 + step * (w * 3 // 5) // 8
            py = y + h // 2 + (h // 6 if step % 2 else -h // 6)
            self._xdo("mousemove", str(px), str(py))
        self._xdo("mouseup", "1")
        self.touches += 1


@contextlib.contextmanager
def virtual_screen(width: int, height: int) -> Iterator[str]:
    """An Xvfb of this size on a free display number; yields ``:N``."""
    for number in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            break
    else:
        raise RuntimeError("no free X display number between :90 and :139")
    display = f":{number}"
    server = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", f"{width}x{height}x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while not Path(f"/tmp/.X11-unix/X{number}").exists():
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Xvfb did not start on {display}")
            time.sleep(0.05)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextlib.contextmanager
def kiosk_window(display: str, folder: Path) -> Iterator[Probe]:
    """``kiosk run --demo`` full screen on ``display``, with its layout probe."""
    config = folder / "config.toml"
    config.write_text(f'data_dir = "{folder / "data"}"\n[voice]\nengine = "record"\n', encoding="utf-8")
    probe_file = folder / "probe.json"
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "KIOSK_LAYOUT_PROBE": str(probe_file)}
    env.pop("WAYLAND_DISPLAY", None)
    kiosk = shutil.which("kiosk", path=str(Path(sys.executable).parent)) or "kiosk"
    log = (folder / "kiosk.log").open("wb")
    process = subprocess.Popen([kiosk, "run", "--demo", "--config", str(config)], env=env, stdout=log, stderr=log)
    try:
        yield Probe(probe_file)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


def visit(display: str, probe: Probe, read_seconds: float) -> dict[str, Any]:
    finger = Finger(display, probe)
    probe.button("start", timeout=120)
    finger.tap("elder-toggle")
    probe.wait(lambda s: s.get("theme") == "elder", why="elder mode")
    finger.tap("start")
    probe.screen("services")
    while not any(b["name"] == "service-GLJT-01" for b in probe.read().get("buttons", [])):
        finger.tap("more")  # the service is on a later page
    finger.tap("service-GLJT-01")
    probe.screen("identify")
    finger.tap("demo-id", look=LOOK_SECONDS + 1.0, card=True)  # stands for the card laid on the reader
    probe.screen("form")
    for digit in PHONE:
        finger.tap(f"key_{digit}", digit=True, look=0.3)
    finger.tap("key_confirm")
    finger.tap("choice-sscard")
    finger.tap("choice-no")
    finger.sign()
    finger.tap("next")
    probe.screen("review")
    review_more = 0
    probe.wait(lambda s: any(b["name"] in ("submit", "review-more") for b in s.get("buttons", [])), why="确认提交")
    while any(b["name"] == "review-more" for b in probe.read().get("buttons", [])):
        finger.tap("review-more")  # answers still below: the button shows them first
        review_more += 1
        time.sleep(0.5)
    finger.tap("submit")
    result = probe.screen("result")
    # the person reads the outcome, takes out a phone, scans the code: it must all stay
    time.sleep(read_seconds)
    still = probe.read()
    outcome_stayed = still.get("screen") == "result" and not still.get("overlay")
    shown = " ".join(still.get("texts", []))
    done_x, done_y = finger.tap("done")
    before = len(
        probe.wait(lambda s: len(s.get("presses", [])) >= finger.touches + finger.digits + finger.cards, 10, "完成")[
            "presses"
        ]
    )
    time.sleep(0.2)
    finger.tap_at(done_x, done_y)  # a late finger, aimed at 完成
    late_press = probe.wait(lambda s: len(s.get("presses", [])) > before, 10, "the late tap")["presses"][before]
    time.sleep(LOOK_SECONDS)
    late_skipped_rating = probe.read().get("screen") != "rating"
    probe.screen("rating")
    finger.tap("rate-5")
    probe.screen("thanks")
    end = probe.screen("attract", timeout=60)
    counted = [p for i, p in enumerate(end["presses"]) if i != before]
    return {
        "touches": finger.touches,
        "digits": finger.digits,
        "card_on_reader": finger.cards,
        "review_more_taps": review_more,
        "touches_on_nothing": sum(1 for p in counted if p["hit"] is None or p["held"]),
        "outcome_stayed_while_read": outcome_stayed,
        "outcome_texts_seen": {
            "case_number": any(t.startswith("SB") for t in still.get("texts", [])),
            "next_steps": "民政部门" in shown,
            "e_receipt": "扫这个码" in shown,
        },
        "screens_after_submit": _durations(end["history"], result),
        "late_tap": {"held": bool(late_press.get("held")), "skipped_rating": late_skipped_rating},
    }


def _durations(history: list[dict[str, Any]], result: dict[str, Any]) -> list[dict[str, Any]]:
    """How long each screen after 确认提交 stayed, and what followed it."""
    entries = [h for h in history if not h.get("overlay")]
    start = next((i for i, h in enumerate(entries) if h["screen"] == "result"), None)
    out = []
    if start is None:
        return out
    for here, after in zip(entries[start:], entries[start + 1 :], strict=False):
        if here["screen"] in OUTCOME_SCREENS:
            out.append(
                {
                    "screen": here["screen"],
                    "seconds_up": round(after["since"] - here["since"], 1),
                    "then": after["screen"],
                }
            )
    return out


def run_shape(shape: str, read_seconds: float) -> dict[str, Any]:
    width, height = SHAPES[shape]
    with (
        tempfile.TemporaryDirectory(prefix="usability-") as folder,
        virtual_screen(width, height) as display,
        kiosk_window(display, Path(folder)) as probe,
    ):
        try:
            found = visit(display, probe, read_seconds)
        except (TimeoutError, subprocess.SubprocessError) as exc:
            log = (Path(folder) / "kiosk.log").read_text(errors="replace")[-2000:]
            hits = [p["hit"] for p in probe.read().get("presses", [])]
            return {"shape": f"{width}x{height}", "error": str(exc), "presses": hits, "kiosk_log_tail": log}
    return {"shape": f"{width}x{height}", "theme": "elder", **found}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--read-seconds", type=float, default=12.0, help="how long the outcome is read")
    parser.add_argument("--shape", choices=("portrait", "landscape", "both"), default="both")
    args = parser.parse_args()
    missing = [tool for tool in ("Xvfb", "xdotool") if shutil.which(tool) is None]
    if missing:
        print(
            json.dumps(
                {"bench": "usability", "error": f"missing {', '.join(missing)}: apt-get install -y xvfb xdotool"}
            )
        )
        return 2
    shapes = list(SHAPES) if args.shape == "both" else [args.shape]
    runs = [run_shape(shape, args.read_seconds) for shape in shapes]
    ok = all(
        "error" not in r
        and r["touches"] <= GOAL_TOUCHES
        and r["touches_on_nothing"] == 0
        and r["outcome_stayed_while_read"]
        and not r["late_tap"]["skipped_rating"]
        for r in runs
    )
    print(
        json.dumps(
            {
                "bench": "usability",
                "service": "GLJT-01 高龄津贴申请",
                "read_seconds": args.read_seconds,
                "runs": runs,
                "goal": {
                    "touches_besides_digits": GOAL_TOUCHES,
                    "touches_on_nothing": 0,
                    "outcome_until_dismissed": True,
                },
                "meets_goals": ok,
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
