"""``kiosk technician hash-pin``: make the ``[technician] pin_hash`` line for a hall's own PIN."""

from __future__ import annotations

import argparse
import getpass
import sys

from kiosk.cli.support import CliContext, CliError, SubParsers, set_handler
from kiosk.hall.technician_pin import hash_pin


def register(commands: SubParsers) -> None:
    group = commands.add_parser("technician", help="technician mode: set its PIN")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(group))
    make = actions.add_parser("hash-pin", help="read a new PIN (4–12 digits, twice) and print the config line")
    set_handler(make, _hash_pin)


def _read_pin(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().strip()


def _hash_pin(args: argparse.Namespace, ctx: CliContext) -> int:
    pin = _read_pin("新维护密码 / new PIN: ")
    again = _read_pin("再输入一次 / again: ")
    if not pin.isdigit() or not 4 <= len(pin) <= 12:
        raise CliError("维护密码应为4到12位数字 / the PIN must be 4 to 12 digits", code=2)
    if pin != again:
        raise CliError("两次输入不一致 / the two PINs differ", code=2)
    print("[technician]")
    print(f'pin_hash = "{hash_pin(pin)}"')
    return 0
