"""``kiosk doctor …``: a technician's checks, one sub-command per device, each in its own module."""

from __future__ import annotations

import argparse

from kiosk.cli import doctor_camera, doctor_id_reader, doctor_printer
from kiosk.cli.support import CliContext, SubParsers


def register(commands: SubParsers) -> None:
    group = commands.add_parser("doctor", help="test and diagnose the devices")
    checks = group.add_subparsers(dest="check", metavar="CHECK", required=True, parser_class=type(group))
    doctor_id_reader.register(checks)
    doctor_printer.register(checks)
    doctor_camera.register(checks)
    group.set_defaults(handler=_missing)


def _missing(args: argparse.Namespace, ctx: CliContext) -> int:
    return 2
