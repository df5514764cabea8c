"""``kiosk doctor id-reader``: read one card and show what the reader says, masked unless ``--reveal``.

Exit codes: 0 a card was read; 3 no reader (cannot open the port, or it does not answer); 4 no card within
the timeout; 5 the reader answered but the card or the frames were bad. Each failure prints one line that
says what to check.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from devices.base import DeviceState, SilentHandler
from devices.connection_url import ConnectionUrlError, known_schemes
from devices.idcard import drivers
from devices.idcard.card import IdCard
from devices.idcard.errors import IdCardError, NoCardError, ReaderTimeoutError, describe
from devices.idcard.samples import DEFAULT_SAMPLE, SAMPLE_CARDS
from devices.idcard.serial_reader import SerialIdCardReader
from devices.idcard.sim_reader import SimulatedIdCardReader, sample_in_url
from devices.registry import DeviceRegistry
from kiosk.cli.arguments import connection_url, seconds
from kiosk.cli.support import CliContext, CliError, SubParsers, config_connection, print_json, set_handler
from kiosk.visit.identity import mask_address, mask_id_number, mask_name

EXIT_NO_READER = 3
EXIT_NO_CARD = 4
EXIT_BAD_READ = 5


def _schemes() -> tuple[str, ...]:
    registry = DeviceRegistry()
    drivers.register(registry)
    return known_schemes(registry.drivers(drivers.KIND))


def _sample_card(url: str) -> None:
    """A ``sim://?card=NAME`` must name one of the sample cards."""
    if url.lower().startswith("sim://"):
        card = sample_in_url(url)
        if card and card not in SAMPLE_CARDS:
            raise ConnectionUrlError(f"no sample card '{card}' in '{url}' (known: {', '.join(sorted(SAMPLE_CARDS))})")


def register(checks: SubParsers) -> None:
    parser = checks.add_parser("id-reader", help="read one ID card and show its fields (masked)")
    parser.add_argument(
        "--port",
        type=connection_url(_schemes(), _sample_card),
        metavar="URL",
        help="pyserial URL or sim:// (default: devices.id_reader.connection)",
    )
    parser.add_argument("--json", action="store_true", help="print the fields as JSON")
    parser.add_argument("--reveal", action="store_true", help="show names and numbers in full")
    parser.add_argument(
        "--timeout", type=seconds(allow_zero=False), default=5.0, help="seconds to wait for a card (default 5)"
    )
    set_handler(parser, _run)


def _open_reader(args: argparse.Namespace, ctx: CliContext) -> SerialIdCardReader:
    if args.port:
        connection, usb_match = args.port, ""
    else:
        settings = ctx.config.devices.id_reader
        url = config_connection(settings.connection, "devices.id_reader.connection", _schemes(), _sample_card)
        connection, usb_match = url, settings.usb_match
    if connection.lower().startswith("sim://"):
        # A bare sim:// reader would be empty; the check is about reading a card, so put the sample on it.
        if not sample_in_url(connection):
            connection = f"sim://?card={DEFAULT_SAMPLE}"
        return SimulatedIdCardReader(connection, SilentHandler(), name="doctor")
    return SerialIdCardReader(connection, SilentHandler(), name="doctor", usb_match=usb_match)


def _fields(card: IdCard, reveal: bool) -> dict[str, Any]:
    def name(value: str) -> str:
        return value if reveal or not value else mask_name(value)

    def number(value: str) -> str:
        return value if reveal or not value else mask_id_number(value)

    fields: dict[str, Any] = {
        "card_type": card.card_type.value,
        "card_label": card.card_type.label,
        "name": name(card.name),
        "gender": card.gender,
        "birth_date": card.birth_date.isoformat() if reveal else f"{card.birth_date.year}-**-**",
        "id_number": number(card.id_number),
        "valid_from": card.valid_from.isoformat(),
        "valid_until": card.valid_until.isoformat() if card.valid_until else "长期",
        "valid_today": card.is_valid_on(date.today()),
        "photo": f"{len(card.photo)} bytes WLT; no decoder installed, screens show a placeholder",
    }
    if card.ethnicity_code:
        fields["ethnicity"] = card.ethnicity
    if card.address:
        fields["address"] = card.address if reveal else mask_address(card.address)
    if card.authority:
        fields["authority"] = card.authority
    if card.pass_number:
        fields["pass_number"] = number(card.pass_number)
        fields["issue_count"] = card.issue_count
    if card.english_name:
        fields["english_name"] = name(card.english_name)
        fields["nationality"] = f"{card.nationality_code} {card.nationality}".strip()
        fields["card_version"] = card.card_version
        fields["authority_code"] = card.authority_code
    return fields


def _run(args: argparse.Namespace, ctx: CliContext) -> int:
    reader = _open_reader(args, ctx)
    try:
        health = reader.open()
        if health.state is DeviceState.OFFLINE:
            raise CliError(f"no reader: {health.reason}", EXIT_NO_READER)
        try:
            card = reader.read_card(timeout=args.timeout)
        except NoCardError:
            raise CliError(
                f"no card: nothing on the reader at {reader.link.opened_url} within {args.timeout:g} s "
                "(place a card flat on the reader and try again)",
                EXIT_NO_CARD,
            ) from None
        except ReaderTimeoutError as exc:
            raise CliError(f"no reader: {describe(exc)}", EXIT_NO_READER) from None
        except IdCardError as exc:
            code = EXIT_NO_READER if reader.health.state is DeviceState.OFFLINE else EXIT_BAD_READ
            raise CliError(f"read failed: {describe(exc)}", code) from None
        fields = _fields(card, args.reveal)
        fields["reader"] = reader.link.opened_url
        fields["noise_bytes"] = reader.session.noise_bytes
        if args.json:
            print_json(fields)
        else:
            width = max(len(key) for key in fields)
            for key, value in fields.items():
                print(f"{key:<{width}}  {value}")
            if not args.reveal:
                print("(masked; --reveal shows the full fields)")
        return 0
    finally:
        reader.close()
