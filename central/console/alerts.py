"""Console alerts (告警): call staff (呼叫工作人员), paper out, a device offline, a queue stuck, an audit failure,
a terminal offline. Each is one open row per (terminal, kind, cause) that clears itself when its cause goes away;
a staff call is answered by acknowledging it, and the terminal hears so in its next heartbeat's answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, and_, bindparam, insert, select, update

from central.clock import iso
from central.db import reading
from central.schema import console_alerts, console_terminals

#: A queue whose oldest unsent item is older than this (seconds), or as deep as this, is stuck.
QUEUE_STUCK_AGE_S = 30 * 60
QUEUE_STUCK_DEPTH = 200
#: How long a terminal is told about a staff call it raised (answered or not).
STAFF_CALL_TOLD_FOR = timedelta(hours=1)

KIND_NAMES = {
    "call_staff": ("呼叫工作人员", "Call staff"),
    "paper_out": ("缺纸", "Paper out"),
    "device_offline": ("设备离线", "Device offline"),
    "queue_stuck": ("待发队列停滞", "Queue stuck"),
    "audit_failure": ("审计日志校验失败", "Audit log check failed"),
    "terminal_offline": ("终端离线", "Terminal offline"),
}

#: Kinds decided from each heartbeat's report (the others come from the fleet's states and from staff calls).
REPORT_KINDS = ("paper_out", "device_offline", "queue_stuck", "audit_failure")


@dataclass(frozen=True)
class AlertView:
    seq: int
    terminal_id: str
    region: str
    hall: str
    kind: str
    cause: str
    detail: dict[str, Any]
    raised_at: str
    acknowledged_at: str | None
    acknowledged_by: str | None
    cleared_at: str | None


def wanted_from_report(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """The report-decided alerts a heartbeat's report calls for: (kind, cause) → detail."""
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    devices = report.get("devices", {})
    for name, health in devices.items() if isinstance(devices, dict) else []:
        if not isinstance(health, dict) or health.get("state") != "offline":
            continue
        reason = str(health.get("reason", ""))
        kind = "paper_out" if ("paper" in reason.lower() or "纸" in reason) else "device_offline"
        wanted[(kind, str(name)[:100])] = {"device": name, "reason": reason}
    depth = report.get("queue_depth", 0)
    oldest = report.get("oldest_unsent_s")
    if (
        isinstance(depth, int)
        and depth > 0
        and ((isinstance(oldest, int | float) and oldest > QUEUE_STUCK_AGE_S) or depth >= QUEUE_STUCK_DEPTH)
    ):
        wanted[("queue_stuck", "outbox")] = {"queue_depth": depth, "oldest_unsent_s": oldest}
    return wanted


@dataclass(frozen=True)
class AlertBook:
    engine: Engine

    def reconcile(
        self,
        conn: Connection,
        terminal_id: str,
        wanted: dict[tuple[str, str], dict[str, Any]],
        kinds: Iterable[str],
        now: datetime,
    ) -> None:
        """Open the alerts of ``kinds`` that are wanted and not open; clear the open ones no longer wanted."""
        kinds = tuple(kinds)
        open_rows = conn.execute(
            select(console_alerts.c.seq, console_alerts.c.kind, console_alerts.c.cause).where(
                console_alerts.c.terminal_id == terminal_id,
                console_alerts.c.kind.in_(kinds),
                console_alerts.c.cleared_at.is_(None),
            )
        ).all()
        open_keys = {(r.kind, r.cause): r.seq for r in open_rows}
        gone = [seq for key, seq in open_keys.items() if key not in wanted]
        if gone:
            conn.execute(update(console_alerts).where(console_alerts.c.seq.in_(gone)).values(cleared_at=iso(now)))
        for (kind, cause), detail in wanted.items():
            if (kind, cause) not in open_keys:
                conn.execute(
                    insert(console_alerts).values(
                        terminal_id=terminal_id,
                        kind=kind,
                        cause=cause,
                        detail=json.dumps(detail, ensure_ascii=False),
                        raised_at=iso(now),
                    )
                )

    @staticmethod
    def offline_changed(
        conn: Connection, *, went: list[tuple[str, datetime]], came_back: list[tuple[str, datetime]]
    ) -> None:
        """A sweep's terminals gone offline (an alert each, unless one is open) and back (theirs cleared)."""
        offline = (console_alerts.c.kind == "terminal_offline", console_alerts.c.cleared_at.is_(None))
        if went:
            already = {
                str(row[0])
                for row in conn.execute(
                    select(console_alerts.c.terminal_id).where(
                        *offline, console_alerts.c.terminal_id.in_([t for t, _at in went])
                    )
                )
            }
            raised = [
                {
                    "terminal_id": t,
                    "kind": "terminal_offline",
                    "cause": "heartbeat",
                    "detail": "{}",
                    "raised_at": iso(at),
                }
                for t, at in went
                if t not in already
            ]
            if raised:
                conn.execute(insert(console_alerts), raised)
        if came_back:
            conn.execute(
                update(console_alerts)
                .where(console_alerts.c.terminal_id == bindparam("back_terminal"), *offline)
                .values(cleared_at=bindparam("back_at")),
                [{"back_terminal": t, "back_at": iso(at)} for t, at in came_back],
            )

    @staticmethod
    def open_staff_calls(conn: Connection, terminal_id: str, report: dict[str, Any], now: datetime) -> bool:
        """Open the staff calls a beat carries (once each, whichever worker hears them); whether it carried any."""
        carried = False
        for alert in report.get("alerts", []) or []:
            if not isinstance(alert, dict) or alert.get("kind") != "call_staff":
                continue
            carried = True
            cause = str(alert.get("at", ""))[:128] or iso(now)
            known = conn.execute(
                select(console_alerts.c.seq).where(
                    console_alerts.c.terminal_id == terminal_id,
                    console_alerts.c.kind == "call_staff",
                    console_alerts.c.cause == cause,
                )
            ).first()
            if known is None:
                conn.execute(
                    insert(console_alerts).values(
                        terminal_id=terminal_id,
                        kind="call_staff",
                        cause=cause,
                        detail=json.dumps({"screen": str(alert.get("screen", ""))[:64]}, ensure_ascii=False),
                        raised_at=iso(now),
                    )
                )
        return carried

    def staff_calls(self, conn: Connection, terminal_id: str, now: datetime) -> list[dict[str, Any]]:
        """What the terminal is told of its recent staff calls: each call's time and whether staff are coming."""
        rows = conn.execute(
            select(console_alerts.c.cause, console_alerts.c.acknowledged_at).where(
                console_alerts.c.terminal_id == terminal_id,
                console_alerts.c.kind == "call_staff",
                console_alerts.c.raised_at >= iso(now - STAFF_CALL_TOLD_FOR),
            )
        ).all()
        return [
            {"at": r.cause, "state": "acknowledged" if r.acknowledged_at else "open"}
            | ({"message": {"zh": "工作人员马上到", "en": "Staff are on the way"}} if r.acknowledged_at else {})
            for r in rows
        ]

    def acknowledge(self, seq: int, username: str, now: datetime) -> bool:
        """Someone is on the way. A staff call is answered by this and leaves the open list."""
        with self.engine.begin() as conn:
            row = conn.execute(select(console_alerts.c.kind).where(console_alerts.c.seq == seq)).first()
            if row is None:
                return False
            values: dict[str, Any] = {"acknowledged_at": iso(now), "acknowledged_by": username}
            if row.kind == "call_staff":
                values["cleared_at"] = iso(now)
            conn.execute(
                update(console_alerts)
                .where(and_(console_alerts.c.seq == seq, console_alerts.c.acknowledged_at.is_(None)))
                .values(**values)
            )
        return True

    def hall_of(self, seq: int) -> str | None:
        """The hall of an alert's terminal (None: no such alert)."""
        query = (
            select(console_alerts.c.seq, console_terminals.c.hall)
            .select_from(
                console_alerts.outerjoin(
                    console_terminals, console_terminals.c.terminal_id == console_alerts.c.terminal_id
                )
            )
            .where(console_alerts.c.seq == seq)
        )
        with reading(self.engine) as conn:
            row = conn.execute(query).first()
        return None if row is None else str(row.hall or "")

    def listing(self, *, open_only: bool, limit: int = 200) -> list[AlertView]:
        query = (
            select(console_alerts, console_terminals.c.region, console_terminals.c.hall)
            .select_from(
                console_alerts.outerjoin(
                    console_terminals, console_terminals.c.terminal_id == console_alerts.c.terminal_id
                )
            )
            .order_by(console_alerts.c.seq.desc())
            .limit(limit)
        )
        if open_only:
            query = query.where(console_alerts.c.cleared_at.is_(None))
        else:
            query = query.where(console_alerts.c.cleared_at.is_not(None))
        with reading(self.engine) as conn:
            rows = conn.execute(query).all()
        if open_only:  # a person waiting at a kiosk comes first
            rows = sorted(rows, key=lambda r: (r.kind != "call_staff", -int(r.seq)))
        return [
            AlertView(
                seq=int(r.seq),
                terminal_id=r.terminal_id,
                region=r.region or "",
                hall=r.hall or "",
                kind=r.kind,
                cause=r.cause,
                detail=json.loads(r.detail),
                raised_at=r.raised_at,
                acknowledged_at=r.acknowledged_at,
                acknowledged_by=r.acknowledged_by,
                cleared_at=r.cleared_at,
            )
            for r in rows
        ]

    def open_count(self) -> int:
        with reading(self.engine) as conn:
            return len(conn.execute(select(console_alerts.c.seq).where(console_alerts.c.cleared_at.is_(None))).all())
