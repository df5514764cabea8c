"""The staff member's client over an open hall: the staff directory, the vaults, the outbox, the sync, and
the devices the laptop has (ID card reader, document camera, receipt printer), each optional."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from devices.printer.document import KeyValue, PrintDocument, QrCode, TextLine, Title
from kiosk.assisted.idle import IdleSettings
from kiosk.assisted.limits import CaseLimits
from kiosk.assisted.slip import Slip
from kiosk.assisted.staff import LoginPolicy, StaffDirectory
from kiosk.hall.assisted_outbox import AssistedOutbox
from kiosk.hall.assisted_sync import AssistedSync
from kiosk.hall.compose import Hall
from kiosk.visit.ports import Terminal
from offline_cache.wire.staff_hash import verify_password
from ui.assisted.desk import AssistedDesk, CapturePaper, PrintSlip, ReadCard


def hall_clock(time_zone: str) -> Callable[[], datetime]:
    zone = ZoneInfo(time_zone)
    return lambda: datetime.now(zone)


def slip_document(slip: Slip) -> PrintDocument:
    return PrintDocument(
        (
            Title(slip.title),
            *(KeyValue(line.label, line.value) for line in slip.lines),
            TextLine(slip.footnote),
            QrCode(slip.qr_text, "凭此码查询办理进度"),
        )
    )


def _printer(hall: Hall) -> PrintSlip | None:
    printer = hall.printer
    if printer is None:
        return None

    def print_slip(slip: Slip) -> bool:
        try:
            printer.print_document(slip_document(slip))
        except Exception:  # noqa: BLE001 - a jam or no paper: the screen offers the PDF and the QR instead
            return False
        return True

    return print_slip


def _reader(hall: Hall) -> ReadCard | None:
    reader = hall.reader
    if reader is None:
        return None

    def read() -> tuple[str, str] | None:
        try:
            card = reader.read_card(timeout=3.0)
        except Exception:  # noqa: BLE001 - no card, a reader fault: the form says so and typing stays open
            return None
        return card.name, card.id_number

    return read


def _camera(hall: Hall) -> CapturePaper | None:
    if hall.camera is None:
        return None
    capture = hall.ports.capture

    def take() -> bytes | None:
        try:
            return capture.capture("document")
        except Exception:  # noqa: BLE001 - nothing captured: the form says so
            return None

    return take


#: The demo platform's staff (``kiosk.hall.embedded.DEMO_STAFF``), named on the demo's login screen.
DEMO_LOGIN = "演示模式：先点“同步工作人员名单”，再用工号 D001（或 D002），密码 daiban-2026 登录。"


def assisted_desk(hall: Hall) -> AssistedDesk:
    config = hall.config
    settings = config.assisted
    clock = hall_clock(config.terminal.time_zone)
    policy = LoginPolicy(
        settings.max_failed_logins, timedelta(minutes=settings.lockout_minutes), settings.offline_login_days
    )
    directory = StaffDirectory(hall.paths.assisted_staff, verify_password, policy)
    outbox = AssistedOutbox(hall.outbox, Terminal(config.terminal.id, config.terminal.region_code))
    sync = AssistedSync(hall.sync.courier.client, directory, outbox, hall.sync.run_once, clock)
    return AssistedDesk(
        directory=directory,
        cases_root=hall.paths.assisted_cases,
        catalog=hall.catalog(),
        hall_name=config.terminal.hall_name,
        clock=clock,
        limits=CaseLimits(
            settings.warn_unsynced_days,
            settings.refuse_unsynced_days,
            settings.warn_unsent_cases,
            settings.refuse_unsent_cases,
        ),
        idle=IdleSettings(settings.idle_lock_seconds, settings.idle_warning_seconds),
        send_case=outbox.send,
        send_event=outbox.send_event,
        sync=sync.run,
        pull_staff=sync.pull_staff,
        export_cases=outbox.export_member,
        handle_matter=hall.ports.matters.handle,
        print_slip=_printer(hall),
        read_card=_reader(hall),
        capture_paper=_camera(hall),
        demo_hint=DEMO_LOGIN if hall.demo else "",
    )
