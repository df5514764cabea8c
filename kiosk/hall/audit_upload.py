"""Sending the audit log (审计日志) to the platform for its cosignature, over the terminal's one platform client.

On the upkeep thread after a beat: sign the head (a checkpoint before every sync), send the entries the platform
has not cosigned yet with that checkpoint and a consistency proof from the anchor (the last checkpoint it
cosigned), and keep the cosigned checkpoint it answers with as the new anchor (``AuditLog.accept_cosigned``). A
long backlog goes in rounds of at most :data:`~offline_cache.wire.protocol.AUDIT_MAX_ENTRIES` entries and
:data:`BATCH_BYTES` bytes, each ending at a checkpoint the log signed.

A refusal (409/422: the platform found the log rolled back, forked or not signed by the key it pinned, and raised
an alarm) is logged and the same checkpoint is not sent again; nothing else on the terminal changes: visits,
submissions and staff calls go on. No network, a portal or a 5xx: the next beat tries again.
"""

from __future__ import annotations

import base64
import binascii
import logging
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.records.audit import AuditError, AuditLog, read_anchor
from offline_cache.courier import PlatformClient
from offline_cache.wire.audit_sync import COSIGNED_KIND, AuditAppend
from offline_cache.wire.checkpoint import PLATFORM_COSIGNER_NAME, CosignatureVerifier, NoteError, SignedNote
from offline_cache.wire.merkle import MerkleTree, ProofError, leaf_hash
from offline_cache.wire.protocol import AUDIT_MAX_ENTRIES, PATH_AUDIT_APPEND, is_envelope

log = logging.getLogger(__name__)

#: Seconds for each wait on the platform's answer to one append.
AUDIT_TIMEOUT = 30.0
#: Most bytes of entries in one append: with base64 and JSON it stays well under the platform's body limit.
BATCH_BYTES = 1024 * 1024
#: Most appends in one sync (a backlog of AUDIT_MAX_ENTRIES × MAX_ROUNDS entries goes in one upkeep round).
MAX_ROUNDS = 64


class AuditSyncState(StrEnum):
    UP_TO_DATE = "up_to_date"
    ANCHORED = "anchored"
    REFUSED = "refused"
    NOT_NOW = "not_now"
    NO_PLATFORM_KEY = "no_platform_key"


@dataclass(frozen=True)
class AuditSyncResult:
    state: AuditSyncState
    #: The entries the anchor covers after this sync (None: no anchor yet).
    anchored: int | None = None
    message: str = ""


def platform_cosigner(signing_key: bytes) -> CosignatureVerifier:
    """The platform's cosignature key from its raw Ed25519 public key (``platform.signing_key``)."""
    return CosignatureVerifier(PLATFORM_COSIGNER_NAME, Ed25519PublicKey.from_public_bytes(signing_key))


def configured_cosigner(signing_key_b64: str) -> CosignatureVerifier | None:
    """``platform.signing_key`` (base64) as the cosignature key, or None when it is missing or not a key."""
    if not signing_key_b64:
        return None
    try:
        return platform_cosigner(base64.b64decode(signing_key_b64, validate=True))
    except (binascii.Error, ValueError):
        log.error("audit: platform.signing_key is not a base64 Ed25519 public key; the audit log is not synced")
        return None


def _anchor(path: Path) -> SignedNote | None:
    try:
        return read_anchor(path)
    except (NoteError, OSError, UnicodeDecodeError) as exc:
        # ``kiosk audit verify`` names a damaged anchor; the platform still holds what it cosigned.
        log.warning("audit: the anchor %s cannot be read (%s); sending from the start", path, exc)
        return None


def build_append(
    audit: AuditLog,
    anchor: SignedNote | None,
    *,
    max_entries: int | None = AUDIT_MAX_ENTRIES,
    max_bytes: int | None = BATCH_BYTES,
) -> AuditAppend | None:
    """Sign the head, and make the append that brings the platform from the anchor towards it; None when the
    platform already cosigned this very head. Without limits (an export drive) the append ends at the head."""
    head = audit.checkpoint()
    head_size = head.checkpoint().size
    start = anchor.checkpoint().size if anchor is not None else 0
    key = audit.keys.signer.verifier.vkey
    if anchor is not None and head_size == start and head.text == anchor.text:
        return None
    if anchor is None and head_size == 0:
        return None
    if head_size <= start:
        # Fewer entries than the platform cosigned, or another tree of as many: the platform says which.
        return AuditAppend(audit.terminal_id, start, (), str(head), (), key)
    entries = audit.entries(0, head_size)
    target = head
    if max_entries is not None or max_bytes is not None:
        target = _batch_end(audit, start, entries, max_entries, max_bytes) or head
    size = target.checkpoint().size
    tree = MerkleTree(leaf_hash(entry) for entry in entries[:size])
    try:
        proof = tree.consistency_proof(start, size)
    except ProofError:
        proof = []  # entries missing from the log: the platform refuses the append, and raises its alarm
    return AuditAppend(audit.terminal_id, start, tuple(entries[start:size]), str(target), tuple(proof), key)


def _batch_end(
    audit: AuditLog, start: int, entries: list[bytes], max_entries: int | None, max_bytes: int | None
) -> SignedNote | None:
    """The largest signed checkpoint past ``start`` within the limits (or the first past it, if none is)."""
    candidates = audit.signed_checkpoints(above=start)
    chosen = candidates[0] if candidates else None
    total, counted = 0, start
    for note in candidates:
        size = note.checkpoint().size
        if max_entries is not None and size - start > max_entries:
            break
        total += sum(len(entry) for entry in entries[counted:size])
        counted = size
        if max_bytes is not None and total > max_bytes:
            break
        chosen = note
    return chosen


class AuditUploader:
    """The upkeep chore: one :meth:`sync` per round."""

    def __init__(
        self, audit: AuditLog, client: PlatformClient, anchor_path: Path, cosigner: CosignatureVerifier | None
    ) -> None:
        self.audit = audit
        self.client = client
        self.anchor_path = anchor_path
        self.cosigner = cosigner
        self._refused: str | None = None
        self._warned = False

    def sync(self) -> AuditSyncResult:
        if self.cosigner is None:
            if not self._warned:
                log.warning("audit: the platform's signing key is not configured (platform.signing_key): not synced")
                self._warned = True
            return AuditSyncResult(AuditSyncState.NO_PLATFORM_KEY, message="platform.signing_key is not configured")
        result = AuditSyncResult(AuditSyncState.UP_TO_DATE)
        for _ in range(MAX_ROUNDS):
            anchor = _anchor(self.anchor_path)
            append = build_append(self.audit, anchor)
            anchored = anchor.checkpoint().size if anchor is not None else None
            if append is None:
                return AuditSyncResult(result.state, anchored)
            if append.checkpoint == self._refused:
                return AuditSyncResult(AuditSyncState.REFUSED, anchored, "the platform refused this checkpoint")
            result = self._send(append, anchored)
            if result.state is not AuditSyncState.ANCHORED:
                return result
        return result

    def _send(self, append: AuditAppend, anchored: int | None) -> AuditSyncResult:
        assert self.cosigner is not None
        try:
            answer = self.client.request("POST", PATH_AUDIT_APPEND, json=append.to_json(), timeout=AUDIT_TIMEOUT)
        except requests.RequestException as exc:
            return AuditSyncResult(AuditSyncState.NOT_NOW, anchored, f"network: {type(exc).__name__}")
        try:
            body = answer.json()
        except ValueError:
            body = None
        if answer.status_code in (409, 422):
            error = body.get("error") if isinstance(body, dict) else None
            message = f"HTTP {answer.status_code} {error.get('code')}: {error.get('message')}" if error else ""
            log.warning("audit: the platform refused the log's checkpoint (%s)", message or answer.status_code)
            self._refused = append.checkpoint
            return AuditSyncResult(AuditSyncState.REFUSED, anchored, message)
        if answer.status_code != 201 or not is_envelope(body, COSIGNED_KIND):
            return AuditSyncResult(AuditSyncState.NOT_NOW, anchored, f"HTTP {answer.status_code}: not cosigned now")
        assert isinstance(body, dict)
        try:
            note = self.audit.accept_cosigned(str(body.get("checkpoint", "")), self.cosigner, self.anchor_path)
        except AuditError as exc:
            log.error("audit: the platform's answer is not a cosignature this terminal takes: %s", exc)
            return AuditSyncResult(AuditSyncState.NOT_NOW, anchored, str(exc))
        self._refused = None
        size = note.checkpoint().size
        log.info("audit: the platform cosigned the log at %d entries", size)
        return AuditSyncResult(AuditSyncState.ANCHORED, size)
