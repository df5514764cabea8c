"""Times as the platform writes them, and the case number (受理编号) built from a row's sequence number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

#: Case numbers carry the date in China Standard Time, the same for every hall and every instance.
CHINA_TIME = timezone(timedelta(hours=8), "CST")


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def case_number(seq: int, moment: datetime) -> str:
    """``SB`` + date + the database's row sequence: unique across instances without any shared memory."""
    return f"SB{moment.astimezone(CHINA_TIME):%Y%m%d}{seq:08d}"
