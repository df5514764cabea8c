"""The service catalog (事项目录) the platform hands to terminals: a JSON file served with a strong ETag.

The ETag is the SHA-256 of the file's bytes, so every instance serving the same file gives the same tag and
a terminal's ``If-None-Match`` works whichever instance answers. An edited file is picked up on the next
request (its size or modification time changed).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SAMPLE_CATALOG = Path(__file__).with_name("data") / "sample_catalog.json"


class CatalogFileError(Exception):
    """The catalog file cannot be served; the message names the file and the problem."""


@dataclass(frozen=True)
class CatalogSnapshot:
    """One version of the catalog file: its bytes, strong ETag, and the notices it carries for heartbeats."""

    content: bytes
    etag: str
    notices: tuple[Any, ...]


def _load(path: Path) -> CatalogSnapshot:
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise CatalogFileError(f"cannot read catalog {path}: {exc.strerror}") from exc
    try:
        data = json.loads(content)
    except ValueError as exc:
        raise CatalogFileError(f"catalog {path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("version"), str):
        raise CatalogFileError(f"catalog {path} needs a top-level object with a 'version' string")
    notices = data.get("notices", [])
    return CatalogSnapshot(
        content=content,
        etag='"' + hashlib.sha256(content).hexdigest() + '"',
        notices=tuple(notices) if isinstance(notices, list) else (),
    )


class CatalogFile:
    """Serves one catalog file, re-reading it only when it changes on disk."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or SAMPLE_CATALOG
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._snapshot = _load(self.path)
        self._stamp = self._stat()

    def _stat(self) -> tuple[int, int] | None:
        try:
            st = self.path.stat()
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size)

    def snapshot(self) -> CatalogSnapshot:
        stamp = self._stat()
        with self._lock:
            if stamp is not None and stamp != self._stamp:
                try:
                    self._snapshot = _load(self.path)
                    self._stamp = stamp
                except CatalogFileError:
                    pass  # half-written file: keep serving the last good version
            return self._snapshot


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 ``If-None-Match``: ``*`` or any listed tag equal to ours (weak comparison, per the RFC)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))
