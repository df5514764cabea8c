"""``kiosk doctor qr`` and ``kiosk doctor document``: their output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import cv2
import pytest

from devices.camera import scenes
from kiosk.cli.main import main


@pytest.fixture
def pictures(gen: ModuleType, tmp_path: Path) -> dict[str, Path]:
    paths = {
        "qr": tmp_path / "phone.png",
        "empty": tmp_path / "desk.jpg",
        "page": tmp_path / "page.jpg",
        "broken": tmp_path / "broken.jpg",
    }
    cv2.imwrite(str(paths["qr"]), gen.qr_frame(4).frame)
    cv2.imwrite(str(paths["empty"]), scenes.desk(1280, 720, seed=1))
    cv2.imwrite(str(paths["page"]), gen.page_frame(6, seed=2).frame)
    paths["broken"].write_bytes(paths["page"].read_bytes()[:2000])
    return paths


def test_doctor_qr_prints_what_it_read(
    pictures: dict[str, Path], gen: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["doctor", "qr", str(pictures["qr"])]) == 0
    out = capsys.readouterr().out
    assert f"{pictures['qr']}: " in out
    assert gen.qr_frame(4).expected in out


def test_doctor_qr_fails_when_any_picture_has_no_code(
    pictures: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["doctor", "qr", str(pictures["qr"]), str(pictures["empty"]), str(pictures["broken"])])
    out = capsys.readouterr().out
    assert code == 1
    assert f"{pictures['empty']}: 没有识别到二维码 / no QR code found" in out
    assert f"{pictures['broken']}: 图像文件已损坏" in out


def test_doctor_qr_json(pictures: dict[str, Path], gen: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "qr", "--json", str(pictures["qr"]), str(pictures["empty"])]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["found"] is True
    assert rows[0]["text"] == gen.qr_frame(4).expected
    assert rows[0]["kind"] == "structured"
    assert rows[0]["fields"]["code"] == "green"
    assert len(rows[0]["corners"]) == 4
    assert rows[1] == {
        "image": str(pictures["empty"]),
        "found": False,
        "error": "没有识别到二维码 / no QR code found",
        "ms": rows[1]["ms"],
    }


def test_doctor_document_writes_the_page(
    pictures: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "out.jpg"
    assert main(["doctor", "document", str(pictures["page"]), "--out", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "page written to" in out
    assert "quality: good" in out
    page = cv2.imread(str(out_file))
    assert page.shape[0] == 1800
    assert page.shape[1] < page.shape[0]


def test_doctor_document_fails_without_a_page(
    pictures: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_file = tmp_path / "out.jpg"
    assert main(["doctor", "document", str(pictures["empty"]), "--out", str(out_file), "--json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["found"] is False
    assert report["issues"] == ["no_page"]
    assert not out_file.exists()


def test_doctor_document_on_a_broken_file_says_why(pictures: dict[str, Path], tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk.cli.main",
            "doctor",
            "document",
            str(pictures["broken"]),
            "--out",
            str(tmp_path / "x.jpg"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=Path(__file__).parents[3],
    )
    assert result.returncode == 1
    assert "图像文件已损坏" in result.stderr
    assert "Traceback" not in result.stderr


def test_doctor_camera_on_the_simulator(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "camera", "--connection", "sim://qr", "--scan", "3"]) == 0
    out = capsys.readouterr().out
    assert "camera sim://qr: ok" in out
    assert "QR: url: https://zwfw.example.gov.cn/" in out
