"""``kiosk queue …``: the technician's view of the offline outbox (待发送队列), and moving it by hand.

``status`` shows what waits; ``put`` saves a submission durably (operators and tests); ``sync`` delivers;
``retry`` puts a waiting or quarantined item back in line; ``export`` and ``import-receipt`` carry the queue
on a removable drive for sites without network. Bad input gives one readable line, and the queue is untouched.

Sending needs a real platform: in demo mode (``platform.url = "embedded"``) ``put`` and ``sync`` say so
instead of starting anything, because the embedded platform lives only as long as the kiosk app.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import mimetypes
import os
import time
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from kiosk.cli.arguments import existing_file
from kiosk.cli.audit import record_technician
from kiosk.cli.support import CliContext, CliError, SubParsers, print_json, require_central, set_handler
from kiosk.config import Config
from kiosk.hall.audit_upload import build_append, platform_cosigner
from kiosk.hall.embedded import demo_public_keys, embedded_platform
from kiosk.paths import TerminalPaths
from kiosk.records.audit import AuditAction, AuditError, AuditLog, read_anchor
from offline_cache.courier import PlatformLink
from offline_cache.drive import export_unsent, import_receipt
from offline_cache.models import NewAttachment, OutboxError
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, outbox_status
from offline_cache.wire.checkpoint import NoteError
from offline_cache.wire.protocol import SubmissionSummary, load_json
from offline_cache.wire.sealing import Sealer, load_public_key

_NEEDS_PLATFORM = (
    "this needs a platform: set platform.url, platform.token and platform.public_key in the config, "
    "or add --demo to use the demo's own queue and embedded platform"
)


def register(commands: SubParsers) -> None:
    group = commands.add_parser("queue", help="the offline outbox: status, sync, export to a drive")
    actions = group.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(group))
    mode = argparse.ArgumentParser(add_help=False)
    mode.add_argument(
        "--demo",
        action="store_true",
        help="the demo's queue (what 'kiosk run --demo' writes), delivered to the demo's embedded platform",
    )
    status = actions.add_parser("status", parents=[mode], help="what waits to be sent, and the last success and error")
    status.add_argument("--json", action="store_true")
    set_handler(status, _status)
    put = actions.add_parser("put", parents=[mode], help="durably save one submission from a JSON file; prints its id")
    put.add_argument(
        "file",
        type=existing_file,
        metavar="FILE",
        help='{"summary": {service_code, service_name, applicant_masked}, ...}',
    )
    put.add_argument(
        "--attach", type=existing_file, action="append", default=[], help="an attachment file (repeatable)"
    )
    set_handler(put, _put)
    sync = actions.add_parser("sync", parents=[mode], help="deliver the queue to the platform")
    sync.add_argument("--once", action="store_true", help="deliver what is due now, then exit")
    set_handler(sync, _sync)
    retry = actions.add_parser("retry", parents=[mode], help="put a waiting or quarantined submission back in line")
    retry.add_argument("id", metavar="ID", help="the submission's id, as 'kiosk queue status' lists it")
    set_handler(retry, _retry)
    export = actions.add_parser(
        "export", parents=[mode], help="write unsent sealed submissions to a folder (removable drive)"
    )
    export.add_argument(
        "dir", type=Path, metavar="DIR", help="an existing folder on the removable drive (its mount point)"
    )
    export.add_argument("--force", action="store_true", help="allow a folder on the same disk as the terminal's data")
    set_handler(export, _export)
    receipt = actions.add_parser(
        "import-receipt", parents=[mode], help="mark items sent from the platform's signed receipt"
    )
    receipt.add_argument("file", type=existing_file, metavar="FILE")
    set_handler(receipt, _import_receipt)


def _paths(args: argparse.Namespace, config: Config) -> TerminalPaths:
    """The data folder of the mode asked for: the hall's own (as 'kiosk run' writes it) or, with --demo, the demo's."""
    return TerminalPaths.of(config.data_path, demo=bool(args.demo) or config.is_demo)


def _open(args: argparse.Namespace, config: Config, *, sealer: Sealer | None = None) -> Outbox:
    folder = _paths(args, config).outbox
    try:
        return Outbox(folder, terminal_id=config.terminal.id, sealer=sealer)
    except (OSError, OutboxError) as exc:
        raise CliError(f"cannot open the outbox in {folder}: {exc}") from exc
    except Exception as exc:  # sqlite3.Error: a damaged or unreadable database file
        raise CliError(f"the outbox database in {folder} cannot be used: {exc}") from exc


def _key(text: str, name: str) -> bytes:
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CliError(f"platform.{name} is not base64") from exc
    if len(raw) != 32:
        raise CliError(f"platform.{name} must be a raw 32-byte key in base64")
    return raw


def _sealer(args: argparse.Namespace, config: Config) -> Sealer:
    if args.demo or config.is_demo:
        require_central(_demo_words(args))
        return Sealer(load_public_key(demo_public_keys(_paths(args, config).ensure())[0]))
    if not config.platform.public_key:
        raise CliError(_NEEDS_PLATFORM)
    return Sealer(load_public_key(_key(config.platform.public_key, "public_key")))


def _demo_words(args: argparse.Namespace) -> str:
    """How the person asked for the demo: '--demo', or a config whose platform.url is "embedded" (the default)."""
    which = "--demo" if args.demo else 'platform.url = "embedded" (the default config)'
    return f"'kiosk queue {args.action}' with {which}"


def _when(epoch: float | None, zone: tzinfo) -> str:
    """A moment as the hall reads it: its own time zone, with the offset (``2026-11-26T04:00:00+08:00``)."""
    return "-" if epoch is None else datetime.fromtimestamp(epoch, zone).isoformat(timespec="seconds")


def _created(stamp: str, zone: tzinfo) -> str:
    """A summary's ``created_at`` (stored in UTC) in the hall's time zone; left as it is if it is not a time."""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone).isoformat(timespec="seconds")


def _status(args: argparse.Namespace, ctx: CliContext) -> int:
    outbox = _open(args, ctx.config)
    zone = ctx.config.terminal.zone
    try:
        status = outbox_status(outbox)
        items = outbox.items(limit=50)
    finally:
        outbox.close()
    if args.json:
        print_json(
            {
                "pending": status.pending,
                "oldest_pending_age_s": status.oldest_pending_age,
                "counts": status.counts,
                "last_success_at": _when(status.last_success_at, zone),
                "last_error": status.last_error,
                "paused": status.paused_reason if status.paused else None,
                "items": [
                    {
                        "id": item.id,
                        "service": item.summary.service_name,
                        "applicant": item.summary.applicant_masked,
                        "created_at": _created(item.summary.created_at, zone),
                        "state": item.state,
                        "case_no": item.case_no,
                        "last_error": item.last_error,
                    }
                    for item in items
                ],
            }
        )
        return 0
    age = "-" if status.oldest_pending_age is None else f"{status.oldest_pending_age:.0f} s"
    print(f"pending: {status.pending} (oldest {age})   " + ", ".join(f"{k} {v}" for k, v in status.counts.items()))
    print(f"last success: {_when(status.last_success_at, zone)}   last error: {status.last_error or '-'}")
    if status.paused:
        print(f"SYNC PAUSED: {status.paused_reason}")
    for item in items:
        extra = item.case_no or item.last_error or ""
        created = _created(item.summary.created_at, zone)
        summary = item.summary
        print(f"{item.id}  {item.state:<11} {created}  {summary.service_name}  {summary.applicant_masked}  {extra}")
    return 0


def _read_submission(path: Path) -> tuple[bytes, SubmissionSummary]:
    # protocol.load_json: nesting held to the protocol's depth, no lone surrogates, no number past a double, so
    # what the platform could not read is refused here in one line; the outbox's put checks the sizes.
    try:
        document = load_json(path.read_bytes())
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from exc
    summary = document.get("summary") if isinstance(document, dict) else None
    if not isinstance(summary, dict) or not all(
        isinstance(summary.get(key), str) for key in ("service_code", "service_name", "applicant_masked")
    ):
        raise CliError(f"{path}: needs a 'summary' with service_code, service_name and applicant_masked")
    created = summary.get("created_at") or datetime.now(UTC).isoformat(timespec="seconds")
    payload = json.dumps(document.get("payload", {}), ensure_ascii=False).encode("utf-8")
    return payload, SubmissionSummary(
        summary["service_code"], summary["service_name"], summary["applicant_masked"], str(created)
    )


def _put(args: argparse.Namespace, ctx: CliContext) -> int:
    payload, summary = _read_submission(args.file)
    attachments = []
    for path in args.attach:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read attachment {path}: {exc.strerror or exc}") from exc
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        attachments.append(NewAttachment(data, media_type))
    outbox = _open(args, ctx.config, sealer=_sealer(args, ctx.config))
    try:
        print(outbox.put(payload, summary, attachments))
    except OutboxError as exc:
        raise CliError(str(exc)) from exc
    finally:
        outbox.close()
    return 0


def _link(config: Config) -> PlatformLink:
    if config.is_demo or not config.platform.token:
        raise CliError(_NEEDS_PLATFORM)
    return PlatformLink(config.platform.url, config.platform.token, config.terminal.id, config.platform.verify_tls)


def _sync(args: argparse.Namespace, ctx: CliContext) -> int:
    config = ctx.config
    paths = _paths(args, config)
    if not (args.demo or config.is_demo):
        return _deliver(args, SyncEngine(paths.outbox, _link(config)))
    require_central(_demo_words(args))
    platform = embedded_platform(paths.ensure(), config.terminal.id)
    try:
        return _deliver(args, SyncEngine(paths.outbox, PlatformLink(platform.url, platform.token, config.terminal.id)))
    finally:
        if platform.central is not None:
            platform.central.stop()


def _deliver(args: argparse.Namespace, engine: SyncEngine) -> int:
    try:
        if args.once:
            engine.outbox.recover_leases()
            engine.resume()
            report = engine.run_once()
            status = engine.status()
            print(
                f"sent {report.sent}, retry {report.retried}, quarantined {report.quarantined}; "
                f"pending {status.pending}" + ("; OFFLINE" if report.offline else "")
            )
            if report.paused:
                raise CliError(f"sync paused: {status.paused_reason}", code=3)
            return 0
        engine.start()
        print("syncing; Ctrl-C to stop")
        while True:
            time.sleep(1.0)
            if engine.paused:
                raise CliError(f"sync paused: {engine.status().paused_reason}", code=3)
    finally:
        engine.stop()


def _retry(args: argparse.Namespace, ctx: CliContext) -> int:
    outbox = _open(args, ctx.config)
    try:
        state = outbox.requeue(args.id)
        print(f"{args.id}: {state}")
        record_technician(
            _paths(args, ctx.config), ctx.config, AuditAction.QUEUE_RETRY, {"id": args.id, "state": state}
        )
    except OutboxError as exc:
        raise CliError(str(exc)) from exc
    finally:
        outbox.close()
    return 0


def _export(args: argparse.Namespace, ctx: CliContext) -> int:
    folder: Path = args.dir
    paths = _paths(args, ctx.config)
    if not folder.is_dir():
        raise CliError(f"{folder} is not a folder: plug in the drive and give the folder where it is mounted", 2)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise CliError(f"{folder} cannot be written: is the drive read-only or mounted for another user?", 2)
    if not args.force and paths.root.exists() and folder.stat().st_dev == paths.root.stat().st_dev:
        raise CliError(
            f"{folder} is on the terminal's own disk, not a removable drive: give the drive's folder "
            "(or --force to write there anyway)",
            2,
        )
    audit = _audit_append(paths, ctx.config)
    outbox = _open(args, ctx.config)
    try:
        result = export_unsent(outbox, args.dir, audit)
    except OutboxError as exc:
        raise CliError(str(exc)) from exc
    finally:
        outbox.close()
    record_technician(paths, ctx.config, AuditAction.QUEUE_EXPORT, {"submissions": result.submissions})
    print(f"exported {result.submissions} submissions and {result.attachments} attachments to {result.folder}")
    if audit is not None:
        print(f"and the audit log's {len(audit['entries'])} entries the platform has not cosigned yet")
    print("they stay queued until the platform's receipt file is imported: kiosk queue import-receipt FILE")
    return 0


def _audit_append(paths: TerminalPaths, config: Config) -> dict[str, Any] | None:
    """The audit log's entries since the anchor, a checkpoint signed now and its proof: what a sync would send,
    whole (a drive has no body limit). None when the platform already cosigned the head."""
    log = AuditLog(paths.ensure().audit, paths.audit_key, config.terminal.id)
    try:
        try:
            anchor = read_anchor(paths.audit_anchor)
        except (NoteError, OSError, UnicodeDecodeError):
            anchor = None
        append = build_append(log, anchor, max_entries=None, max_bytes=None)
    finally:
        log.close()
    return append.to_json() if append is not None else None


def _take_audit_anchor(paths: TerminalPaths, config: Config, receipt_file: Path, signing_key: bytes) -> None:
    """The platform's cosigned checkpoint from the receipt file becomes the audit log's anchor."""
    try:
        audit = json.loads(receipt_file.read_bytes()).get("audit")
    except (OSError, ValueError, AttributeError):
        return
    if not isinstance(audit, dict):
        return
    if "checkpoint" not in audit:
        found = audit.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        print(f"audit log: the platform refused it ({error.get('code', '?')}: {error.get('message', '')})")
        return
    log = AuditLog(paths.ensure().audit, paths.audit_key, config.terminal.id)
    try:
        note = log.accept_cosigned(str(audit["checkpoint"]), platform_cosigner(signing_key), paths.audit_anchor)
        print(f"audit log: cosigned by the platform up to {note.checkpoint().size} entries")
    except AuditError as exc:
        print(f"audit log: the receipt's cosigned checkpoint is not taken: {exc}")
    finally:
        log.close()


def _import_receipt(args: argparse.Namespace, ctx: CliContext) -> int:
    if args.demo or ctx.config.is_demo:
        require_central(_demo_words(args))
        key = demo_public_keys(_paths(args, ctx.config).ensure())[1]
    elif ctx.config.platform.signing_key:
        key = _key(ctx.config.platform.signing_key, "signing_key")
    else:
        raise CliError("platform.signing_key is not configured: cannot check the receipt's signature")
    outbox = _open(args, ctx.config)
    try:
        result = import_receipt(outbox, args.file, key)
    except OutboxError as exc:
        raise CliError(str(exc)) from exc
    finally:
        outbox.close()
    detail = {"marked": result.marked, "already_sent": result.already_sent, "rejected": len(result.rejected)}
    record_technician(_paths(args, ctx.config), ctx.config, AuditAction.QUEUE_IMPORT_RECEIPT, detail)
    print(f"marked sent: {result.marked}; already sent: {result.already_sent}; not in this outbox: {result.unknown}")
    _take_audit_anchor(_paths(args, ctx.config), ctx.config, args.file, key)
    if result.rejected:
        print(f"refused by the platform (still queued, see 'kiosk queue status'): {', '.join(result.rejected)}")
    return 0
