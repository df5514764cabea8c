"""The console's parts for one platform instance (控制台): accounts, fleet, alerts, notices, catalogs, a clock.

Kept on ``app.state.console``; the terminal API hands it the heartbeats (``central/heartbeats.py``) and asks it for
the published catalog (:func:`published_catalog`), and nothing breaks when an app has no console.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, func, select
from sqlalchemy.exc import SQLAlchemyError

from central.catalog_file import CatalogSnapshot
from central.clock import iso, utc_now
from central.console.accounts import Accounts
from central.console.alerts import AlertBook
from central.console.beat import Beat, BeatAnswer, VersionedCache, take_beats
from central.console.catalogs import CatalogShelf
from central.console.clock import ConsoleClock
from central.console.fleet import Fleet
from central.console.notices import NoticeBoard
from central.console.states import Thresholds
from central.db import reading
from central.schema import console_catalogs

_NEWEST_CATALOG = select(func.max(console_catalogs.c.seq))

#: How often a worker sweeps the fleet for states that silence brought (seconds), while terminals beat.
SWEEP_EVERY_S = 10.0

log = logging.getLogger(__name__)


@dataclass
class FleetConsole:
    engine: Engine
    thresholds: Thresholds
    clock: ConsoleClock = field(default_factory=ConsoleClock)
    cache: VersionedCache = field(default_factory=VersionedCache, repr=False)
    _swept_at: float = field(default_factory=time.monotonic, repr=False)
    _sweeping: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def current_catalog(self) -> CatalogSnapshot | None:
        """The newest published catalog: kept in this process by its number, which is read every time."""
        with reading(self.engine) as conn:
            seq = conn.execute(_NEWEST_CATALOG).scalar()
            return self.cache.catalog(conn, int(seq or 0), self.catalogs)

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

    def take(self, conn: Connection, beats: list[Beat]) -> list[BeatAnswer]:
        """Store a batch of beats and note them (state, alerts) in the caller's transaction (``conn``); what each
        answer carries."""
        answers = take_beats(
            conn,
            fleet=self.fleet,
            cache=self.cache,
            shelf=self.catalogs,
            beats=beats,
            received_at=iso(utc_now()),
            now=self.clock.now(),
        )
        self._sweep_now_and_then()
        return answers

    def sweep(self) -> None:
        """Record the states silence and maintenance windows brought (:meth:`Fleet.sweep`)."""
        self._swept_at = time.monotonic()
        self.fleet.sweep(self.clock.now())

    def _sweep_now_and_then(self) -> None:
        # Beside the looks, each worker sweeps every few seconds while its terminals beat, on a thread of its
        # own so no beat waits for it; a sweep already running is not doubled.
        if time.monotonic() - self._swept_at < SWEEP_EVERY_S or not self._sweeping.acquire(blocking=False):
            return
        self._swept_at = time.monotonic()
        threading.Thread(target=self._sweep_in_background, name="console-sweep", daemon=True).start()

    def _sweep_in_background(self) -> None:
        try:
            self.sweep()
        except SQLAlchemyError:
            log.warning("the fleet's sweep failed; the next look or sweep does it again", exc_info=True)
        finally:
            self._sweeping.release()


def console_of(state: Any) -> FleetConsole | None:
    value = getattr(state, "console", None)
    return value if isinstance(value, FleetConsole) else None


def published_catalog(state: Any) -> CatalogSnapshot | None:
    """For the catalog route: the newest catalog published in the console, if any."""
    console = console_of(state)
    return None if console is None else console.current_catalog()
