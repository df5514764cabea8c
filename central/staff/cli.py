"""``kiosk-central staff add|disable|enable|reset|list`` and ``kiosk-central case advance`` (帮办代办).

Passwords are never on the command line (they would sit in the shell's history and in ``ps``): they are read
from standard input, or asked for twice on a terminal. ``case advance`` is a 审核 (reviewer) step: it asks for
the reviewer's own staff number (``--staff``) and password, and names them in the case's history.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from offline_cache.wire.protocol import STAFF_ROLES

_DB_HELP = "sqlite:///PATH or postgresql://USER@HOST/DB"


def add_commands(commands: Any) -> None:
    """Add ``staff …`` and ``case advance`` under ``commands`` (the ``kiosk-central`` sub-parsers)."""
    group = commands.add_parser("staff", help="staff accounts for assisted handling (帮办代办工作人员)")
    actions = group.add_subparsers(dest="action", metavar="ACTION", parser_class=type(group), required=True)
    add = actions.add_parser("add", help="add a staff member; the password is read from standard input")
    add.add_argument("staff_no", metavar="STAFF_NO")
    add.add_argument("--name", required=True, help="姓名")
    add.add_argument("--role", required=True, choices=STAFF_ROLES, help="agent 代办员 / reviewer 审核")
    add.add_argument("--hall", default="", help="the hall (as the console names it); default: no hall")
    add.add_argument("--db", required=True, help=_DB_HELP)
    add.set_defaults(handler=_add)
    for name, text, handler in (
        ("disable", "disable an account (laptops refuse it at their next sync)", _disable),
        ("enable", "enable a disabled account again", _enable),
        ("reset", "set a new password (read from standard input)", _reset),
    ):
        sub = actions.add_parser(name, help=text)
        sub.add_argument("staff_no", metavar="STAFF_NO")
        sub.add_argument("--db", required=True, help=_DB_HELP)
        sub.set_defaults(handler=handler)
    listing = actions.add_parser("list", help="list the accounts (never a password or hash)")
    listing.add_argument("--hall", help="only this hall's")
    listing.add_argument("--db", required=True, help=_DB_HELP)
    listing.set_defaults(handler=_list)

    case = commands.add_parser("case", help="assisted cases (代办件): move one through its lifecycle")
    case_actions = case.add_subparsers(dest="action", metavar="ACTION", parser_class=type(case), required=True)
    advance = case_actions.add_parser(
        "advance", help="move a case to a state (审核 staff; the password is read from standard input)"
    )
    advance.add_argument("case_no", metavar="CASE_NO")
    advance.add_argument(
        "state",
        metavar="STATE",
        help="processing 办理, suspended 中止, resumed 续办, concluded 办结, terminated 终止, "
        "handed_back 回交, followed_up 回访",
    )
    advance.add_argument("--staff", required=True, help="the reviewer's own staff number")
    advance.add_argument("--note", default="", help="备注 (kept in the case's history)")
    advance.add_argument("--db", required=True, help=_DB_HELP)
    advance.set_defaults(handler=_advance)


def _read_password(prompt: str = "password: ", twice: bool = True) -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if twice and getpass.getpass("again: ") != first:
            print("kiosk-central: 两次输入的口令不一致 (the passwords differ)", file=sys.stderr)
            return ""
        return first
    return sys.stdin.readline().rstrip("\r\n")


def _fail(message: object) -> int:
    print(f"kiosk-central: {message}", file=sys.stderr)
    return 1


def _with_book(args: argparse.Namespace, action: Any) -> int:
    from central.db import open_engine
    from central.staff.accounts import StaffBook, StaffError

    engine = open_engine(args.db)
    try:
        account = action(StaffBook(engine))
    except StaffError as exc:
        return _fail(exc)
    finally:
        engine.dispose()
    state = "已停用 disabled" if account.disabled else "启用 active"
    print(f"staff {account.staff_no} {account.name} ({account.role}, hall {account.hall or '-'}): {state}")
    return 0


def _add(args: argparse.Namespace) -> int:
    password = _read_password()
    return _with_book(args, lambda book: book.add(args.staff_no, args.name, args.role, password, hall=args.hall))


def _disable(args: argparse.Namespace) -> int:
    return _with_book(args, lambda book: book.disable(args.staff_no))


def _enable(args: argparse.Namespace) -> int:
    return _with_book(args, lambda book: book.enable(args.staff_no))


def _reset(args: argparse.Namespace) -> int:
    password = _read_password()
    return _with_book(args, lambda book: book.reset(args.staff_no, password))


def _list(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.staff.accounts import ROLE_LABELS, StaffBook

    engine = open_engine(args.db)
    try:
        accounts = StaffBook(engine).accounts(args.hall)
    finally:
        engine.dispose()
    if not accounts:
        print("（没有工作人员 no staff）")
    for a in accounts:
        state = "已停用" if a.disabled else "启用"
        print(
            f"{a.staff_no}\t{a.name}\t{ROLE_LABELS.get(a.role, a.role)} {a.role}\t{a.hall or '-'}"
            f"\t{state}\t{a.updated_at}"
        )
    return 0


def _advance(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.staff.accounts import StaffBook, StaffError
    from central.staff.lifecycle import STATE_LABELS, CaseLifecycle, LifecycleError

    password = _read_password(f"{args.staff} 的口令 password: ", twice=False)
    engine = open_engine(args.db)
    try:
        reviewer = StaffBook(engine).login(args.staff, password, role="reviewer")
        before = CaseLifecycle(engine).advance(args.case_no, args.state, by=reviewer.staff_no, note=args.note)
    except (StaffError, LifecycleError) as exc:
        return _fail(exc)
    finally:
        engine.dispose()
    print(
        f"{args.case_no}: {STATE_LABELS.get(before, before)} → {STATE_LABELS[args.state]}"
        f" ({reviewer.name} {reviewer.staff_no})"
    )
    return 0
