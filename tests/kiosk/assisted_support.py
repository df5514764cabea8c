"""What the assisted-handling tests share: staff password hashes exactly as the platform makes them."""

from __future__ import annotations

from offline_cache.wire.staff_hash import hash_password, verify_password

__all__ = ["hash_password", "verify_password"]
