"""Staff password hashes (工作人员口令散列): the one format the platform writes and every laptop checks offline.

A hash is a string ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` (standard base64 with padding). The platform
makes it with :func:`hash_password` when an account is added or reset, sends it in ``GET /api/v1/staff``
(docs/protocol.md, "Assisted handling"), and a laptop checks a typed password against it with
:func:`verify_password` while the network is away.

Cost: scrypt with n = 2**14, r = 8, p = 1 (16 MiB of memory, about 50 ms on a 2020 laptop core) and a 16-byte
random salt, 32-byte key. A string read back is checked before any work is done: a hostile platform or file
cannot make a laptop spend minutes or gigabytes: n is at most 2**16, r at most 8, p at most 2 (64 MiB and
about 8 times the normal work, a second or so, at worst), and the salt and hash lengths are bounded. A
malformed string never raises: it simply does not verify.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os

SCHEME = "scrypt"
#: What :func:`hash_password` uses.
N = 2**14
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
#: What :func:`verify_password` accepts at most (and at least).
MAX_N = 2**16
MIN_N = 2**10
MAX_R = 8
MAX_P = 2
MAX_SALT_BYTES = 64
MIN_KEY_BYTES = 16
MAX_KEY_BYTES = 64
#: Longer strings are refused before they are split.
MAX_ENCODED_CHARS = 256
#: Longer passwords are refused (they are typed by a person; a megabyte is an attack).
MAX_PASSWORD_CHARS = 1024


class StaffHashError(ValueError):
    """A stored hash that is not one this format accepts (``str(self)`` says why, in Chinese)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, *, dklen: int) -> bytes:
    # maxmem: what n and r need (128·n·r bytes) with room; OpenSSL refuses more than its default 32 MiB otherwise.
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=128 * n * r * 2 + 1024 * 1024
    )


def hash_password(password: str) -> str:
    """A new hash of ``password`` with a fresh random salt."""
    if not password:
        raise ValueError("口令不能为空")
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"口令过长（最多 {MAX_PASSWORD_CHARS} 个字符）")
    salt = os.urandom(SALT_BYTES)
    key = _scrypt(password, salt, N, R, P, dklen=KEY_BYTES)
    return f"{SCHEME}${N}${R}${P}${_b64(salt)}${_b64(key)}"


def _int(text: str, low: int, high: int, what: str) -> int:
    if not text.isdigit() or len(text) > 7:
        raise StaffHashError(f"口令散列的参数 {what} 不是数字")
    value = int(text)
    if not low <= value <= high:
        raise StaffHashError(f"口令散列的参数 {what}={value} 超出允许范围 {low}–{high}")
    return value


def _bytes(text: str, low: int, high: int, what: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise StaffHashError(f"口令散列的{what}不是 base64") from None
    if not low <= len(data) <= high:
        raise StaffHashError(f"口令散列的{what}长度 {len(data)} 超出允许范围 {low}–{high}")
    return data


def parse_hash(encoded: str) -> tuple[int, int, int, bytes, bytes]:
    """``(n, r, p, salt, key)`` of a stored hash, or :class:`StaffHashError` saying what is wrong."""
    if not isinstance(encoded, str) or len(encoded) > MAX_ENCODED_CHARS:
        raise StaffHashError("口令散列不是字符串或过长")
    parts = encoded.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        raise StaffHashError("口令散列的格式应为 scrypt$n$r$p$盐$散列")
    n = _int(parts[1], MIN_N, MAX_N, "n")
    if n & (n - 1):
        raise StaffHashError(f"口令散列的参数 n={n} 不是 2 的幂")
    r = _int(parts[2], 1, MAX_R, "r")
    p = _int(parts[3], 1, MAX_P, "p")
    salt = _bytes(parts[4], 8, MAX_SALT_BYTES, "盐")
    key = _bytes(parts[5], MIN_KEY_BYTES, MAX_KEY_BYTES, "散列值")
    return n, r, p, salt, key


def is_well_formed(encoded: str) -> bool:
    """Whether ``encoded`` is a hash this format accepts (no password work is done)."""
    try:
        parse_hash(encoded)
    except StaffHashError:
        return False
    return True


def verify_password(password: str, encoded: str) -> bool:
    """Whether ``password`` matches ``encoded``; ``False`` (never an exception) for a malformed hash or password."""
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        n, r, p, salt, key = parse_hash(encoded)
    except StaffHashError:
        return False
    again = _scrypt(password, salt, n, r, p, dklen=len(key))
    return hmac.compare_digest(again, key)
