"""The technician PIN: kept as a slow hash, and five wrong tries lock the door for a while."""

from __future__ import annotations

from kiosk.config import Config
from kiosk.hall.technician_pin import PinLock, hash_pin, pin_matches


def test_a_hashed_pin_matches_only_itself() -> None:
    stored = hash_pin("8642", iterations=1000)
    assert "8642" not in stored
    assert pin_matches("8642", stored)
    assert not pin_matches("8643", stored)
    assert not pin_matches("8642", "not-a-hash")


def test_the_demo_pin_is_2468() -> None:
    assert pin_matches("2468", Config().technician.pin_hash)


def test_wrong_tries_lock_then_the_lock_expires() -> None:
    now = [0.0]
    lock = PinLock(hash_pin("1357", iterations=1000), max_attempts=3, lockout_seconds=60, clock=lambda: now[0])
    assert lock.try_pin("0000").attempts_left == 2
    assert lock.try_pin("0000").attempts_left == 1
    locked = lock.try_pin("0000")
    assert not locked.ok and locked.locked_seconds == 60
    now[0] = 30
    assert not lock.try_pin("1357").ok  # even the right PIN waits out the lock
    now[0] = 61
    assert lock.try_pin("1357").ok


def test_hash_pin_prints_a_config_line_that_loads() -> None:
    import subprocess
    import sys

    from kiosk.config import parse_config

    result = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "technician", "hash-pin"],
        input="864213\n864213\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config = parse_config(result.stdout)
    assert pin_matches("864213", config.technician.pin_hash)
    bad = subprocess.run(
        [sys.executable, "-m", "kiosk.cli.main", "technician", "hash-pin"],
        input="12\n12\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2 and "4到12位数字" in bad.stderr
