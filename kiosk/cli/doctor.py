"""``kiosk doctor …``: a technician's checks, one sub-command per device, each in its own module; with no
sub-command, one check of the whole installed terminal (``doctor_terminal``)."""

from __future__ import annotations

from kiosk.cli import doctor_camera, doctor_id_reader, doctor_printer, doctor_terminal
from kiosk.cli.support import SubParsers


def register(commands: SubParsers) -> None:
    group = commands.add_parser("doctor", help="check the whole terminal, or test one device")
    group.add_argument("--json", action="store_true", help="the whole terminal's check as JSON")
    checks = group.add_subparsers(dest="check", metavar="CHECK", required=False, parser_class=type(group))
    doctor_id_reader.register(checks)
    doctor_printer.register(checks)
    doctor_camera.register(checks)
    group.set_defaults(handler=doctor_terminal.run_whole_check)
