"""When to try a delivery again: capped exponential backoff with full jitter, and the server's Retry-After.

Full jitter (a random wait between zero and the capped exponential) keeps a hall's terminals from all
retrying at the same second after the platform comes back.

This is the backoff for everything that talks to the platform. ``devices.base.Backoff`` is the same formula
without Retry-After, for reopening a device after an unplug: ``devices/`` may not import ``offline_cache/``
(nor the other way), so the three lines are written twice rather than moved into a layer of their own.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class Backoff:
    """Delays grow ``base · 2^attempt`` up to ``cap`` seconds; the wait is drawn uniformly below that."""

    base: float = 2.0
    cap: float = 300.0
    #: A longer ``Retry-After`` is cut to this: a server's typo must not stall a hall for days.
    max_retry_after: float = 3600.0

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        ceiling = min(self.cap, self.base * (2 ** min(attempt, 30)))
        wait = random.uniform(0.0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date; None if absent or bad."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        return None
    current = time.time() if now is None else now
    return max(0.0, when.timestamp() - current)
