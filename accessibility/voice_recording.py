"""A voice that keeps what would have been said (录音式语音): for tests and for halls that want silence.

It makes no sound and has no threads: every call is recorded at once, in order, so a UI test can assert
"the review screen said its prompt, then read the phone number back masked". An utterance counts as playing
until something replaces it: an interrupting ``say``, ``say_prompt``, ``repeat``, ``stop``, ``reset`` or
``close`` marks it interrupted (and fires ``voice_did_finish(text, True)``); :meth:`finish_current` lets a
test say "the audio ran out" (``voice_did_finish(text, False)``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from accessibility.voice import Voice, VoiceLanguage, VoiceSettings, clamp_volume


@dataclass(frozen=True)
class SpokenRecord:
    """One thing said: text, prompt key (empty for dynamic text), when, at what settings, and how it ended."""

    text: str
    key: str
    at: float
    volume: float
    rate_wpm: int
    language: str
    interrupted: bool = False
    finished: bool = False


class RecordingVoice(Voice):
    """Records instead of speaking; the same interface and events as the real voice."""

    def __init__(self, settings: VoiceSettings | None = None, clock: Callable[[], float] = time.time) -> None:
        super().__init__(settings or VoiceSettings())
        self._clock = clock
        self.records: list[SpokenRecord] = []
        self.prepared: list[tuple[str, str]] = []
        self._volume = clamp_volume(self.settings.volume)
        self.elder = False
        self.language: VoiceLanguage = self.settings.language
        self._last: tuple[str, str] | None = None
        self.closed = False

    # -- what tests read ------------------------------------------------------------------------------------

    @property
    def said(self) -> list[str]:
        """The texts said so far, in order."""
        return [record.text for record in self.records]

    @property
    def prompt_keys(self) -> list[str]:
        """The keys of the fixed prompts said so far, in order."""
        return [record.key for record in self.records if record.key]

    @property
    def rate_wpm(self) -> int:
        return self.settings.elder_rate_wpm if self.elder else self.settings.rate_wpm

    def finish_current(self) -> None:
        """The playing utterance ran to its end."""
        self._end_current(interrupted=False)

    # -- the Voice interface --------------------------------------------------------------------------------

    def _end_current(self, *, interrupted: bool) -> None:
        if self.records and not self.records[-1].finished:
            ended = replace(self.records[-1], interrupted=interrupted, finished=True)
            self.records[-1] = ended
            self.voice_did_finish.emit(ended.text, interrupted)

    def _speak(self, text: str, key: str, *, interrupt: bool) -> None:
        if self.closed or not self._speakable(text):
            return
        if interrupt:
            self._end_current(interrupted=True)
        else:
            self._end_current(interrupted=False)  # a queued utterance starts after the current one ends
        self.records.append(
            SpokenRecord(text, key, self._clock(), self._volume, self.rate_wpm, self.language)
        )
        self._last = (text, key)
        self.voice_did_start.emit(text)

    def say(self, text: str, *, interrupt: bool = True) -> None:
        self._speak(text, "", interrupt=interrupt)

    def say_prompt(self, key: str, text: str) -> None:
        self._speak(text, key, interrupt=True)

    def repeat(self) -> None:
        if self._last is not None:
            text, key = self._last
            self._speak(text, key, interrupt=True)

    def stop(self) -> None:
        self._end_current(interrupted=True)

    def prepare(self, prompts: Iterable[tuple[str, str]]) -> None:
        self.prepared.extend(prompts)

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = clamp_volume(value)

    def set_elder(self, elder: bool) -> None:
        self.elder = bool(elder)

    def set_language(self, language: VoiceLanguage) -> None:
        self.language = language

    def reset(self) -> None:
        self._end_current(interrupted=True)
        self._volume = clamp_volume(self.settings.volume)
        self.elder = False
        self.language = self.settings.language
        self._last = None

    def close(self) -> None:
        self._end_current(interrupted=True)
        self.closed = True
