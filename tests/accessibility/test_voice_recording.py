"""The recording voice (what UI tests assert through) and choosing a voice from the config."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from accessibility.voice import VoiceSettings
from accessibility.voice_factory import make_voice
from accessibility.voice_pyttsx3 import Pyttsx3Voice
from accessibility.voice_recording import RecordingVoice
from kiosk.config import VoiceConfig


def test_records_what_was_said_in_order_with_keys_and_interruptions() -> None:
    finished: list[tuple[str, bool]] = []
    voice = RecordingVoice(VoiceSettings(), clock=lambda: 100.0)
    voice.voice_did_finish.connect(lambda text, interrupted: finished.append((text, interrupted)))
    voice.say_prompt("place_card", "请把身份证放在感应区")
    voice.say("读卡成功")  # the citizen moved on: the prompt is cut
    voice.finish_current()
    voice.say("请核对您的信息", interrupt=False)
    voice.stop()
    assert voice.said == ["请把身份证放在感应区", "读卡成功", "请核对您的信息"]
    assert voice.prompt_keys == ["place_card"]
    assert [r.interrupted for r in voice.records] == [True, False, True]
    assert finished == [("请把身份证放在感应区", True), ("读卡成功", False), ("请核对您的信息", True)]
    assert voice.records[0].at == 100.0


def test_repeat_volume_elder_language_and_reset() -> None:
    voice = RecordingVoice(VoiceSettings(volume=0.8, rate_wpm=170, elder_rate_wpm=130))
    voice.say_prompt("place_card", "请把身份证放在感应区")
    voice.repeat()
    assert voice.prompt_keys == ["place_card", "place_card"]
    assert voice.volume_up() == 0.9
    assert voice.volume_up() == 1.0
    assert voice.volume_up() == 1.0
    voice.set_elder(True)
    voice.set_language("en")
    voice.say("Please take your card")
    last = voice.records[-1]
    assert (last.volume, last.rate_wpm, last.language) == (1.0, 130, "en")
    for _ in range(12):
        voice.volume_down()
    assert voice.volume == 0.1  # the buttons never silence the kiosk
    voice.reset()
    assert (voice.volume, voice.rate_wpm, voice.language) == (0.8, 170, "zh_CN")
    voice.repeat()  # nothing of the previous citizen is said again
    assert voice.said[-1] == "Please take your card"
    assert len(voice.said) == 3


def test_refuses_full_numbers_like_the_real_voice() -> None:
    failures: list[str] = []
    voice = RecordingVoice()
    voice.voice_did_fail.connect(failures.append)
    voice.say("手机号13812345678")
    assert voice.said == []
    assert failures
    assert "13812345678" not in failures[0]


def test_make_voice_follows_the_config(tmp_path: Path) -> None:
    recorder = make_voice(VoiceConfig(engine="record", volume=0.6), tmp_path, "en")
    assert isinstance(recorder, RecordingVoice)
    assert recorder.volume == 0.6
    assert recorder.settings.language == "en"
    assert isinstance(make_voice(VoiceConfig(enabled=False), tmp_path, "zh_CN"), RecordingVoice)
    real = make_voice(VoiceConfig(rate_wpm=180), tmp_path, "zh_CN", player_command=["true"])
    try:
        assert isinstance(real, Pyttsx3Voice)
        assert real.rate_wpm == 180
    finally:
        real.close()


def test_the_voice_engine_needs_no_qt() -> None:
    # accessibility/ may use Qt, but the voice must run in a service with no display and no PySide6.
    script = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError(name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import accessibility.voice_factory, accessibility.voice_pyttsx3, accessibility.speech_text\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            check=False)
    assert result.stdout.strip() == "ok", result.stderr
