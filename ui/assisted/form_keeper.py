"""Keeps the case form on the screen sealed in the member's vault (:mod:`kiosk.assisted.form_state`): a moment
after each change, at once before the idle lock, under its case once it has one, and no more once it is sent.

The form says what it holds (``snapshot``); this says when and where it is kept."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer, Signal

from kiosk.assisted.form_state import FormStore, SealedForm, case_form_key


class FormKeeper(QObject):
    #: The form was sealed as it stands.
    form_did_seal = Signal()
    #: How long after the last change the form is sealed (milliseconds).
    SEAL_AFTER_MS = 400

    def __init__(self, parent: QObject, store: FormStore, key: str, snapshot: Callable[[], SealedForm]) -> None:
        super().__init__(parent)
        self.store = store
        self.key = key
        self._snapshot = snapshot
        #: While the form is being built or put back, its own changes are not news.
        self.paused = True
        #: The idle lock took the key: nothing can be sealed until the same member logs in again.
        self.locked = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(self.SEAL_AFTER_MS)
        self._timer.timeout.connect(self.seal)

    def changed(self, *_: object) -> None:
        if not self.paused and not self.locked:
            self._timer.start()

    def seal(self) -> bool:
        """Seal the form now and note it as the one on the screen (the next login reopens it)."""
        self._timer.stop()
        if self.locked:
            return False
        self.store.save(self._snapshot())
        self.store.mark_open(self.key)
        self.form_did_seal.emit()
        return True

    def lock(self) -> None:
        self.seal()
        self.locked = True

    def unlock(self, store: FormStore) -> None:
        self.store = store
        self.locked = False

    def filed_as(self, case_id: str) -> None:
        """The form got its case: it is kept under the case from now on."""
        sealed = self.store.load(self.key)
        self.key = self.store.rename(sealed, case_id).key if sealed is not None else case_form_key(case_id)

    def closed(self, *, has_case: bool) -> None:
        """返回列表: a draft keeps its form for the next opening; a form without a case goes."""
        if self.locked:
            return
        self.seal()
        if has_case:
            self.store.mark_open(None)
        else:
            self.store.drop(self.key)

    def done(self) -> None:
        """Sent, or answered on the spot: nothing of the form waits for later."""
        self._timer.stop()
        self.store.drop(self.key)
