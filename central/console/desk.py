"""The console's parts for one platform instance (控制台): accounts, fleet, alerts, notices, catalogs, a clock.

Kept on ``app.state.console``; the terminal API asks it two things (:func:`heartbeat_extras`,
:func:`published_catalog`), and nothing breaks when an app has no console.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine

from central.catalog_file import CatalogSnapshot
from central.console.accounts import Accounts
from central.console.alerts import AlertBook
from central.console.catalogs import CatalogShelf
from central.console.clock import ConsoleClock
from central.console.fleet import Fleet
from central.console.notices import NoticeBoard
from central.console.states import Thresholds

#: How long a worker serves the published catalog it last read before asking the database again (every
#: heartbeat and catalog fetch wants it; another worker's publication reaches this one's terminals this late).
CATALOG_RECHECK_S = 5.0


@dataclass
class FleetConsole:
    engine: Engine
    thresholds: Thresholds
    clock: ConsoleClock = field(default_factory=ConsoleClock)
    _catalog: CatalogSnapshot | None = field(default=None, repr=False)
    _catalog_read_at: float | None = field(default=None, repr=False)

    def current_catalog(self) -> CatalogSnapshot | None:
        """The newest published catalog, read again from the database at most every few seconds."""
        read_at = self._catalog_read_at
        if read_at is None or time.monotonic() - read_at > CATALOG_RECHECK_S:
            self._catalog = self.catalogs.current()
            self._catalog_read_at = time.monotonic()
        return self._catalog

    def forget_catalog(self) -> None:
        """A catalog was published through this worker: its terminals get it at once."""
        self._catalog_read_at = None

    @property
    def accounts(self) -> Accounts:
        return Accounts(self.engine)

    @property
    def alerts(self) -> AlertBook:
        return AlertBook(self.engine)

    @property
    def fleet(self) -> Fleet:
        return Fleet(self.engine, self.thresholds, self.alerts)

    @property
    def notices(self) -> NoticeBoard:
        return NoticeBoard(self.engine)

    @property
    def catalogs(self) -> CatalogShelf:
        return CatalogShelf(self.engine)

    def heartbeat(self, terminal_id: str, report: dict[str, Any]) -> dict[str, Any]:
        """Note a terminal's beat (state, alerts) and what its answer carries: its notices and staff calls."""
        now = self.clock.now()
        with self.engine.begin() as conn:
            self.fleet.heartbeat(conn, terminal_id, report, now)
            self.alerts.heartbeat(conn, terminal_id, report, now)
            region, hall = self.fleet.place_of_in(conn, terminal_id)
            notices = self.notices.for_place(conn, region, hall, now)
            calls = self.alerts.staff_calls(conn, terminal_id, now)
        return {"notices": notices, "staff_calls": calls}


def console_of(state: Any) -> FleetConsole | None:
    value = getattr(state, "console", None)
    return value if isinstance(value, FleetConsole) else None


def heartbeat_extras(state: Any, terminal_id: str, report: dict[str, Any]) -> dict[str, Any]:
    """For the heartbeat route: the console's notices and staff-call answers for this terminal ({} without one)."""
    console = console_of(state)
    return {} if console is None else console.heartbeat(terminal_id, report)


def published_catalog(state: Any) -> CatalogSnapshot | None:
    """For the catalog route: the newest catalog published in the console, if any."""
    console = console_of(state)
    return None if console is None else console.current_catalog()
