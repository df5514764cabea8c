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
from typing import NoReturn

from kiosk.cli import audit as audit_log
from kiosk.cli import doctor, queue, technician
from kiosk.cli.arguments import existing_file, output_folder
from kiosk.cli.support import CliContext, CliError, Handler, require_central, set_handler
from kiosk.config import ConfigError, default_config_path

THEMES = ("standard", "elder", "high_contrast")


class _BadArgumentError(Exception):
    """A bad command line: :func:`main` prints the one line and returns 2."""


class _Parser(argparse.ArgumentParser):
    """argparse that gives one readable line (no usage dump) and exit 2 on a bad argument."""

    def error(self, message: str) -> NoReturn:
        raise _BadArgumentError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def _version() -> str:
    try:
        return metadata.version("hall-kiosk")
    except metadata.PackageNotFoundError:
        return "0+unknown"


def _cmd_run(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    if args.demo or config.is_demo:
        require_central("'kiosk run --demo'" if args.demo else 'platform.url = "embedded" (the default config)')
    from ui.launch import run_app

    config_path = ctx.config_path or default_config_path()  # the technician's settings are written there
    return run_app(config, demo=args.demo, mode=args.mode, windowed=args.windowed, config_path=config_path)


def _cmd_screenshots(args: argparse.Namespace, ctx: CliContext) -> int:
    themes = THEMES if args.theme == "all" else (args.theme,)
    from ui.launch import render_screenshots

    written = render_screenshots(ctx.config, args.dir, themes)
    print(f"{len(written)} screenshots written to {args.dir}")
    return 0


def _cmd_audit(args: argparse.Namespace, ctx: CliContext) -> int:
    from ui.launch import run_audit

    return run_audit(ctx.config, as_json=args.json)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Hall Kiosk 政务服务自助终端")
    parser.add_argument("--version", action="version", version=f"hall-kiosk {_version()}")
    parser.add_argument(
        "--config", type=existing_file, metavar="FILE", help="config file (TOML); default: the user config folder"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = commands.add_parser("run", help="start the kiosk or the assisted-handling client")
    run.add_argument("--demo", action="store_true", help="simulated devices and an embedded central platform")
    run.add_argument("--mode", choices=("kiosk", "assisted"), help="override the config's terminal mode")
    run.add_argument("--windowed", action="store_true", help="a normal window instead of full screen")
    set_handler(run, _cmd_run)

    shots = commands.add_parser("screenshots", help="render every screen in every theme to PNG")
    shots.add_argument("dir", type=output_folder, metavar="DIR", help="folder to write PNGs into (created if missing)")
    shots.add_argument("--theme", choices=(*THEMES, "all"), default="all")
    set_handler(shots, _cmd_screenshots)

    audit = commands.add_parser("a11y-audit", help="check every screen against the accessibility numbers")
    audit.add_argument("--json", action="store_true")
    set_handler(audit, _cmd_audit)

    audit_log.register(commands)
    doctor.register(commands)
    queue.register(commands)
    technician.register(commands)
    _everywhere(parser)
    return parser


def _everywhere(parser: argparse.ArgumentParser) -> None:
    """Let every sub-command take ``--config`` and ``-v`` after its name too (``kiosk run --config FILE``).

    The sub-commands' copies default to nothing, so a value given before the sub-command is kept unless
    one is given after it."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(p): p for p in action.choices.values()}.values():
                sub.add_argument(
                    "--config", type=existing_file, metavar="FILE", default=argparse.SUPPRESS, help="config file (TOML)"
                )
                sub.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS, help="log more")
                _everywhere(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except _BadArgumentError as exc:
        print(exc, file=sys.stderr)
        return 2
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
