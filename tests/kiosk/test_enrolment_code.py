"""The enrolment code (接入码): made by ``kiosk-central enroll --qr``, read back from its PNG by the camera's
decoder, checked with the platform it names and written into a terminal's config; anything else is refused
with the reason and nothing written."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import cv2
import pytest

from central.cli import main as central_main
from central.keys import PlatformKeys
from central.runner import RunningCentral
from devices.camera.qr import decode_qr
from kiosk.config import load_config
from kiosk.hall.enrolment import join_platform
from kiosk.visit.ports import HallError
from offline_cache.wire.enrolment_code import EnrolmentCode, EnrolmentCodeError, parse_enrolment_code

KEY = base64.b64encode(bytes(32)).decode()
GOOD = EnrolmentCode("https://zwfw.example.gov.cn", "hall-07", "t" * 43, KEY, KEY)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("https://zwfw.example.gov.cn/yy?no=1", "not JSON"),
        (json.dumps({"kind": "something_else"}), "not an enrolment code"),
        (GOOD.text().replace("https://", "ftp://"), "http(s) URL"),
        (GOOD.text().replace("zwfw.example.gov.cn", "a b"), "http(s) URL"),
        (GOOD.text().replace('"hall-07"', '"hall 07/.."'), "terminal id"),
        (GOOD.text().replace("t" * 43, "short"), "token"),
        (GOOD.text().replace(KEY, base64.b64encode(bytes(31)).decode(), 1), "32-byte key"),
        (GOOD.text().replace(KEY, "not base64!", 1), "base64"),
        ("[" * 5000, "too long"),
        ("null", "not an enrolment code"),
    ],
)
def test_anything_but_a_code_is_refused_with_its_reason(text: str, says: str) -> None:
    with pytest.raises(EnrolmentCodeError, match=says.replace("(", r"\(").replace(")", r"\)")):
        parse_enrolment_code(text)


def test_a_code_round_trips() -> None:
    assert parse_enrolment_code(GOOD.text()) == GOOD


def enrolment_png(tmp_path: Path, db: str, url: str, keys_file: Path) -> Path:
    png = tmp_path / "enrol.png"
    args = ["enroll", "hall-07", "--db", db, "--url", url, "--keys", str(keys_file), "--qr", str(png)]
    assert central_main(args) == 0
    assert png.stat().st_mode & 0o777 == 0o600  # the token is in it
    return png


def test_the_printed_code_joins_its_platform(
    tmp_path: Path, keyed_platform: tuple[RunningCentral, str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    central, db, keys_file = keyed_platform
    png = enrolment_png(tmp_path, db, central.url, keys_file)
    token = capsys.readouterr().out.splitlines()[0]
    found = decode_qr(cv2.imread(str(png)))
    assert found is not None
    config_path = tmp_path / "config.toml"
    config_path.write_text('# 示范大厅 3 号机\n[voice]\nengine = "record"\n', encoding="utf-8")
    code = join_platform(found.text, config_path, verify_tls=False)
    config = load_config(config_path)
    assert (config.platform.url, config.platform.token, config.terminal.id) == (central.url, token, "hall-07")
    assert config.platform.public_key == code.seal_public_key and config.platform.signing_key
    assert "# 示范大厅 3 号机" in config_path.read_text(encoding="utf-8")


def test_a_code_whose_keys_are_not_the_platform_s_writes_nothing(
    tmp_path: Path, keyed_platform: tuple[RunningCentral, str, Path]
) -> None:
    central, _db, _keys = keyed_platform
    other = base64.b64encode(PlatformKeys.generate().seal_public).decode()
    code = EnrolmentCode(central.url, "hall-07", "t" * 43, other, other)
    config_path = tmp_path / "config.toml"
    config_path.write_text('[voice]\nengine = "record"\n', encoding="utf-8")
    with pytest.raises(HallError) as refused:
        join_platform(code.text(), config_path)
    assert "密钥与接入码不符" in refused.value.message
    assert config_path.read_text(encoding="utf-8") == '[voice]\nengine = "record"\n'


def test_a_code_for_a_platform_not_there_writes_nothing(tmp_path: Path) -> None:
    code = EnrolmentCode("http://127.0.0.1:9", "hall-07", "t" * 43, KEY, KEY)
    config_path = tmp_path / "config.toml"
    config_path.write_text("", encoding="utf-8")
    with pytest.raises(HallError) as refused:
        join_platform(code.text(), config_path)
    assert "连不上平台 http://127.0.0.1:9" in refused.value.message
    assert config_path.read_text(encoding="utf-8") == ""


def test_qr_needs_the_address_and_the_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = f"sqlite:///{tmp_path / 'central.sqlite3'}"
    assert central_main(["enroll", "hall-07", "--db", db, "--qr", str(tmp_path / "x.png")]) != 0
    assert "--qr needs --url" in capsys.readouterr().err
