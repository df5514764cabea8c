"""C2SP signed notes and checkpoints: the Go sumdb/note reference note, and what a verifier refuses."""

from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from offline_cache.wire.checkpoint import (
    Checkpoint,
    CosignatureVerifier,
    Cosigner,
    NoteError,
    NoteSigner,
    NoteVerifier,
    SignedNote,
    audit_origin,
)
from offline_cache.wire.merkle import EMPTY_ROOT

# golang.org/x/mod/sumdb/note's example: a signer key (0x01 || Ed25519 seed), its verifier key, and the note.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = GO_TEXT + (
    "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def _go_signer() -> NoteSigner:
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    return NoteSigner("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))


def test_the_go_reference_note_is_made_and_verified_byte_for_byte() -> None:
    signer = _go_signer()
    assert signer.verifier.vkey == GO_VKEY
    assert str(signer.sign_note(GO_TEXT)) == GO_NOTE
    note = SignedNote.parse(GO_NOTE)
    assert note.text == GO_TEXT and str(note) == GO_NOTE
    assert NoteVerifier.from_vkey(GO_VKEY).verifies(note)


def test_a_checkpoint_round_trips_and_its_key_id_is_the_c2sp_hash() -> None:
    key = Ed25519PrivateKey.generate()
    signer = NoteSigner(audit_origin("T-0001"), key)
    checkpoint = Checkpoint(audit_origin("T-0001"), 12, EMPTY_ROOT)
    assert checkpoint.body() == f"hall-kiosk/audit/T-0001\n12\n{base64.b64encode(EMPTY_ROOT).decode()}\n"
    note = SignedNote.parse(str(signer.sign_note(checkpoint.body())))
    assert note.checkpoint() == checkpoint
    public = signer.verifier.public_bytes
    assert note.signatures[0].key_id == hashlib.sha256(b"hall-kiosk/audit/T-0001\n\x01" + public).digest()[:4]
    assert signer.verifier.verifies(note)


def test_a_note_signed_by_another_key_under_the_same_name_does_not_verify() -> None:
    ours = NoteSigner("hall-kiosk/audit/T-1", Ed25519PrivateKey.generate())
    theirs = NoteSigner("hall-kiosk/audit/T-1", Ed25519PrivateKey.generate())
    body = Checkpoint("hall-kiosk/audit/T-1", 3, EMPTY_ROOT).body()
    assert not ours.verifier.verifies(theirs.sign_note(body))
    # Our key ID on their signature bytes (a copied line) does not verify either.
    forged = SignedNote(body, (ours.sign(body).__class__("hall-kiosk/audit/T-1", ours.verifier.key_id,
                                                           theirs.sign(body).signature),))  # fmt: skip
    assert not ours.verifier.verifies(forged)
    # Nor does our signature on another body.
    other = Checkpoint("hall-kiosk/audit/T-1", 4, EMPTY_ROOT).body()
    assert not ours.verifier.verifies(SignedNote(other, ours.sign_note(body).signatures))


def test_a_cosignature_holds_only_for_its_key_and_the_text_it_signed() -> None:
    terminal = NoteSigner("hall-kiosk/audit/T-1", Ed25519PrivateKey.generate())
    platform = Cosigner("hall-kiosk/central", Ed25519PrivateKey.generate())
    note = terminal.sign_note(Checkpoint("hall-kiosk/audit/T-1", 9, EMPTY_ROOT).body())
    cosigned = SignedNote.parse(str(platform.cosign(note, 1_764_000_000)))
    assert platform.verifier.timestamp(cosigned) == 1_764_000_000
    assert terminal.verifier.verifies(cosigned)
    assert CosignatureVerifier.from_vkey(platform.verifier.vkey).verifies(cosigned)
    # A note signature (type 0x01) by the same key is not a cosignature (type 0x04), nor the reverse.
    assert not platform.verifier.verifies(NoteSigner("hall-kiosk/central", platform.private_key).sign_note(note.text))
    other = Cosigner("hall-kiosk/central", Ed25519PrivateKey.generate())
    assert not platform.verifier.verifies(other.cosign(note, 1))
    moved = SignedNote(Checkpoint("hall-kiosk/audit/T-1", 10, EMPTY_ROOT).body(), cosigned.signatures)
    assert not platform.verifier.verifies(moved)


def _parse_checkpoint(text: str) -> Checkpoint:
    return SignedNote.parse(text).checkpoint()


@pytest.mark.parametrize(
    "text",
    [
        GO_TEXT,  # no signatures
        GO_NOTE.replace("— ", "- "),
        GO_NOTE.replace("PeterNeumann x08", "Peter+Neumann x08"),
        GO_NOTE.replace("x08go/", "x08go*"),
        GO_NOTE[:-1],
        GO_NOTE.replace("\n", "\r\n"),
        "\n— a AAAAAAA=\n",
    ],
)
def test_malformed_notes_are_refused(text: str) -> None:
    with pytest.raises(NoteError):
        _parse_checkpoint(text)


@pytest.mark.parametrize(
    "body",
    ["o\n1\n", "o\n01\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "o\n1\nAAAA\n", "\n1\nx\n", "o\n-1\nx\n"],
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(NoteError):
        Checkpoint.parse(body)
