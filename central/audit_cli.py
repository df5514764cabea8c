"""``kiosk-central audit …``: a supervisor's checks of the terminals' audit logs at the platform.

``verify TERMINAL`` recomputes the tree from the stored entries and checks every accepted checkpoint and
cosignature (exit 0 whole, 1 not); ``prove TERMINAL INDEX`` prints one entry's inclusion proof as a JSON document
that ``kiosk audit check-proof`` verifies offline; ``alarms`` lists the appends the platform refused.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from central.audit import AuditBook
from central.keys import PlatformKeys


def add_commands(commands: Any) -> None:
    """Add ``audit verify|prove|alarms`` under ``commands`` (the ``kiosk-central`` sub-parsers)."""
    group = commands.add_parser("audit", help="the terminals' audit logs: verify, prove an entry, list alarms")
    actions = group.add_subparsers(dest="action", metavar="ACTION", parser_class=type(group), required=True)

    verify = actions.add_parser("verify", help="recompute a terminal's tree, check every checkpoint and cosignature")
    verify.add_argument("terminal_id", metavar="TERMINAL")
    verify.add_argument("--json", action="store_true")
    verify.set_defaults(handler=_verify)

    prove = actions.add_parser(
        "prove", help="print an entry's inclusion proof (check it with 'kiosk audit check-proof')"
    )
    prove.add_argument("terminal_id", metavar="TERMINAL")
    prove.add_argument("index", metavar="INDEX", type=int, help="the entry's index (its 'i')")
    prove.set_defaults(handler=_prove)

    alarms = actions.add_parser("alarms", help="the appends the platform refused (rolled back, forked, forged)")
    alarms.add_argument("--terminal", metavar="TERMINAL", help="only this terminal's")
    alarms.add_argument("--json", action="store_true")
    alarms.set_defaults(handler=_alarms)

    for sub in (verify, prove, alarms):
        sub.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://USER@HOST/DB")
        sub.add_argument("--keys", type=Path, required=True, help="the platform's key file (its cosigning key)")


def _book(args: argparse.Namespace) -> AuditBook:
    from central.db import open_engine

    return AuditBook(open_engine(args.db), PlatformKeys.load(args.keys))


def _verify(args: argparse.Namespace) -> int:
    book = _book(args)
    try:
        report = book.verify(args.terminal_id)
    finally:
        book.engine.dispose()
    if args.json:
        print(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        return 0 if report.whole else 1
    cosigned = (
        f"; cosigned up to {report.cosigned} ({report.cosigned_at})"
        if report.cosigned is not None
        else "; none cosigned"
    )
    counts = f"{report.entries} entries, {report.checkpoints} checkpoints"
    print(f"审计日志 / audit log of {args.terminal_id}: {counts}{cosigned}")
    if report.key:
        print(f"终端密钥 / pinned terminal key: {report.key}")
    if report.alarms:
        print(f"告警 / alarms: {report.alarms} (kiosk-central audit alarms --terminal {args.terminal_id})")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    print("完整 / whole" if report.whole else f"不完整 / NOT whole: {len(report.problems)} problem(s)")
    return 0 if report.whole else 1


def _prove(args: argparse.Namespace) -> int:
    book = _book(args)
    try:
        document = book.prove(args.terminal_id, args.index)
    except LookupError as exc:
        print(f"kiosk-central: {exc.args[0]}", file=sys.stderr)
        return 1
    finally:
        book.engine.dispose()
    print(json.dumps(document, ensure_ascii=False, indent=2))
    return 0


def _alarms(args: argparse.Namespace) -> int:
    book = _book(args)
    try:
        alarms = book.alarms(args.terminal)
    finally:
        book.engine.dispose()
    if args.json:
        print(json.dumps(alarms, ensure_ascii=False, indent=2))
        return 0
    for alarm in alarms:
        times = f" (×{alarm['times']}, last {alarm['last_seen_at']})" if alarm["times"] > 1 else ""
        print(f"{alarm['raised_at']}  {alarm['terminal_id']}  {alarm['kind']}{times}  {alarm['detail']['message']}")
    print(f"{len(alarms)} alarm(s)")
    return 0
