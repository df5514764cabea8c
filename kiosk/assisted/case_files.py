"""The case book on disk: which files of a staff member's vault hold what, and reading them all at login.

- ``case-<case_id>``: one case (:func:`kiosk.assisted.case_values.case_to_json`), rewritten atomically at each change;
- ``att-<uuid>``: an attachment (signature, thumbprint, the photo of the paper 委托书, a scan);
- ``book``: the book's own notes (first use, last sync, the case to reopen after the idle lock);
- ``snapshot``: a sealed cache of the case files as one file, so 5,000 cases open without 5,000 reads and
  decryptions. A case is taken from it only when its file is the very one the snapshot saw (inode,
  modification time, size), so the case files stay the one truth and a crash can never make the cache win.

Every file is sealed under the member's key (:mod:`kiosk.assisted.vault`).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.assisted.case_values import AttachmentRef, AttachmentRole, Case, case_from_json
from kiosk.assisted.vault import Vault, VaultError

CASE_PREFIX = "case-"
ATTACHMENT_PREFIX = "att-"
BOOK_FILE = "book"
SNAPSHOT_FILE = "snapshot"
#: Case files read one by one at an opening past which the snapshot is written again (opening 5,000 cases from
#: their own files costs about ten times opening them from the snapshot).
SNAPSHOT_AFTER = 64
#: Attachment files no case names are removed at opening once they are this old (seconds).
ORPHAN_GRACE_SECONDS = 3600.0


def case_file(case_id: str) -> str:
    return CASE_PREFIX + case_id


def seal_attachment(vault: Vault, data: bytes, media_type: str, role: AttachmentRole) -> AttachmentRef:
    """An attachment sealed into a file of its own, before any case names it (see :func:`read_book`'s sweep)."""
    ref = AttachmentRef(f"{ATTACHMENT_PREFIX}{uuid.uuid4()}", media_type, role, len(data))
    vault.write(ref.name, data)
    return ref


class BookNotes:
    """The book's own notes (the ``book`` file): first use, last sync and export, the platform's states taken
    since, the case to reopen after the idle lock. Each change is written at once, under the book's lock."""

    def __init__(self, vault: Vault, notes: dict[str, Any], lock: threading.RLock) -> None:
        self._vault = vault
        self._notes = notes
        self._lock = lock

    def text(self, key: str) -> str | None:
        value = self._notes.get(key)
        return value if isinstance(value, str) else None

    def set(self, **values: Any) -> None:
        with self._lock:
            self._notes.update(values)
            self._vault.write(BOOK_FILE, json.dumps(self._notes, ensure_ascii=False).encode())


@dataclass
class BookOnDisk:
    """What an opening found: this member's cases, the book's notes, and the files that did not open."""

    cases: list[Case] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    #: Not this member's (a file copied in) or damaged: listed apart, never shown as a case.
    unreadable: list[str] = field(default_factory=list)


def _read_snapshot(vault: Vault) -> dict[str, Any]:
    if not vault.exists(SNAPSHOT_FILE):
        return {}
    try:
        files = json.loads(vault.read(SNAPSHOT_FILE)).get("files")
    except (VaultError, ValueError, AttributeError):
        return {}  # a cache: the case files are read one by one instead
    return files if isinstance(files, dict) else {}


def read_book(vault: Vault, staff_no: str) -> BookOnDisk:
    """Read every case file of the vault (through the snapshot where it still holds), write the snapshot again
    when many files had to be read alone, sweep attachments no case names, and read the book's notes."""
    found = BookOnDisk()
    snapshot = _read_snapshot(vault)
    seen: dict[str, list[Any]] = {}
    read_alone = 0
    try:
        entries = list(os.scandir(vault.folder))
    except FileNotFoundError:
        entries = []
    for entry in entries:
        name = entry.name
        if not name.startswith(CASE_PREFIX):
            continue
        info = entry.stat()
        stamp = [info.st_ino, info.st_mtime_ns, info.st_size]
        cached = snapshot.get(name)
        try:
            if isinstance(cached, list) and len(cached) == 2 and cached[0] == stamp:
                raw = cached[1]
            else:
                raw = json.loads(vault.read(name))
                read_alone += 1
            case = case_from_json(raw)
        except (VaultError, ValueError, KeyError, TypeError, AttributeError):
            found.unreadable.append(name)
            continue
        seen[name] = [stamp, raw]
        if case.staff_no == staff_no:
            found.cases.append(case)
    if read_alone >= SNAPSHOT_AFTER:
        vault.write(SNAPSHOT_FILE, json.dumps({"files": seen}, ensure_ascii=False).encode())
    if not found.unreadable:  # a case that did not open may name some attachments: then keep everything
        _sweep_attachments(entries, found.cases)
    if vault.exists(BOOK_FILE):
        try:
            found.meta = json.loads(vault.read(BOOK_FILE))
        except (VaultError, ValueError):
            found.unreadable.append(BOOK_FILE)
    return found


def _sweep_attachments(entries: list[os.DirEntry[str]], cases: list[Case]) -> None:
    """Remove attachment files no case names: left by a crash between sealing an image and noting it in its
    case (the image was never part of a case). Only files older than an hour: another book open on the same
    folder may be about to note the one it just wrote."""
    named = {ref.name for case in cases for ref in case.attachments}
    named |= {ref.name for case in cases for event in case.events for ref in event.attachments}
    limit = time.time() - ORPHAN_GRACE_SECONDS
    for entry in entries:
        if entry.name.startswith(ATTACHMENT_PREFIX) and entry.name not in named:
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < limit:
                    Path(entry.path).unlink()
