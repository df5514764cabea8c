"""The ``kiosk`` command: run the app, render screenshots, audit accessibility, and the technician's tools.

Bad arguments or a bad config give one readable line and a non-zero exit, never a traceback. Qt is imported
only for the commands that need a window (through ``ui.launch``), so ``kiosk doctor`` and ``kiosk queue`` run
on a machine with no display.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from kiosk.cli import doctor, queue, technician
from kiosk.cli.support import CliContext, CliError, Handler, set_handler
from kiosk.config import ConfigError

THEMES = ("standard", "elder", "high_contrast")


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one readable line (no usage dump) on a bad argument."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _version() -> str:
    try:
        return metadata.version("hall-kiosk")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _cmd_run(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    from ui.launch import run_app

    return run_app(config, demo=args.demo, mode=args.mode, windowed=args.windowed)


def _cmd_screenshots(args: argparse.Namespace, ctx: CliContext) -> int:
    themes = THEMES if args.theme == "all" else (args.theme,)
    from ui.launch import render_screenshots

    written = render_screenshots(ctx.config, Path(args.dir), themes)
    print(f"{len(written)} screenshots written to {args.dir}")
    return 0


def _cmd_audit(args: argparse.Namespace, ctx: CliContext) -> int:
    from ui.launch import run_audit

    return run_audit(ctx.config, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Hall Kiosk 政务服务自助终端")
    parser.add_argument("--version", action="version", version=f"hall-kiosk {_version()}")
    parser.add_argument("--config", type=Path, help="config file (TOML); default: the user config folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="start the kiosk or the assisted-handling client")
    run.add_argument("--demo", action="store_true", help="simulated devices and an embedded central platform")
    run.add_argument("--mode", choices=("kiosk", "assisted"), help="override the config's terminal mode")
    run.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    set_handler(run, _cmd_run)

    shots = commands.add_parser("screenshots", help="render every screen in every theme to PNG")
    shots.add_argument("dir", help="folder to write PNGs into")
    shots.add_argument("--theme", choices=(*THEMES, "all"), default="all")
    set_handler(shots, _cmd_screenshots)

    audit = commands.add_parser("a11y-audit", help="check every screen against the accessibility numbers")
    audit.add_argument("--json", action="store_true")
    set_handler(audit, _cmd_audit)

    doctor.register(commands)
    queue.register(commands)
    technician.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.command is None:
        parser.print_help()
        return 2
    ctx = CliContext(config_path=args.config)
    try:
        handler: Handler = args.handler
        code = handler(args, ctx)
    except ConfigError as exc:
        print(f"kiosk: config error: {exc}", file=sys.stderr)
        return 2
    except CliError as exc:
        print(f"kiosk: {exc.message}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
