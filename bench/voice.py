"""Voice latency: screen change → first audio sample reaching the player, cached prompt vs. uncached sentence.

"Screen change" is the moment the UI calls ``say_prompt`` / ``say``; "first audio sample" is the moment the
player process reads its first bytes of speech. The uncached sentence (synthesized on demand) is the peer
measured in the same run; the goal is ≤ 150 ms for a cached prompt.

With no sound card (CI, this machine) the player is a stand-in shell process that notes when the first bytes
of speech arrived; pass ``--player aplay`` (or ``paplay``, ``play``) on a kiosk to run through the real one
(then the figure is when the player process was started, since a real player cannot tell us when it read).

    .venv/bin/python bench/voice.py [--runs 15] [--player stand-in|aplay|paplay|play]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from accessibility.speech_text import count_zh
from accessibility.voice import VoiceSettings
from accessibility.voice_player import KNOWN_PLAYERS
from accessibility.voice_pyttsx3 import Pyttsx3Voice

#: Stand-in player, as light to start as aplay (a Python stand-in would spend ~100 ms starting itself):
#: it waits for the first bytes of speech, notes the wall-clock time, then swallows the rest.
STAND_IN = [
    "sh",
    "-c",
    'head -c 2 >/dev/null && date +%s.%N >"$0/$$.tmp" && mv "$0/$$.tmp" "$0/$$.first"; cat >/dev/null',
]

PROMPT = ("place_card", "请把身份证放在感应区，听到提示音后再拿开")


def first_sample_after(folder: Path, seen: set[Path], timeout: float = 10.0) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        fresh = [p for p in folder.glob("*.first") if p not in seen]
        if fresh:
            seen.update(fresh)
            return float(fresh[0].read_text())
        time.sleep(0.0005)
    raise TimeoutError("no audio reached the player")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--player", default="stand-in", choices=["stand-in", "aplay", "paplay", "play"])
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-voice-") as temp:
        folder = Path(temp) / "player"
        folder.mkdir()
        if args.player == "stand-in":
            command: list[str] = [*STAND_IN, str(folder)]
        else:
            command = list(next(c for c in KNOWN_PLAYERS if c[0] == args.player))
        voice = Pyttsx3Voice(VoiceSettings(), Path(temp) / "cache", player_command=command, check_audio=False)
        started: list[float] = []
        voice.voice_did_start.connect(lambda _text: started.append(time.time()))
        seen: set[Path] = set()

        def one(speak: object) -> float:
            before = len(started)
            asked = time.time()  # wall clock: the stand-in's `date` can only tell us that
            speak()  # type: ignore[operator]
            if args.player == "stand-in":
                first = first_sample_after(folder, seen)
            else:
                while len(started) == before:
                    time.sleep(0.0005)
                first = started[-1]
            voice.stop()
            voice.wait_idle()
            return (first - asked) * 1000

        try:
            voice.prepare([PROMPT])
            voice.wait_idle(30)
            one(lambda: voice.say_prompt(*PROMPT))  # warm-up: loads the prompt into memory, starts espeak
            cached, uncached = [], []
            for run in range(args.runs):
                cached.append(one(lambda: voice.say_prompt(*PROMPT)))
                # A different sentence every run, so nothing can come from a cache.
                sentence = f"您的排队号码是{count_zh(run + 101)}号，请到{count_zh(run % 9 + 1)}号窗口办理"
                uncached.append(one(lambda s=sentence: voice.say(s)))
        finally:
            voice.close()

    cached_ms, uncached_ms = statistics.median(cached), statistics.median(uncached)
    result = {
        "bench": "voice",
        "player": args.player,
        "runs": args.runs,
        "cached_prompt_first_sample_ms_median": round(cached_ms, 1),
        "cached_prompt_first_sample_ms_max": round(max(cached), 1),
        "uncached_sentence_first_sample_ms_median": round(uncached_ms, 1),
        "uncached_sentence_first_sample_ms_max": round(max(uncached), 1),
        "peer": "uncached sentence (synthesized on demand)",
        "ratio_cached_to_uncached": round(cached_ms / uncached_ms, 3),
        "goal_cached_ms": 150,
        "goal_met": cached_ms <= 150,
    }
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
