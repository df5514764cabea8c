"""``kiosk doctor`` with no device named: one check of the whole installed terminal.

Each line is ``ok`` or what a person should do: the kiosk service, each device, the platform (reachable, TLS
valid, the token accepted), the clock against the platform's, disk space, permissions, and how long the oldest
submission has waited. Exit 1 when any line needs a person, so a monitoring job can run it as it is.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import stat
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

from kiosk.cli.support import CliContext, print_json
from kiosk.config import Config, DeviceConfig, default_config_path
from kiosk.paths import TerminalPaths
from offline_cache.wire.protocol import PATH_CATALOG, PATH_PLATFORM_KEYS

SERVICE = "hall-kiosk.service"
#: The group the udev rules give the devices to (installer/packaging/terminal/60-hall-kiosk.rules).
DEVICE_GROUP = "hall-devices"
MIN_FREE_BYTES = 1 << 30
MAX_SKEW_SECONDS = 60.0
MAX_QUEUE_AGE_SECONDS = 24 * 3600.0
PLATFORM_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Check:
    """One line of the report: ``ok``, or ``action`` (what to do) with ``detail`` (what was found)."""

    name: str
    ok: bool
    detail: str
    action: str = ""


Runner = Callable[[Sequence[str]], "subprocess.CompletedProcess[str]"]


def _run(command: Sequence[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=10, check=False)  # noqa: S603


def _systemd_running() -> bool:
    return shutil.which("systemctl") is not None and Path("/run/systemd/system").is_dir()


@dataclass
class TerminalDoctor:
    config: Config
    config_path: Path | None
    run: Runner = _run
    now: Callable[[], float] = time.time
    systemd_running: Callable[[], bool] = _systemd_running

    def checks(self) -> list[Check]:
        paths = TerminalPaths.of(self.config.data_path, demo=self.config.is_demo)
        found = [self.service()]
        found += [
            self.device("id_reader", self.config.devices.id_reader, "the ID card reader"),
            self.device("printer", self.config.devices.printer, "the receipt printer"),
            self.device("camera", self.config.devices.camera, "the camera"),
        ]
        found += self.platform()
        found += [self.disk(paths), self.permissions(paths), self.queue(paths)]
        return found

    # ------------------------------------------------------------------ the service
    def service(self) -> Check:
        if self.config.terminal.mode == "assisted":
            return Check("service", True, "assisted client: started from the desktop, no kiosk service")
        if not self.systemd_running():
            return Check(
                "service", False, "systemd is not running here", f"start the terminal with systemd ({SERVICE})"
            )
        shown = self.run(["systemctl", "show", SERVICE, "-p", "ActiveState,SubState,NRestarts,UnitFileState"])
        fields = dict(line.split("=", 1) for line in shown.stdout.splitlines() if "=" in line)
        active, sub = fields.get("ActiveState", "unknown"), fields.get("SubState", "")
        restarts = fields.get("NRestarts", "0")
        detail = f"{SERVICE} {active} ({sub}), {restarts} restarts, {fields.get('UnitFileState', '?')} at boot"
        if active != "active":
            return Check("service", False, detail, f"systemctl start {SERVICE}; journalctl -u {SERVICE} -b says why")
        if fields.get("UnitFileState") != "enabled":
            return Check("service", False, detail, f"systemctl enable {SERVICE} (so it starts on power-on)")
        if restarts.isdigit() and int(restarts) > 3:
            return Check("service", False, detail, f"it keeps restarting: journalctl -u {SERVICE} -b")
        return Check("service", True, detail)

    # ------------------------------------------------------------------ devices
    def device(self, name: str, device: DeviceConfig, what: str) -> Check:
        url = device.connection.strip()
        if not device.enabled:
            return Check(name, True, "disabled in the config")
        scheme = urlsplit(url).scheme if "://" in url else ""
        if scheme == "sim":
            return Check(name, True, f"{url} (simulated)")
        if scheme in ("tcp", "socket"):
            return self._network_device(name, url, what)
        if scheme in ("usb", "cups", "rfc2217"):
            return Check(name, True, f"{url} (checked when used: kiosk doctor {name.replace('_', '-')})")
        if scheme == "v4l2":
            node = Path(f"/dev/video{urlsplit(url).netloc or '0'}")
        elif scheme == "file":
            node = Path(urlsplit(url).path)
        elif scheme == "":
            node = Path(url)
        else:
            return Check(name, True, f"{url} (checked when used)")
        return self._device_node(name, node, what)

    def _device_node(self, name: str, node: Path, what: str) -> Check:
        if not node.exists():
            return Check(
                name,
                False,
                f"{node} not found",
                f"plug in {what}; if it is plugged in, its USB id (lsusb) is not in the udev rules "
                "(install.md, Devices)",
            )
        if not os.access(node, os.R_OK | os.W_OK):
            return Check(
                name,
                False,
                f"{node} is there but this user may not use it",
                f"adduser hall-kiosk {DEVICE_GROUP}, then replug {what} (or udevadm trigger)",
            )
        mode = node.stat().st_mode
        if mode & stat.S_IWOTH:
            return Check(name, False, f"{node} is writable by everyone", "remove the MODE=0666 udev rule")
        target = f" -> {node.resolve()}" if node.is_symlink() else ""
        return Check(name, True, f"{node}{target}")

    def _network_device(self, name: str, url: str, what: str) -> Check:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port or 9100
        try:
            with socket.create_connection((host, port), timeout=3):
                pass
        except OSError as exc:
            return Check(name, False, f"{url}: {exc}", f"switch on {what} and check its network cable and address")
        return Check(name, True, f"{url} answers")

    # ------------------------------------------------------------------ the platform and the clock
    def platform(self) -> list[Check]:
        platform = self.config.platform
        if self.config.is_demo:
            return [
                Check(
                    "platform",
                    False,
                    "the config is the demo's (platform.url = embedded)",
                    "enrol the terminal: set [platform] url, token and keys (install.md, Enrol)",
                ),
                Check("clock", True, "not compared (no platform)"),
            ]
        import requests

        url = platform.url
        parts = urlsplit(url)
        loopback = parts.hostname in ("127.0.0.1", "::1", "localhost")
        try:
            answer = requests.get(
                url + PATH_PLATFORM_KEYS, timeout=PLATFORM_TIMEOUT_SECONDS, verify=platform.verify_tls
            )
        except requests.exceptions.SSLError as exc:
            return [
                Check("platform", False, f"{url}: TLS not valid ({_reason(exc)})", "fix the certificate, or the clock"),
                Check("clock", True, "not compared (platform unreachable)"),
            ]
        except requests.RequestException as exc:
            return [
                Check(
                    "platform",
                    False,
                    f"{url} unreachable ({_reason(exc)})",
                    "check the network and platform.url; submissions wait in the queue meanwhile",
                ),
                Check("clock", True, "not compared (platform unreachable)"),
            ]
        checks = [self._platform_answer(url, answer.status_code, parts.scheme, loopback)]
        if checks[0].ok:
            checks[0] = self._token(url)
        checks.append(self._clock(answer.headers.get("Date")))
        return checks

    def _platform_answer(self, url: str, status: int, scheme: str, loopback: bool) -> Check:
        if status != 200:
            return Check("platform", False, f"{url} answered HTTP {status}", "check platform.url")
        if scheme != "https" and not loopback:
            return Check("platform", False, f"{url} is plain HTTP", "use the platform's https:// address")
        if not self.config.platform.verify_tls:
            return Check("platform", False, f"{url}: TLS not verified (verify_tls = false)", "set verify_tls = true")
        return Check("platform", True, f"{url} reachable" + (", TLS valid" if scheme == "https" else " (loopback)"))

    def _token(self, url: str) -> Check:
        import requests

        platform = self.config.platform
        if not platform.token or not platform.public_key:
            return Check("platform", False, f"{url} reachable; not enrolled", "kiosk-central enroll ID (install.md)")
        try:
            answer = requests.get(
                url + PATH_CATALOG,
                headers={"Authorization": f"Bearer {platform.token}"},
                timeout=PLATFORM_TIMEOUT_SECONDS,
                verify=platform.verify_tls,
            )
        except requests.RequestException as exc:
            return Check("platform", False, f"{url}: {_reason(exc)}", "check the network")
        if answer.status_code in (401, 403):
            return Check(
                "platform",
                False,
                f"{url} refused this terminal's token (HTTP {answer.status_code})",
                "enrol again: kiosk-central enroll ID, then platform.token",
            )
        tls = ", TLS valid" if url.startswith("https://") else " (loopback)"
        return Check("platform", True, f"{url} reachable{tls}, token accepted")

    def _clock(self, date_header: str | None) -> Check:
        if not date_header:
            return Check("clock", True, "not compared (the platform sent no Date)")
        try:
            theirs = parsedate_to_datetime(date_header).timestamp()
        except (TypeError, ValueError):
            return Check("clock", True, "not compared (the platform's Date is unreadable)")
        skew = self.now() - theirs
        detail = f"{skew:+.0f} s against the platform"
        if abs(skew) > MAX_SKEW_SECONDS:
            return Check("clock", False, detail, "set the clock: timedatectl set-ntp true (receipts carry the time)")
        return Check("clock", True, detail)

    # ------------------------------------------------------------------ the disk, permissions, the queue
    def disk(self, paths: TerminalPaths) -> Check:
        where = _existing(paths.root)
        usage = shutil.disk_usage(where)
        free = usage.free
        detail = f"{free / (1 << 30):.1f} GiB free on {where}"
        if free < MIN_FREE_BYTES or free < usage.total * 0.05:
            return Check(
                "disk", False, detail, "free space: old logs (journalctl --vacuum-size=200M), or a bigger disk"
            )
        return Check("disk", True, detail)

    def permissions(self, paths: TerminalPaths) -> Check:
        where = _existing(paths.root)
        if not os.access(where, os.W_OK | os.X_OK):
            return Check(
                "permissions",
                False,
                f"{where} is not writable by this user",
                "run as the kiosk's user (the kiosk command does as root), or chown -R hall-kiosk: the data folder",
            )
        config = self.config_path or default_config_path()
        if config.exists() and config.stat().st_mode & stat.S_IROTH:
            return Check(
                "permissions",
                False,
                f"{config} is readable by everyone (it holds the token and the PIN hash)",
                f"chmod 640 {config}",
            )
        return Check("permissions", True, f"{where} writable; the config is not readable by everyone")

    def queue(self, paths: TerminalPaths) -> Check:
        from offline_cache.models import OutboxError
        from offline_cache.store import Outbox
        from offline_cache.sync import outbox_status

        if not paths.outbox.exists():
            return Check("queue", True, "empty (no submission yet)")
        try:
            outbox = Outbox(paths.outbox, terminal_id=self.config.terminal.id)
        except (OSError, OutboxError) as exc:
            return Check("queue", False, f"the outbox cannot be opened: {exc}", "kiosk queue status says more")
        try:
            status = outbox_status(outbox)
        finally:
            outbox.close()
        quarantined = status.counts.get("quarantined", 0)
        age = status.oldest_pending_age
        detail = f"{status.pending} waiting" + ("" if age is None else f", the oldest for {age / 3600:.1f} h")
        if status.paused:
            return Check(
                "queue", False, f"{detail}; paused: {status.paused_reason}", "ask the platform's administrator"
            )
        if quarantined:
            return Check(
                "queue", False, f"{detail}; {quarantined} set aside", "kiosk queue status, then kiosk queue retry ID"
            )
        if age is not None and age > MAX_QUEUE_AGE_SECONDS:
            return Check(
                "queue",
                False,
                detail,
                "the platform has taken nothing for a day: check the network, or kiosk queue export to a USB drive",
            )
        return Check("queue", True, detail)


def _existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _reason(exc: Exception) -> str:
    """A short cause: requests' messages quote the whole pool and URL."""
    text = str(exc)
    for marker, said in (
        ("NameResolutionError", "the name does not resolve"),
        ("Connection refused", "connection refused"),
        ("timed out", "timed out"),
        ("CERTIFICATE_VERIFY_FAILED", "certificate not trusted"),
        ("certificate has expired", "certificate expired"),
    ):
        if marker in text:
            return said
    return text if len(text) < 120 else text[:117] + "..."


def run_whole_check(args: argparse.Namespace, ctx: CliContext) -> int:
    doctor = TerminalDoctor(ctx.config, ctx.config_path)
    checks = doctor.checks()
    needs_person = [c for c in checks if not c.ok]
    if getattr(args, "json", False):
        print_json({"ok": not needs_person, "checks": [asdict(c) for c in checks]})
    else:
        width = max(len(c.name) for c in checks)
        for c in checks:
            if c.ok:
                print(f"ok    {c.name:<{width}}  {c.detail}")
            else:
                print(f"TODO  {c.name:<{width}}  {c.detail}: {c.action}")
    return 1 if needs_person else 0
