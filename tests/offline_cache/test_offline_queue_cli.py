"""``kiosk queue …`` as a technician uses it, against a real platform on loopback."""

from __future__ import annotations

import base64
import json
import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from offline_cache_support import TERMINAL, Platform

from central.db import open_engine
from central.importer import import_export
from kiosk.cli.main import main

REPO = Path(__file__).resolve().parents[2]


def _config(tmp_path: Path, platform: Platform | None, url: str | None = None) -> Path:
    lines = ['data_dir = "%s"' % (tmp_path / "data"), "[terminal]", f'id = "{TERMINAL}"', "[platform]"]
    if platform is not None:
        lines += [
            f'url = "{url or platform.central.url}"',
            f'token = "{platform.token}"',
            f'public_key = "{base64.b64encode(platform.central.public_key).decode()}"',
            f'signing_key = "{base64.b64encode(platform.central.signing_public_key).decode()}"',
        ]
    path = tmp_path / "config.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _submission(tmp_path: Path, name: str = "sub.json") -> Path:
    path = tmp_path / name
    summary = {"service_code": "GA-001", "service_name": "居民身份证换领", "applicant_masked": "张*三"}
    path.write_text(json.dumps({"summary": summary, "payload": {"name": "张三"}}, ensure_ascii=False))
    return path


def _status(config: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, object]:
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "status", "--json"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def _audited(config: Path, capsys: pytest.CaptureFixture[str]) -> list[tuple[str, object]]:
    capsys.readouterr()
    assert main(["--config", str(config), "audit", "show", "--staff", "technician", "--json"]) == 0
    return [(entry["action"], entry["detail"]) for entry in json.loads(capsys.readouterr().out)]


def test_put_status_sync_and_retry(platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, platform)
    scan = tmp_path / "scan.png"
    scan.write_bytes(b"\x89PNG fake scan")
    assert main(["--config", str(config), "queue", "put", str(_submission(tmp_path)), "--attach", str(scan)]) == 0
    submission_id = capsys.readouterr().out.strip()
    status = _status(config, capsys)
    assert status["pending"] == 1
    items = status["items"]
    assert isinstance(items, list)
    assert items[0]["applicant"] == "张*三"
    assert main(["--config", str(config), "queue", "sync", "--once"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert _status(config, capsys)["pending"] == 0
    assert platform.copies(submission_id) == 1
    assert main(["--config", str(config), "queue", "retry", submission_id]) == 0
    assert "sent" in capsys.readouterr().out  # a sent item stays sent
    assert main(["--config", str(config), "queue", "retry", "no-such-id"]) == 1
    assert "no submission" in capsys.readouterr().err
    # The retry that was done is in the audit log, and the one refused is not.
    assert _audited(config, capsys) == [("queue.retry", {"id": submission_id, "state": "sent"})]


@pytest.mark.parametrize(
    ("content", "message", "code"),
    [("{not json", "not valid JSON", 1), ('{"payload": {}}', "needs a 'summary'", 1), (None, "no such file", 2)],
)
def test_bad_input_is_one_readable_line_and_the_queue_is_untouched(
    platform: Platform,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | None,
    message: str,
    code: int,
) -> None:
    config = _config(tmp_path, platform)
    assert main(["--config", str(config), "queue", "put", str(_submission(tmp_path))]) == 0
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "put", str(bad)]) == code
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert main(["--config", str(config), "queue", "put", str(_submission(tmp_path)), "--attach", "nope.pdf"]) == 2
    assert "--attach: nope.pdf: no such file" in capsys.readouterr().err
    assert _status(config, capsys)["pending"] == 1


def test_demo_queue_put_and_sync_reach_the_demo_platform(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What the README shows a newcomer: put one submission in the demo's queue and deliver it to the demo's
    embedded platform, with no platform configured."""
    config = _config(tmp_path, None)
    assert main(["--config", str(config), "queue", "put", "--demo", str(_submission(tmp_path))]) == 0
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "status", "--demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending"] == 1
    assert main(["--config", str(config), "queue", "sync", "--demo", "--once"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert main(["--config", str(config), "queue", "status", "--demo", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["pending"] == 0


def test_export_and_import_receipt(platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = _config(tmp_path, platform)
    for n in range(2):
        assert main(["--config", str(config), "queue", "put", str(_submission(tmp_path, f"s{n}.json"))]) == 0
    drive = tmp_path / "usb"
    # No such folder: refused, and nothing is made on the internal disk.
    assert main(["--config", str(config), "queue", "export", str(drive)]) == 2
    assert "is not a folder" in capsys.readouterr().err
    assert not drive.exists()
    drive.mkdir()
    # A folder on the terminal's own disk is not a removable drive.
    assert main(["--config", str(config), "queue", "export", str(drive)]) == 2
    assert "terminal's own disk" in capsys.readouterr().err
    assert main(["--config", str(config), "queue", "export", "--force", str(drive)]) == 0
    assert "exported 2 submissions" in capsys.readouterr().out
    engine = open_engine(platform.db_url)
    report = import_export(drive, engine, platform.keys)
    engine.dispose()
    assert main(["--config", str(config), "queue", "import-receipt", str(report.receipt_path)]) == 0
    assert "marked sent: 2" in capsys.readouterr().out
    assert _status(config, capsys)["pending"] == 0
    junk = tmp_path / "junk.json"
    junk.write_text("[]")
    assert main(["--config", str(config), "queue", "import-receipt", str(junk)]) == 1
    assert "not a hall-kiosk receipt" in capsys.readouterr().err
    assert _audited(config, capsys) == [
        ("queue.export", {"submissions": 2}),
        ("queue.import_receipt", {"marked": 2, "already_sent": 0, "rejected": 0}),
    ]


def test_a_revoked_terminal_makes_sync_stop_with_a_clear_message(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path, platform)
    assert main(["--config", str(config), "queue", "put", str(_submission(tmp_path))]) == 0
    platform.central.revoke(TERMINAL)
    assert main(["--config", str(config), "queue", "sync", "--once"]) == 3
    assert "sync paused" in capsys.readouterr().err
    assert _status(config, capsys)["paused"]


def _limit_file_size() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))


def test_a_full_disk_during_put_is_a_readable_error(platform: Platform, tmp_path: Path) -> None:
    config = _config(tmp_path, platform)
    command = [sys.executable, "-m", "kiosk.cli.main", "--config", str(config), "queue"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([*command, "put", str(_submission(tmp_path))], env=env, check=False).returncode == 0
    big = tmp_path / "big.bin"
    big.write_bytes(os.urandom(1_000_000))
    result = subprocess.run(
        [*command, "put", str(_submission(tmp_path)), "--attach", str(big)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_file_size,  # the limit must apply to the child only
    )
    assert result.returncode == 1
    assert "storage is full" in result.stderr
    assert "Traceback" not in result.stderr
    status = subprocess.run([*command, "status", "--json"], env=env, capture_output=True, text=True, check=True)
    assert json.loads(status.stdout)["pending"] == 1
