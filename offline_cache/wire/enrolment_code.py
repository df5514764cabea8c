"""The enrolment code (接入码): what a terminal needs to join a platform, in one QR code the technician shows
to the kiosk's camera (``kiosk-central enroll T --url URL --keys FILE --qr PNG`` makes it).

It carries the platform's address, the terminal's id and bearer token, and the platform's two public keys. The
terminal trusts none of it blindly: before it writes anything it asks the address for its keys
(``GET /api/v1/platform-keys``) and refuses a code whose keys differ (a wrong or stale code, a wrong address).
The token in it is a secret: the code is shown once, on the technician's screen or paper, and not kept.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass

KIND = "hall_kiosk_enrolment"
#: Longer than any code the platform makes; a QR code holding more is not one.
MAX_CODE_CHARS = 1500
_TERMINAL_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,200}")
_URL = re.compile(r"https?://[^\s/?#]+(:[0-9]{1,5})?(/[^\s?#]*)?")


class EnrolmentCodeError(ValueError):
    """Not an enrolment code, or one with a field no platform makes; the message says which."""


@dataclass(frozen=True)
class EnrolmentCode:
    url: str
    terminal_id: str
    token: str
    seal_public_key: str  # base64 of the raw X25519 key (config: platform.public_key)
    signing_public_key: str  # base64 of the raw Ed25519 key (config: platform.signing_key)

    def text(self) -> str:
        """The code as the QR code holds it (compact JSON)."""
        return json.dumps(
            {
                "kind": KIND,
                "url": self.url,
                "terminal_id": self.terminal_id,
                "token": self.token,
                "seal_public_key": self.seal_public_key,
                "signing_public_key": self.signing_public_key,
            },
            separators=(",", ":"),
        )


def _key(value: object, name: str) -> str:
    if not isinstance(value, str) or len(value) > 64:
        raise EnrolmentCodeError(f"{name} is not a key")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise EnrolmentCodeError(f"{name} is not base64") from None
    if len(raw) != 32:
        raise EnrolmentCodeError(f"{name} is not a 32-byte key")
    return value


def parse_enrolment_code(text: str) -> EnrolmentCode:
    """The code in ``text`` (what the camera read), or :class:`EnrolmentCodeError` saying what is wrong."""
    if len(text) > MAX_CODE_CHARS:
        raise EnrolmentCodeError("too long for an enrolment code")
    try:
        document = json.loads(text)
    except ValueError:
        raise EnrolmentCodeError("not an enrolment code (not JSON)") from None
    if not isinstance(document, dict) or document.get("kind") != KIND:
        raise EnrolmentCodeError("not an enrolment code")
    url, terminal_id, token = (document.get(k) for k in ("url", "terminal_id", "token"))
    if not isinstance(url, str) or len(url) > 200 or not _URL.fullmatch(url):
        raise EnrolmentCodeError("the platform address is not an http(s) URL")
    if not isinstance(terminal_id, str) or not _TERMINAL_ID.fullmatch(terminal_id):
        raise EnrolmentCodeError("the terminal id is not valid")
    if not isinstance(token, str) or not _TOKEN.fullmatch(token):
        raise EnrolmentCodeError("the token is not valid")
    return EnrolmentCode(
        url=url.rstrip("/"),
        terminal_id=terminal_id,
        token=token,
        seal_public_key=_key(document.get("seal_public_key"), "seal_public_key"),
        signing_public_key=_key(document.get("signing_public_key"), "signing_public_key"),
    )
