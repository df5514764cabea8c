"""What a citizen hears: prompts start, get cut when they move on, repeat, get louder, go back at wipe.

There is no sound card on this machine, so the one faked part is the speaker: a small process that reads
the samples the voice pipes to it at a steady playback pace (like ``aplay`` would, but three times faster
to keep the suite short) and keeps them in a file, so the test can measure what would have come out of the
speaker. Everything else is the real engine.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from accessibility.voice import VOICE_IDS, VoiceSettings
from accessibility.voice_pyttsx3 import Pyttsx3Voice
from devices.base import DeviceState

#: The fake speaker: argv = folder, rate, channels. One file per playback, named "<ns>-<pid>.raw".
SPEAKER = r"""
import os, sys, time
folder, rate, channels = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bytes_per_second = rate * channels * 2 * 3  # three times real time
name = os.path.join(folder, f"{time.monotonic_ns()}-{os.getpid()}")
start, got = time.monotonic(), 0
with open(name + ".part", "wb") as sink:
    while chunk := sys.stdin.buffer.read1(2048):
        sink.write(chunk)
        sink.flush()
        got += len(chunk)
        ahead = start + got / bytes_per_second - time.monotonic()
        if ahead > 0:
            time.sleep(ahead)
os.rename(name + ".part", name + ".raw")
"""

LONG_PROMPT = "欢迎使用政务服务自助终端，请在屏幕上选择您要办理的业务，需要帮助请按屏幕右下角的呼叫按钮"
SHORT_PROMPT = "请把身份证放在感应区"


class Events:
    """What the voice reported, in order, with a way to wait for one."""

    def __init__(self, voice: Pyttsx3Voice) -> None:
        self.log: list[tuple[str, object]] = []
        self._changed = threading.Condition()
        voice.voice_did_start.connect(lambda text: self._add("start", text))
        voice.voice_did_finish.connect(lambda text, interrupted: self._add("finish", (text, interrupted)))
        voice.voice_did_fail.connect(lambda reason: self._add("fail", reason))

    def _add(self, kind: str, value: object) -> None:
        with self._changed:
            self.log.append((kind, value))
            self._changed.notify_all()

    def of(self, kind: str) -> list[object]:
        return [value for k, value in self.log if k == kind]

    def wait_for(self, condition: Callable[[], bool], timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition():  # polled too: some conditions are files, not events
                assert time.monotonic() < deadline, f"timed out; events so far: {self.log}"
                self._changed.wait(0.02)


def played(folder: Path) -> list[Path]:
    """Finished playbacks, oldest first."""
    return sorted(folder.glob("*.raw"), key=lambda p: int(p.name.split("-")[0]))


def rms(raw: Path) -> float:
    result = subprocess.run(
        ["sox", "-t", "raw", "-r", "22050", "-e", "signed-integer", "-b", "16", "-c", "1", str(raw), "-n", "stat"],
        capture_output=True, text=True, check=True,
    )
    line = next(line for line in result.stderr.splitlines() if line.startswith("RMS     amplitude"))
    return float(line.split(":")[1])


@pytest.fixture
def speaker(tmp_path: Path) -> Path:
    folder = tmp_path / "speaker"
    folder.mkdir()
    return folder


@pytest.fixture
def voice(tmp_path: Path, speaker: Path) -> Iterator[Pyttsx3Voice]:
    command = [sys.executable, "-c", SPEAKER, str(speaker), "{rate}", "{channels}"]
    voice = Pyttsx3Voice(VoiceSettings(volume=0.5), tmp_path / "cache", player_command=command,
                         check_audio=False)
    voice.prepare([("welcome", LONG_PROMPT), ("place_card", SHORT_PROMPT)])
    assert voice.wait_idle(30)
    yield voice
    voice.close()


def test_stop_cuts_the_playing_prompt_and_its_player(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say_prompt("welcome", LONG_PROMPT)
    events.wait_for(lambda: bool(list(speaker.glob("*.part"))))
    part = next(speaker.glob("*.part"))
    pid = int(part.name.split("-")[1].split(".")[0])
    events.wait_for(lambda: part.stat().st_size > 0)  # the citizen heard the start of it
    voice.stop()
    events.wait_for(lambda: bool(events.of("finish")))
    assert events.of("finish") == [(LONG_PROMPT, True)]
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the player process is gone (and reaped), not draining its buffer
    assert voice.wait_idle()
    assert not played(speaker), "a cut player must not finish its file"


def test_a_new_prompt_cuts_the_one_playing(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say_prompt("welcome", LONG_PROMPT)
    events.wait_for(lambda: bool(events.of("start")))
    voice.say_prompt("place_card", SHORT_PROMPT)
    events.wait_for(lambda: len(events.of("finish")) == 2)
    assert events.of("start") == [LONG_PROMPT, SHORT_PROMPT]
    assert events.of("finish") == [(LONG_PROMPT, True), (SHORT_PROMPT, False)]
    assert len(played(speaker)) == 1  # only the second ran to its end


def test_queued_speech_waits_for_the_current_one(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say_prompt("place_card", SHORT_PROMPT)
    voice.say("一三八，隐去四位，五六七八", interrupt=False)
    events.wait_for(lambda: len(events.of("finish")) == 2)
    assert events.of("finish") == [(SHORT_PROMPT, False), ("一三八，隐去四位，五六七八", False)]


def test_repeat_says_the_last_prompt_again(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    voice.repeat()
    assert voice.wait_idle()
    assert events.of("start") == [SHORT_PROMPT, SHORT_PROMPT]
    first, second = played(speaker)
    assert first.read_bytes() == second.read_bytes()


def test_volume_buttons_change_the_level_heard_and_reset_restores_it(
    voice: Pyttsx3Voice, speaker: Path
) -> None:
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    assert voice.volume_up() == pytest.approx(0.6)
    voice.volume_up()
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    voice.volume_down()
    voice.volume_down()
    voice.volume_down()
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    voice.volume_up()
    voice.set_elder(True)
    voice.reset()  # wipe: the next citizen starts at the hall's level and rate
    assert voice.volume == pytest.approx(0.5)
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    default, louder, quieter, after_reset = (rms(path) for path in played(speaker))
    assert louder == pytest.approx(default * 0.7 / 0.5, rel=0.02)
    assert quieter == pytest.approx(default * 0.4 / 0.5, rel=0.02)
    assert after_reset == pytest.approx(default, rel=0.01)
    assert voice.rate_wpm == 170


def test_elder_mode_speaks_slower(voice: Pyttsx3Voice, speaker: Path) -> None:
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    voice.set_elder(True)
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    standard, elder = (path.stat().st_size for path in played(speaker))
    assert elder > 1.15 * standard


def test_reset_forgets_what_was_said(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say("一三八，隐去四位，五六七八")
    assert voice.wait_idle()
    voice.reset()
    voice.repeat()  # the next citizen presses 再听一遍: nothing of the last one's read-back
    assert voice.wait_idle()
    assert events.of("start") == ["一三八，隐去四位，五六七八"]


def test_a_full_id_number_is_never_spoken(voice: Pyttsx3Voice, speaker: Path) -> None:
    events = Events(voice)
    voice.say("您的身份证号是11010119900307002X")
    assert voice.wait_idle()
    assert events.of("start") == []
    assert events.of("fail")
    assert "11010119900307002X" not in str(events.of("fail"))


@pytest.mark.parametrize(
    ("command", "env"),
    [
        (["/nonexistent/aplay", "-"], None),  # no player installed
        (["play", "-q", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "{rate}", "-c", "{channels}", "-"],
         {"AUDIODEV": "hw:7,0"}),  # sox's real player pointed at a sound card that is not there
    ],
)
def test_no_audio_device_means_silence_a_failure_event_and_degraded_health(
    tmp_path: Path, command: list[str], env: dict[str, str] | None
) -> None:
    voice = Pyttsx3Voice(VoiceSettings(), tmp_path / "cache", player_command=command, player_env=env)
    events = Events(voice)
    try:
        events.wait_for(lambda: bool(events.of("fail")))  # found at start-up, before anyone speaks
        assert voice.health.state is DeviceState.DEGRADED
        assert "check" in voice.health.reason or "install" in voice.health.reason
        voice.say_prompt("place_card", SHORT_PROMPT)  # the flow goes on; nothing escapes
        assert voice.wait_idle()
        voice.say("一三八")
        assert voice.wait_idle()
        assert len(events.of("fail")) >= 3
        assert voice.health.state is DeviceState.DEGRADED
    finally:
        voice.close()


def test_missing_voice_data_takes_the_voice_offline_until_it_works_again(
    voice: Pyttsx3Voice, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As if the English espeak-ng voice file were not installed on this kiosk.
    monkeypatch.setitem(VOICE_IDS, "en", "en-not-installed")
    events = Events(voice)
    voice.set_language("en")
    voice.say("Please take your card")
    assert voice.wait_idle()
    assert voice.health.state is DeviceState.OFFLINE
    assert "en-not-installed" in voice.health.reason
    assert events.of("fail")
    voice.set_language("zh_CN")
    voice.say_prompt("place_card", SHORT_PROMPT)
    assert voice.wait_idle()
    assert voice.health.state is DeviceState.OK
    assert events.of("start") == [SHORT_PROMPT]
