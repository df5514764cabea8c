"""What every ``kiosk`` sub-command shares: the error type, the context, output helpers."""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeAlias

from devices.connection_url import ConnectionUrlError, check_connection
from kiosk.config import Config, ConfigError, load_config


class CliError(Exception):
    """A problem the person at the command line can act on; printed as one line, exit ``code``."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class CliContext:
    """Passed to every command: the config file named by ``--config`` (loaded on first use)."""

    config_path: Path | None
    _config: Config | None = field(default=None, repr=False)

    @property
    def config(self) -> Config:
        if self._config is None:
            self._config = load_config(self.config_path)
        return self._config


Handler = Callable[[argparse.Namespace, CliContext], int]
#: What ``register(commands)`` receives: the sub-command table of the ``kiosk`` parser.
SubParsers: TypeAlias = "argparse._SubParsersAction[Any]"


#: What the demo's embedded platform needs: the ``central`` extra (``pip install 'hall-kiosk[demo]'``).
CENTRAL_MODULES = ("fastapi", "uvicorn", "sqlalchemy")


def require_central(what: str) -> None:
    """Stop with one line when ``what`` needs the demo's embedded platform and the ``central`` extra is absent."""
    for name in CENTRAL_MODULES:
        try:
            found = importlib.util.find_spec(name) is not None
        except ImportError:
            found = False
        if not found:
            raise CliError(
                f"{what} needs the demo's embedded platform, which is not installed here ({name} is missing): "
                "install hall-kiosk[demo], or give a config with a real platform (platform.url, token, public_key)"
            )


def config_connection(url: str, key: str, schemes: Collection[str], extra: Callable[[str], None] | None = None) -> str:
    """The config's connection ``url`` (at ``key``), checked as the command line's is; a config error if bad."""
    try:
        check_connection(url, schemes)
        if extra is not None:
            extra(url)
    except ConnectionUrlError as exc:
        raise ConfigError(f"{key}: {exc.message}") from None
    return url


def set_handler(parser: argparse.ArgumentParser, handler: Handler) -> None:
    parser.set_defaults(handler=handler)


def print_json(value: Any) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
