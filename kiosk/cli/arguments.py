"""Argument types for the ``kiosk`` command: each turns a bad value into one line naming the problem.

They are argparse ``type=`` callables, so a bad value stops the command before anything is opened, with
``kiosk …: error: argument --timeout: …`` and exit 2. A device that is not there is not a bad argument: that
is found by opening it, and each command keeps its own exit code for it.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Collection
from pathlib import Path

from devices.connection_url import ConnectionUrlError, check_connection

ArgType = Callable[[str], object]


def seconds(*, allow_zero: bool) -> Callable[[str], float]:
    """A number of seconds: finite, and more than 0 (or at least 0 when ``allow_zero``)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"'{text}' is not a finite number of seconds")
        if value < 0 or (value == 0 and not allow_zero):
            bound = "0 or more" if allow_zero else "more than 0"
            raise argparse.ArgumentTypeError(f"{text} seconds: must be {bound}")
        return value

    return parse


def connection_url(schemes: Collection[str], extra: Callable[[str], None] | None = None) -> Callable[[str], str]:
    """A device connection URL for one of ``schemes`` (see :func:`devices.connection_url.check_connection`);
    ``extra`` checks what only the device kind knows (a simulated card's or scene's name)."""

    def parse(text: str) -> str:
        try:
            check_connection(text, schemes)
            if extra is not None:
                extra(text)
        except ConnectionUrlError as exc:
            raise argparse.ArgumentTypeError(exc.message) from None
        return text

    return parse


def existing_file(text: str) -> Path:
    """A file that exists (not a folder)."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("empty file name")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such file")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder, not a file")
    return path


def _ancestor_is_folder(path: Path, text: str) -> None:
    for parent in path.absolute().parents:
        if parent.exists():
            if not parent.is_dir():
                raise argparse.ArgumentTypeError(f"{text}: {parent} is a file, not a folder")
            return


def output_file(text: str) -> Path:
    """A file to write: not a folder, and not below a file (missing folders are created)."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("empty file name")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name in it")
    _ancestor_is_folder(path, text)
    return path


def output_folder(text: str) -> Path:
    """A folder to write into: a folder if it exists, and not below a file (it is created if missing)."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("empty folder name")
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    _ancestor_is_folder(path, text)
    return path


def existing_folder(text: str) -> Path:
    """A folder that exists."""
    path = Path(text)
    if not text:
        raise argparse.ArgumentTypeError("empty folder name")
    if not path.exists():
        raise argparse.ArgumentTypeError(f"{text}: no such folder")
    if not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file, not a folder")
    return path
