"""The limits of working unsynced (离线作业限制), as MOSIP's registration client has them.

Past ``warn_days`` without a sync or ``warn_unsent`` cases not yet at the platform, the case list warns; past
``refuse_days`` or ``refuse_unsent`` no new case is opened until the laptop syncs or exports its queue to a
drive. Cases already open can always be finished and sent: the limit protects the residents whose papers sit
on the laptop, it never traps work half done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

HealthLevel = Literal["ok", "warn", "refuse"]


@dataclass(frozen=True)
class CaseLimits:
    """From ``[assisted]`` in the config (the hall adapter passes them in)."""

    warn_days: float = 3
    refuse_days: float = 7
    warn_unsent: int = 50
    refuse_unsent: int = 200


@dataclass(frozen=True)
class SyncHealth:
    """What the case list shows at all times: since when unsynced, how many unsent and the oldest one's age."""

    level: HealthLevel
    message: str
    #: When the book last reached the platform (ISO), ``None`` if never.
    unsynced_since: str | None
    unsent: int
    #: Seconds since the oldest unsent case was saved to be sent, ``None`` when nothing is unsent.
    oldest_unsent_age: float | None

    @property
    def refuse_new(self) -> bool:
        return self.level == "refuse"


def _age(now: datetime, stamp: str | None) -> float | None:
    if stamp is None:
        return None
    return max(0.0, (now - datetime.fromisoformat(stamp)).total_seconds())


def describe_age(seconds: float) -> str:
    """``3 天 4 小时`` / ``5 小时 2 分钟`` / ``12 分钟``: an age a person reads at a glance."""
    minutes = int(seconds // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} 天 {hours} 小时"
    if hours:
        return f"{hours} 小时 {minutes} 分钟"
    return f"{minutes} 分钟"


def sync_health(
    limits: CaseLimits,
    now: datetime,
    *,
    last_synced_at: str | None,
    since_first_use: str | None,
    unsent: int,
    oldest_unsent_at: str | None,
) -> SyncHealth:
    """Judge the book against the limits; the message says what to do, in the staff member's words."""
    synced_age = _age(now, last_synced_at or since_first_use)
    oldest_age = _age(now, oldest_unsent_at) if unsent else None
    days = (synced_age or 0.0) / 86400
    # Days count only while something waits: a laptop with nothing unsent has nothing at risk.
    stale_refuse = unsent > 0 and days >= limits.refuse_days
    stale_warn = unsent > 0 and days >= limits.warn_days
    since = describe_age(synced_age) if synced_age is not None else ""
    if stale_refuse or unsent >= limits.refuse_unsent:
        reason = f"已 {since} 未同步" if stale_refuse else f"有 {unsent} 件未送达平台（上限 {limits.refuse_unsent} 件）"
        message = f"{reason}：请先联网同步，或用“导出到U盘”送出待发送案件，之后才能新建案件"
        level: HealthLevel = "refuse"
    elif stale_warn or unsent >= limits.warn_unsent:
        reason = f"已 {since} 未同步" if stale_warn else f"有 {unsent} 件未送达平台"
        message = f"{reason}：请尽快联网同步"
        level = "warn"
    else:
        message = f"{unsent} 件待发送" if unsent else "全部已同步"
        level = "ok"
    return SyncHealth(level, message, last_synced_at, unsent, oldest_age)
