"""The case form as the staff member left it (填到一半的表), sealed in their vault on every change.

A draft (:class:`kiosk.assisted.cases.Case`) holds what a case is once it is saved: the resident, the answers.
A form being filled holds more: the 委托 typed so far (受托人, relationship, matters, validity), the signature's
strokes, the photo of the paper 委托书, the matter's own signatures and photos. A laptop whose battery dies, or a
program killed mid-form, must give all of that back, so the client seals the whole form here after each change
(a few hundred milliseconds after the typing stops) and before the idle lock.

Files in the member's vault (sealed like every vault file, :mod:`kiosk.assisted.vault`):

- ``form-n-<uuid>``: a form that has no case yet (no resident typed that checks out);
- ``form-c-<case_id>``: the form of a draft, kept until the case is sent or given up, so reopening the draft
  from the list also brings back its 委托 and signatures;
- ``form-blob-<sha256>``: an image one of those forms holds (written once, shared, removed when no form names it);
- ``form-open``: which form was on the screen, so the next login of this member reopens it (after a restart or
  a crash as after the idle lock).

Nothing here knows Qt: the form's values are a JSON object the client makes and reads back.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.assisted.vault import Vault, VaultError

_NEW = "form-n-"
_CASE = "form-c-"
_BLOB = "form-blob-"
_OPEN = "form-open"


@dataclass(frozen=True)
class SealedForm:
    """One form: ``key`` names its file; ``values`` the client's own JSON; ``blobs`` images by the name the
    client gives them (``paper``, ``field:photo``)."""

    key: str
    case_id: str | None
    values: dict[str, Any]
    blobs: dict[str, bytes] = field(default_factory=dict)


def new_form_key() -> str:
    return _NEW + str(uuid.uuid4())


def case_form_key(case_id: str) -> str:
    return _CASE + case_id


class FormStore:
    """The sealed forms of one staff member (the vault their case book uses)."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def save(self, form: SealedForm) -> None:
        """Seal ``form`` (its images first, so a crash never leaves a form naming an image that is not there)."""
        names: dict[str, str] = {}
        for name, data in form.blobs.items():
            digest = hashlib.sha256(data).hexdigest()
            if not self.vault.exists(_BLOB + digest):
                self.vault.write(_BLOB + digest, data)
            names[name] = digest
        record = {"case_id": form.case_id, "values": form.values, "blobs": names}
        self.vault.write(form.key, json.dumps(record, ensure_ascii=False).encode())

    def load(self, key: str) -> SealedForm | None:
        """The form ``key``, or ``None`` when there is none (or it does not open: another's, damaged)."""
        try:
            record = json.loads(self.vault.read(key))
            blobs = {name: self.vault.read(_BLOB + digest) for name, digest in record.get("blobs", {}).items()}
            values = record["values"]
        except (FileNotFoundError, VaultError, ValueError, KeyError, TypeError, AttributeError):
            return None
        if not isinstance(values, dict):
            return None
        case_id = record.get("case_id")
        return SealedForm(key, case_id if isinstance(case_id, str) else None, values, blobs)

    def for_case(self, case_id: str) -> SealedForm | None:
        return self.load(case_form_key(case_id))

    def rename(self, form: SealedForm, case_id: str) -> SealedForm:
        """A form got its case (the resident now checks out): it is kept under the case from now on."""
        moved = SealedForm(case_form_key(case_id), case_id, form.values, form.blobs)
        if form.key == moved.key:
            return moved
        self.save(moved)
        if self.open_key() == form.key:
            self.mark_open(moved.key)
        self._remove(form.key)
        return moved

    def drop(self, key: str) -> None:
        """A form sent or given up: its file goes, and the images no other form names."""
        if self.open_key() == key:
            self.mark_open(None)
        self._remove(key)
        self._sweep_blobs()

    def drop_case(self, case_id: str) -> None:
        self.drop(case_form_key(case_id))

    # -- which form was on the screen ----------------------------------------------------------------------

    def mark_open(self, key: str | None) -> None:
        if key == self.open_key():
            return
        if key is None:
            self._remove(_OPEN)
        else:
            self.vault.write(_OPEN, key.encode())

    def open_key(self) -> str | None:
        try:
            key = self.vault.read(_OPEN).decode()
        except (FileNotFoundError, VaultError, UnicodeDecodeError):
            return None
        return key if key.startswith((_NEW, _CASE)) else None

    def open_form(self) -> SealedForm | None:
        """The form left on the screen (the idle lock, a logout, a restart, a crash), if it is still there."""
        key = self.open_key()
        return self.load(key) if key else None

    # -- housekeeping -------------------------------------------------------------------------------------

    def _remove(self, name: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            (self.vault.folder / name).unlink()

    def forms(self) -> list[str]:
        return [n for n in self.vault.names("form-") if n.startswith((_NEW, _CASE))]

    def _sweep_blobs(self) -> None:
        named: set[str] = set()
        for key in self.forms():
            try:
                record = json.loads(self.vault.read(key))
            except (FileNotFoundError, VaultError, ValueError):
                return  # a form that does not open may name some: keep every image
            blobs = record.get("blobs") if isinstance(record, Mapping) else None
            named |= set(blobs.values()) if isinstance(blobs, Mapping) else set()
        for name in self.vault.names(_BLOB):
            if name[len(_BLOB) :] not in named:
                self._remove(name)
