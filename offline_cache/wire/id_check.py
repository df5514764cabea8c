"""The GB 11643-1999 check character of a citizen ID number (公民身份号码), as pure arithmetic.

Both ends use it: the kiosk's identity checks (:mod:`kiosk.visit.identity`, which adds the region, the birth date
and the sentences a citizen reads) and the wire's 委托 (:mod:`offline_cache.wire.authorization`), which the
platform parses too.
"""

from __future__ import annotations

import re

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_SEVENTEEN = re.compile(r"^\d{17}$")
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def mod11_2(first17: str) -> str:
    """The MOD 11-2 check character (0-9 or X) of 17 digits; ``ValueError`` if they are not 17 digits."""
    if not _SEVENTEEN.match(first17):
        raise ValueError("not 17 digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def has_valid_check_character(number: str) -> bool:
    """Whether an 18-character number (upper-case X) has the right shape and check character."""
    return bool(_SHAPE.match(number)) and mod11_2(number[:17]) == number[17]
