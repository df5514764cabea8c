"""``kiosk audit …``: check the terminal's audit log (审计日志), and read it as a supervisor.

``verify`` checks every entry, the tree, every checkpoint's signature and the anchor the platform cosigned, and
exits 0 when the log is whole, 1 with one line per problem. ``show`` lists entries, of one member of staff and
from a date on if asked. ``check-proof`` verifies, offline, an entry's inclusion proof that the platform printed
(``kiosk-central audit prove``) against the platform's key. See ``docs/audit.md``.
"""

from __future__ import annotations

import argparse
import base64
import binascii
from datetime import UTC, datetime, time
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from kiosk.cli.arguments import existing_file
from kiosk.cli.support import CliContext, CliError, SubParsers, print_json, set_handler
from kiosk.config import Config
from kiosk.hall.audit_upload import platform_cosigner
from kiosk.hall.embedded import demo_public_keys
from kiosk.paths import TerminalPaths
from kiosk.records.audit import TECHNICIAN, AuditAction, AuditLog
from kiosk.records.audit_verify import show_entries, verify_log
from offline_cache.wire.audit_sync import check_inclusion
from offline_cache.wire.checkpoint import PLATFORM_COSIGNER_NAME, CosignatureVerifier
from offline_cache.wire.protocol import load_json


def register(commands: SubParsers) -> None:
    group = commands.add_parser("audit", help="the audit log: verify it, show who did what")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(group))
    mode = argparse.ArgumentParser(add_help=False)
    mode.add_argument("--demo", action="store_true", help="the demo's audit log (what 'kiosk run --demo' writes)")
    verify = actions.add_parser(
        "verify", parents=[mode], help="check every entry, checkpoint and the platform's cosignature"
    )
    verify.add_argument("--json", action="store_true")
    set_handler(verify, _verify)
    show = actions.add_parser("show", parents=[mode], help="list entries, oldest first")
    show.add_argument("--staff", metavar="ID", help="only what this member of staff did ('technician' for the PIN)")
    show.add_argument(
        "--since", type=_since, metavar="ISO-DATE", help="from this date (local midnight) or date and time on"
    )
    show.add_argument("--json", action="store_true")
    set_handler(show, _show)
    check = actions.add_parser(
        "check-proof", parents=[mode], help="verify an entry's inclusion proof from 'kiosk-central audit prove'"
    )
    check.add_argument("file", type=existing_file, metavar="FILE")
    check.add_argument(
        "--platform-key", metavar="BASE64", help="the platform's Ed25519 public key (default: platform.signing_key)"
    )
    check.add_argument(
        "--terminal-key", metavar="VKEY", help="the terminal's audit key, as 'kiosk audit verify' prints it"
    )
    check.add_argument("--json", action="store_true")
    set_handler(check, _check_proof)


def _since(text: str) -> datetime:
    """``2026-11-25`` (local midnight), or ``2026-11-25T08:30`` (local) or with an offset."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO date or date and time: {text!r}") from None
    if len(text) == 10:
        value = datetime.combine(value.date(), time())
    return value if value.tzinfo is not None else value.astimezone()


def _paths(args: argparse.Namespace, config: Config) -> TerminalPaths:
    return TerminalPaths.of(config.data_path, demo=bool(args.demo) or config.is_demo)


def _cosigner(args: argparse.Namespace, config: Config, paths: TerminalPaths) -> CosignatureVerifier | None:
    """The platform's cosigning key: ``platform.signing_key``, or the demo platform's own."""
    if config.platform.signing_key:
        try:
            raw = base64.b64decode(config.platform.signing_key, validate=True)
            return CosignatureVerifier(PLATFORM_COSIGNER_NAME, Ed25519PublicKey.from_public_bytes(raw))
        except (binascii.Error, ValueError):
            raise CliError("platform.signing_key in the config is not a base64 Ed25519 public key", code=2) from None
    if (bool(args.demo) or config.is_demo) and paths.platform_keys.exists():
        raw = demo_public_keys(paths)[1]
        return CosignatureVerifier(PLATFORM_COSIGNER_NAME, Ed25519PublicKey.from_public_bytes(raw))
    return None


def _verify(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    paths = _paths(args, config)
    cosigner = _cosigner(args, config, paths) if paths.audit_anchor.exists() else None
    report = verify_log(
        paths.audit, paths.audit_key, config.terminal.id, anchor_path=paths.audit_anchor, cosigner=cosigner
    )
    if args.json:
        print_json(report.as_json())
        return 0 if report.whole else 1
    anchored = (
        f"; the platform cosigned the first {report.anchored}"
        + (f" ({report.anchored_at})" if report.anchored_at else "")
        if report.anchored is not None
        else "; not yet cosigned by the platform"
    )
    print(f"审计日志 / audit log: {report.entries} entries, {report.checkpoints} signed checkpoints{anchored}")
    if report.key:
        print(f"终端密钥 / terminal key: {report.key}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    print("完整 / whole" if report.whole else f"不完整 / NOT whole: {len(report.problems)} problem(s)")
    return 0 if report.whole else 1


def _check_proof(args: argparse.Namespace, ctx: CliContext) -> int:
    """Offline: the proof's checkpoint is the terminal's, cosigned by the platform, and the entry is in it."""
    if args.platform_key:
        try:
            platform = platform_cosigner(base64.b64decode(args.platform_key, validate=True))
        except (binascii.Error, ValueError):
            raise CliError("--platform-key is not a base64 Ed25519 public key", code=2) from None
    else:
        configured = _cosigner(args, ctx.config, _paths(args, ctx.config))
        if configured is None:
            raise CliError("the platform's key is not known: give --platform-key or set platform.signing_key", code=2)
        platform = configured
    try:
        document = load_json(args.file.read_bytes())
        proven = check_inclusion(document, platform, args.terminal_key)
    except (OSError, ValueError) as exc:  # AuditSyncError, NoteError, ProofError and bad JSON are ValueErrors
        if args.json:
            print_json({"proven": False, "problem": str(exc)})
        else:
            print(f"PROBLEM: {exc}")
            print("未证实 / NOT proven")
        return 1
    if args.json:
        print_json(
            {
                "proven": True,
                "terminal_id": proven.terminal_id,
                "index": proven.index,
                "size": proven.size,
                "cosigned_at": _utc(proven.cosigned_at),
                "terminal_key": proven.terminal_key,
                "entry": proven.entry,
            }
        )
        return 0
    entry = proven.entry if isinstance(proven.entry, dict) else {}
    print(_line(entry))
    print(
        f"entry {proven.index} is in terminal {proven.terminal_id}'s audit log of {proven.size} entries, "
        f"cosigned by the platform at {_utc(proven.cosigned_at)}"
    )
    print(f"终端密钥 / terminal key: {proven.terminal_key}")
    print("已证实 / proven")
    return 0


def _utc(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _line(entry: dict[str, Any]) -> str:
    parts = [str(entry.get("at", "?")), str(entry.get("who", "?")), str(entry.get("action", "?"))]
    resident = entry.get("resident")
    if isinstance(resident, dict):
        parts.append(f"resident={resident.get('name', '?')}#{str(resident.get('key', ''))[:8]}")
    for name in ("case", "authorization"):
        if entry.get(name):
            parts.append(f"{name}={entry[name]}")
    if isinstance(entry.get("detail"), dict):
        parts.extend(f"{key}={value}" for key, value in sorted(entry["detail"].items()))
    return f"#{entry.get('i', '?')} " + "  ".join(parts)


def _show(args: argparse.Namespace, ctx: CliContext) -> int:
    paths = _paths(args, ctx.config)
    entries = show_entries(paths.audit, staff=args.staff, since=args.since)
    if args.json:
        print_json(entries)
        return 0
    for entry in entries:
        print(_line(entry))
    print(f"{len(entries)} entries (run 'kiosk audit verify' to check that they are the log's own)")
    return 0


def record_technician(paths: TerminalPaths, config: Config, action: AuditAction, detail: dict[str, Any]) -> None:
    """A technician's command (``kiosk queue retry`` …) done: one entry in the terminal's audit log."""
    log = AuditLog(paths.ensure().audit, paths.audit_key, config.terminal.id)
    try:
        log.record(action, TECHNICIAN, detail=detail)
    finally:
        log.close()
