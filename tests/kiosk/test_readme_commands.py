"""Every ``kiosk`` command line the README shows works as shown.

The README's lines are read from the README itself, their optional parts all given and each alternative tried.
Those that need no display run for real against a demo config in a temporary folder: the simulated reader,
printer and camera, the demo's own queue and its embedded platform. ``run``, ``screenshots`` and ``a11y-audit``
open windows, so for them the line is only parsed. Every sub-command takes ``--config`` before or after its name.
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
from collections.abc import Iterator
from pathlib import Path

import cv2
import pytest

from devices.camera import scenes
from kiosk.cli.main import build_parser, main
from kiosk.config import load_config
from kiosk.paths import TerminalPaths

README = Path(__file__).resolve().parents[2] / "README.md"
NEEDS_A_DISPLAY = {"run", "screenshots", "a11y-audit"}
SUBMISSION = '{"summary": {"service_code": "GA-001", "service_name": "居民身份证换领", "applicant_masked": "张*三"}}'


def readme_command_lines() -> list[str]:
    """Every `kiosk …` the README shows in backquotes (not `kiosk-central …`, another command)."""
    text = README.read_text(encoding="utf-8")
    return [line.replace("\\|", "|") for line in re.findall(r"`(kiosk [^`]+)`", text)]


def expand(line: str) -> list[list[str]]:
    """``kiosk doctor printer [--test] [--width 58|80]`` → every optional part given, each alternative once."""
    choices = [token.strip("[]").removesuffix("…").split("|") for token in line.split()[1:]]
    return [list(combo) for combo in itertools.product(*choices)]


class Hall:
    """A demo terminal in a temporary folder, and what the README's placeholders stand for in it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.config = root / "kiosk.toml"
        self.config.write_text(f'data_dir = "{root / "data"}"\n', encoding="utf-8")
        self.paths = TerminalPaths.of(load_config(self.config).data_path, demo=True)
        self.submission = root / "submission.json"
        self.submission.write_text(SUBMISSION, encoding="utf-8")
        self.attachment = root / "form.pdf"
        self.attachment.write_bytes(b"%PDF-1.4 form\n")
        self.qr_photo = root / "phone.png"
        cv2.imwrite(str(self.qr_photo), scenes.scene_frames("qr")[0])
        self.page_photo = root / "page.jpg"
        cv2.imwrite(str(self.page_photo), scenes.scene_frames("document")[0])
        self.drive = root / "usb"
        self.drive.mkdir()
        self.submission_id = ""
        self.receipt = root / "no-receipt-yet"

    def value(self, command: tuple[str, ...], option: str, placeholder: str) -> str:
        by_option = {
            ("--config", "FILE"): self.config,
            ("--attach", "FILE"): self.attachment,
            ("--preview", "FILE.png"): self.root / "receipt.png",
            ("--out", "FILE"): self.root / "out" / "page.jpg",
            ("--timeout", "SECONDS"): "2",
            ("--scan", "SECONDS"): "3",
            ("--staff", "ID"): "technician",
            ("--since", "DATE"): "2026-01-01",
            ("--port", "URL"): "sim://",
            ("--connection", "URL"): "sim://qr" if command == ("doctor", "camera") else "sim://",
        }
        if (option, placeholder) in by_option:
            return str(by_option[(option, placeholder)])
        positional = {
            (("doctor", "qr"), "IMAGE"): self.qr_photo,
            (("doctor", "document"), "IMAGE"): self.page_photo,
            (("queue", "put"), "FILE"): self.submission,
            (("queue", "retry"), "ID"): self.submission_id,
            (("queue", "export"), "DIR"): self.drive,
            (("queue", "import-receipt"), "FILE"): self.receipt,
            (("screenshots",), "DIR"): self.root / "shots",
        }
        found = positional.get((command, placeholder))
        assert found is not None, f"the README shows {placeholder} after {option or ' '.join(command)}: say what"
        return str(found)

    def fill(self, argv: list[str]) -> list[str]:
        command = tuple(itertools.takewhile(lambda arg: not arg.startswith("-") and not arg.isupper(), argv))
        command = command[:1] if command[:1] and command[0] in NEEDS_A_DISPLAY else command
        filled: list[str] = []
        for index, arg in enumerate(argv):
            if re.fullmatch(r"[A-Z]+(\.png)?", arg):
                option = argv[index - 1] if index and argv[index - 1].startswith("-") else ""
                filled.append(self.value(command, option, arg))
            else:
                filled.append(arg)
        return filled

    def prepare(self, argv: list[str]) -> None:
        """What a technician would have done before this line: something unsent to export, a receipt to import."""
        if argv[:2] == ["queue", "export"]:
            assert main(["queue", "put", str(self.submission), "--config", str(self.config)]) == 0
        if argv[:2] == ["queue", "import-receipt"]:
            from central.db import open_engine
            from central.importer import import_export
            from central.keys import PlatformKeys

            engine = open_engine(f"sqlite:///{self.paths.platform_db}")
            try:
                report = import_export(self.drive, engine, PlatformKeys.load(self.paths.platform_keys))
            finally:
                engine.dispose()
            self.receipt = report.receipt_path


def _cases() -> Iterator[tuple[str, list[str]]]:
    for line in readme_command_lines():
        for argv in expand(line):
            yield line, argv


def test_the_readme_shows_every_command() -> None:
    shown = {tuple(argv[:2]) if argv[0] in {"doctor", "queue", "technician"} else (argv[0],) for _, argv in _cases()}
    assert shown >= {("run",), ("screenshots",), ("a11y-audit",), ("technician", "hash-pin")}
    assert {c for c in shown if c[0] == "doctor"} == {
        ("doctor", check) for check in ("id-reader", "printer", "camera", "qr", "document")
    }
    assert {c for c in shown if c[0] == "queue"} == {
        ("queue", action) for action in ("status", "put", "retry", "sync", "export", "import-receipt")
    }


def test_every_command_line_in_the_readme_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    hall = Hall(tmp_path)
    ran = []
    for line, shown in _cases():
        if shown[0] not in NEEDS_A_DISPLAY:
            hall.prepare(shown)
        argv = hall.fill(shown)
        if argv[0] in NEEDS_A_DISPLAY:
            args = build_parser().parse_args(argv)
            assert args.command == argv[0], line
            if "--config" in argv:
                assert args.config == hall.config, line
            continue
        if "--config" not in argv:
            argv = [*argv, "--config", str(hall.config)]
        if argv[:2] == ["technician", "hash-pin"]:
            monkeypatch.setattr("sys.stdin", io.StringIO("8642\n8642\n"))
        capsys.readouterr()
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 0, f"{line}\n  ran: {argv}\n  {err}"
        assert "Traceback" not in err
        if argv[:2] == ["queue", "put"]:
            hall.submission_id = out.strip()
        if argv[:2] == ["queue", "import-receipt"]:
            assert "marked sent: 1" in out
        ran.append(argv)
    assert len(ran) >= 15


def _leaves(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path
        return
    for name, sub in subs[0].choices.items():
        yield from _leaves(sub, (*path, name))


REQUIRED = {("doctor", "qr"): ["x.png"], ("doctor", "document"): ["x.jpg", "--out", "y.jpg"]}
REQUIRED |= {("queue", action): ["x"] for action in ("put", "retry", "export", "import-receipt")}
REQUIRED[("screenshots",)] = ["shots"]
REQUIRED[("audit", "check-proof")] = ["x"]


@pytest.mark.parametrize("command", list(_leaves(build_parser())), ids=" ".join)
def test_every_sub_command_takes_config_before_or_after_its_name(command: tuple[str, ...], tmp_path: Path) -> None:
    first, second = tmp_path / "first.toml", tmp_path / "second.toml"
    for path in (first, second, tmp_path / "x", tmp_path / "x.png", tmp_path / "x.jpg"):
        path.write_text("", encoding="utf-8")
    rest = [str(tmp_path / arg) if arg in {"x", "x.png", "x.jpg"} else arg for arg in REQUIRED.get(command, [])]
    parser = build_parser()
    assert parser.parse_args(["--config", str(first), *command, *rest]).config == first
    assert parser.parse_args([*command, *rest, "--config", str(first)]).config == first
    assert parser.parse_args(["--config", str(first), *command, "--config", str(second), *rest]).config == second
    assert parser.parse_args([*command, *rest]).config is None


def test_config_after_the_sub_command_is_the_one_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "kiosk.toml"
    bad.write_text("[timeouts]\nwarning_seconds = 5\n", encoding="utf-8")
    assert main(["queue", "status", "--config", str(bad)]) == 2
    assert "timeouts.warning_seconds" in capsys.readouterr().err
    assert main(["doctor", "printer", "--config", str(bad)]) == 2
    assert "timeouts.warning_seconds" in capsys.readouterr().err
