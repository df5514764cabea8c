"""Start-up cost of python-escpos: keep its parsed printer database between runs.

``escpos.capabilities`` parses its printer database (a large YAML/JSON file, about a second on the kiosk's
CPU) on first import and pickles the result — by default into a fresh temporary folder per process, so every
start pays the full parse and leaves a folder behind in /tmp. Pointing it at our cache folder before the
first import makes later starts load the pickle instead. Call :func:`prepare` before importing ``escpos``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

_ENV = "ESCPOS_CAPABILITIES_PICKLE_DIR"


def prepare() -> None:
    """Point python-escpos's capabilities pickle at the kiosk's cache folder (unless already set)."""
    if _ENV in os.environ:
        return
    folder = Path(platformdirs.user_cache_dir("hall-kiosk")) / "escpos"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return  # a read-only home: python-escpos falls back to its temporary folder
    os.environ[_ENV] = str(folder)
