"""A staff member's laptop in a village, for the client's tests: the hall's bundled catalog, the demo staff, its
own sealed outbox (the platform's key, no platform in reach), the export to a drive wired as the hall wires it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.catalog_store import bundled_catalog
from kiosk.hall.matters import OutboxMatters
from kiosk.hall.queries import SampleQueryDesk
from kiosk.records.ratings import RatingBook
from kiosk.records.tickets import TicketRoll
from kiosk.visit.ports import Terminal
from offline_cache.store import Outbox
from offline_cache.wire.sealing import Sealer
from tests.ui.assisted_client_support import Clocks
from ui.assisted.desk import AssistedDesk, CapturePaper
from ui.assisted.showcase import demo_desk

TERMINAL = "LAPTOP-village-02"


@contextmanager
def village_laptop(
    root: Path,
    clocks: Clocks | None = None,
    capture_paper: CapturePaper | None = None,
    *,
    hall_services: bool = False,
    online: bool = True,
) -> Iterator[Callable[[], AssistedDesk]]:
    """Laptops over the same files in ``root`` (one per start of the program), sharing one outbox.

    ``hall_services``: wired to the hall's queries (the terminal's query desk, answering when ``online``) and
    its queue tickets, as at the hall's desk; without them, as a laptop out in a village."""
    clocks = clocks or Clocks()
    outbox = Outbox(root / "outbox", terminal_id=TERMINAL, sealer=Sealer(X25519PrivateKey.generate().public_key()))
    terminal = Terminal(TERMINAL, "130624", "assisted")
    adapter = AssistedOutbox(outbox, terminal)
    catalog = bundled_catalog()
    def hall_day() -> date:
        return clocks.now.date()

    matters = OutboxMatters(
        outbox,
        terminal,
        trigger_sync=lambda: None,
        queries=SampleQueryDesk(lambda: online),
        tickets=TicketRoll(root / "tickets.db", today=hall_day),
        ratings=RatingBook(root / "ratings.db"),
    )

    def start() -> AssistedDesk:
        desk = demo_desk(root / "laptop", catalog, clock=clocks.wall)
        return replace(
            desk,
            monotonic=clocks.monotonic,
            send_case=adapter.send,
            send_event=adapter.send_event,
            export_cases=adapter.export_member,
            capture_paper=capture_paper,
            handle_matter=matters.handle if hall_services else None,
        )

    try:
        yield start
    finally:
        outbox.close()
