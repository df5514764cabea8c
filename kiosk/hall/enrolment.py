"""Joining a platform at the kiosk (扫码接入平台): the technician shows the enrolment code that
``kiosk-central enroll --qr`` made to the kiosk's camera; the kiosk checks it with the platform it names and
writes the platform's address, the terminal's id and token and the platform's keys into the config file.

Nothing is written unless the platform at that address answers with the very keys the code carries. The new
platform takes effect at the next start (the outbox, its link and the audit log's keys are opened at start);
until then the kiosk keeps working with the old one.
"""

from __future__ import annotations

from pathlib import Path

import requests

from kiosk.config import ConfigError, write_config
from kiosk.visit.ports import HallError, Notice
from offline_cache.wire.enrolment_code import EnrolmentCode, EnrolmentCodeError, parse_enrolment_code
from offline_cache.wire.protocol import PATH_PLATFORM_KEYS

#: Seconds to connect and to read the platform's keys.
TIMEOUT = (3.0, 5.0)


def check_with_platform(code: EnrolmentCode, *, verify_tls: bool = True) -> None:
    """:class:`HallError` unless the platform at ``code.url`` answers with the code's keys."""
    try:
        answer = requests.get(code.url + PATH_PLATFORM_KEYS, timeout=TIMEOUT, verify=verify_tls)
        body = answer.json() if answer.status_code == 200 else None
    except (requests.RequestException, ValueError):
        body = None
    if not isinstance(body, dict):
        raise HallError(Notice.of("tech.enrol_unreachable", url=code.url))
    if (body.get("seal_public_key"), body.get("signing_public_key")) != (
        code.seal_public_key,
        code.signing_public_key,
    ):
        raise HallError(Notice.of("tech.enrol_keys_differ", url=code.url))


def join_platform(text: str, config_path: Path | None, *, verify_tls: bool = True) -> EnrolmentCode:
    """Check the code in ``text`` with its platform and write it into ``config_path``; :class:`HallError`
    (nothing written) when it is not a code, the platform is not there, or its keys differ."""
    try:
        code = parse_enrolment_code(text)
    except EnrolmentCodeError as exc:
        raise HallError(Notice.of("tech.enrol_not_code", reason=str(exc))) from None
    if config_path is None:
        raise HallError(Notice("tech.no_config_file"))
    check_with_platform(code, verify_tls=verify_tls)
    try:
        write_config(
            config_path,
            {
                "platform.url": code.url,
                "platform.token": code.token,
                "platform.public_key": code.seal_public_key,
                "platform.signing_key": code.signing_public_key,
                "terminal.id": code.terminal_id,
            },
        )
    except ConfigError as exc:
        raise HallError(Notice.of("tech.setting_invalid", reason=str(exc).split(": ", 1)[-1])) from None
    return code
