"""The idle clock: a warning of at least 20 s, at least ten extensions, elder mode doubles the time."""

from __future__ import annotations

import pytest

from kiosk.visit.idle import IdleClock, IdlePhase


def test_quiet_then_warning_then_expiry() -> None:
    clock = IdleClock(idle_seconds=60, warning_seconds=30)
    clock.restart(0)
    assert clock.status(59).phase is IdlePhase.ACTIVE
    warning = clock.status(61)
    assert warning.phase is IdlePhase.WARNING and warning.seconds_left == 29
    assert clock.status(90).phase is IdlePhase.EXPIRED


def test_elder_mode_doubles_every_timeout() -> None:
    clock = IdleClock(idle_seconds=60, warning_seconds=30, factor=2.0)
    clock.restart(0)
    assert clock.status(119).phase is IdlePhase.ACTIVE
    assert clock.status(121).seconds_left == 59
    assert clock.status(180).phase is IdlePhase.EXPIRED


def test_the_warning_can_be_extended_at_least_ten_times() -> None:
    clock = IdleClock(idle_seconds=60, warning_seconds=30, max_extensions=10)
    clock.restart(0)
    now = 0.0
    for _ in range(10):
        now += 70
        assert clock.status(now).phase is IdlePhase.WARNING
        assert clock.extend(now)
        assert clock.status(now + 1).phase is IdlePhase.ACTIVE
    now += 70
    assert not clock.status(now).can_extend
    assert not clock.extend(now)


def test_a_tap_during_the_warning_does_not_silently_extend() -> None:
    clock = IdleClock(idle_seconds=60, warning_seconds=30)
    clock.restart(0)
    clock.touch(65)
    assert clock.status(66).phase is IdlePhase.WARNING


def test_a_warning_shorter_than_twenty_seconds_is_refused() -> None:
    with pytest.raises(ValueError, match="20 seconds"):
        IdleClock(idle_seconds=60, warning_seconds=10)
