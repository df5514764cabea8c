"""Placeholder: ``kiosk queue …`` lands with the outbox."""

from __future__ import annotations

from kiosk.commands.support import SubParsers


def register(commands: SubParsers) -> None:
    """No command yet."""
