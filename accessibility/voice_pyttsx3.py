"""The hall's real voice: pyttsx3 + espeak-ng on a synthesis thread, a player process on a playback thread.

Two threads, so that speaking never waits behind background work and the Qt thread never waits at all:

* ``voice-synthesis`` owns the pyttsx3 engine (created there, used only there). It turns requests into
  samples, most urgent first: something to say now beats preparing the prompt cache.
* ``voice-playback`` plays one utterance at a time through a player process.

Every request carries the *generation* it was made in; ``stop()`` and any interrupting ``say`` start a new
generation and kill the playing process from the caller's thread (a signal, no waiting), so anything older
still in a queue is dropped instead of spoken.
"""

from __future__ import annotations

import itertools
import logging
import queue
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from accessibility.voice import Utterance, Voice, VoiceLanguage, VoiceSettings, clamp_volume, voice_id_for
from accessibility.voice_cache import PromptCache, PromptSound
from accessibility.voice_player import AudioOutputError, AudioSink, Pcm, Playback
from accessibility.voice_synth import Pyttsx3Synthesizer, SynthesisError, make_scratch_dir
from devices.base import DeviceState

log = logging.getLogger(__name__)

_QUIT, _SPEAK, _PREPARE = -1, 0, 1  # queue priorities: lower runs first; closing skips the backlog
#: Decoded prompts kept in memory so a cached prompt starts without reading the disk.
_MEMORY_PROMPTS = 48


@dataclass(frozen=True, order=True)
class _Job:
    priority: int
    seq: int
    utterance: Utterance | None = field(compare=False, default=None)
    sound: PromptSound | None = field(compare=False, default=None)
    generation: int = field(compare=False, default=0)
    #: Set once everything queued before this job has been made and played (see ``wait_idle``).
    marker: threading.Event | None = field(compare=False, default=None)


@dataclass(frozen=True)
class _Ready:
    utterance: Utterance
    pcm: Pcm
    generation: int


class Pyttsx3Voice(Voice):
    """Speech through pyttsx3's espeak driver (Mandarin ``cmn``, English ``en``), with a WAV prompt cache."""

    def __init__(
        self,
        settings: VoiceSettings,
        cache_dir: Path,
        *,
        player_command: Sequence[str] | None = None,
        player_env: Mapping[str, str] | None = None,
        check_audio: bool = True,
    ) -> None:
        super().__init__(settings)
        self.cache = PromptCache(cache_dir)
        self.sink = AudioSink(player_command, player_env)
        self._lock = threading.Lock()
        self._generation = 0
        self._seq = itertools.count()
        self._volume = clamp_volume(settings.volume)
        self._elder = False
        self._language: VoiceLanguage = settings.language
        self._last: Utterance | None = None
        self._playing: Playback | None = None
        self._memory: OrderedDict[str, Pcm] = OrderedDict()
        self._synth_problem = ""
        self._audio_problem = ""
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._ready: queue.Queue[_Ready | threading.Event | None] = queue.Queue()
        self._closed = False
        self._synth_thread = threading.Thread(
            target=self._synthesis_loop, name="voice-synthesis", daemon=True
        )
        self._play_thread = threading.Thread(
            target=self._playback_loop, args=(check_audio,), name="voice-playback", daemon=True
        )
        self._synth_thread.start()
        self._play_thread.start()

    # -- the UI's side (Qt main thread): record, enqueue, return -----------------------------------------

    @property
    def rate_wpm(self) -> int:
        return self.settings.elder_rate_wpm if self._elder else self.settings.rate_wpm

    @property
    def language(self) -> VoiceLanguage:
        return self._language

    def _sound(self, text: str, rate_wpm: int | None = None) -> PromptSound:
        language = self._language
        return PromptSound(language, voice_id_for(language), rate_wpm or self.rate_wpm, text)

    def _enqueue(self, utterance: Utterance, *, interrupt: bool) -> None:
        if self._closed or not self._speakable(utterance.text):
            return
        with self._lock:
            if interrupt:
                self._cut_locked()
            self._last = utterance
            generation = self._generation
        job = _Job(_SPEAK, next(self._seq), utterance, self._sound(utterance.text), generation)
        self._jobs.put(job)

    def _cut_locked(self) -> None:
        self._generation += 1
        if self._playing is not None:
            self._playing.cut()

    def say(self, text: str, *, interrupt: bool = True) -> None:
        self._enqueue(Utterance(text), interrupt=interrupt)

    def say_prompt(self, key: str, text: str) -> None:
        self._enqueue(Utterance(text, key=key), interrupt=True)

    def repeat(self) -> None:
        last = self._last
        if last is not None:
            self._enqueue(Utterance(last.text, key=last.key), interrupt=True)

    def stop(self) -> None:
        with self._lock:
            self._cut_locked()

    def prepare(self, prompts: Iterable[tuple[str, str]]) -> None:
        # Both rates, so that switching to 长辈版 mid-session is as instant as the standard voice.
        rates = dict.fromkeys((self.settings.rate_wpm, self.settings.elder_rate_wpm))
        for _key, text in prompts:
            if text.strip():
                for rate in rates:
                    self._jobs.put(_Job(_PREPARE, next(self._seq), sound=self._sound(text, rate)))

    @property
    def volume(self) -> float:
        return self._volume

    @volume.setter
    def volume(self, value: float) -> None:
        self._volume = clamp_volume(value)  # applies from the next utterance

    def set_elder(self, elder: bool) -> None:
        self._elder = bool(elder)

    def set_language(self, language: VoiceLanguage) -> None:
        self._language = language

    def reset(self) -> None:
        self._volume = clamp_volume(self.settings.volume)
        self._elder = False
        self._language = self.settings.language
        with self._lock:
            self._last = None  # the next citizen's 再听一遍 must not hear this one's read-back

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.stop()
        self._jobs.put(_Job(_QUIT, next(self._seq)))
        self._synth_thread.join(timeout=5)
        self._play_thread.join(timeout=5)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every request so far (prepare included) is made and played; not for the Qt thread.

        For tests, the benchmark and ``kiosk doctor``; ``False`` when ``timeout`` ran out first.
        """
        if self._closed:
            return True
        done = threading.Event()
        self._jobs.put(_Job(_PREPARE, next(self._seq), marker=done))
        return done.wait(timeout)

    # -- synthesis thread ---------------------------------------------------------------------------------

    def _synthesis_loop(self) -> None:
        synthesizer = Pyttsx3Synthesizer()  # created here: pyttsx3 is only ever used on this thread
        scratch = make_scratch_dir()
        try:
            self._serve_jobs(synthesizer, scratch)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            self._ready.put(None)

    def _serve_jobs(self, synthesizer: Pyttsx3Synthesizer, scratch: Path) -> None:
        while True:
            job = self._jobs.get()
            if job.priority == _QUIT:
                return
            if job.marker is not None:
                self._ready.put(job.marker)
                continue
            try:
                if job.priority == _PREPARE and job.sound is not None:
                    self._prompt_pcm(synthesizer, job.sound)
                elif job.utterance is not None and job.sound is not None:
                    if job.generation != self._generation:
                        continue  # cut before it was made
                    pcm = self._pcm_for(synthesizer, job.utterance, job.sound, scratch)
                    self._ready.put(_Ready(job.utterance, pcm, job.generation))
                self._synth_problem = ""
                self._refresh_health()
            except (SynthesisError, AudioOutputError, OSError) as exc:
                self._synth_problem = f"speech synthesis failed: {exc}"
                self._refresh_health()
                self.voice_did_fail.emit(self._synth_problem)
            except Exception as exc:  # a bug must not end the voice for the rest of the day
                log.exception("voice synthesis job failed")
                self.voice_did_fail.emit(f"speech synthesis failed: {exc!r}")

    def _pcm_for(self, synthesizer: Pyttsx3Synthesizer, utterance: Utterance, sound: PromptSound,
                 scratch: Path) -> Pcm:
        if utterance.is_prompt:
            return self._prompt_pcm(synthesizer, sound)
        # Dynamic text may carry personal data: it lives in RAM scratch for milliseconds, never in the cache.
        into = scratch / f"say-{next(self._seq)}.wav"
        return Pcm.from_wav(synthesizer.synthesize(sound.text, sound.voice, sound.rate_wpm, into))

    def _prompt_pcm(self, synthesizer: Pyttsx3Synthesizer, sound: PromptSound) -> Pcm:
        digest = self.cache.path_for(sound).name
        pcm = self._memory.get(digest)
        if pcm is not None:
            self._memory.move_to_end(digest)
            return pcm
        path = self.cache.lookup(sound)
        if path is not None:
            pcm = Pcm.from_wav(path.read_bytes())
        else:
            wav = synthesizer.synthesize(sound.text, sound.voice, sound.rate_wpm, self.cache.temp_path())
            self.cache.store(sound, wav)
            pcm = Pcm.from_wav(wav)
        self._memory[digest] = pcm
        while len(self._memory) > _MEMORY_PROMPTS:
            self._memory.popitem(last=False)
        return pcm

    # -- playback thread ----------------------------------------------------------------------------------

    def _playback_loop(self, check_audio: bool) -> None:
        if check_audio:
            # A tenth of a second of silence tells the technician at start-up whether there is sound at all.
            self._play_one(_Ready(Utterance(""), Pcm(22050, 1, bytes(4410)), self._generation), quiet=True)
        while True:
            ready = self._ready.get()
            if ready is None:
                return
            if isinstance(ready, threading.Event):
                ready.set()
                continue
            if ready.generation != self._generation:
                continue  # cut while it was waiting
            try:
                self._play_one(ready)
            except Exception as exc:  # a bug must not leave the kiosk mute for the rest of the day
                log.exception("voice playback failed")
                with self._lock:
                    self._playing = None
                self.voice_did_fail.emit(f"speech playback failed: {exc!r}")

    def _play_one(self, ready: _Ready, *, quiet: bool = False) -> None:
        text = ready.utterance.text
        try:
            playback = self.sink.start(ready.pcm.rate, ready.pcm.channels)
        except AudioOutputError as exc:
            self._audio_failed(str(exc))
            return
        with self._lock:
            stale = ready.generation != self._generation
            self._playing = playback
        if stale:
            playback.cut()
        if not quiet:
            self.voice_did_start.emit(text)
        result = playback.feed(ready.pcm.scaled(self._volume), ready.pcm.duration_s)
        with self._lock:
            self._playing = None
        if result.error:
            self._audio_failed(result.error)
        elif result.completed:
            self._audio_problem = ""
            self._refresh_health()
        if not quiet:
            self.voice_did_finish.emit(text, not result.completed)

    def _audio_failed(self, reason: str) -> None:
        log.warning("voice: %s", reason)
        self._audio_problem = reason
        self._refresh_health()
        self.voice_did_fail.emit(reason)

    def _refresh_health(self) -> None:
        if self._synth_problem:
            self._set_health(DeviceState.OFFLINE, self._synth_problem)
        elif self._audio_problem:
            self._set_health(DeviceState.DEGRADED, f"silent: {self._audio_problem}")
        else:
            self._set_health(DeviceState.OK, "")
