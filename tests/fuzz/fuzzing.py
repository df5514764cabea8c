"""Shared settings of the fuzz runs: the example count comes from ``HALL_FUZZ_EXAMPLES`` (small by default, so
the ordinary run stays short; ``HALL_FUZZ_EXAMPLES=100000`` is the long run of docs/performance.md)."""

from __future__ import annotations

import os
from collections.abc import Callable

from hypothesis import HealthCheck, settings

EXAMPLES = int(os.environ.get("HALL_FUZZ_EXAMPLES", "60"))

#: No deadline (a busy machine is not a bug), no example database (runs do not leave files behind).
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)


def readable(message: str) -> bool:
    """A refusal a person can read: a non-empty line that is not a Python repr of an exception."""
    return bool(message.strip()) and "Traceback" not in message


def refusal(call: Callable[[], object], *errors: type[Exception]) -> str | None:
    """Run ``call``: None when it returns, the refusal's message when it raises one of ``errors`` (anything
    else propagates: a crash)."""
    try:
        call()
    except errors as exc:
        return str(getattr(exc, "message", None) or exc)
    return None
