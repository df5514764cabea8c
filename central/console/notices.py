"""Policy notices (政策推送) for the attract screen: written in the console, scheduled, targeted by region and
hall, withdrawn; a terminal gets the ones for its place in its next heartbeat's answer (``notices``), in the
catalog's notice shape (``{"title": {"zh", "en"}, "body": {"zh", "en"}}``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from central.clock import iso
from central.db import reading
from central.schema import console_notices

MAX_TITLE = 200
MAX_BODY = 2000


class NoticeError(Exception):
    """A notice cannot be saved as written; the message says what to fix."""


@dataclass(frozen=True)
class NoticeDraft:
    title_zh: str
    title_en: str
    body_zh: str
    body_en: str
    region: str
    hall: str
    starts_at: datetime
    ends_at: datetime | None

    def check(self) -> None:
        if not self.title_zh.strip() or not self.body_zh.strip():
            raise NoticeError("标题和正文（中文）必填 (the Chinese title and text are required)")
        if len(self.title_zh) > MAX_TITLE or len(self.title_en) > MAX_TITLE:
            raise NoticeError(f"标题最多 {MAX_TITLE} 字 (titles: at most {MAX_TITLE} characters)")
        if len(self.body_zh) > MAX_BODY or len(self.body_en) > MAX_BODY:
            raise NoticeError(f"正文最多 {MAX_BODY} 字 (text: at most {MAX_BODY} characters)")
        if self.ends_at is not None and self.ends_at <= self.starts_at:
            raise NoticeError("结束时间须晚于开始时间 (the end must come after the start)")

    def as_shown(self) -> dict[str, Any]:
        return {
            "title": {"zh": self.title_zh, "en": self.title_en},
            "body": {"zh": self.body_zh, "en": self.body_en},
        }


@dataclass(frozen=True)
class NoticeView:
    seq: int
    draft: NoticeDraft
    starts_at: str
    ends_at: str | None
    withdrawn_at: str | None
    created_by: str

    def status(self, now: datetime) -> str:
        if self.withdrawn_at:
            return "withdrawn"
        if self.starts_at > iso(now):
            return "scheduled"
        if self.ends_at is not None and self.ends_at <= iso(now):
            return "ended"
        return "live"


@dataclass(frozen=True)
class StoredNotice:
    """A notice not withdrawn, as a heartbeat's answer needs it: what is shown, where and when."""

    shown: dict[str, Any]
    region: str
    hall: str
    starts_at: str
    ends_at: str | None

    def live(self, now: datetime) -> bool:
        stamp = iso(now)
        return self.starts_at <= stamp and (self.ends_at is None or self.ends_at > stamp)

    def targets(self, region: str, hall: str) -> bool:
        """A notice with no target goes everywhere."""
        return self.region in ("", region) and self.hall in ("", hall)


@dataclass(frozen=True)
class NoticeBoard:
    engine: Engine

    def publish(self, draft: NoticeDraft, username: str, now: datetime) -> int:
        draft.check()
        with self.engine.begin() as conn:
            result = conn.execute(
                insert(console_notices).values(
                    title_zh=draft.title_zh.strip(),
                    title_en=draft.title_en.strip(),
                    body_zh=draft.body_zh.strip(),
                    body_en=draft.body_en.strip(),
                    region=draft.region.strip(),
                    hall=draft.hall.strip(),
                    starts_at=iso(draft.starts_at),
                    ends_at=None if draft.ends_at is None else iso(draft.ends_at),
                    created_by=username,
                    created_at=iso(now),
                )
            )
            key = result.inserted_primary_key
        return int(key[0]) if key else 0

    def withdraw(self, seq: int, now: datetime) -> bool:
        with self.engine.begin() as conn:
            return bool(
                conn.execute(
                    update(console_notices)
                    .where(console_notices.c.seq == seq, console_notices.c.withdrawn_at.is_(None))
                    .values(withdrawn_at=iso(now))
                ).rowcount
            )

    @staticmethod
    def not_withdrawn(conn: Connection) -> tuple[StoredNotice, ...]:
        """Every notice not withdrawn, newest first: what a worker keeps to answer heartbeats (a handful)."""
        rows = conn.execute(
            select(
                console_notices.c.title_zh,
                console_notices.c.title_en,
                console_notices.c.body_zh,
                console_notices.c.body_en,
                console_notices.c.region,
                console_notices.c.hall,
                console_notices.c.starts_at,
                console_notices.c.ends_at,
            )
            .where(console_notices.c.withdrawn_at.is_(None))
            .order_by(console_notices.c.seq.desc())
        ).all()
        return tuple(
            StoredNotice(
                {"title": {"zh": r.title_zh, "en": r.title_en}, "body": {"zh": r.body_zh, "en": r.body_en}},
                r.region,
                r.hall,
                r.starts_at,
                r.ends_at,
            )
            for r in rows
        )

    def listing(self, limit: int = 200) -> list[NoticeView]:
        with reading(self.engine) as conn:
            rows = conn.execute(select(console_notices).order_by(console_notices.c.seq.desc()).limit(limit)).all()
        return [
            NoticeView(
                seq=int(r.seq),
                draft=NoticeDraft(
                    r.title_zh,
                    r.title_en,
                    r.body_zh,
                    r.body_en,
                    r.region,
                    r.hall,
                    datetime.fromisoformat(r.starts_at),
                    None if r.ends_at is None else datetime.fromisoformat(r.ends_at),
                ),
                starts_at=r.starts_at,
                ends_at=r.ends_at,
                withdrawn_at=r.withdrawn_at,
                created_by=r.created_by,
            )
            for r in rows
        ]
