"""``kiosk-central console-user add USER --role ROLE --db URL``: make a console user (the first administrator),
the password read from standard input (never from the command line, which other users of the machine can see)."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from central.clock import utc_now
from central.console.accounts import AccountError, Accounts, Role


def add_commands(commands: Any) -> None:
    """Add ``console-user add`` under ``commands`` (the ``kiosk-central`` sub-parsers)."""
    group = commands.add_parser("console-user", help="users of the fleet console (控制台): add one")
    actions = group.add_subparsers(dest="action", metavar="ACTION", parser_class=type(group), required=True)
    add = actions.add_parser("add", help="add a console user; the password is read from standard input")
    add.add_argument("username", metavar="USER")
    add.add_argument("--role", required=True, choices=[role.value for role in Role])
    add.add_argument("--name", default="", help="the name shown in the console (default: USER)")
    add.add_argument("--hall", default="", help="a hall manager's hall: they see only its terminals and alerts")
    add.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://USER@HOST/DB")
    add.set_defaults(handler=_add)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("password: ")
        if getpass.getpass("again: ") != first:
            return ""
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _add(args: argparse.Namespace) -> int:
    from central.db import open_engine

    password = _read_password()
    engine = open_engine(args.db)
    try:
        user = Accounts(engine).add(args.username, password, Role(args.role), args.name, utc_now(), hall=args.hall)
    except AccountError as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"console user {user.username} ({user.role.value}) added")
    return 0
