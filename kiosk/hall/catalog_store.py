"""Where the terminal finds its catalog before the platform answers: the last good one, else the bundled one."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kiosk.paths import TerminalPaths
from kiosk.visit.catalog import Catalog, Notice, parse_catalog
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


#: More notices than an attract screen shows are not kept.
MAX_PUSHED_NOTICES = 20


def pushed_notices(reply: object) -> tuple[Notice, ...] | None:
    """The notices (政策推送) of a heartbeat's answer — the catalog's and those the console pushed to this
    terminal's region and hall — or None when the answer carries none (an older platform, or no answer). A
    notice that is not in the catalog's shape is left out; the rest still show."""
    notices = reply.get("notices") if isinstance(reply, dict) else None
    if not isinstance(notices, list):
        return None
    kept: list[Notice] = []
    for raw in notices[:MAX_PUSHED_NOTICES]:
        try:
            kept.append(Notice.model_validate(raw))
        except ValidationError:
            continue
    return tuple(kept)


class NoticeBoard:
    """The catalog with the platform's latest notices: the same object while neither changes, so the screens
    are rebuilt only when there is something new to show."""

    def __init__(self) -> None:
        self._made: tuple[Catalog, tuple[Notice, ...], Catalog] | None = None

    def catalog(self, base: Catalog, notices: tuple[Notice, ...] | None) -> Catalog:
        if notices is None or notices == base.notices:
            return base
        # The cache may hand back an equal catalog as a new object (after a refresh that changed nothing).
        if self._made is not None and (self._made[0] is base or self._made[0] == base) and self._made[1] == notices:
            return self._made[2]
        made = base.model_copy(update={"notices": notices})
        self._made = (base, notices, made)
        return made
