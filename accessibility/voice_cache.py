"""The prompt cache (提示语缓存): fixed prompts synthesized once, kept as WAV files, played from disk.

A prompt's file is named by a hash of everything that changes its sound (language, voice, rate, text), so a
new rate or a reworded prompt simply misses and is made again; stale files are harmless. Only fixed prompts
go here: dynamic text (read-back of masked numbers, names) is never written to disk.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: Bumped when the synthesis pipeline changes in a way the key does not capture.
CACHE_FORMAT = "1"


@dataclass(frozen=True)
class PromptSound:
    """What makes one cached prompt sound the way it does."""

    language: str
    voice: str
    rate_wpm: int
    text: str

    @property
    def digest(self) -> str:
        material = "\x1f".join((CACHE_FORMAT, self.language, self.voice, str(self.rate_wpm), self.text))
        return hashlib.sha256(material.encode("utf-8")).hexdigest()[:32]


class PromptCache:
    """WAV files under one folder, one per :class:`PromptSound`; writes are atomic (temp file + rename)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, sound: PromptSound) -> Path:
        return self.folder / f"{sound.language}-{sound.voice}-{sound.rate_wpm}-{sound.digest}.wav"

    def lookup(self, sound: PromptSound) -> Path | None:
        """The cached WAV for ``sound``, or ``None`` when it has not been made (or is empty)."""
        path = self.path_for(sound)
        try:
            return path if path.stat().st_size > 44 else None
        except OSError:
            return None

    def store(self, sound: PromptSound, wav: bytes) -> Path:
        """Write ``wav`` for ``sound`` so that a reader never sees half a file."""
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.path_for(sound)
        fd, temp = tempfile.mkstemp(prefix=".part-", suffix=".wav", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(wav)
            Path(temp).replace(path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        return path

    def temp_path(self) -> Path:
        """A fresh path inside the cache folder for a synthesizer to write into (then :meth:`store`)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".synth-", suffix=".wav", dir=self.folder)
        os.close(fd)
        return Path(temp)
