"""A terminal's state (终端状态) from its heartbeat's age and its devices, with a grace period and hysteresis.

Pure: the same answer on every worker for the same row and time. A terminal turns ``warning`` once a beat is
later than the interval plus the grace period, ``offline`` after three missed intervals plus the grace; it
comes back only with a fresh beat (age within one interval), so a terminal beating at the edge does not
flap between states.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class State(enum.StrEnum):
    OFFLINE = "offline"
    ERROR = "error"
    WARNING = "warning"
    MAINTENANCE = "maintenance"
    OK = "ok"


#: Worst first: the order of the terminal list and the counters.
WORST_FIRST = (State.OFFLINE, State.ERROR, State.WARNING, State.MAINTENANCE, State.OK)
RANK = {state: index for index, state in enumerate(WORST_FIRST)}

STATE_NAMES = {
    State.OFFLINE: ("离线", "Offline"),
    State.ERROR: ("故障", "Error"),
    State.WARNING: ("警告", "Warning"),
    State.MAINTENANCE: ("维护中", "Maintenance"),
    State.OK: ("正常", "OK"),
}

PAPER_WORDS = ("paper", "纸")


@dataclass(frozen=True)
class Thresholds:
    """The expected heartbeat interval and the grace period (seconds)."""

    interval_s: float = 60.0
    grace_s: float = 30.0

    @property
    def late_s(self) -> float:
        return self.interval_s + self.grace_s

    @property
    def lost_s(self) -> float:
        return 3 * self.interval_s + self.grace_s


def silence_state(previous: State | None, age_s: float | None, t: Thresholds) -> State:
    """What the heartbeat's age alone says, given the state shown before (the hysteresis)."""
    if age_s is None or age_s > t.lost_s:
        return State.OFFLINE
    fresh = age_s <= t.interval_s
    if previous is State.OFFLINE and not fresh:
        return State.OFFLINE
    if age_s > t.late_s:
        return State.WARNING
    if previous is State.WARNING and not fresh:
        return State.WARNING
    return State.OK


def paper_low(devices: dict[str, Any]) -> bool:
    for health in devices.values():
        reason = str(health.get("reason", "") if isinstance(health, dict) else "").lower()
        if any(word in reason for word in PAPER_WORDS) and (health.get("state") != "ok"):
            return True
    return False


def device_state(devices: dict[str, Any]) -> State:
    """Any device offline is an error; any degraded (paper low among them) a warning."""
    worst = State.OK
    for health in devices.values():
        state = health.get("state") if isinstance(health, dict) else None
        if state == "offline":
            return State.ERROR
        if state == "degraded":
            worst = State.WARNING
    return worst


def terminal_state(
    previous: State | None,
    age_s: float | None,
    devices: dict[str, Any],
    in_maintenance: bool,
    t: Thresholds,
) -> State:
    if in_maintenance:
        return State.MAINTENANCE
    silence = silence_state(previous if previous is not State.MAINTENANCE else None, age_s, t)
    if silence is State.OFFLINE:
        return State.OFFLINE
    devices_say = device_state(devices)
    return min(silence, devices_say, key=lambda s: RANK[s])
