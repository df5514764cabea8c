"""A supervisor's checks of a terminal's audit log as the platform holds it: recompute the tree from the stored
entries and check every accepted checkpoint (``kiosk-central audit verify``), and an inclusion proof of one entry
that a supervisor checks offline (``kiosk-central audit prove``). Reads only; taking appends is
:mod:`central.audit`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from central.db import reading
from central.keys import PlatformKeys
from central.schema import audit_checkpoints, audit_entries, audit_logs
from offline_cache.wire.audit_sync import inclusion_document
from offline_cache.wire.checkpoint import (
    PLATFORM_COSIGNER_NAME,
    CosignatureVerifier,
    Cosigner,
    NoteError,
    NoteVerifier,
    SignedNote,
    audit_origin,
)
from offline_cache.wire.merkle import Frontier, MerkleTree, leaf_hash


def platform_cosigner(keys: PlatformKeys) -> Cosigner:
    """The platform's cosigning key: its Ed25519 signing key (``platform.signing_key`` on the terminals)."""
    return Cosigner(PLATFORM_COSIGNER_NAME, keys.signing)


@dataclass
class Verification:
    """What :meth:`AuditBook.verify` found for one terminal (``problems`` empty: whole)."""

    terminal_id: str
    key: str | None = None
    entries: int = 0
    checkpoints: int = 0
    cosigned: int | None = None
    cosigned_at: str | None = None
    alarms: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.problems

    def as_json(self) -> dict[str, Any]:
        return {
            "terminal_id": self.terminal_id,
            "whole": self.whole,
            "key": self.key,
            "entries": self.entries,
            "checkpoints": self.checkpoints,
            "cosigned": self.cosigned,
            "cosigned_at": self.cosigned_at,
            "alarms": self.alarms,
            "problems": self.problems,
        }


def _entries(conn: Connection, terminal_id: str) -> Iterator[tuple[int, bytes]]:
    rows = conn.execute(
        select(audit_entries.c.idx, audit_entries.c.body)
        .where(audit_entries.c.terminal_id == terminal_id)
        .order_by(audit_entries.c.idx)
    )
    for idx, body in rows:
        yield int(idx), bytes(body)


def verify_log(engine: Engine, keys: PlatformKeys, terminal_id: str, *, alarms: int) -> Verification:
    """Recompute the tree from the stored entries and check every accepted checkpoint: its root, the pinned
    key's signature and the platform's cosignature; and the state the next append starts from."""
    report = Verification(terminal_id)
    problems = report.problems
    cosigner = platform_cosigner(keys).verifier
    with reading(engine) as conn:
        state = conn.execute(
            select(audit_logs.c.public_key, audit_logs.c.size, audit_logs.c.root, audit_logs.c.frontier).where(
                audit_logs.c.terminal_id == terminal_id
            )
        ).first()
        report.alarms = alarms
        if state is None:
            problems.append(f"the platform holds no audit log of terminal {terminal_id}")
            return report
        report.key = str(state[0])
        tree, walked = MerkleTree(), Frontier()
        for idx, body in _entries(conn, terminal_id):
            if idx != tree.size:
                problems.append(f"entries {tree.size} to {idx - 1} are missing from the platform's copy")
                break
            leaf = leaf_hash(body)
            tree.append(leaf)
            walked.append(leaf)
        report.entries = tree.size
        checkpoints = conn.execute(
            select(audit_checkpoints.c.size, audit_checkpoints.c.note, audit_checkpoints.c.cosigned)
            .where(audit_checkpoints.c.terminal_id == terminal_id)
            .order_by(audit_checkpoints.c.size)
        ).all()
    try:
        verifier = NoteVerifier.from_vkey(report.key)
    except (NoteError, ValueError) as exc:
        problems.append(f"the pinned key is not a verifier key: {exc}")
        return report
    size, root, frontier = int(state[1]), bytes(state[2]), bytes(state[3])
    if size != tree.size:
        problems.append(f"the platform cosigned {size} entries but holds {tree.size}")
    elif root != tree.root() or frontier != walked.to_bytes():
        problems.append(f"the stored entries do not give the root of the {size} entries cosigned last")
    report.checkpoints = len(checkpoints)
    for at, text, cosigned_text in checkpoints:
        _check_checkpoint(
            report,
            at=int(at),
            text=str(text),
            cosigned_text=str(cosigned_text),
            tree=tree,
            verifier=verifier,
            cosigner=cosigner,
        )
    return report


def _check_checkpoint(
    report: Verification,
    *,
    at: int,
    text: str,
    cosigned_text: str,
    tree: MerkleTree,
    verifier: NoteVerifier,
    cosigner: CosignatureVerifier,
) -> None:
    problems = report.problems
    try:
        note, cosigned = SignedNote.parse(text), SignedNote.parse(cosigned_text)
        checkpoint = note.checkpoint()
    except NoteError as exc:
        problems.append(f"the checkpoint at {at} entries is malformed: {exc}")
        return
    if checkpoint.size != at or checkpoint.origin != audit_origin(report.terminal_id):
        problems.append(f"the checkpoint kept at {at} entries is of {checkpoint.origin} at {checkpoint.size}")
    if not verifier.verifies(note) or not verifier.verifies(cosigned):
        problems.append(f"the checkpoint at {at} entries is not signed by the pinned key")
    if cosigned.text != note.text:
        problems.append(f"the cosigned checkpoint at {at} entries is not the checkpoint the terminal signed")
    timestamp = cosigner.timestamp(cosigned)
    if timestamp is None:
        problems.append(f"the checkpoint at {at} entries carries no valid cosignature by this platform's key")
    elif report.cosigned is None or at >= report.cosigned:
        report.cosigned = at
        report.cosigned_at = iso_seconds(timestamp)
    if at > tree.size:
        problems.append(f"the checkpoint at {at} entries covers entries the platform does not hold")
    elif tree.root(at) != checkpoint.root:
        problems.append(f"the stored entries do not give the root signed at {at} entries")


def prove_entry(engine: Engine, keys: PlatformKeys, terminal_id: str, index: int) -> dict[str, Any]:
    """An inclusion proof of entry ``index`` in the newest cosigned checkpoint: one JSON document that
    :func:`offline_cache.wire.audit_sync.check_inclusion` verifies offline. ``LookupError`` when the platform
    holds no such entry."""
    with reading(engine) as conn:
        row = conn.execute(
            select(audit_checkpoints.c.size, audit_checkpoints.c.cosigned)
            .where(audit_checkpoints.c.terminal_id == terminal_id)
            .order_by(audit_checkpoints.c.size.desc())
            .limit(1)
        ).first()
        key = conn.execute(select(audit_logs.c.public_key).where(audit_logs.c.terminal_id == terminal_id)).first()
        if row is None or key is None:
            raise LookupError(f"the platform holds no cosigned audit log of terminal {terminal_id}")
        size = int(row[0])
        if not 0 <= index < size:
            raise LookupError(f"terminal {terminal_id}'s cosigned log holds entries 0 to {size - 1}, not {index}")
        tree = MerkleTree()
        entry = b""
        for idx, body in _entries(conn, terminal_id):
            if idx >= size:
                break
            if idx == index:
                entry = body
            tree.append(leaf_hash(body))
    if tree.size != size:
        raise LookupError(f"the platform's copy of terminal {terminal_id}'s log is incomplete: run audit verify")
    return inclusion_document(
        terminal_id,
        index=index,
        entry=entry,
        path=tree.inclusion_proof(index, size),
        cosigned=str(row[1]),
        terminal_key=str(key[0]),
        platform_key=platform_cosigner(keys).verifier.vkey,
    )


def iso_seconds(epoch: int) -> str:
    """A cosignature's time (UNIX seconds) as ISO 8601 UTC."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
