"""The hall's machinery, made once at start-up from the config and passed to the shell (no singletons).

``open_hall`` builds the device registry and the devices, the sealed outbox and its sync engine, the catalog
cache, the heartbeat, and — in demo mode — an embedded central platform on loopback with simulated devices.
"""

from __future__ import annotations

import base64
import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from devices.base import Device, DeviceHandler, DeviceHealth, DeviceState, SilentHandler
from devices.camera.camera import Camera
from devices.camera.drivers import SimulatedCamera, register_cameras
from devices.idcard import drivers as idcard_drivers
from devices.idcard.reader import IdCardReader
from devices.idcard.sim_reader import SimulatedIdCardReader
from devices.printer.driver import ReceiptPrinter
from devices.printer.registration import register_printers
from devices.registry import DeviceRegistry
from kiosk.config import Config
from kiosk.hall.audit_upload import AuditUploader, configured_cosigner, platform_cosigner
from kiosk.hall.capture import CameraCapture
from kiosk.hall.catalog_store import NoticeBoard, bundled_catalog, pushed_notices
from kiosk.hall.embedded import Platform, demo_public_keys, embedded_platform
from kiosk.hall.handwriting import open_handwriting
from kiosk.hall.heartbeat import Heartbeat
from kiosk.hall.identification import ReaderIdentification
from kiosk.hall.matters import OutboxMatters
from kiosk.hall.printing import JournalReceipts
from kiosk.hall.queries import NoQueryDesk, QueryDesk, SampleQueryDesk
from kiosk.hall.rating_upload import send_pending_ratings
from kiosk.hall.technician import HallTechnician
from kiosk.hall.upkeep import PlatformUpkeep
from kiosk.hall.usage import ExpectedWait, UsageLog, UsageSettings
from kiosk.paths import TerminalPaths
from kiosk.records.audit import KIOSK, AuditAction, AuditLog
from kiosk.records.journal import ReceiptJournal
from kiosk.records.ratings import RatingBook
from kiosk.records.tickets import TicketRoll
from kiosk.visit.catalog import Catalog, parse_catalog
from kiosk.visit.flow import CitizenFlow
from kiosk.visit.ports import HallPorts, Terminal
from kiosk.visit.usage_events import VisitUsageRecorder
from offline_cache.catalog_cache import CatalogCache
from offline_cache.courier import PlatformLink
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.sealing import Sealer, load_public_key

log = logging.getLogger(__name__)

#: The demo's sample residents: who the simulated reader holds for which kind of service.
DEMO_CARD_ELDER = "zhao_shuying"
DEMO_CARD_ADULT = "wang_yan"


@dataclass
class Hall:
    config: Config
    paths: TerminalPaths
    platform: Platform
    registry: DeviceRegistry
    outbox: Outbox
    sync: SyncEngine
    catalog_cache: CatalogCache[Catalog]
    heartbeat: Heartbeat
    ports: HallPorts
    #: The ratings upload, the catalog refresh and the audit sync, on their own thread after each beat that
    #: reached the platform.
    upkeep: PlatformUpkeep = field(default_factory=lambda: PlatformUpkeep(()))
    reader: IdCardReader | None = None
    printer: ReceiptPrinter | None = None
    camera: Device | None = None
    closers: list[Any] = field(default_factory=list)
    audit: AuditLog | None = None
    #: More health to report beside the devices (the UI adds the voice: no speaker is a technician's matter).
    health_sources: dict[str, Callable[[], DeviceHealth]] = field(default_factory=dict)
    #: Told of what the devices need (re-used when a technician re-opens them).
    device_handler: DeviceHandler = field(default_factory=SilentHandler)
    #: Anonymous usage events waiting for their batch (使用统计, ``kiosk/hall/usage.py``).
    usage: UsageLog | None = None
    #: The catalog with the notices the platform pushed (kept, so the screens change only when they do).
    notice_board: NoticeBoard = field(default_factory=NoticeBoard)

    @property
    def demo(self) -> bool:
        return self.platform.central is not None

    def catalog(self) -> Catalog:
        """The platform's last good catalog (else the bundled one), with the notices of the last heartbeat's
        answer: the console's 政策推送 for this terminal's region and hall reach the attract screen."""
        try:
            base = self.catalog_cache.current()
        except Exception:  # noqa: BLE001 - no catalog yet: the bundled one
            base = bundled_catalog()
        return self.notice_board.catalog(base, pushed_notices(self.heartbeat.last_reply))

    def refresh_catalog(self) -> None:
        client = self.sync.courier.client
        result = self.catalog_cache.refresh(client.session(), client.link.url)
        log.info("catalog refresh: %s %s", result.result, result.message)

    def watch_visits(self, flow: CitizenFlow, elder: Callable[[], bool]) -> VisitUsageRecorder | None:
        """Record the anonymous usage events of every visit on ``flow`` (``elder``: is elder mode on)."""
        if self.usage is None:
            return None
        now = self.config.hall_clock()
        recorder = VisitUsageRecorder(self.usage.record, clock=time.monotonic, now=now, elder=elder)
        recorder.watch(flow)
        return recorder

    def devices(self) -> dict[str, Device]:
        return {d.name: d for d in (self.reader, self.printer, self.camera) if d is not None}

    def device_healths(self) -> dict[str, DeviceHealth]:
        """Every device's state and why, and the other parts that report one."""
        healths = {name: device.health for name, device in self.devices().items()}
        healths.update({name: source() for name, source in self.health_sources.items()})
        return healths

    def reopen_devices(self, config: Config) -> None:
        """The technician changed the devices' settings: every device is closed and opened again with them, in
        place (the ports that use a device are handed the new one; the kiosk keeps running)."""
        for device in self.devices().values():
            device.close()
        reader, printer, camera = _open_devices(self.registry, config, self.device_handler, self.paths)
        self.config, self.reader, self.printer, self.camera = config, reader, printer, camera
        ports = self.ports
        if isinstance(ports.receipts, JournalReceipts):
            ports.receipts.printer = printer
        if isinstance(ports.identification, ReaderIdentification):
            ports.identification.reader = reader
        if isinstance(ports.capture, CameraCapture):
            ports.capture.camera = camera
        if isinstance(ports.demo, DemoControls):
            ports.demo.reader = reader if isinstance(reader, SimulatedIdCardReader) else None
            ports.demo.camera = camera

    def health_report(self) -> dict[str, Any]:
        status = self.sync.status()
        report: dict[str, Any] = {
            "queue_depth": status.pending,
            "devices": {
                name: {"state": h.state.value, "reason": h.reason} for name, h in self.device_healths().items()
            },
            # What the fleet console shows of the terminal (docs/console.md).
            "catalog_version": self.catalog().version,
        }
        if status.oldest_pending_age is not None:
            report["oldest_unsent_s"] = round(status.oldest_pending_age)
        if status.last_success_at is not None:
            report["last_sync_at"] = datetime.fromtimestamp(status.last_success_at, UTC).isoformat()
        with contextlib.suppress(OSError):
            report["disk_free_mb"] = shutil.disk_usage(self.paths.root).free // (1024 * 1024)
        return report

    # -- demo: the network can be "cut" by stopping the embedded platform ---------------------------------
    def stop_platform(self) -> None:
        if self.platform.central is not None:
            self.platform.central.stop()

    def start_platform(self) -> None:
        if self.platform.central is not None:
            self.platform.central.start()
            self.sync.trigger()

    def close(self) -> None:
        self.heartbeat.stop()
        self.upkeep.stop()
        self.sync.stop()
        for device in self.devices().values():
            device.close()
        for closer in self.closers:
            closer()
        self.outbox.close()
        if self.platform.central is not None:
            self.platform.central.stop()


def _configured_platform(config: Config) -> Platform:
    key = base64.b64decode(config.platform.public_key) if config.platform.public_key else b""
    return Platform(config.platform.url, config.platform.token, key)


class DemoControls:
    """The demo's hands: place a sample resident's card on the simulated reader, show a sample QR code."""

    def __init__(self, reader: Device | None, camera: Device | None) -> None:
        self.reader = reader if isinstance(reader, SimulatedIdCardReader) else None
        self.camera = camera

    def place_card(self, sample: str = DEMO_CARD_ELDER) -> None:
        if self.reader is not None:
            self.reader.remove_card()
            self.reader.place_card(sample)

    def remove_card(self) -> None:
        if self.reader is not None:
            self.reader.remove_card()

    def show_qr(self) -> None:
        if isinstance(self.camera, SimulatedCamera):
            self.camera.show_scene("qr")

    def present(self, kind: str) -> None:
        """Before a capture: lay the sample contract under the simulated camera (a photo needs nothing)."""
        if isinstance(self.camera, SimulatedCamera):
            self.camera.show_scene("document" if kind == "document" else "empty")


def _open_device(
    registry: DeviceRegistry, kind: str, connection: str, handler: DeviceHandler, options: dict[str, Any]
) -> Device | None:
    try:
        device = registry.create(kind, connection, handler, options)
    except Exception as exc:  # noqa: BLE001 - a broken device must not stop the kiosk; the technician sees why
        log.error("%s: cannot create driver for %s: %s", kind, connection, exc)
        return None
    health: DeviceHealth = device.open()
    if health.state is DeviceState.OFFLINE:
        log.warning("%s offline at start: %s", kind, health.reason)
    device.start_polling()
    return device


def _open_devices(
    registry: DeviceRegistry, config: Config, handler: DeviceHandler, paths: TerminalPaths
) -> tuple[IdCardReader | None, ReceiptPrinter | None, Camera | None]:
    """The registry's drivers for the configured connections, opened and polled (offline ones keep trying)."""
    idcard_drivers.register(registry)
    register_printers(registry)
    register_cameras(registry)
    devices = config.devices
    reader = printer = camera = None
    if devices.id_reader.enabled:
        options = {"usb_match": devices.id_reader.usb_match, "poll_interval_ms": devices.id_reader.poll_interval_ms}
        reader = _open_device(registry, "id_reader", devices.id_reader.connection, handler, options)
    if devices.printer.enabled:
        options = {"profile": devices.printer.profile, "paper_width_mm": devices.printer.paper_width_mm}
        if devices.printer.connection.startswith("sim"):
            options["preview_dir"] = str(paths.receipt_previews)
        printer = _open_device(registry, "printer", devices.printer.connection, handler, options)
    if devices.camera.enabled:
        camera = _open_device(
            registry, "camera", devices.camera.connection, handler, {"max_fps": devices.camera.max_fps}
        )
    return (
        reader if isinstance(reader, IdCardReader) else None,
        printer if isinstance(printer, ReceiptPrinter) else None,
        camera if isinstance(camera, Camera) else None,
    )


def _usage_log(config: Config, paths: TerminalPaths, outbox: Outbox) -> UsageLog:
    usage = config.usage
    settings = UsageSettings(
        hall=(usage.hall or config.terminal.hall_name)[:64],
        batch_events=usage.batch_events,
        batch_seconds=usage.batch_minutes * 60.0,
        max_age_days=usage.keep_days,
        max_events=usage.max_events,
    )
    return UsageLog(
        paths.root / "usage.sqlite3",
        outbox,
        settings,
        terminal_id=config.terminal.id,
        time_zone=config.terminal.time_zone,
    )


def open_hall(
    config: Config,
    *,
    demo: bool,
    handler: DeviceHandler | None = None,
    paths: TerminalPaths | None = None,
    config_path: Path | None = None,
) -> Hall:
    """Open the hall over ``paths`` (by default the data folder of the running mode, as every command finds it).
    ``config_path``: the file the config came from; the technician's settings are written there."""
    handler = handler or SilentHandler()
    demo = demo or config.is_demo
    paths = (paths or TerminalPaths.of(config.data_path, demo=demo)).ensure()
    terminal_id = config.terminal.id
    platform = embedded_platform(paths, terminal_id) if demo else _configured_platform(config)

    sealer = Sealer(load_public_key(platform.public_key)) if platform.public_key else None
    outbox = Outbox(paths.outbox, terminal_id=terminal_id, sealer=sealer)
    link = PlatformLink(platform.url, platform.token, terminal_id, verify_tls=config.platform.verify_tls)
    sync = SyncEngine(paths.outbox, link, SyncSettings(interval=10.0 if demo else 30.0))
    catalog_cache: CatalogCache[Catalog] = CatalogCache(paths.catalog, parse_catalog)

    registry = DeviceRegistry()
    reader, printer, camera = _open_devices(registry, config, handler, paths)

    terminal = Terminal(terminal_id, config.terminal.region_code)
    # One platform client for the outbox, the heartbeat, the ratings and the catalog.
    client = sync.courier.client
    # The report closes over ``hall``, which exists before the first beat.
    heartbeat = Heartbeat(client, lambda: hall.health_report())  # noqa: PLW0108
    queries: QueryDesk = SampleQueryDesk(sync.courier.reachable) if demo else NoQueryDesk()
    ratings = RatingBook(paths.ratings)
    usage = _usage_log(config, paths, outbox)
    usage.after_put = sync.trigger
    upkeep = PlatformUpkeep(
        [
            lambda: send_pending_ratings(ratings, client),
            usage.flush_due,
            lambda: hall.refresh_catalog(),  # noqa: PLW0108
            lambda: audit_upload.sync(),  # noqa: PLW0108
        ]
    )
    hall_now = config.hall_clock()
    tickets = TicketRoll(paths.tickets, today=lambda: hall_now().date())
    journal = ReceiptJournal(paths.journal)
    audit = AuditLog(paths.audit, paths.audit_key, terminal_id)
    audit.record(AuditAction.KIOSK_START, KIOSK)
    # The audit log to the platform for its cosignature, last of the upkeep's chores.
    cosigner = (
        platform_cosigner(demo_public_keys(paths)[1]) if demo else configured_cosigner(config.platform.signing_key)
    )
    audit_upload = AuditUploader(audit, client, paths.audit_anchor, cosigner)
    expected_wait = ExpectedWait(lambda: heartbeat.last_reply, hall_now)
    matters = OutboxMatters(
        outbox,
        terminal,
        trigger_sync=sync.trigger,
        queries=queries,
        tickets=tickets,
        ratings=ratings,
        expected_wait=expected_wait.minutes,
    )
    receipts = JournalReceipts(
        printer, journal, hall_name=config.terminal.hall_name, terminal_id=terminal_id, now=hall_now
    )
    demo_controls = DemoControls(reader, camera) if demo else None
    capture = CameraCapture(camera, demo_controls.present if demo_controls else None)
    ports = HallPorts(
        matters=matters,
        identification=ReaderIdentification(reader, capture),
        receipts=receipts,
        capture=capture,
        staff=heartbeat,
        demo=demo_controls,
        handwriting=open_handwriting(),
    )
    hall = Hall(
        config,
        paths,
        platform,
        registry,
        outbox,
        sync,
        catalog_cache,
        heartbeat,
        ports,
        reader=reader,
        printer=printer,
        camera=camera,
        upkeep=upkeep,
        closers=[ratings.close, tickets.close, journal.close, audit.stop, usage.close],
        audit=audit,
        device_handler=handler,
        usage=usage if config.usage.enabled else None,
    )

    hall.ports = replace(hall.ports, technician=HallTechnician(hall, config_path))

    heartbeat.after_beat.add(upkeep.after_beat)
    sync.start()
    upkeep.start()
    heartbeat.start()  # the first beat at once, on the heartbeat's thread
    return hall


def temporary_paths() -> TerminalPaths:
    """A throwaway data folder (screenshots, the audit)."""
    return TerminalPaths(Path(tempfile.mkdtemp(prefix="hall-kiosk-")))
