"""What a QR code holds (二维码内容), checked and classified without trusting it.

A code is only a string someone printed or put on a screen. We never fetch a URL, never evaluate anything: a
URL is a string with a parsed host the flow may compare against an allow-list; a JSON health code is parsed
into flat text fields and nothing more. Oversized (> 2 KB) or binary payloads are refused with a
:class:`~devices.camera.errors.PayloadRejectedError`.
"""

from __future__ import annotations

import enum
import json
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

from devices.camera.errors import PayloadRejectedError

#: Longest payload accepted, in bytes: real appointment, licence and health codes are far shorter.
MAX_PAYLOAD_BYTES = 2048
#: A structured code with more fields than this is treated as plain text.
MAX_FIELDS = 32

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]{0,63}$")
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


class QrKind(enum.Enum):
    """What sort of thing a code holds, so the flow can decide what to do with it."""

    URL = "url"  # an http(s) link, e.g. an electronic licence (电子证照) check page
    NUMERIC = "numeric"  # digits only: an appointment (预约号) or a document number
    STRUCTURED = "structured"  # JSON object or key=value pairs, e.g. a health code (健康码) or 医保码
    TEXT = "text"  # anything else readable


@dataclass(frozen=True)
class QrPayload:
    """A checked QR payload: its text, its kind, and what could be parsed from it (never acted upon)."""

    text: str
    kind: QrKind
    host: str = ""  # for URL: the lower-cased host name, nothing else is resolved
    fields: tuple[tuple[str, str], ...] = ()  # for STRUCTURED: flat (key, text value) pairs, in order

    def field(self, key: str) -> str | None:
        return next((value for k, value in self.fields if k == key), None)


def _check_text(data: bytes, text: str | None, binary: bool) -> str:
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadRejectedError(
            f"二维码内容过长，无法使用 / the code holds too much data ({len(data)} bytes)",
            technician_hint=f"payloads over {MAX_PAYLOAD_BYTES} bytes are refused",
        )
    if binary:
        raise PayloadRejectedError("二维码内容不是文字，无法使用 / the code holds binary data, not text")
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise PayloadRejectedError("二维码内容无法识别 / the code's text is not readable (bad encoding)") from None
    if len(text.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise PayloadRejectedError("二维码内容过长，无法使用 / the code holds too much data")
    bad = [ch for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in _ALLOWED_CONTROLS]
    if bad or "\ufffd" in text:
        raise PayloadRejectedError("二维码内容不是文字，无法使用 / the code holds binary data, not text")
    if not text.strip():
        raise PayloadRejectedError("二维码是空的 / the code is empty")
    return text


def _as_url(text: str) -> QrPayload | None:
    if not re.match(r"(?i)^https?://", text) or any(ch.isspace() for ch in text):
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018  (a bad port raises ValueError: then it is not a usable URL)
    except ValueError:
        return None
    if not host:
        return None
    return QrPayload(text, QrKind.URL, host=host.lower())


def _as_json(text: str) -> QrPayload | None:
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        return None
    try:
        value = json.loads(stripped)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, dict) or not 0 < len(value) <= MAX_FIELDS:
        return None
    fields: list[tuple[str, str]] = []
    for key, item in value.items():
        if isinstance(item, dict | list):
            shown = json.dumps(item, ensure_ascii=False)  # kept as text, never interpreted
        else:
            shown = "" if item is None else str(item)
        fields.append((str(key), shown))
    return QrPayload(text, QrKind.STRUCTURED, fields=tuple(fields))


def _as_pairs(text: str) -> QrPayload | None:
    separator = next((sep for sep in ("&", ";", "|", "\n") if sep in text), None)
    parts = text.strip().split(separator) if separator else [text.strip()]
    if not 0 < len(parts) <= MAX_FIELDS:
        return None
    fields: list[tuple[str, str]] = []
    for part in parts:
        key, eq, value = part.partition("=")
        if not eq or not _KEY.match(key.strip()):
            return None
        fields.append((key.strip(), value.strip()))
    return QrPayload(text, QrKind.STRUCTURED, fields=tuple(fields))


def classify(data: bytes, text: str | None = None, *, binary: bool = False) -> QrPayload:
    """Check a read code's bytes (and the decoder's text for them) and say what kind of thing it holds."""
    text = _check_text(data, text, binary)
    if text.isascii() and text.isdigit():
        return QrPayload(text, QrKind.NUMERIC)
    return _as_url(text) or _as_json(text) or _as_pairs(text) or QrPayload(text, QrKind.TEXT)
