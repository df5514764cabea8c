"""The platform as an ASGI app built from the environment, for ``uvicorn --factory --workers N``.

``kiosk-central serve`` runs one process; ``hall-kiosk-central.service`` runs several uvicorn workers, each of
which calls :func:`app_from_environment`. The schema is upgraded once before them (``kiosk-central migrate``,
the unit's ``ExecStartPre``), so the workers open the database without upgrading it.

- ``KIOSK_CENTRAL_DB``: ``sqlite:///PATH`` or ``postgresql://USER@HOST/DB`` (required)
- ``KIOSK_CENTRAL_KEYS``: the platform key file from ``kiosk-central keygen`` (required: sealed items must stay
  readable across restarts and between workers)
- ``KIOSK_CENTRAL_ADMIN_TOKEN_FILE``: the admin token's file (or ``KIOSK_CENTRAL_ADMIN_TOKEN``)
- ``KIOSK_CENTRAL_CATALOG``: a service catalog JSON (default: the packaged sample)
- ``KIOSK_CENTRAL_MAX_ATTACHMENT_MIB``: the largest attachment accepted (default 20)
"""

from __future__ import annotations

import os
from pathlib import Path

from fastapi import FastAPI

DB_ENV = "KIOSK_CENTRAL_DB"
KEYS_ENV = "KIOSK_CENTRAL_KEYS"
ADMIN_TOKEN_FILE_ENV = "KIOSK_CENTRAL_ADMIN_TOKEN_FILE"  # noqa: S105 - the variable's name, not a secret
CATALOG_ENV = "KIOSK_CENTRAL_CATALOG"
MAX_ATTACHMENT_ENV = "KIOSK_CENTRAL_MAX_ATTACHMENT_MIB"


class CentralSettingError(RuntimeError):
    """A missing or bad setting; the message names the variable."""


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise CentralSettingError(f"{name} is not set (see /etc/hall-kiosk/central.env)")
    return value


def _optional_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value) if value else None


def app_from_environment() -> FastAPI:
    from central.admin_token import admin_token
    from central.app import create_app
    from central.catalog_file import CatalogFile
    from central.db import open_engine
    from central.keys import PlatformKeys
    from central.platform import Limits, Platform

    try:
        max_mib = int(os.environ.get(MAX_ATTACHMENT_ENV, "20"))
    except ValueError:
        raise CentralSettingError(f"{MAX_ATTACHMENT_ENV} must be a whole number of MiB") from None

    platform = Platform(
        engine=open_engine(_required(DB_ENV), create_schema=False),
        keys=PlatformKeys.load(Path(_required(KEYS_ENV))),
        catalog=CatalogFile(_optional_path(CATALOG_ENV)),
        admin_token=admin_token(_optional_path(ADMIN_TOKEN_FILE_ENV)),
        limits=Limits(attachment_bytes=max_mib * 1024 * 1024),
    )
    return create_app(platform)
