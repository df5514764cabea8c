"""The technician's PIN (维护密码): kept only as a slow PBKDF2 hash; wrong tries lock the door for a while."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

ITERATIONS = 200_000


def hash_pin(pin: str, *, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$iterations$salt$hash`` (base64): slow to guess, and the PIN itself is never stored."""
    salt = salt if salt is not None else os.urandom(16)
    digest = hashlib.pbkdf2_hmac("sha256", pin.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def pin_matches(pin: str, stored: str) -> bool:
    try:
        scheme, iterations, salt, digest = stored.split("$")
        if scheme != "pbkdf2_sha256":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.pbkdf2_hmac("sha256", pin.encode(), base64.b64decode(salt), int(iterations))
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@dataclass(frozen=True)
class PinAnswer:
    ok: bool
    attempts_left: int
    locked_seconds: int


class PinLock:
    """Counts wrong PINs; after ``max_attempts`` the lock refuses every PIN for ``lockout_seconds``.

    Safe from several threads: one try at a time is checked and counted, so however many arrive at once, no
    more than ``max_attempts`` PINs are ever checked before the lock closes.
    """

    def __init__(
        self, pin_hash: str, max_attempts: int, lockout_seconds: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.pin_hash = pin_hash
        self.max_attempts = max_attempts
        self.lockout_seconds = lockout_seconds
        self.clock = clock
        self._wrong = 0
        self._locked_until = 0.0
        self._lock = threading.Lock()

    def try_pin(self, pin: str) -> PinAnswer:
        with self._lock:
            return self._try(pin)

    def _try(self, pin: str) -> PinAnswer:
        now = self.clock()
        if now < self._locked_until:
            return PinAnswer(False, 0, int(self._locked_until - now + 0.999))
        if pin_matches(pin, self.pin_hash):
            self._wrong = 0
            return PinAnswer(True, self.max_attempts, 0)
        self._wrong += 1
        if self._wrong >= self.max_attempts:
            self._wrong = 0
            self._locked_until = now + self.lockout_seconds
            return PinAnswer(False, 0, self.lockout_seconds)
        return PinAnswer(False, self.max_attempts - self._wrong, 0)
