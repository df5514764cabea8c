"""``kiosk doctor printer`` against a simulated serial printer: status, test receipt, preview, failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from devices.printer.simulator import PaperMode, SerialPrinterSimulator
from kiosk.cli.main import main


def test_status_of_a_ready_printer(capsys: pytest.CaptureFixture[str]) -> None:
    with SerialPrinterSimulator(transport="socket") as sim:
        assert main(["doctor", "printer", "--connection", sim.url, "--status"]) == 0
    out = capsys.readouterr().out
    assert "ok" in out
    assert "DLE EOT 1 → 0x12" in out


def test_test_receipt_reaches_the_printer(capsys: pytest.CaptureFixture[str]) -> None:
    with SerialPrinterSimulator(transport="pty") as sim:
        assert main(["doctor", "printer", "--connection", sim.url, "--test", "--width", "58"]) == 0
        assert "打印机测试".encode("gb18030") in sim.received
        assert sim.received.endswith(b"\x1dV\x01")
    assert "test receipt printed" in capsys.readouterr().out


@pytest.mark.parametrize(("mode", "words"), [(PaperMode.PAPER_OUT, "缺纸"), (PaperMode.SILENT, "无响应")])
def test_paper_out_or_silent_printer_exits_non_zero_with_words(
    mode: PaperMode, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with SerialPrinterSimulator(mode, transport="pty") as sim:
        assert main(["doctor", "printer", "--connection", sim.url, "--test"]) == 1
        assert sim.received == b""
    err = capsys.readouterr().err
    assert words in err
    assert "Traceback" not in err


def test_absent_printer_exits_non_zero(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "printer", "--connection", "/dev/ttyUSB-none"]) == 1
    assert "无法打开" in capsys.readouterr().err


def test_preview_needs_no_printer(tmp_path: Path) -> None:
    target = tmp_path / "receipt.png"
    assert main(["doctor", "printer", "--preview", str(target), "--width", "58"]) == 0
    assert Image.open(target).width == 384 + 32


def test_unknown_profile_names_the_choices(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["doctor", "printer", "--connection", "sim://", "--profile", "XP-58-nonexistent"]) == 2
    err = capsys.readouterr().err
    assert "未知的打印机型号" in err
    assert "TM-T88V" in err
