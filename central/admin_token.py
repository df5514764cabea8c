"""The platform's admin token (for enrolment over the API): from a file, from the environment, or made for
this run. Shared by ``kiosk-central serve`` and each worker ``serve --workers`` starts (``central.asgi``)."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

ADMIN_TOKEN_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN"  # noqa: S105 - the variable's name, not a secret


class AdminTokenError(Exception):
    """The admin token file cannot be used; the message says why."""


def admin_token(path: Path | None) -> str:
    if path is not None:
        try:
            token = path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise AdminTokenError(f"cannot read admin token file {path}: {exc.strerror}") from exc
        if not token:
            raise AdminTokenError(f"admin token file {path} is empty")
        return token
    token = os.environ.get(ADMIN_TOKEN_ENV, "").strip()
    if token:
        return token
    token = secrets.token_urlsafe(24)
    print(f"admin token for this run (set {ADMIN_TOKEN_ENV} to fix it): {token}", file=sys.stderr)
    return token
