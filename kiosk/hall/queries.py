"""Queries that print or show a result (社保参保证明, 医保缴费记录).

Protocol v1 of the central platform carries submissions, not department queries, so the answers here come from
the terminal's sample records (:class:`SampleQueryDesk`, used in demo mode). A site without a query source gets
:class:`NoQueryDesk`, which says plainly that the query cannot run now (the citizen is sent to the counter).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Protocol

from kiosk.visit.ports import SubmissionRequest


class QueryDesk(Protocol):
    def ask(self, request: SubmissionRequest) -> tuple[tuple[str, str], ...] | None:
        """The result rows, or None when the query cannot run now (offline)."""
        ...

    def reference(self, request: SubmissionRequest) -> str:
        """A reference number printed on the result."""
        ...


class NoQueryDesk:
    def ask(self, request: SubmissionRequest) -> tuple[tuple[str, str], ...] | None:
        return None

    def reference(self, request: SubmissionRequest) -> str:
        return ""


class SampleQueryDesk:
    """Sample records, stable for one person (derived from a hash, never from a real system)."""

    def __init__(self, online: Callable[[], bool]) -> None:
        self.online = online

    def _seed(self, request: SubmissionRequest) -> int:
        who = request.applicant.id_number if request.applicant else "anonymous"
        return int(hashlib.sha256(f"{who}/{request.service.code}".encode()).hexdigest()[:8], 16)

    def reference(self, request: SubmissionRequest) -> str:
        return f"CX{self._seed(request) % 10**10:010d}"

    def ask(self, request: SubmissionRequest) -> tuple[tuple[str, str], ...] | None:
        if not self.online():
            return None
        seed = self._seed(request)
        answers = request.answers
        if request.service.code.startswith("YBCX"):
            year = answers["year"].value if "year" in answers else "2025"
            months = 12 - seed % 3
            return (
                ("查询年份", year),
                ("缴费月数", f"{months} 个月"),
                ("个人缴费合计", f"{months * 32 + seed % 50} 元"),
                ("参保状态", "正常参保"),
            )
        kind = answers["kind"].display if "kind" in answers else "全部险种"
        since = answers["since"].display if "since" in answers else ""
        return (
            ("证明类型", kind),
            ("参保状态", "正常参保"),
            ("参保起始", since or "2001年7月"),
            ("累计缴费", f"{180 + seed % 200} 个月"),
        )
