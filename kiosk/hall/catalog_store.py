"""Where the terminal finds its catalog before the platform answers: the last good one, else the bundled one."""

from __future__ import annotations

from pathlib import Path

from kiosk.paths import TerminalPaths
from kiosk.visit.catalog import Catalog, parse_catalog
from offline_cache.catalog_cache import CatalogCache

SAMPLE_CATALOG = Path(__file__).parents[1] / "data" / "sample_catalog.json"


def bundled_catalog() -> Catalog:
    """The catalog shipped with the terminal: used until the platform's first catalog arrives."""
    return parse_catalog(SAMPLE_CATALOG.read_bytes())


def cached_catalog(paths: TerminalPaths) -> Catalog:
    """The last good catalog from the platform, else the bundled one (for the first paint, before the hall)."""
    try:
        return CatalogCache(paths.catalog, parse_catalog).current()
    except Exception:  # noqa: BLE001 - no usable cache yet
        return bundled_catalog()
