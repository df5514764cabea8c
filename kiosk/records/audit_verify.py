"""Reading the audit log back (审计日志核验): ``kiosk audit verify`` checks every entry, the tree, every
checkpoint's signature, the head and the platform-cosigned anchor; ``kiosk audit show`` lists the entries for a
supervisor. Reads only: the log itself is :mod:`kiosk.records.audit`."""

from __future__ import annotations

import hashlib
import hmac
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from kiosk.records.audit import AuditKeys, read_anchor, utc_text
from offline_cache.wire.checkpoint import CosignatureVerifier, NoteError, SignedNote
from offline_cache.wire.merkle import Frontier

#: Lines about single entries before the rest are counted in one line.
MAX_ENTRY_PROBLEMS = 20


@dataclass
class AuditReport:
    """What ``kiosk audit verify`` found: the counts, and one line per problem (none when the log is whole)."""

    entries: int = 0
    checkpoints: int = 0
    last_checkpoint: int | None = None
    anchored: int | None = None
    anchored_at: str | None = None
    #: The terminal's verifier key (C2SP ``name+keyid+key``), to compare with the one the platform enrolled.
    key: str | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "whole": self.whole,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "last_checkpoint": self.last_checkpoint,
            "anchored": self.anchored,
            "anchored_at": self.anchored_at,
            "key": self.key,
            "problems": self.problems,
        }


def _connect_read_only(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
    conn.execute("PRAGMA query_only = 1")
    return conn


def verify_log(
    path: Path,
    key_path: Path,
    terminal_id: str,
    *,
    anchor_path: Path | None = None,
    cosigner: CosignatureVerifier | None = None,
) -> AuditReport:
    """Check every entry, the tree, every checkpoint's signature, the head, and the anchor with the platform's
    cosignature (when there is one). Reads only."""
    report = AuditReport()
    if not path.exists():
        report.problems.append(f"no audit log at {path}")
        return report
    try:
        keys = AuditKeys.load(key_path, terminal_id)
    except (OSError, ValueError) as exc:
        report.problems.append(f"the terminal's audit key cannot be read ({key_path}): {exc}")
        return report
    report.key = keys.signer.verifier.vkey
    anchor = _read_anchor_checked(report, anchor_path) if anchor_path is not None else None
    conn = _connect_read_only(path)
    try:
        verifier = _Verifier(conn, keys, report)
        verifier.run(anchor.checkpoint().size if anchor is not None else None)
    except sqlite3.DatabaseError as exc:
        report.problems.append(f"the audit log cannot be read as a database: {exc}")
        return report
    finally:
        conn.close()
    if anchor is not None:
        _check_anchor(report, keys, anchor, cosigner, verifier.roots)
    return report


class _Verifier:
    def __init__(self, conn: sqlite3.Connection, keys: AuditKeys, report: AuditReport) -> None:
        self.conn = conn
        self.keys = keys
        self.report = report
        self.entry_problems = 0
        self.roots: dict[int, bytes] = {}

    def entry_problem(self, line: str) -> None:
        self.entry_problems += 1
        if self.entry_problems <= MAX_ENTRY_PROBLEMS:
            self.report.problems.append(line)

    def run(self, anchored: int | None) -> None:
        conn, report = self.conn, self.report
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            report.problems.append("the audit log's database file is damaged (SQLite quick_check)")
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            return  # a log whose first opening was cut before its tables existed: nothing was ever recorded
        notes = {int(size): str(note) for size, note in conn.execute("SELECT size, note FROM checkpoint")}
        frontier = self.walk({*notes, *([anchored] if anchored is not None else [])})
        report.entries = frontier.size
        if self.entry_problems > MAX_ENTRY_PROBLEMS:
            report.problems.append(f"… and {self.entry_problems - MAX_ENTRY_PROBLEMS} more entries with problems")
        self.check_head(frontier)
        self.check_checkpoints(notes, frontier.size)

    def walk(self, wanted: set[int]) -> Frontier:
        """Every entry in order: its place, its bytes, its seal; the tree's root at every size ``wanted``.

        The loop is the cost of ``verify`` (≈ 10 µs an entry), so its calls are bound to local names."""
        frontier = Frontier()
        seal_entry, append, compare = self.keys.seal_entry, frontier.append, hmac.compare_digest
        dumps, loads, sort_keys, sha256 = orjson.dumps, orjson.loads, orjson.OPT_SORT_KEYS, hashlib.sha256
        roots, expected = self.roots, 0
        for idx, stored, seal in self.conn.execute("SELECT idx, body, seal FROM entry ORDER BY idx"):
            body = bytes(stored)
            if idx != expected:
                self.entry_problem(f"entries {expected} to {idx - 1} are missing (removed)")
            try:
                value = loads(body)
                canonical = isinstance(value, dict) and dumps(value, option=sort_keys) == body
            except orjson.JSONDecodeError:
                value, canonical = None, False
            leaf = sha256(b"\x00" + body).digest()  # leaf_hash, inlined
            if not canonical:
                self.entry_problem(f"entry {idx} is not a canonical JSON entry (changed)")
            elif value.get("i") != idx:
                self.entry_problem(f"entry {idx} holds entry {value.get('i')} (moved or swapped)")
            elif not compare(seal_entry(idx, leaf), bytes(seal)):
                self.entry_problem(f"entry {idx} does not match its seal (changed, or forged without the key)")
            append(leaf)
            expected = idx + 1
            if expected in wanted:
                roots[expected] = frontier.root()
        return frontier

    def check_head(self, frontier: Frontier) -> None:
        problems = self.report.problems
        row = self.conn.execute("SELECT size, frontier, seal FROM head WHERE one = 1").fetchone()
        if row is None:
            if frontier.size:
                problems.append(f"the log has {frontier.size} entries but no head")
            return
        size, raw, seal = int(row[0]), bytes(row[1]), bytes(row[2])
        if not hmac.compare_digest(self.keys.seal_head(size, raw), seal):
            problems.append("the log's head does not match its seal (rewritten without the key)")
        if size > frontier.size:
            problems.append(f"the head names {size} entries but the log holds {frontier.size}: the tail was cut")
        elif size < frontier.size:
            problems.append(f"the log holds {frontier.size} entries but its head names {size}: entries were added")
        elif raw != frontier.to_bytes():
            problems.append(f"the {size} entries do not give the tree the head names (changed, moved or swapped)")

    def check_checkpoints(self, notes: dict[int, str], size: int) -> None:
        report, verifier = self.report, self.keys.signer.verifier
        report.checkpoints = len(notes)
        report.last_checkpoint = max(notes) if notes else None
        cut = [s for s in notes if s > size]
        if cut:
            report.problems.append(
                f"{len(cut)} checkpoint(s) up to {max(cut)} entries cover entries the log no longer holds "
                f"({size}): the tail was cut"
            )
        mismatched: list[int] = []
        for at, text in sorted(notes.items()):
            try:
                note = SignedNote.parse(text)
                checkpoint = note.checkpoint()
            except NoteError as exc:
                report.problems.append(f"checkpoint at {at} entries is malformed: {exc}")
                continue
            if checkpoint.origin != self.keys.origin or checkpoint.size != at:
                report.problems.append(f"checkpoint at {at} entries is for {checkpoint.origin} at {checkpoint.size}")
            elif not verifier.verifies(note):
                report.problems.append(
                    f"checkpoint at {at} entries is not signed by this terminal's key ({verifier.vkey})"
                )
            if at in self.roots and self.roots[at] != checkpoint.root:
                mismatched.append(at)
        if mismatched:
            later = f" and {len(mismatched) - 1} later one(s)" if len(mismatched) > 1 else ""
            report.problems.append(
                f"the entries do not give the root signed at {mismatched[0]} entries{later}: entries before it were "
                f"changed, removed, inserted or reordered"
            )


def _read_anchor_checked(report: AuditReport, anchor_path: Path) -> SignedNote | None:
    try:
        note = read_anchor(anchor_path)
        if note is not None:
            note.checkpoint()
        return note
    except (NoteError, OSError, UnicodeDecodeError) as exc:
        report.problems.append(f"the platform-cosigned anchor ({anchor_path}) cannot be read: {exc}")
        return None


def _check_anchor(
    report: AuditReport,
    keys: AuditKeys,
    note: SignedNote,
    cosigner: CosignatureVerifier | None,
    roots: Mapping[int, bytes],
) -> None:
    problems = report.problems
    checkpoint = note.checkpoint()
    report.anchored = checkpoint.size
    if checkpoint.origin != keys.origin or not keys.signer.verifier.verifies(note):
        problems.append("the anchor is not a checkpoint signed by this terminal's key")
    if cosigner is None:
        problems.append("the anchor's cosignature cannot be checked: the platform's key is not configured")
    else:
        timestamp = cosigner.timestamp(note)
        if timestamp is None:
            problems.append("the anchor carries no valid cosignature by the platform's key")
        else:
            report.anchored_at = utc_text(timestamp)
    if checkpoint.size > report.entries:
        problems.append(
            f"the platform cosigned {checkpoint.size} entries but the log holds {report.entries}: the log was cut "
            f"or replaced by an older copy"
        )
    elif roots.get(checkpoint.size) != checkpoint.root:
        problems.append(
            f"the log's first {checkpoint.size} entries are not those the platform cosigned: the log was "
            f"rewritten or replaced"
        )


def show_entries(path: Path, *, staff: str | None = None, since: datetime | None = None) -> list[dict[str, Any]]:
    """The entries for a supervisor, oldest first: those of one member of staff (``who``), from a time on.

    Reads only, and checks nothing: ``verify_log`` says whether the entries can be trusted."""
    if not path.exists():
        return []
    floor = utc_text(since.timestamp()) if since is not None else None
    conn = _connect_read_only(path)
    try:
        if conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            return []
        shown = []
        for (body,) in conn.execute("SELECT body FROM entry ORDER BY idx"):
            try:
                entry = orjson.loads(body)
            except orjson.JSONDecodeError:
                continue
            if not isinstance(entry, dict):
                continue
            if staff is not None and entry.get("who") != staff:
                continue
            if floor is not None and str(entry.get("at", "")) < floor:
                continue
            shown.append(entry)
        return shown
    finally:
        conn.close()
