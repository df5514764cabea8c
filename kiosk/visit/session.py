"""One citizen's visit: what they entered, who they are, and the temporary files made for them.

:func:`Session.wipe` is the one place a visit is forgotten: every answer and identity dropped, every temp file
(photos, scans, signatures) deleted. The shell calls it on session end and on idle expiry.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from kiosk.visit.identity import age_on


@dataclass(frozen=True)
class Applicant:
    """The person the matter is for, as the ID card (二代证) or a QR code identified them."""

    name: str
    id_number: str
    gender: str = ""
    birth_date: date | None = None
    address: str = ""
    source: str = "id_card"  # "id_card" | "qr" | "staff"

    def age_on(self, day: date) -> int | None:
        return None if self.birth_date is None else age_on(self.birth_date, day)


@dataclass(frozen=True)
class Answer:
    """One field's value as stored (text, or a temp file for a photo, scan or signature)."""

    value: str
    display: str
    file: Path | None = None
    prefilled: bool = False


@dataclass
class Session:
    temp_root: Path | None = None
    started_at: float = field(default_factory=time.time)
    applicant: Applicant | None = None
    answers: dict[str, Answer] = field(default_factory=dict)
    _temp_dir: Path | None = None

    def clear_leftovers(self) -> int:
        """At start-up: delete session folders a crash or power cut left behind (a visit's photos and scans
        must not outlive it). Returns how many were removed."""
        if self.temp_root is None:
            return 0
        self.temp_root.mkdir(parents=True, exist_ok=True)
        removed = 0
        for folder in self.temp_root.glob("kiosk-session-*"):
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
        return removed

    def temp_dir(self) -> Path:
        """A private folder for this visit's files, created on first use, deleted by :meth:`wipe`."""
        if self._temp_dir is None:
            if self.temp_root is not None:
                self.temp_root.mkdir(parents=True, exist_ok=True)
            self._temp_dir = Path(tempfile.mkdtemp(prefix="kiosk-session-", dir=self.temp_root))
        return self._temp_dir

    def wipe(self) -> None:
        self.applicant = None
        self.answers.clear()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
            self._temp_dir = None
        self.started_at = time.time()
