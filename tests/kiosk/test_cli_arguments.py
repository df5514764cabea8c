"""Every ``kiosk`` command checks its arguments: a bad value is one line naming the option and the problem, exit 2.

A device that is not there is a different thing: it keeps its own exit code (3 for the ID card reader, 1 for the
printer and the camera), so a technician can tell a typo from a cable.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from devices.connection_url import ConnectionUrlError, check_connection
from devices.printer.registration import SCHEMES as PRINTER_SCHEMES
from kiosk.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    a_file = tmp_path / "a_file.txt"
    a_file.write_text("not a folder\n", encoding="utf-8")
    folder = tmp_path / "folder"
    folder.mkdir()
    return {"FILE": str(a_file), "FOLDER": str(folder), "MISSING": str(tmp_path / "missing.json")}


# (command line, words the one line must hold). FILE, FOLDER and MISSING stand for a file, a folder, no file.
BAD = [
    (["doctor", "printer", "--connection", "tcp://127.0.0.1:99999"], ["--connection", "port 99999", "out of range"]),
    (["doctor", "printer", "--connection", "tcp://127.0.0.1:0"], ["--connection", "port 0", "out of range"]),
    (["doctor", "printer", "--connection", "tcp://127.0.0.1:abc"], ["--connection", "not a number"]),
    (["doctor", "printer", "--connection", "tcp://:9100"], ["--connection", "no host"]),
    (["doctor", "printer", "--connection", "foo://bar"], ["--connection", "unknown scheme 'foo'", "tcp"]),
    (["doctor", "printer", "--connection", ""], ["--connection", "empty"]),
    (["doctor", "printer", "--connection", "usb://zz"], ["--connection", "usb://VID:PID"]),
    (["doctor", "printer", "--connection", "usb://0416:5011?in_ep=xx"], ["--connection", "in_ep"]),
    (["doctor", "printer", "--connection", "/dev/ttyS0?x", "--width", "70"], ["--width", "70"]),
    (["doctor", "printer", "--connection", "serial:///dev/ttyS0?baudrate=fast"], ["--connection", "baudrate"]),
    (["doctor", "printer", "--connection", "cups://"], ["--connection", "CUPS queue"]),
    (["doctor", "printer", "--preview", "FOLDER"], ["--preview", "is a folder"]),
    (["doctor", "printer", "--preview", "FILE/receipt.png"], ["--preview", "is a file, not a folder"]),
    (["doctor", "printer", "--preview", "FOLDER/receipt.jpg"], ["--preview", ".png"]),
    (["doctor", "id-reader", "--timeout", "-1"], ["--timeout", "more than 0"]),
    (["doctor", "id-reader", "--timeout", "0"], ["--timeout", "more than 0"]),
    (["doctor", "id-reader", "--timeout", "nan"], ["--timeout", "finite"]),
    (["doctor", "id-reader", "--timeout", "soon"], ["--timeout", "not a number"]),
    (["doctor", "id-reader", "--port", "foo://bar"], ["--port", "unknown scheme 'foo'", "socket"]),
    (["doctor", "id-reader", "--port", "socket://127.0.0.1:99999"], ["--port", "port 99999", "out of range"]),
    (["doctor", "id-reader", "--port", "socket://127.0.0.1"], ["--port", "no port"]),
    (["doctor", "id-reader", "--port", "sim://?card=nobody"], ["--port", "nobody", "wang_yan"]),
    (["doctor", "camera", "--scan", "-2"], ["--scan", "0 or more"]),
    (["doctor", "camera", "--connection", "rtsp://cam"], ["--connection", "unknown scheme 'rtsp'", "v4l2"]),
    (["doctor", "camera", "--connection", "v4l2://front"], ["--connection", "v4l2://N"]),
    (["doctor", "camera", "--connection", "sim://beach"], ["--connection", "beach", "document"]),
    (["doctor", "qr", "MISSING"], ["IMAGE", "no such file"]),
    (["doctor", "qr", "FOLDER"], ["IMAGE", "is a folder"]),
    (["doctor", "document", "MISSING", "--out", "FOLDER/page.jpg"], ["IMAGE", "no such file"]),
    (["doctor", "document", "FILE", "--out", "FOLDER"], ["--out", "is a folder"]),
    (["doctor", "document", "FILE", "--out", "FILE/page.jpg"], ["--out", "is a file, not a folder"]),
    (["doctor", "scanner"], ["invalid choice", "scanner"]),
    (["queue", "put", "MISSING"], ["FILE", "no such file"]),
    (["queue", "put", "FOLDER"], ["FILE", "is a folder"]),
    (["queue", "put", "FILE", "--attach", "MISSING"], ["--attach", "no such file"]),
    (["queue", "import-receipt", "MISSING"], ["FILE", "no such file"]),
    (["queue", "export", "FILE"], ["is not a folder"]),
    (["queue", "export", "MISSING"], ["is not a folder"]),
    (["queue", "retry"], ["ID", "required"]),
    (["queue", "status", "--all"], ["unrecognized", "--all"]),
    (["queue"], ["ACTION", "required"]),
    (["technician"], ["ACTION", "required"]),
    (["run", "--mode", "tablet"], ["--mode", "tablet"]),
    (["run", "--config", "MISSING"], ["--config", "no such file"]),
    (["--config", "FOLDER", "queue", "status"], ["--config", "is a folder"]),
    (["screenshots", "FILE"], ["DIR", "is a file, not a folder"]),
    (["screenshots", "FILE/shots"], ["DIR", "is a file, not a folder"]),
    (["screenshots", "FOLDER", "--theme", "dark"], ["--theme", "dark"]),
    (["a11y-audit", "--html"], ["unrecognized", "--html"]),
]


@pytest.mark.parametrize(("argv", "words"), BAD, ids=[" ".join(argv) or "-" for argv, _ in BAD])
def test_a_bad_argument_is_one_line_naming_it_and_exit_2(
    argv: list[str], words: list[str], files: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'data_dir = "{tmp_path / "data"}"\n', encoding="utf-8")
    real = [files.get(arg, arg) for arg in argv]
    real = [arg.replace("FILE/", files["FILE"] + "/").replace("FOLDER/", files["FOLDER"] + "/") for arg in real]
    code = main(real if "--config" in argv else [*real, "--config", str(config)])
    captured = capsys.readouterr()
    assert code == 2, captured
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    for word in words:
        assert word in lines[0]
    assert "Traceback" not in captured.err


def test_the_reported_command_lines_in_a_real_process() -> None:
    """The issue's own examples, as a technician types them: no traceback, one line, exit 2."""
    for args in (
        ["doctor", "printer", "--connection", "tcp://127.0.0.1:99999"],
        ["doctor", "id-reader", "--timeout", "-1"],
        ["doctor", "id-reader", "--port", "foo://bar"],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "kiosk.cli.main", *args],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            cwd=REPO,
        )
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
        assert args[2] in result.stderr
        assert "cable" not in result.stderr  # a typo is not told to check the cable


@pytest.mark.parametrize(
    ("section", "url", "argv"),
    [
        ("devices.printer", "tcp://127.0.0.1:70000", ["doctor", "printer"]),
        ("devices.id_reader", "foo://bar", ["doctor", "id-reader"]),
        ("devices.camera", "sim://beach", ["doctor", "camera"]),
    ],
)
def test_a_bad_connection_in_the_config_names_its_key(
    section: str, url: str, argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[{section}]\nconnection = "{url}"\n', encoding="utf-8")
    assert main([*argv, "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert f"{section}.connection" in err
    assert len(err.strip().splitlines()) == 1


def test_a_reader_that_is_not_there_keeps_exit_3(capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["doctor", "id-reader", "--port", f"socket://127.0.0.1:{port}", "--timeout", "1"]) == 3
    err = capsys.readouterr().err
    assert "no reader" in err
    assert "check the cable" in err


def test_a_printer_that_is_not_there_keeps_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    port = _closed_port()
    assert main(["doctor", "printer", "--connection", f"tcp://127.0.0.1:{port}"]) == 1
    assert "cannot connect" in capsys.readouterr().err


def test_good_values_still_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The checks let through what the documentation shows: a fractional timeout, a zero scan, a new folder."""
    assert main(["doctor", "id-reader", "--port", "sim://?card=li_kun", "--timeout", "2.5", "--json"]) == 0
    assert main(["doctor", "camera", "--connection", "sim://qr", "--scan", "0"]) == 0
    target = tmp_path / "new" / "receipt.png"
    assert main(["doctor", "printer", "--preview", str(target)]) == 0
    assert target.is_file()
    capsys.readouterr()


@pytest.mark.parametrize(
    "url",
    [
        "sim://",
        "/dev/ttyUSB0",
        "COM3",
        "socket://192.168.1.20:4001",
        "rfc2217://[::1]:2217",
        "tcp://192.168.1.50",
        "tcp://printer.local:9100",
        "usb://0416:5011?in_ep=0x82&out_ep=0x01",
        "serial:///dev/ttyS0?baudrate=19200",
        "file:///dev/usb/lp0",
        "cups://receipt",
    ],
)
def test_the_documented_printer_connections_are_well_formed(url: str) -> None:
    assert check_connection(url, PRINTER_SCHEMES) == url


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("tcp://[::1]:65536", "out of range"),
        ("socket://h:", "no port"),
        ("usb://0416", "usb://VID:PID"),
        ("usb://0416:5011?out_ep=300", "out of range"),
        ("file://", "no path"),
        ("ftp://host", "unknown scheme"),
        ("sim:// ", "spaces"),
    ],
)
def test_a_malformed_connection_says_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(ConnectionUrlError, match=words):
        check_connection(url, PRINTER_SCHEMES)
