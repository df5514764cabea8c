"""Text → WAV through pyttsx3's espeak driver (espeak-ng's Mandarin voice ``cmn``, English ``en``).

pyttsx3 2.99 drives libespeak-ng through ctypes in *retrieval* mode: ``espeak_Synth`` returns before the
sound is made, the samples arrive on espeak's own thread, and the driver writes the file when espeak says the
message ended. ``runAndWait`` can return before that, and a second ``save_to_file`` queued meanwhile
steals the first one's file name (pyttsx3 issues #170, #194; voicebox #8). So each file is made alone: set
voice and rate, ``save_to_file``, ``runAndWait``, then wait for the *completed* ``finished-utterance`` before
the next one. Done that way the WAV matches ``espeak-ng -w`` (the first byte for byte, later ones to within
a few samples). libespeak-ng initialises once per process and its callback is process-wide, hence one lock
for every synthesizer in the process.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

#: libespeak-ng is one per process (one init, one synth callback): every synthesis takes this lock.
_ESPEAK_LOCK = threading.Lock()
#: Longest wait for espeak to finish one text; a sentence takes tens of milliseconds.
_SYNTH_TIMEOUT_S = 5.0


class SynthesisError(Exception):
    """Speech could not be made; ``str(self)`` tells the technician what to check."""


def _driver_print(*args: object, **_kwargs: object) -> None:
    log.debug("pyttsx3 espeak driver: %s", " ".join(str(arg) for arg in args))


def _silence_driver_prints() -> None:
    # The espeak driver print()s "Audio saved to <file>" for every file, which would corrupt the JSON that
    # `kiosk doctor --json` writes to stdout. A module-level `print` in the driver shadows the builtin for
    # that module alone; swapping sys.stdout instead would race with every other thread that writes.
    from pyttsx3.drivers import espeak

    espeak.print = _driver_print


def make_scratch_dir() -> Path:
    """A private folder (0700) for dynamic text's WAV during synthesis: in RAM (``/dev/shm``) when there.

    Dynamic text can carry personal data, so it should not reach a disk even for the milliseconds pyttsx3
    needs a file; the caller removes the folder when the voice closes.
    """
    for parent in (Path("/dev/shm"), None):  # noqa: S108 - a private mkdtemp folder inside it, not a fixed name
        with contextlib.suppress(OSError):
            return Path(tempfile.mkdtemp(prefix="kiosk-voice-", dir=parent))
    return Path(tempfile.mkdtemp(prefix="kiosk-voice-"))


def wav_frames(data: bytes) -> int:
    """How many sample frames a WAV holds (0 when it is not a readable WAV)."""
    try:
        with wave.open(io.BytesIO(data), "rb") as reader:
            return reader.getnframes()
    except (wave.Error, EOFError):
        return 0


class Pyttsx3Synthesizer:
    """Makes WAV bytes from text; created and used on one thread (the voice's synthesis thread)."""

    def __init__(self) -> None:
        self._engine: Any = None
        self._owner = threading.get_ident()
        self._finished = threading.Event()

    def _ensure_engine(self) -> Any:
        assert threading.get_ident() == self._owner, "pyttsx3 used off the voice's synthesis thread"
        if self._engine is None:
            try:
                import pyttsx3

                self._engine = pyttsx3.init("espeak")
                _silence_driver_prints()
            except Exception as exc:  # ImportError, OSError (no libespeak-ng), RuntimeError (init failed)
                raise SynthesisError(
                    f"speech engine unavailable ({exc}); check that espeak-ng and libespeak-ng1 are installed"
                ) from exc
        return self._engine

    def _on_finished(self, name: object = None, completed: bool = True) -> None:
        # The driver's own end-of-loop cancel reports a second, incomplete "finish" after the real one;
        # only the completed one means the file is written.
        if completed:
            self._finished.set()

    @staticmethod
    def _apply(engine: Any, voice: str, rate_wpm: int) -> None:
        # Straight to the driver, and only once espeak is idle. Engine.setProperty goes through pyttsx3's
        # command queue, which holds it while the driver counts as busy and empties it at end-of-loop; and
        # in retrieval mode espeak queues a rate change behind earlier work, where the driver's end-of-loop
        # espeak_Cancel() throws it away. Either way the new rate or voice came out one utterance late or
        # never (measured: the elder-rate prompt had the standard length).
        from pyttsx3.drivers import _espeak

        driver = engine.proxy._driver
        deadline = time.monotonic() + 2.0
        while _espeak.IsPlaying() and time.monotonic() < deadline:
            time.sleep(0.002)
        driver.setProperty("voice", voice)
        driver.setProperty("rate", rate_wpm)
        now_voice, now_rate = "", 0
        while time.monotonic() < deadline:
            now_voice, now_rate = driver.getProperty("voice") or "", driver.getProperty("rate")
            if now_rate == rate_wpm and now_voice.rsplit("/", 1)[-1] == voice and not _espeak.IsPlaying():
                return  # applied, and espeak idle again, so the driver's end-of-loop cancel has nothing to hit
            time.sleep(0.002)
        raise SynthesisError(
            f"espeak-ng kept voice '{now_voice}' at {now_rate} wpm instead of '{voice}' at {rate_wpm}; "
            "check the espeak-ng voice data is installed"
        )

    def synthesize(self, text: str, voice: str, rate_wpm: int, into: Path) -> bytes:
        """Speak ``text`` with espeak-ng voice ``voice`` at ``rate_wpm`` into the file ``into``; its bytes."""
        if not text.strip():
            raise SynthesisError("nothing to say (empty text)")
        with _ESPEAK_LOCK:
            engine = self._ensure_engine()
            token = engine.connect("finished-utterance", self._on_finished)
            try:
                for attempt in (1, 2, 3):
                    self._finished.clear()
                    into.unlink(missing_ok=True)
                    self._apply(engine, voice, rate_wpm)
                    engine.save_to_file(text, str(into))
                    engine.runAndWait()
                    done = self._finished.wait(_SYNTH_TIMEOUT_S)
                    data = into.read_bytes() if into.exists() else b""
                    if done and wav_frames(data) > 0:
                        return data
                    # Seen rarely under load (an early end-of-message after the driver's own cancel): the
                    # retry makes it properly; only all attempts failing is a real fault.
                    log.info(
                        "espeak attempt %d: no sound for %d chars (finished=%s, %d bytes); retrying",
                        attempt, len(text), done, len(data),
                    )
            except SynthesisError:
                raise
            except Exception as exc:  # the driver raises bare RuntimeError/ValueError/OSError
                raise SynthesisError(f"espeak-ng failed ({exc}); check voice '{voice}' is installed") from exc
            finally:
                engine.disconnect(token)
                into.unlink(missing_ok=True)
        raise SynthesisError(f"espeak-ng made no sound for voice '{voice}'; run 'espeak-ng -v {voice} test'")
