"""The demo's platform: the reference central platform (``central/``) run in this process on loopback.

This module is the terminal's only door to ``central/`` (an import contract holds it), and it opens only in demo
mode: a terminal installed without the ``central`` extra never imports FastAPI, uvicorn or SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.hall.catalog_store import SAMPLE_CATALOG
from kiosk.paths import TerminalPaths

if TYPE_CHECKING:
    from central.keys import PlatformKeys


@dataclass
class Platform:
    """Where the platform is, and (demo) the embedded one."""

    url: str
    token: str
    public_key: bytes
    central: EmbeddedCentral | None = None


class EmbeddedCentral:
    """The platform on loopback over a SQLite file in the demo's data folder; stop and start keep its port, so
    the demo can "cut the network" and bring it back."""

    def __init__(self, paths: TerminalPaths) -> None:
        self.db_url = f"sqlite:///{paths.platform_db}"
        self.keys = _keys(paths.platform_keys)
        self._running: Any = None  # central.runner.RunningCentral
        self._port = 0

    def start(self) -> None:
        from central.runner import start_central

        if self._running is None:
            self._running = start_central(self.db_url, catalog=SAMPLE_CATALOG, keys=self.keys, port=self._port)
            self._port = int(self._running.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self._running is not None:
            self._running.stop()
            self._running = None

    @property
    def running(self) -> Any:
        if self._running is None:
            raise RuntimeError("the embedded platform is stopped")
        return self._running


def _keys(key_file: Path) -> PlatformKeys:
    from central.keys import PlatformKeys

    if key_file.exists():
        return PlatformKeys.load(key_file)
    keys = PlatformKeys.generate()
    keys.save(key_file)
    return keys


#: The demo's staff accounts for the assisted client (工号, 姓名, 角色, 口令), made at the demo platform's first
#: start so that ``kiosk run --mode assisted --demo`` has someone to log in as (README, docs/assisted.md).
DEMO_STAFF = (
    ("D001", "李代办", "agent", "daiban-2026"),
    ("D002", "王代办", "agent", "daiban-2026"),
    ("S001", "赵审核", "reviewer", "shenhe-2026"),
)


def _seed_demo_staff(db_url: str) -> None:
    from central.db import open_engine
    from central.staff.accounts import StaffBook

    engine = open_engine(db_url, create_schema=False)
    try:
        book = StaffBook(engine)
        for staff_no, name, role, password in DEMO_STAFF:
            if book.get(staff_no) is None:
                book.add(staff_no, name, role, password)
    finally:
        engine.dispose()


def embedded_platform(paths: TerminalPaths, terminal_id: str) -> Platform:
    """Start the platform on loopback, enrol this terminal with it, and give it the demo's staff accounts."""
    central = EmbeddedCentral(paths)
    central.start()
    running = central.running
    _seed_demo_staff(central.db_url)
    return Platform(running.url, running.enroll(terminal_id), running.public_key, central=central)


def demo_public_keys(paths: TerminalPaths) -> tuple[bytes, bytes]:
    """The demo platform's sealing and receipt-signing public keys, so ``kiosk queue put --demo`` seals what the
    demo platform opens and ``kiosk queue import-receipt --demo`` checks what it signs."""
    keys = _keys(paths.platform_keys)
    return keys.seal_public, keys.signing_public
