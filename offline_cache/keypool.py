"""Key material made ahead of time (预生成密钥), so that sealing adds almost nothing to a ``put``.

The two X25519 operations of sealing (a fresh ephemeral key and its shared secret with the platform) do not
depend on the submission, so a background thread makes a few in advance, mostly while the previous ``put``
waits for its disk flush. Each set is handed out once and never reused; they live only in memory.
"""

from __future__ import annotations

import threading
from collections import deque

from offline_cache.sealing import Sealer, SealingKeys


class KeyPool:
    """Up to ``size`` fresh :class:`SealingKeys` for one platform key, refilled by a daemon thread."""

    def __init__(self, sealer: Sealer, size: int = 16) -> None:
        self.sealer = sealer
        self.size = size
        self._keys: deque[SealingKeys] = deque()
        self._wanted = threading.Condition()
        self._closed = False
        self._thread = threading.Thread(target=self._fill, name="outbox-keys", daemon=True)
        self._thread.start()

    def take(self) -> SealingKeys:
        """A never-used key set: from the pool, or made now when the pool is empty."""
        with self._wanted:
            keys = self._keys.popleft() if self._keys else None
            self._wanted.notify()
        return keys or self.sealer.fresh_keys()

    def close(self) -> None:
        with self._wanted:
            self._closed = True
            self._keys.clear()
            self._wanted.notify()
        self._thread.join(timeout=5)

    def _more_wanted(self) -> bool:
        with self._wanted:
            while not self._closed and len(self._keys) >= self.size:
                self._wanted.wait()
            return not self._closed

    def _fill(self) -> None:
        while self._more_wanted():
            keys = self.sealer.fresh_keys()
            with self._wanted:
                self._keys.append(keys)
