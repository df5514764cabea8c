"""The voice (语音播报) the screens speak through: one interface, whatever engine is behind it.

The UI calls a :class:`Voice` from the Qt main thread and never waits on it: every method returns at once and
the work happens on the voice's own threads. What happened comes back as plain callbacks
(``voice_did_start(text)``, ``voice_did_finish(text, interrupted)``, ``voice_did_fail(reason)``), which the UI
bridge queues onto the main thread. The ADA/508 kiosk rules ask for speech on every prompt, read-back of
input and errors, repeat, interrupt, and a volume control that goes back to the hall's level after each user;
those are the methods here.
"""

from __future__ import annotations

import abc
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from accessibility.speech_text import unmasked_kind
from devices.base import DeviceHealth, DeviceState, Observers

VoiceLanguage = Literal["zh_CN", "en"]

#: One press of 大声一点 / 小声一点 moves the volume by this much (linear amplitude, 0..1).
VOLUME_STEP = 0.1
#: The buttons stop here so a citizen cannot silence the kiosk by accident; ``volume = 0`` still works.
VOLUME_FLOOR = 0.1

#: espeak-ng voice for each UI language: Mandarin for Chinese, English otherwise.
VOICE_IDS: dict[str, str] = {"zh_CN": "cmn", "en": "en"}


def voice_id_for(language: str) -> str:
    """The espeak-ng voice name for a UI language; unknown languages fall back to Mandarin."""
    return VOICE_IDS.get(language, VOICE_IDS["zh_CN"])


@dataclass(frozen=True)
class Utterance:
    """One thing to be said: the text, the prompt key when it is a fixed prompt (固定提示语), when asked."""

    text: str
    key: str = ""
    asked_at: float = field(default_factory=time.monotonic)

    @property
    def is_prompt(self) -> bool:
        return bool(self.key)


@dataclass(frozen=True)
class VoiceSettings:
    """The hall's defaults (from ``[voice]`` in the config) that :meth:`Voice.reset` returns to."""

    volume: float = 0.8
    rate_wpm: int = 170
    elder_rate_wpm: int = 130
    language: VoiceLanguage = "zh_CN"


class Voice(abc.ABC):
    """Speech for every step; called from the Qt main thread, never blocks it."""

    def __init__(self, settings: VoiceSettings) -> None:
        self.settings = settings
        self.voice_did_start: Observers[[str]] = Observers()
        self.voice_did_finish: Observers[[str, bool]] = Observers()
        self.voice_did_fail: Observers[[str]] = Observers()
        self.voice_did_change_health: Observers[[DeviceHealth]] = Observers()
        self._health = DeviceHealth(DeviceState.OK, "")

    # -- speaking ------------------------------------------------------------------------------------------

    @abc.abstractmethod
    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Say dynamic text (read-back, an error). ``interrupt`` cuts what is playing; otherwise queue it."""

    @abc.abstractmethod
    def say_prompt(self, key: str, text: str) -> None:
        """Say a fixed prompt from the cache (synthesized once); always cuts what is playing."""

    @abc.abstractmethod
    def repeat(self) -> None:
        """再听一遍: say the last thing said again (prompt or read-back); nothing if nothing was said."""

    @abc.abstractmethod
    def stop(self) -> None:
        """Cut speech now and drop anything queued (the citizen moved on)."""

    @abc.abstractmethod
    def prepare(self, prompts: Iterable[tuple[str, str]]) -> None:
        """Synthesize fixed prompts ``(key, text)`` into the cache in the background, for instant start."""

    # -- settings ------------------------------------------------------------------------------------------

    @property
    @abc.abstractmethod
    def volume(self) -> float:
        """The playback volume, 0..1."""

    @volume.setter
    @abc.abstractmethod
    def volume(self, value: float) -> None: ...

    def volume_up(self) -> float:
        """大声一点: one step louder; returns the new volume."""
        self.volume = min(1.0, round(self.volume + VOLUME_STEP, 2))
        return self.volume

    def volume_down(self) -> float:
        """小声一点: one step quieter, not below :data:`VOLUME_FLOOR`; returns the new volume."""
        self.volume = max(VOLUME_FLOOR, round(self.volume - VOLUME_STEP, 2))
        return self.volume

    @abc.abstractmethod
    def set_elder(self, elder: bool) -> None:
        """长辈版: speak slower (``elder_rate_wpm``) while on."""

    @abc.abstractmethod
    def set_language(self, language: VoiceLanguage) -> None:
        """Follow the UI language: Mandarin for ``zh_CN``, English for ``en``."""

    @abc.abstractmethod
    def reset(self) -> None:
        """At wipe: volume, rate and language back to the hall defaults; forget what was last said."""

    @abc.abstractmethod
    def close(self) -> None:
        """Stop speaking and end the voice's threads; the voice is unusable afterwards."""

    # -- health --------------------------------------------------------------------------------------------

    @property
    def health(self) -> DeviceHealth:
        """ok / degraded (no sound, app runs on silently) / offline (no speech engine), with a reason."""
        return self._health

    def _speakable(self, text: str) -> bool:
        """Whether ``text`` may be spoken: not empty, and no full ID or phone number in it (privacy)."""
        if not text.strip():
            return False
        kind = unmasked_kind(text)
        if kind:
            # Never say it, and never put the number itself in the failure either.
            self.voice_did_fail.emit(f"refused to speak an unmasked {kind}; the screen must mask it first")
            return False
        return True

    def _set_health(self, state: DeviceState, reason: str = "") -> None:
        if (state, reason) == (self._health.state, self._health.reason):
            return
        self._health = DeviceHealth(state, reason)
        self.voice_did_change_health.emit(self._health)


def clamp_volume(value: float) -> float:
    """Volume kept inside 0..1 (a stray value from a slider must not overdrive the speaker)."""
    return min(1.0, max(0.0, float(value)))
