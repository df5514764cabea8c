"""A staff member's laptop in a village, for the client's tests: the hall's bundled catalog, the demo staff, its
own sealed outbox (the platform's key, no platform in reach), the export to a drive wired as the hall wires it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.catalog_store import bundled_catalog
from kiosk.visit.ports import Terminal
from offline_cache.store import Outbox
from offline_cache.wire.sealing import Sealer
from tests.ui.assisted_client_support import Clocks
from ui.assisted.desk import AssistedDesk, CapturePaper
from ui.assisted.showcase import demo_desk

TERMINAL = "LAPTOP-village-02"


@contextmanager
def village_laptop(
    root: Path, clocks: Clocks | None = None, capture_paper: CapturePaper | None = None
) -> Iterator[Callable[[], AssistedDesk]]:
    """Laptops over the same files in ``root`` (one per start of the program), sharing one outbox."""
    clocks = clocks or Clocks()
    outbox = Outbox(root / "outbox", terminal_id=TERMINAL, sealer=Sealer(X25519PrivateKey.generate().public_key()))
    adapter = AssistedOutbox(outbox, Terminal(TERMINAL, "130624", "assisted"))
    catalog = bundled_catalog()

    def start() -> AssistedDesk:
        desk = demo_desk(root / "laptop", catalog, clock=clocks.wall)
        return replace(
            desk,
            monotonic=clocks.monotonic,
            send_case=adapter.send,
            send_event=adapter.send_event,
            export_cases=adapter.export_member,
            capture_paper=capture_paper,
        )

    try:
        yield start
    finally:
        outbox.close()
