"""The prompt cache holds real Mandarin speech: checked with sox, compared with espeak-ng itself."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from accessibility.voice import VoiceSettings
from accessibility.voice_cache import PromptSound
from accessibility.voice_pyttsx3 import Pyttsx3Voice

PROMPTS = [
    ("hello", "您好"),
    ("place_card", "请把身份证放在感应区"),
    ("choose_service", "请在屏幕上选择您要办理的业务，需要帮助请按呼叫按钮"),
]


def soxi(path: Path, flag: str) -> float:
    return float(subprocess.run(["sox", "--i", flag, str(path)], capture_output=True, text=True,
                                check=True).stdout.strip())


def rms(path: Path) -> float:
    result = subprocess.run(["sox", str(path), "-n", "stat"], capture_output=True, text=True, check=True)
    line = next(line for line in result.stderr.splitlines() if line.startswith("RMS     amplitude"))
    return float(line.split(":")[1])


@pytest.fixture
def voice(tmp_path: Path) -> Iterator[Pyttsx3Voice]:
    # No sound card here: the player is a process that swallows the samples (what cannot exist is faked).
    sink = [sys.executable, "-c", "import sys; sys.stdin.buffer.read()"]
    voice = Pyttsx3Voice(VoiceSettings(), tmp_path / "cache", player_command=sink, check_audio=False)
    yield voice
    voice.close()


def test_prepared_prompts_are_cached_as_mandarin_speech_of_plausible_length(
    voice: Pyttsx3Voice, tmp_path: Path
) -> None:
    voice.prepare(PROMPTS)
    assert voice.wait_idle(30)
    durations = []
    for _key, text in PROMPTS:
        path = voice.cache.lookup(PromptSound("zh_CN", "cmn", 170, text))
        assert path is not None, text
        assert soxi(path, "-r") == 22050
        assert soxi(path, "-c") == 1
        duration = soxi(path, "-D")
        assert 0.15 * len(text) + 0.3 < duration < 0.6 * len(text) + 1.5, (text, duration)
        assert rms(path) > 0.02, "silence instead of speech"
        durations.append(duration)
        # The same text through espeak-ng's own Mandarin voice lasts as long: it is that voice speaking
        # (the English voice reads each character as "Chinese letter", several times longer).
        reference = tmp_path / "reference.wav"
        subprocess.run(["espeak-ng", "-v", "cmn", "-s", "170", "-w", str(reference), text], check=True)
        assert abs(duration - soxi(reference, "-D")) < 0.05 * duration
    assert durations == sorted(durations), "longer prompts must take longer to say"


def test_elder_rate_prompt_is_slower(voice: Pyttsx3Voice) -> None:
    text = "请把身份证放在感应区"
    voice.prepare([("place_card", text)])  # both the standard and the 长辈版 rate
    assert voice.wait_idle(30)
    standard = voice.cache.lookup(PromptSound("zh_CN", "cmn", 170, text))
    elder = voice.cache.lookup(PromptSound("zh_CN", "cmn", 130, text))
    assert standard is not None
    assert elder is not None
    assert soxi(elder, "-D") > 1.15 * soxi(standard, "-D")


def test_english_prompts_use_the_english_voice(voice: Pyttsx3Voice) -> None:
    voice.set_language("en")
    voice.prepare([("place_card", "Please place your ID card on the reader")])
    assert voice.wait_idle(30)
    path = voice.cache.lookup(PromptSound("en", "en", 170, "Please place your ID card on the reader"))
    assert path is not None
    assert 1.0 < soxi(path, "-D") < 5.0


def test_a_cached_prompt_is_not_made_again(voice: Pyttsx3Voice, tmp_path: Path) -> None:
    voice.prepare(PROMPTS[:1])
    assert voice.wait_idle(30)
    path = voice.cache.lookup(PromptSound("zh_CN", "cmn", 170, PROMPTS[0][1]))
    assert path is not None
    made = path.stat().st_mtime_ns
    again = Pyttsx3Voice(VoiceSettings(), tmp_path / "cache", player_command=voice.sink.command,
                         check_audio=False)
    try:
        again.say_prompt(*PROMPTS[0])
        assert again.wait_idle(30)
    finally:
        again.close()
    assert path.stat().st_mtime_ns == made


def test_dynamic_text_never_reaches_the_cache(voice: Pyttsx3Voice) -> None:
    voice.say("您的手机号码是一三八，隐去四位，五六七八")
    assert voice.wait_idle(30)
    assert not voice.cache.folder.exists() or not any(voice.cache.folder.iterdir())


def test_voice_and_rate_changes_apply_to_the_very_next_utterance(voice: Pyttsx3Voice, tmp_path: Path) -> None:
    # pyttsx3's own property queue applies changes late; each file must match espeak-ng at its settings.
    zh, en = "请把身份证放在感应区", "Please place your card"
    steps = [("zh_CN", False, zh), ("zh_CN", True, zh), ("en", True, en), ("en", False, en), ("zh_CN", True, zh)]
    for language, elder, text in steps:
        voice.set_language(language)  # type: ignore[arg-type]
        voice.set_elder(elder)
        voice.prepare([("p", text)])
    assert voice.wait_idle(30)
    for language, elder, text in steps:
        voice_id, rate = ("cmn" if language == "zh_CN" else "en"), (130 if elder else 170)
        path = voice.cache.lookup(PromptSound(language, voice_id, rate, text))
        assert path is not None
        reference = tmp_path / "reference.wav"
        subprocess.run(["espeak-ng", "-v", voice_id, "-s", str(rate), "-w", str(reference), text], check=True)
        assert abs(soxi(path, "-D") - soxi(reference, "-D")) < 0.1, (language, elder)
