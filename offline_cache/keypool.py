"""Seals made ahead of time (预生成密钥), so that sealing adds almost nothing to a ``put``.

Everything of a seal except encrypting the payload itself — the submission's id, a fresh ephemeral key, its
X25519 secret with the platform, HKDF, the wrapped data key, the nonces — does not depend on the payload, so
a background thread makes a few in advance. It makes the next one only when told that a ``put`` is about to
wait for its disk flush (:meth:`KeyPool.refill`): Python runs one thread at a time, and a refill racing the
``put``'s own sealing made that sealing twenty times slower (measured: bench/outbox.py). Each set is handed
out once and never reused; they live only in memory. A set older than ``max_age`` seconds is dropped, so a
submission's UUIDv7 still tells when it was saved (to within that).
"""

from __future__ import annotations

import threading
import time
from collections import deque

from offline_cache.sealing import Sealer, SealingKeys


class KeyPool:
    """Up to ``size`` fresh :class:`SealingKeys` for one platform key, refilled by a daemon thread."""

    def __init__(self, sealer: Sealer, size: int = 16, max_age: float = 30.0) -> None:
        self.sealer = sealer
        self.size = size
        self.max_age = max_age
        self._keys: deque[SealingKeys] = deque()
        self._changed = threading.Condition()
        self._wanted = size  # sets to make before waiting for the next refill()
        self._closed = False
        self._thread = threading.Thread(target=self._fill, name="outbox-keys", daemon=True)
        self._thread.start()

    def take(self) -> SealingKeys:
        """A never-used key set, in the order made (so ids follow the order of saving).

        When the pool is empty (or holds only old sets) it waits for the filling thread rather than making
        one itself: a set made here could be newer than one the thread is making, and ids would go backwards.
        """
        with self._changed:
            while not self._closed:
                oldest = time.monotonic() - self.max_age
                while self._keys and self._keys[0].made_at < oldest:
                    self._keys.popleft()
                if self._keys:
                    return self._keys.popleft()
                self._wanted = max(self._wanted, 1)
                self._changed.notify_all()
                if not self._changed.wait(timeout=2.0) and not self._thread.is_alive():
                    break  # the filling thread is gone: a save must not hang on it
        return self.sealer.fresh_keys()

    def refill(self) -> None:
        """The caller is about to block (a disk flush): a good moment to make the next set."""
        with self._changed:
            if len(self._keys) < self.size:
                self._wanted = max(self._wanted, 1)
                self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self._closed = True
            self._keys.clear()
            self._changed.notify_all()
        self._thread.join(timeout=5)

    def _next_wanted(self) -> bool:
        with self._changed:
            while not self._closed and self._wanted <= 0:
                # Wake now and then to replace sets that grew old while the hall was quiet.
                if not self._changed.wait(self.max_age / 2):
                    oldest = time.monotonic() - self.max_age
                    while self._keys and self._keys[0].made_at < oldest:
                        self._keys.popleft()
                    self._wanted = self.size - len(self._keys)
            return not self._closed

    def _fill(self) -> None:
        while self._next_wanted():
            keys = self.sealer.fresh_keys()
            with self._changed:
                self._keys.append(keys)
                self._wanted = 0 if len(self._keys) >= self.size else self._wanted - 1
                self._changed.notify_all()
