"""The technician PIN lock (维护密码) counts wrong tries correctly when several workers try at the same moment."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from kiosk.hall.technician_pin import PinAnswer, PinLock, hash_pin

TRIES = 16
MAX_ATTEMPTS = 5
LOCKOUT = 60


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _tries_at_once(lock: PinLock, pins: list[str]) -> list[PinAnswer]:
    start = threading.Barrier(len(pins))

    def attempt(pin: str) -> PinAnswer:
        start.wait()
        return lock.try_pin(pin)

    with ThreadPoolExecutor(len(pins)) as pool:
        return list(pool.map(attempt, pins))


def test_wrong_pins_from_many_threads_at_once_lock_after_exactly_the_allowed_tries() -> None:
    clock = Clock()
    lock = PinLock(hash_pin("482915", iterations=20_000), MAX_ATTEMPTS, LOCKOUT, clock)
    answers = _tries_at_once(lock, [f"{n:06d}" for n in range(TRIES)])

    assert not any(a.ok for a in answers)
    # Each wrong try before the lock closes is told one fewer try is left; every other one finds it locked.
    assert sorted(a.attempts_left for a in answers if a.attempts_left) == [1, 2, 3, 4]
    assert [a.locked_seconds for a in answers].count(LOCKOUT) == TRIES - (MAX_ATTEMPTS - 1)

    # Locked: even the right PIN is refused, until the lockout has passed.
    assert lock.try_pin("482915") == PinAnswer(False, 0, LOCKOUT)
    clock.now += LOCKOUT
    assert lock.try_pin("482915") == PinAnswer(True, MAX_ATTEMPTS, 0)
