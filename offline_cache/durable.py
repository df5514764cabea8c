"""Files that survive a power cut: written to a temporary name, flushed to disk, then renamed into place.

A reader sees the old file or the new one, never half of either. The folder is flushed after the rename,
because on Linux the rename itself lives in the folder's entry and is lost without it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (new names, renames, removals) to disk."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace ``path`` with ``data`` all at once; on any error the old file (if any) is untouched."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    if sync_dir:
        fsync_dir(path.parent)


def remove_quietly(path: Path) -> None:
    """Delete a file that may already be gone (a purge repeated after a crash)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
