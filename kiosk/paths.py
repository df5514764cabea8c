"""Every file and folder of a terminal's data, named once.

``kiosk run`` and ``kiosk run --demo`` keep their data apart (``<data>/terminal`` and ``<data>/demo``), and every
command that reads or moves that data — ``kiosk queue …`` above all — opens the same folder through this object,
so the technician's queue is the queue the kiosk writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TerminalPaths:
    """The data folder of one running mode of a terminal (``terminal`` for a hall, ``demo`` for the demo)."""

    root: Path

    @classmethod
    def of(cls, data_path: Path, *, demo: bool) -> TerminalPaths:
        return cls(data_path / ("demo" if demo else "terminal"))

    def ensure(self) -> TerminalPaths:
        self.root.mkdir(parents=True, exist_ok=True)
        return self

    @property
    def outbox(self) -> Path:
        """The sealed outbox (待发送队列) folder: its database and attachments."""
        return self.root / "outbox"

    @property
    def journal(self) -> Path:
        """The print journal (打印日志)."""
        return self.root / "receipt-journal.sqlite3"

    @property
    def ratings(self) -> Path:
        return self.root / "ratings.sqlite3"

    @property
    def tickets(self) -> Path:
        return self.root / "tickets.sqlite3"

    @property
    def audit(self) -> Path:
        """The audit log (审计日志): one signed, append-only record per action, in its own file."""
        return self.root / "audit.sqlite3"

    @property
    def audit_anchor(self) -> Path:
        """The last audit checkpoint the platform cosigned, kept apart from the log it anchors."""
        return self.root / "audit-anchor.txt"

    @property
    def audit_key(self) -> Path:
        """The terminal's audit key (Ed25519 seed; owner-only), made on first use."""
        return self.root / "audit-key"

    @property
    def catalog(self) -> Path:
        """The last good service catalog from the platform."""
        return self.root / "catalog.json"

    @property
    def voice_cache(self) -> Path:
        return self.root / "voice-cache"

    @property
    def visits(self) -> Path:
        """Each visit's temporary files (scans, photos, the signature); emptied at every wipe."""
        return self.root / "sessions"

    @property
    def receipt_previews(self) -> Path:
        """PNG previews of what the simulated printer printed (demo)."""
        return self.root / "receipts"

    @property
    def assisted(self) -> Path:
        """Assisted handling (帮办代办): the staff directory and one encrypted folder per staff member."""
        return self.root / "assisted"

    @property
    def assisted_staff(self) -> Path:
        """The staff directory synced from the platform (password hashes only) and each one's wrapped key."""
        return self.assisted / "staff"

    @property
    def assisted_cases(self) -> Path:
        """Each staff member's case book, ``<staff_no>/``: every file in it encrypted under that member's key."""
        return self.assisted / "cases"

    @property
    def platform_keys(self) -> Path:
        """The embedded demo platform's keys."""
        return self.root / "platform-keys.json"

    @property
    def platform_db(self) -> Path:
        """The embedded demo platform's database."""
        return self.root / "central.sqlite3"
