"""The only door from ``kiosk.cli`` into Qt: start the app, render screenshots, run the audit."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk.config import Config


def run_app(config: Config, *, demo: bool, mode: str | None, windowed: bool) -> int:
    raise NotImplementedError


def render_screenshots(config: Config, out_dir: Path, themes: Sequence[str]) -> list[Path]:
    raise NotImplementedError


def run_audit(config: Config, *, as_json: bool) -> int:
    raise NotImplementedError
