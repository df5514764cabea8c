"""The service catalog kept on the terminal (事项清单缓存): the last good one, used when the network is down.

A new catalog is fetched with ``If-None-Match`` (an unchanged catalog costs a 304, no download), checked by
the caller's ``validate`` before it replaces the old one, and written with an atomic replace: a broken or
half-written catalog from the server never reaches the screens.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

from offline_cache.durable import write_atomic
from offline_cache.wire import protocol

if TYPE_CHECKING:
    import requests

_log = logging.getLogger(__name__)

Catalog = TypeVar("Catalog")


class CatalogUnavailableError(Exception):
    """No catalog at all: never fetched and the platform cannot be reached (or sent a bad one)."""


@dataclass(frozen=True)
class CatalogRefresh:
    """What one refresh did: ``updated`` (new one in use), ``unchanged`` (304), ``rejected``, ``failed``."""

    result: str
    message: str = ""
    etag: str | None = None


class CatalogCache(Generic[Catalog]):
    """The cached catalog in ``path`` (one JSON file: ETag, time fetched, the catalog's bytes)."""

    def __init__(self, path: Path, validate: Callable[[bytes], Catalog]) -> None:
        self.path = path
        self.validate = validate
        self._current: Catalog | None = None
        self._etag: str | None = None
        self._load()

    def _load(self) -> None:
        try:
            stored = json.loads(self.path.read_bytes())
            raw = base64.b64decode(stored["body"], validate=True)
            self._current = self.validate(raw)
            self._etag = stored.get("etag")
        except FileNotFoundError:
            return
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            _log.warning("cached catalog %s unusable, ignoring it: %s", self.path, exc)
        except Exception as exc:  # noqa: BLE001 (``validate`` is the caller's and may raise anything)
            _log.warning("cached catalog %s no longer validates, ignoring it: %s", self.path, exc)

    @property
    def etag(self) -> str | None:
        return self._etag

    def current(self) -> Catalog:
        """The catalog in use (the last good one); raises when there has never been one."""
        if self._current is None:
            raise CatalogUnavailableError(
                "服务目录暂不可用 / The service catalog is not available yet: connect the terminal to the platform"
            )
        return self._current

    def refresh(self, session: requests.Session, base_url: str, timeout: float = 15.0) -> CatalogRefresh:
        """Ask the platform for a newer catalog; keep the old one on any failure."""
        import requests  # here, not at import: the first screen paints from the cache without it

        headers = {"If-None-Match": self._etag} if self._etag and self._current is not None else {}
        try:
            answer = session.get(
                base_url + protocol.PATH_CATALOG, headers=headers, timeout=timeout, allow_redirects=False
            )
        except (requests.ConnectionError, requests.Timeout) as exc:
            return CatalogRefresh("failed", f"network: {type(exc).__name__}", self._etag)
        if answer.status_code == 304:
            return CatalogRefresh("unchanged", "", self._etag)
        if answer.status_code != 200:
            return CatalogRefresh("failed", f"HTTP {answer.status_code}", self._etag)
        raw = answer.content
        try:
            catalog = self.validate(raw)
        except Exception as exc:  # noqa: BLE001 (``validate`` is the caller's and may raise anything)
            _log.warning("platform sent a catalog that does not validate: %s", exc)
            return CatalogRefresh("rejected", str(exc), self._etag)
        etag = answer.headers.get("ETag")
        stored = {"etag": etag, "fetched_at": time.time(), "body": base64.b64encode(raw).decode("ascii")}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(self.path, json.dumps(stored).encode("utf-8"))
        self._current, self._etag = catalog, etag
        return CatalogRefresh("updated", "", etag)
