"""Making the terminal's voice from its config: the real one, or the recorder (tests, silent halls)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from accessibility.voice import Voice, VoiceLanguage, VoiceSettings
from accessibility.voice_recording import RecordingVoice
from kiosk.config import VoiceConfig


def settings_from(config: VoiceConfig, language: VoiceLanguage) -> VoiceSettings:
    """The hall defaults from ``[voice]``; ``language`` is the UI language at start-up."""
    return VoiceSettings(
        volume=config.volume,
        rate_wpm=config.rate_wpm,
        elder_rate_wpm=config.elder_rate_wpm,
        language=language,
    )


def make_voice(
    config: VoiceConfig,
    cache_dir: Path,
    language: str,
    *,
    player_command: Sequence[str] | None = None,
    player_env: Mapping[str, str] | None = None,
) -> Voice:
    """The voice ``[voice]`` asks for. ``enabled = false`` or ``engine = "record"`` give a silent recorder.

    ``player_command`` overrides the player (``aplay`` / ``paplay`` / ``play`` found on the PATH); it may use
    ``{rate}`` and ``{channels}`` and must read raw signed 16-bit little-endian samples on stdin.
    """
    lang: VoiceLanguage = "en" if language == "en" else "zh_CN"
    settings = settings_from(config, lang)
    if not config.enabled or config.engine == "record":
        return RecordingVoice(settings)
    from accessibility.voice_pyttsx3 import Pyttsx3Voice  # pyttsx3 and libespeak-ng load only when speaking

    return Pyttsx3Voice(settings, cache_dir, player_command=player_command, player_env=player_env)
