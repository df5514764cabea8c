"""Placeholder: this device's doctor command lands with its driver."""

from __future__ import annotations

from kiosk.commands.support import SubParsers


def register(checks: SubParsers) -> None:
    """No command yet."""
