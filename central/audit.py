"""The platform's side of the terminals' audit logs (审计日志, 数据铁笼): take what a terminal syncs, check that its
new tree extends the one already cosigned, keep it, cosign it, and raise an alarm on anything else.

An append (:class:`offline_cache.wire.audit_sync.AuditAppend`, online or from an export drive) is refused, with an
alarm row, when its checkpoint

- is not signed by the terminal's pinned key (``signature``),
- names a smaller tree than the platform cosigned (``rollback``: the log was cut or replaced by an older copy),
- names another root for a size the platform holds, or carries entries that differ from those it holds
  (``fork``),
- is not proven to extend the cosigned tree (``inconsistent``: the consistency proof fails),
- is not the root of the entries sent (``root_mismatch``).

The key is pinned on first use: the first append's ``key`` is kept, and every later checkpoint must be signed by
it (``docs/audit.md`` says why). Nothing of a refused append is stored but the alarm; a refusal never touches the
terminal's other traffic. Every accepted checkpoint is kept with its cosignature, and the entries' bytes as
received, so :meth:`AuditBook.verify` recomputes the whole tree and :meth:`AuditBook.prove` makes an inclusion
proof a supervisor checks offline.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from central.audit_check import Verification, platform_cosigner, prove_entry, verify_log
from central.clock import iso, utc_now
from central.db import reading
from central.intake import Answer
from central.keys import PlatformKeys
from central.schema import audit_alarms, audit_checkpoints, audit_entries, audit_logs
from offline_cache.wire.audit_sync import COSIGNED_KIND, AuditAppend
from offline_cache.wire.checkpoint import (
    NoteError,
    NoteVerifier,
    SignedNote,
    audit_origin,
)
from offline_cache.wire.merkle import EMPTY_ROOT, Frontier, ProofError, leaf_hash, verify_consistency
from offline_cache.wire.protocol import API_PREFIX, envelope, error_body

log = logging.getLogger("central.audit")

#: The alarms, for a supervisor (admin token): ``GET`` with ``?terminal=ID`` for one terminal's.
PATH_AUDIT_ALARMS = API_PREFIX + "/audit/alarms"

ROLLBACK = "rollback"
FORK = "fork"
INCONSISTENT = "inconsistent"
ROOT_MISMATCH = "root_mismatch"
SIGNATURE = "signature"
ALARM_KINDS = (ROLLBACK, FORK, INCONSISTENT, ROOT_MISMATCH, SIGNATURE)


class _RefusedError(Exception):
    """An append the platform does not take: the answer's status and code, and the alarm it raises (if any)."""

    def __init__(self, status: int, code: str, message: str, alarm: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.alarm = alarm


@dataclass(frozen=True)
class _State:
    key: str
    size: int
    root: bytes
    frontier: Frontier


@dataclass(frozen=True)
class AuditBook:
    """The terminals' audit logs in the platform's database."""

    engine: Engine
    keys: PlatformKeys

    # -- taking an append ---------------------------------------------------------------------------------

    def append(self, terminal_id: str, upload: AuditAppend, *, via: str = "sync") -> Answer:
        """Check and keep ``upload`` from ``terminal_id``: 201 with the cosigned checkpoint, or 409/422 with the
        error body (and an alarm row when the log is not what the platform cosigned)."""
        try:
            with self.engine.begin() as conn:
                cosigned, size = self._accept(conn, terminal_id, upload, via)
        except _RefusedError as refused:
            if refused.alarm is not None:
                self.raise_alarm(terminal_id, refused.alarm, refused.message, upload.checkpoint, via)
            return Answer(refused.status, error_body(refused.code, refused.message))
        except IntegrityError:
            # Another instance took an append of this terminal's at the same moment: the terminal sends again.
            return Answer(409, error_body("audit_busy", "another append of this terminal's log came first; retry"))
        return Answer(201, envelope(COSIGNED_KIND, terminal_id=terminal_id, size=size, checkpoint=cosigned))

    def _state(self, conn: Connection, terminal_id: str) -> _State | None:
        row = conn.execute(
            select(audit_logs.c.public_key, audit_logs.c.size, audit_logs.c.root, audit_logs.c.frontier)
            .where(audit_logs.c.terminal_id == terminal_id)
            .with_for_update()
        ).first()
        if row is None:
            return None
        size = int(row[1])
        return _State(str(row[0]), size, bytes(row[2]), Frontier.from_bytes(size, bytes(row[3])))

    def _signed_note(self, conn: Connection, terminal_id: str, up: AuditAppend) -> tuple[SignedNote, _State]:
        """The append's checkpoint, signed by the terminal's pinned key (pinned now on the first append)."""
        if up.terminal_id != terminal_id:
            raise _RefusedError(
                403, "wrong_terminal", f"the append is for terminal {up.terminal_id}, not {terminal_id}"
            )
        try:
            note = SignedNote.parse(up.checkpoint)
            checkpoint = note.checkpoint()
        except NoteError as exc:
            raise _RefusedError(422, "invalid_checkpoint", f"the checkpoint is not a signed note: {exc}") from None
        origin = audit_origin(terminal_id)
        if checkpoint.origin != origin:
            raise _RefusedError(422, "invalid_checkpoint", f"the checkpoint is of {checkpoint.origin}, not of {origin}")
        state = self._state(conn, terminal_id)
        pinned = state.key if state is not None else up.key
        try:
            verifier = NoteVerifier.from_vkey(pinned)
        except (NoteError, ValueError) as exc:
            raise _RefusedError(422, "invalid_key", f"the terminal's audit key is not a verifier key: {exc}") from None
        if verifier.name != origin:
            raise _RefusedError(422, "invalid_key", f"the audit key is named {verifier.name}, not {origin}")
        if not verifier.verifies(note):
            presented = "" if up.key == pinned else f" (it presents {up.key})"
            raise _RefusedError(
                422,
                "audit_signature",
                f"the checkpoint is not signed by the key pinned for {terminal_id}{presented}",
                SIGNATURE,
            )
        if state is None:
            state = _State(pinned, 0, EMPTY_ROOT, Frontier())
            self._pin(conn, terminal_id, pinned)
        return note, state

    def _accept(self, conn: Connection, terminal_id: str, up: AuditAppend, via: str) -> tuple[str, int]:
        note, state = self._signed_note(conn, terminal_id, up)
        checkpoint = note.checkpoint()
        if checkpoint.size < state.size:
            raise _RefusedError(
                409,
                "audit_rollback",
                f"the platform cosigned {state.size} entries of this log, the checkpoint names {checkpoint.size}: "
                "the log was cut or replaced by an older copy",
                ROLLBACK,
            )
        if checkpoint.size == state.size:
            if checkpoint.root != state.root:
                raise _RefusedError(
                    409,
                    "audit_fork",
                    f"the platform cosigned another tree of {state.size} entries: the log was rewritten or forked",
                    FORK,
                )
            return self._same_tree(conn, terminal_id, note, state.size, via), state.size
        first_root = self._root_at(conn, terminal_id, up.from_size, state)
        if len(up.entries) != checkpoint.size - up.from_size:
            raise _RefusedError(
                422,
                "audit_entries",
                f"a checkpoint of {checkpoint.size} entries from {up.from_size} needs "
                f"{checkpoint.size - up.from_size} entries, not {len(up.entries)}",
            )
        try:
            verify_consistency(up.from_size, checkpoint.size, first_root, checkpoint.root, up.consistency)
        except ProofError as exc:
            raise _RefusedError(
                422,
                "audit_inconsistent",
                f"the checkpoint of {checkpoint.size} entries is not proven to extend the tree of {up.from_size} "
                f"the platform cosigned ({exc})",
                INCONSISTENT,
            ) from None
        overlap = state.size - up.from_size
        self._check_overlap(conn, terminal_id, up, overlap)
        frontier = state.frontier.copy()
        new = up.entries[overlap:]
        for entry in new:
            frontier.append(leaf_hash(entry))
        if frontier.root() != checkpoint.root:
            raise _RefusedError(
                422,
                "audit_root",
                f"the entries sent do not give the root of the checkpoint of {checkpoint.size} entries",
                ROOT_MISMATCH,
            )
        if new:
            conn.execute(
                insert(audit_entries),
                [
                    {"terminal_id": terminal_id, "idx": state.size + offset, "body": entry}
                    for offset, entry in enumerate(new)
                ],
            )
        cosigned = self._cosign(conn, terminal_id, note, checkpoint.size, via)
        moved = conn.execute(
            update(audit_logs)
            .where(audit_logs.c.terminal_id == terminal_id, audit_logs.c.size == state.size)
            .values(size=checkpoint.size, root=checkpoint.root, frontier=frontier.to_bytes(), updated_at=iso(utc_now()))
        ).rowcount
        if moved != 1:
            raise _RefusedError(409, "audit_busy", "another append of this terminal's log came first; retry")
        log.info("audit: terminal %s cosigned at %d entries (%s)", terminal_id, checkpoint.size, via)
        return cosigned, checkpoint.size

    def _pin(self, conn: Connection, terminal_id: str, key: str) -> None:
        now = iso(utc_now())
        conn.execute(
            insert(audit_logs).values(
                terminal_id=terminal_id,
                public_key=key,
                size=0,
                root=EMPTY_ROOT,
                frontier=b"",
                pinned_at=now,
                updated_at=now,
            )
        )
        log.info("audit: terminal %s's audit key pinned on first use: %s", terminal_id, key)

    def _root_at(self, conn: Connection, terminal_id: str, size: int, state: _State) -> bytes:
        """The root the platform cosigned at ``size`` (where the append's proof starts)."""
        if size == 0:
            return EMPTY_ROOT
        if size == state.size:
            return state.root
        row = conn.execute(
            select(audit_checkpoints.c.note).where(
                audit_checkpoints.c.terminal_id == terminal_id, audit_checkpoints.c.size == size
            )
        ).first()
        if row is None or size > state.size:
            raise _RefusedError(
                409,
                "audit_from_size",
                f"the platform holds no cosigned checkpoint of {size} entries for this log (it holds {state.size}): "
                "send from a size it cosigned",
            )
        return SignedNote.parse(str(row[0])).checkpoint().root

    def _check_overlap(self, conn: Connection, terminal_id: str, up: AuditAppend, overlap: int) -> None:
        """Entries sent again (from before the platform's size) must be those it holds."""
        if overlap <= 0:
            return
        rows = conn.execute(
            select(audit_entries.c.idx, audit_entries.c.body)
            .where(
                audit_entries.c.terminal_id == terminal_id,
                audit_entries.c.idx >= up.from_size,
                audit_entries.c.idx < up.from_size + overlap,
            )
            .order_by(audit_entries.c.idx)
        )
        for idx, body in rows:
            if bytes(body) != up.entries[int(idx) - up.from_size]:
                raise _RefusedError(
                    409,
                    "audit_fork",
                    f"entry {idx} is not the one the platform holds: the log was rewritten or forked",
                    FORK,
                )

    def _same_tree(self, conn: Connection, terminal_id: str, note: SignedNote, size: int, via: str) -> str:
        """The tree the platform holds, sent again (the answer was lost): the cosignature it gave then."""
        row = conn.execute(
            select(audit_checkpoints.c.cosigned).where(
                audit_checkpoints.c.terminal_id == terminal_id, audit_checkpoints.c.size == size
            )
        ).first()
        return str(row[0]) if row is not None else self._cosign(conn, terminal_id, note, size, via)

    def _cosign(self, conn: Connection, terminal_id: str, note: SignedNote, size: int, via: str) -> str:
        now = utc_now()
        cosigned = str(platform_cosigner(self.keys).cosign(note, int(now.timestamp())))
        conn.execute(
            insert(audit_checkpoints).values(
                terminal_id=terminal_id, size=size, note=str(note), cosigned=cosigned, cosigned_at=iso(now), via=via
            )
        )
        return cosigned

    # -- alarms ----------------------------------------------------------------------------------------------

    def raise_alarm(self, terminal_id: str, kind: str, message: str, checkpoint: str, via: str) -> None:
        """Keep one row per distinct refusal; the same refusal again counts on it."""
        detail = json.dumps({"message": message, "checkpoint": checkpoint, "via": via}, ensure_ascii=False)
        now = iso(utc_now())
        with self.engine.begin() as conn:
            row = conn.execute(
                select(audit_alarms.c.seq).where(
                    audit_alarms.c.terminal_id == terminal_id,
                    audit_alarms.c.kind == kind,
                    audit_alarms.c.detail == detail,
                )
            ).first()
            if row is not None:
                conn.execute(
                    update(audit_alarms)
                    .where(audit_alarms.c.seq == row[0])
                    .values(last_seen_at=now, times=audit_alarms.c.times + 1)
                )
            else:
                conn.execute(
                    insert(audit_alarms).values(
                        terminal_id=terminal_id, kind=kind, detail=detail, raised_at=now, last_seen_at=now, times=1
                    )
                )
        log.warning("audit ALARM for terminal %s: %s (%s)", terminal_id, kind, message)

    def alarms(self, terminal_id: str | None = None) -> list[dict[str, Any]]:
        query = select(
            audit_alarms.c.terminal_id,
            audit_alarms.c.kind,
            audit_alarms.c.raised_at,
            audit_alarms.c.last_seen_at,
            audit_alarms.c.times,
            audit_alarms.c.detail,
        ).order_by(audit_alarms.c.seq)
        if terminal_id is not None:
            query = query.where(audit_alarms.c.terminal_id == terminal_id)
        with reading(self.engine) as conn:
            return [
                {
                    "terminal_id": row[0],
                    "kind": row[1],
                    "raised_at": row[2],
                    "last_seen_at": row[3],
                    "times": int(row[4]),
                    "detail": json.loads(row[5]),
                }
                for row in conn.execute(query)
            ]

    # -- a supervisor's checks (central/audit_check.py) ------------------------------------------------------

    def verify(self, terminal_id: str) -> Verification:
        """Recompute the tree from the stored entries and check every accepted checkpoint (see
        :func:`central.audit_check.verify_log`)."""
        return verify_log(self.engine, self.keys, terminal_id, alarms=len(self.alarms(terminal_id)))

    def prove(self, terminal_id: str, index: int) -> dict[str, Any]:
        """An inclusion proof of entry ``index`` in the newest cosigned checkpoint (see
        :func:`central.audit_check.prove_entry`)."""
        return prove_entry(self.engine, self.keys, terminal_id, index)
