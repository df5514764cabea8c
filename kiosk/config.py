"""The terminal's configuration: one TOML file, typed and validated at start-up.

Defaults are the demo: simulated devices, an embedded central platform on loopback. A bad file gives one
readable message naming the key and the problem (:class:`ConfigError`), never a traceback.
"""

from __future__ import annotations

import os
import tempfile
import tomllib
import zoneinfo
from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Any, Literal

import platformdirs
import tomlkit
import tomlkit.exceptions
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

APP_NAME = "hall-kiosk"

ThemeName = Literal["standard", "elder", "high_contrast"]
Language = Literal["zh_CN", "en"]


#: The demo's technician PIN, 2468, as ``kiosk technician hash-pin`` writes it.
DEMO_PIN_HASH = "pbkdf2_sha256$200000$aGFsbC1raW9zay1kZW1vLQ==$cc17gm6FmbuQ7PoVzppK4gLnJgbrSttKVcSg2MfOk1s="


class ConfigError(Exception):
    """The config file cannot be used; ``str(self)`` names the file, the key and the problem."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TerminalConfig(_Section):
    id: str = Field("demo-0001", min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    hall_name: str = Field("示范区政务服务中心", min_length=1)
    region_code: str = Field("110101", pattern=r"^\d{6}$")
    mode: Literal["kiosk", "assisted"] = "kiosk"
    #: The hall's time zone (an IANA name): every time a person reads — the attract clock, the receipt, the queue
    #: status — is in it, whatever the terminal's system clock is set to (the platform's case numbers use China
    #: time). Standard library ``zoneinfo``.
    time_zone: str = "Asia/Shanghai"

    @field_validator("time_zone")
    @classmethod
    def _time_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)") from None
        return value

    @property
    def zone(self) -> tzinfo:
        """The hall's time zone."""
        return zoneinfo.ZoneInfo(self.time_zone)


class PlatformConfig(_Section):
    #: ``embedded`` runs the reference central platform in-process on loopback (the demo).
    url: str = "embedded"
    token: str = ""
    #: Raw X25519 public key of the platform, base64; empty in demo (taken from the embedded central).
    public_key: str = ""
    #: Ed25519 key that signs receipt files for offline export/import, base64.
    signing_key: str = ""
    verify_tls: bool = True

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        if value != "embedded" and not value.startswith(("https://", "http://")):
            raise ValueError("must be 'embedded' or an http(s):// URL")
        return value.rstrip("/")


class DeviceConfig(_Section):
    #: A connection URL: ``sim://`` for the simulator, a serial path, ``socket://``, ``tcp://``, ``usb://``…
    connection: str = "sim://"
    enabled: bool = True


class IdReaderConfig(DeviceConfig):
    usb_match: str = ""  # "VID:PID[:SERIAL]" to find the adapter again after re-enumeration
    poll_interval_ms: int = Field(400, ge=300, le=5000)


class PrinterConfig(DeviceConfig):
    paper_width_mm: Literal[58, 80] = 80
    profile: str = "default"


class CameraConfig(DeviceConfig):
    max_fps: float = Field(15.0, gt=0, le=60)


class VoiceConfig(_Section):
    enabled: bool = True
    #: ``pyttsx3`` speaks through espeak-ng; ``record`` keeps what would be said (tests, silent halls).
    engine: Literal["pyttsx3", "record"] = "pyttsx3"
    volume: float = Field(0.8, ge=0.0, le=1.0)
    rate_wpm: int = Field(170, ge=80, le=300)
    elder_rate_wpm: int = Field(130, ge=80, le=300)


class DevicesConfig(_Section):
    id_reader: IdReaderConfig = IdReaderConfig()
    printer: PrinterConfig = PrinterConfig()
    camera: CameraConfig = CameraConfig()


class TimeoutsConfig(_Section):
    idle_seconds: int = Field(60, ge=15, le=3600)
    warning_seconds: int = Field(30, ge=20, le=300)
    max_extensions: int = Field(12, ge=10, le=100)


class UiConfig(_Section):
    theme: ThemeName = "standard"
    language: Language = "zh_CN"


class TechnicianConfig(_Section):
    #: PBKDF2 hash of the technician PIN, made by ``kiosk technician hash-pin``; the demo's PIN is 2468.
    pin_hash: str = Field(DEMO_PIN_HASH, pattern=r"^pbkdf2_sha256\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$")
    max_attempts: int = Field(5, ge=1, le=20)
    lockout_seconds: int = Field(300, ge=10, le=86400)


class AssistedConfig(_Section):
    """Assisted handling (帮办代办) on a staff member's laptop: logins, idle lock and the limits of working offline."""

    #: Wrong passwords in a row that lock a staff member's offline login, and for how long (MOSIP: 5, 30 min).
    max_failed_logins: int = Field(5, ge=3, le=20)
    lockout_minutes: int = Field(30, ge=1, le=1440)
    #: An offline login is refused once the laptop has not reached the platform for this many days.
    offline_login_days: int = Field(7, ge=1, le=90)
    #: The idle lock: a warning this many seconds before it, then the lock (the case in progress is kept).
    idle_lock_seconds: int = Field(300, ge=30, le=3600)
    idle_warning_seconds: int = Field(30, ge=10, le=120)
    #: Past these, the case list warns; past the refuse limits, no new case until synced or exported.
    warn_unsynced_days: int = Field(3, ge=1, le=90)
    refuse_unsynced_days: int = Field(7, ge=1, le=180)
    warn_unsent_cases: int = Field(50, ge=1, le=10000)
    refuse_unsent_cases: int = Field(200, ge=1, le=20000)

    @model_validator(mode="after")
    def _in_order(self) -> AssistedConfig:
        if self.idle_warning_seconds >= self.idle_lock_seconds:
            raise ValueError("idle_warning_seconds must be shorter than idle_lock_seconds")
        if self.warn_unsynced_days > self.refuse_unsynced_days:
            raise ValueError("warn_unsynced_days must not be more than refuse_unsynced_days")
        if self.warn_unsent_cases > self.refuse_unsent_cases:
            raise ValueError("warn_unsent_cases must not be more than refuse_unsent_cases")
        return self


class UsageConfig(_Section):
    """Anonymous usage events (使用统计, docs/usage.md): the hall they count for, their batches, how long they wait."""

    enabled: bool = True
    #: The hall as the platform counts it; empty: ``terminal.hall_name``.
    hall: str = Field("", max_length=64)
    #: A batch goes into the outbox when it holds this many events, or its oldest waited this long.
    batch_events: int = Field(50, ge=1, le=1000)
    batch_minutes: int = Field(60, ge=1, le=1440)
    #: Events not yet sent are kept at most this long, and at most this many (the oldest go first).
    keep_days: int = Field(30, ge=1, le=365)
    max_events: int = Field(20_000, ge=100, le=200_000)


class Config(_Section):
    terminal: TerminalConfig = TerminalConfig()
    platform: PlatformConfig = PlatformConfig()
    devices: DevicesConfig = DevicesConfig()
    voice: VoiceConfig = VoiceConfig()
    timeouts: TimeoutsConfig = TimeoutsConfig()
    ui: UiConfig = UiConfig()
    technician: TechnicianConfig = TechnicianConfig()
    usage: UsageConfig = UsageConfig()
    assisted: AssistedConfig = AssistedConfig()
    #: Where the outbox, journals and caches live; empty → the platform's user data folder.
    data_dir: str = ""

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir) if self.data_dir else Path(platformdirs.user_data_dir(APP_NAME))

    @property
    def is_demo(self) -> bool:
        return self.platform.url == "embedded"

    def hall_clock(self) -> Callable[[], datetime]:
        """Now, in the hall's time zone (aware): what the screens and the receipt say."""
        zone = self.terminal.zone
        return lambda: datetime.now(zone)


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(top level)"
    problem = first["msg"]
    if first["type"] == "extra_forbidden":
        problem = "unknown key (misspelt?)"
    return f"{key}: {problem}"


def parse_config(text: str, source: str = "<config>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ConfigError(f"{source}: not valid TOML: arrays or tables nested too deeply") from None
    try:
        return Config.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{source}: {_describe(exc)}") from None


def load_config(path: Path | None) -> Config:
    """Load ``path``, or the default location if it exists, or the demo defaults."""
    if path is None:
        path = default_config_path()
        if not path.exists():
            return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    return parse_config(text, str(path))


def write_config(path: Path, changes: Mapping[str, object]) -> Config:
    """Change keys of the config file at ``path`` (``{"devices.printer.paper_width_mm": 58}``) and return the
    new config. The new text is validated exactly as at start-up before anything is written (a bad value raises
    :class:`ConfigError` and leaves the file as it was); the hall's comments and layout are kept (tomlkit); the
    file is replaced atomically (a power cut leaves the old file or the new one, never half of one)."""
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        document = tomlkit.parse(text)
    except (OSError, UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    for dotted, value in changes.items():
        *sections, key = dotted.split(".")
        table: Any = document
        for section in sections:
            if section not in table:
                table[section] = tomlkit.table()
            table = table[section]
        table[key] = value
    new_text = tomlkit.dumps(document)
    config = parse_config(new_text, str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(new_text)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            Path(temp).chmod(path.stat().st_mode & 0o777)
        Path(temp).replace(path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return config
