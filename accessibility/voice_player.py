"""Getting speech to the speaker (扬声器): samples scaled to the volume, piped into a player process.

A player process per utterance (``aplay``, ``paplay`` or sox's ``play``, reading raw 16-bit samples on stdin)
is the most robust choice for a kiosk with no display: it needs no Qt multimedia backend, starts in a few
milliseconds, and is cut at once by killing it. Volume is applied by scaling the samples before they are
written, so every player behaves the same and the level heard is the level we set. No player, or no sound
card, is not a crash: the player exits non-zero and the voice reports it (the app runs on silently).
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import wave
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Known players, in order of preference, each reading raw s16le samples from stdin.
KNOWN_PLAYERS: tuple[tuple[str, ...], ...] = (
    ("aplay", "-q", "-t", "raw", "-f", "S16_LE", "-r", "{rate}", "-c", "{channels}", "-"),
    ("paplay", "--raw", "--format=s16le", "--rate={rate}", "--channels={channels}"),
    ("play", "-q", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "{rate}", "-c", "{channels}", "-"),
)


class AudioOutputError(Exception):
    """No sound can be played; ``str(self)`` names what the technician should check."""


@dataclass(frozen=True)
class Pcm:
    """Speech as raw signed 16-bit little-endian samples."""

    rate: int
    channels: int
    samples: bytes

    @property
    def duration_s(self) -> float:
        return len(self.samples) / (2 * self.channels * self.rate) if self.rate else 0.0

    @classmethod
    def from_wav(cls, data: bytes) -> Pcm:
        try:
            with wave.open(io.BytesIO(data), "rb") as reader:
                if reader.getsampwidth() != 2:
                    raise AudioOutputError(f"speech WAV has {8 * reader.getsampwidth()}-bit samples, not 16")
                frames = reader.readframes(reader.getnframes())
                return cls(reader.getframerate(), reader.getnchannels(), frames)
        except (wave.Error, EOFError) as exc:
            raise AudioOutputError(f"speech WAV unreadable ({exc}); clear the voice cache folder") from exc

    def scaled(self, volume: float) -> bytes:
        """The samples at ``volume`` (0..1 linear amplitude); 1.0 is the synthesizer's own level."""
        if volume >= 0.999:
            return self.samples
        samples = np.frombuffer(self.samples, dtype="<i2").astype(np.float32)
        samples *= max(0.0, volume)
        return np.clip(samples, -32768, 32767).astype("<i2").tobytes()


def default_player_command() -> tuple[str, ...]:
    """The first installed known player (``aplay`` first); ``aplay`` when none is, which then reports why."""
    for command in KNOWN_PLAYERS:
        if shutil.which(command[0]):
            return command
    return KNOWN_PLAYERS[0]


@dataclass(frozen=True)
class PlaybackResult:
    """How one playback ended: to the end, cut by an interrupt, or failed (``error`` says why)."""

    completed: bool
    interrupted: bool = False
    error: str = ""


class Playback:
    """One running player process; :meth:`cut` may be called from any thread, at any time, more than once."""

    def __init__(self, process: subprocess.Popen[bytes], errors: io.BufferedRandom, name: str) -> None:
        self.process = process
        self._errors = errors
        self._name = name
        self._cut = threading.Event()

    @property
    def was_cut(self) -> bool:
        return self._cut.is_set()

    def cut(self) -> None:
        """Stop the sound now: SIGKILL, because a player draining its buffer would keep talking."""
        self._cut.set()
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # it ended on its own between poll and kill
                self.process.send_signal(signal.SIGKILL)

    def feed(self, samples: bytes, duration_s: float) -> PlaybackResult:
        """Write all samples (blocks at the speaker's pace), let the player drain, report how it ended."""
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(samples)
        except OSError:
            pass  # BrokenPipe: the player died or was cut; its exit status says which
        finally:
            with contextlib.suppress(OSError):
                stdin.close()  # closes the pipe even when the final flush hits a dead player
        try:
            code = self.process.wait(timeout=duration_s + 10.0)
        except subprocess.TimeoutExpired:
            self.cut()
            code = self.process.wait()
            return self._ended(code, hung=True)
        return self._ended(code)

    def _ended(self, code: int, *, hung: bool = False) -> PlaybackResult:
        try:
            if self.was_cut and not hung:
                return PlaybackResult(completed=False, interrupted=True)
            if code == 0:
                return PlaybackResult(completed=True)
            self._errors.seek(0)
            detail = self._errors.read()[-300:].decode("utf-8", "replace").strip().splitlines()
            why = "hung" if hung else f"exit {code}"
            last = detail[-1] if detail else "no message"
            return PlaybackResult(
                completed=False,
                error=f"audio output failed ({self._name} {why}: {last}); check the speaker and sound card",
            )
        finally:
            self._errors.close()


class AudioSink:
    """Starts a player process per utterance from a command template (``{rate}``, ``{channels}``)."""

    def __init__(self, command: Sequence[str] | None = None, env: Mapping[str, str] | None = None) -> None:
        self.command = tuple(command) if command else default_player_command()
        self.env = dict(env) if env is not None else None

    def start(self, rate: int, channels: int) -> Playback:
        """Start the player for this format; :class:`AudioOutputError` when it cannot even start."""
        argv = [part.replace("{rate}", str(rate)).replace("{channels}", str(channels)) for part in self.command]
        env = {**os.environ, **self.env} if self.env is not None else None
        errors = tempfile.TemporaryFile()  # noqa: SIM115 - handed to the Playback, closed when it ends
        try:
            process = subprocess.Popen(  # noqa: S603 - argv is a known player or the technician's own command
                argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env
            )
        except OSError as exc:
            errors.close()
            raise AudioOutputError(
                f"audio player '{argv[0]}' cannot start ({exc.strerror or exc}); "
                "install alsa-utils or sox, or fix the player command"
            ) from exc
        return Playback(process, errors, Path(argv[0]).name)
