"""The ``kiosk-central`` command: serve the platform, make its keys, enroll terminals, import drives, migrate.

Bad arguments or an unusable file/database give one readable line and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from central.admin_token import ADMIN_TOKEN_ENV, AdminTokenError, admin_token
from central.catalog_file import CatalogFileError
from central.db import DatabaseError
from central.importer import ExportFolderError
from central.keys import KeyFileError, PlatformKeys
from central.models import TERMINAL_ID_PATTERN

if TYPE_CHECKING:
    from central.terminals import TerminalRegistry



class CentralCliError(Exception):
    """A problem the operator can act on; printed as one line."""


class _Parser(argparse.ArgumentParser):
    """argparse that exits 2 with one readable line (no usage dump) on a bad argument."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message}\n(see '{self.prog} --help')\n")


def _keys(path: Path | None) -> PlatformKeys:
    if path is None:
        print(
            "warning: no --keys file: using throwaway keys; terminals' sealed items cannot be opened after "
            "a restart (make a key file with 'kiosk-central keygen --out FILE')",
            file=sys.stderr,
        )
        return PlatformKeys.generate()
    return PlatformKeys.load(path)


def _cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    if args.workers > 1:
        return _serve_workers(args)

    from central.app import create_app
    from central.catalog_file import CatalogFile
    from central.db import open_engine
    from central.platform import Limits, Platform

    platform = Platform(
        engine=open_engine(args.db),
        keys=_keys(args.keys),
        catalog=CatalogFile(args.catalog),
        admin_token=admin_token(args.admin_token_file),
        limits=Limits(attachment_bytes=args.max_attachment_mib * 1024 * 1024),
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        create_app(platform),
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=not args.no_access_log,
        proxy_headers=True,
    )
    return 0


#: How long ``serve --workers`` waits for a worker to answer its supervisor before it is taken for hung.
WORKER_PING_TIMEOUT_S = 30


def _serve_workers(args: argparse.Namespace) -> int:
    """Several uvicorn worker processes on one port, each building the app from the environment
    (``central.asgi``): they must share the key file and the admin token, so both are fixed here, once."""
    import uvicorn

    from central import asgi
    from central.db import open_engine

    if args.keys is None:
        raise CentralCliError("--workers needs --keys: every worker must open what terminals seal to the same key")
    if args.workers > 64:
        raise CentralCliError("--workers: at most 64 (one or two per CPU core is plenty)")
    PlatformKeys.load(args.keys)  # a bad key file is one line here, not a traceback in every worker
    open_engine(args.db).dispose()  # the schema is upgraded once, before the workers open it
    os.environ[asgi.DB_ENV] = args.db
    os.environ[asgi.KEYS_ENV] = str(args.keys.resolve())
    os.environ[ADMIN_TOKEN_ENV] = admin_token(args.admin_token_file)
    os.environ.pop(asgi.ADMIN_TOKEN_FILE_ENV, None)
    os.environ[asgi.MAX_ATTACHMENT_ENV] = str(args.max_attachment_mib)
    if args.catalog is not None:
        os.environ[asgi.CATALOG_ENV] = str(args.catalog.resolve())
    else:
        os.environ.pop(asgi.CATALOG_ENV, None)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    uvicorn.run(
        "central.asgi:app_from_environment",
        factory=True,
        workers=args.workers,
        # The supervisor kills a worker that does not answer its ping in time (5 s by default); a worker busy
        # on a saturated machine is not hung, and killing it drops every request it holds.
        timeout_worker_healthcheck=WORKER_PING_TIMEOUT_S,
        host=args.host,
        port=args.port,
        log_level="info",
        access_log=not args.no_access_log,
        proxy_headers=True,
    )
    return 0


def _cmd_keygen(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not args.force:
        raise CentralCliError(f"{out} exists; keep it (terminals seal to it) or pass --force to replace it")
    keys = PlatformKeys.generate()
    try:
        keys.save(out)
    except OSError as exc:
        raise CentralCliError(f"cannot write {out}: {exc.strerror}") from exc
    print(f"platform keys written to {out} (mode 0600)")
    return 0


def _registry(db: str) -> TerminalRegistry:
    from central.db import open_engine
    from central.terminals import TerminalRegistry

    return TerminalRegistry(open_engine(db))


def _cmd_enroll(args: argparse.Namespace) -> int:
    if not re.fullmatch(TERMINAL_ID_PATTERN, args.terminal_id) or len(args.terminal_id) > 64:
        raise CentralCliError(f"terminal id {args.terminal_id!r}: use up to 64 letters, digits, '.', '_' or '-'")
    qr: Path | None = args.qr
    if qr is not None and (args.url is None or args.keys is None):
        raise CentralCliError("--qr needs --url (the address terminals reach) and --keys (the platform key file)")
    keys = PlatformKeys.load(args.keys) if qr is not None else None
    token = _registry(args.db).enroll(args.terminal_id)
    print(token)
    if qr is not None and keys is not None:
        _write_enrolment_qr(qr, args.url, args.terminal_id, token, keys)
        print(f"enrolment code for the kiosk's camera (技术员：维护模式 → 设置 → 扫码接入平台): {qr}")
    return 0


def _write_enrolment_qr(path: Path, url: str, terminal_id: str, token: str, keys: PlatformKeys) -> None:
    import base64

    import qrcode

    from offline_cache.wire.enrolment_code import EnrolmentCode, EnrolmentCodeError, parse_enrolment_code

    code = EnrolmentCode(
        url=url.rstrip("/"),
        terminal_id=terminal_id,
        token=token,
        seal_public_key=base64.b64encode(keys.seal_public).decode(),
        signing_public_key=base64.b64encode(keys.signing_public).decode(),
    )
    try:
        parse_enrolment_code(code.text())  # what the kiosk will check, checked here first
    except EnrolmentCodeError as exc:
        raise CentralCliError(f"--url {url!r}: {exc}") from None
    try:
        qrcode.make(code.text(), box_size=8, border=4).save(path)
        path.chmod(0o600)  # the token is in it
    except OSError as exc:
        raise CentralCliError(f"cannot write {path}: {exc.strerror or exc}") from None


def _cmd_revoke(args: argparse.Namespace) -> int:
    if not _registry(args.db).revoke(args.terminal_id):
        raise CentralCliError(f"no terminal {args.terminal_id!r} is enrolled in this database")
    print(f"terminal {args.terminal_id} revoked")
    return 0


def _cmd_forecast(args: argparse.Namespace) -> int:
    from central.forecast.command import run

    return run(args)


def _cmd_import(args: argparse.Namespace) -> int:
    from central.db import open_engine
    from central.importer import import_export

    folder: Path = args.dir
    if not folder.is_dir():
        raise CentralCliError(f"{folder} is not a folder (give the export folder on the drive)")
    report = import_export(folder, open_engine(args.db), PlatformKeys.load(args.keys))
    print(f"{report.accepted} accepted, {report.rejected} rejected; receipt: {report.receipt_path}")
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from central.db import open_engine, upgrade_schema

    engine = open_engine(args.db, create_schema=False)
    try:
        print(upgrade_schema(engine).describe())
    finally:
        engine.dispose()
    return 0


def _cmd_openapi(_args: argparse.Namespace) -> int:
    sys.stdout.write(openapi_json())
    return 0


def openapi_json() -> str:
    """The OpenAPI description of the platform as committed in ``docs/openapi.json``."""
    from central.app import create_app

    return json.dumps(create_app(None).openapi(), ensure_ascii=False, indent=2) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk-central", description="Hall Kiosk central platform 中心平台")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser, required=True)

    def command(
        name: str, help_text: str, handler: Callable[[argparse.Namespace], int]
    ) -> argparse.ArgumentParser:
        sub: argparse.ArgumentParser = commands.add_parser(name, help=help_text)
        sub.set_defaults(handler=handler)
        return sub

    serve = command("serve", "serve the platform over HTTP", _cmd_serve)
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (0.0.0.0 behind a TLS proxy)"
    )
    serve.add_argument("--db", required=True, help="sqlite:///PATH or postgresql://USER@HOST/DB")
    serve.add_argument("--catalog", type=Path, help="service catalog JSON (default: the packaged sample)")
    serve.add_argument("--keys", type=Path, help="platform key file from 'kiosk-central keygen'")
    serve.add_argument(
        "--admin-token-file", type=Path, help=f"file holding the admin token (or ${ADMIN_TOKEN_ENV})"
    )
    serve.add_argument("--max-attachment-mib", type=int, default=20, help="largest attachment accepted")
    serve.add_argument(
        "--workers", type=int, default=1, help="worker processes on the port (needs --keys when more than 1)"
    )
    serve.add_argument("--no-access-log", action="store_true", help="no line per request in the log")

    keygen = command("keygen", "write a new platform key file (mode 0600)", _cmd_keygen)
    keygen.add_argument("--out", type=Path, required=True)
    keygen.add_argument("--force", action="store_true", help="replace an existing key file")

    enroll = command("enroll", "enroll a terminal and print its bearer token", _cmd_enroll)
    enroll.add_argument("terminal_id")
    enroll.add_argument("--db", required=True)
    enroll.add_argument("--qr", type=Path, help="also write the enrolment code as a QR code PNG for the kiosk's camera")
    enroll.add_argument("--url", help="with --qr: the platform address terminals reach (https://...)")
    enroll.add_argument("--keys", type=Path, help="with --qr: the platform key file (its public keys go in the code)")

    revoke = command("revoke", "revoke a terminal's token (its requests get 403)", _cmd_revoke)
    revoke.add_argument("terminal_id")
    revoke.add_argument("--db", required=True)

    forecast = command("forecast", "print a hall's load forecast for each opening hour ahead", _cmd_forecast)
    from central.forecast.command import add_arguments as forecast_arguments

    forecast_arguments(forecast)

    imp = command(
        "import", "import a terminal's export folder and write a signed receipt into it", _cmd_import
    )
    imp.add_argument("dir", type=Path)
    imp.add_argument("--db", required=True)
    imp.add_argument("--keys", type=Path, required=True)

    migrate = command(
        "migrate", "upgrade the database's schema to this release's (every start does it too)", _cmd_migrate
    )
    migrate.add_argument("--db", required=True)

    command("openapi", "print the OpenAPI description (docs/openapi.json)", _cmd_openapi)

    from central.audit_cli import add_commands as audit_commands

    audit_commands(commands)
    from central.usage.command import add_commands as usage_commands

    usage_commands(commands)

    from central.console.console_cli import add_commands as console_commands

    console_commands(commands)
    from central.staff.cli import add_commands as staff_commands

    staff_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except (CentralCliError, AdminTokenError, KeyFileError, DatabaseError, CatalogFileError, ExportFolderError) as exc:
        print(f"kiosk-central: {exc}", file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        print(
            f"kiosk-central: database error ({type(exc).__name__}): check --db and that the server is up",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
    return code


if __name__ == "__main__":
    sys.exit(main())
