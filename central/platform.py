"""One platform instance's parts: its database, keys, catalog and limits, and the protocol's error response.

Nothing held here matters for correctness (the database holds it all), so a province runs several instances.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from fastapi.responses import JSONResponse
from sqlalchemy import Engine

from central.attachments import AttachmentStore
from central.catalog_file import CatalogFile
from central.intake import IntakeDesk
from central.keys import PlatformKeys
from central.records import CaseRecords
from central.terminals import TerminalRegistry
from offline_cache.wire.protocol import (
    MAX_ATTACHMENT_BYTES,
    MAX_BATCH_BYTES,
    MAX_SUBMISSION_BYTES,
    error_body,
)


@dataclass(frozen=True)
class Limits:
    """How large a request may be; beyond it the platform answers 413 before reading the rest.

    ``submission_bytes`` holds for each item of a batch too. The defaults are the protocol's, which terminals
    apply at ``put`` (``offline_cache.wire.protocol``).
    """

    attachment_bytes: int = MAX_ATTACHMENT_BYTES
    submission_bytes: int = MAX_SUBMISSION_BYTES
    batch_bytes: int = MAX_BATCH_BYTES


@dataclass(frozen=True)
class Platform:
    """The parts one instance works with; all state behind them lives in the shared database."""

    engine: Engine
    keys: PlatformKeys
    catalog: CatalogFile
    admin_token: str
    limits: Limits = field(default_factory=Limits)
    heartbeat_interval_s: int = 60

    @functools.cached_property
    def intake(self) -> IntakeDesk:
        # One desk for the process: its opener remembers the X25519 secret of recent ephemeral keys, and a
        # terminal's run of submissions arrives over many requests.
        return IntakeDesk(
            self.engine,
            self.keys,
            max_submission_bytes=self.limits.submission_bytes,
            catalog=lambda: self.catalog.snapshot().content,  # 可代办 / 须本人到场 of assisted cases
        )

    @property
    def terminals(self) -> TerminalRegistry:
        return TerminalRegistry(self.engine)

    @property
    def attachments(self) -> AttachmentStore:
        return AttachmentStore(self.engine)

    @property
    def records(self) -> CaseRecords:
        return CaseRecords(self.engine)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(code, message), status_code=status, headers=headers)
