"""The terminal applies the platform's limits at ``put``: what the platform would refuse is never queued, and
``kiosk queue put`` says so in one line (no traceback), leaving the queue as it was."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from offline_cache_support import SUMMARY, TERMINAL, Platform

from kiosk.cli.main import main
from offline_cache.models import NewAttachment, OutboxWriteError
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, outbox_status
from offline_cache.wire.protocol import MAX_ATTACHMENT_BYTES, MAX_SUBMISSION_BYTES, SubmissionSummary

GOOD_SUMMARY = {"service_code": "GA-001", "service_name": "居民身份证换领", "applicant_masked": "张*三"}


def _config(tmp_path: Path, platform: Platform) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "\n".join(
            [
                'data_dir = "%s"' % (tmp_path / "data"),
                "[terminal]",
                f'id = "{TERMINAL}"',
                "[platform]",
                f'url = "{platform.central.url}"',
                f'token = "{platform.token}"',
                f'public_key = "{base64.b64encode(platform.central.public_key).decode()}"',
                f'signing_key = "{base64.b64encode(platform.central.signing_public_key).decode()}"',
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def _pending(config: Path, capsys: pytest.CaptureFixture[str]) -> object:
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "status", "--json"]) == 0
    return json.loads(capsys.readouterr().out)["pending"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"summary": SUMMARY, "payload": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "not valid JSON"),
        (b'{"summary": SUMMARY, "payload": {"name": "\\udc80"}}', "not valid JSON"),
        (b'{"summary": {"service_code": "GA-001", "service_name": "\\udc80", "applicant_masked": "x"}}', "not valid"),
        (b'{"summary": SUMMARY, "payload": {"n": 1e400}}', "not valid JSON"),
        (b'{"summary": SUMMARY, "payload": {"scan": "' + b"A" * (20 * 1024 * 1024) + b'"}}', "at most"),
        (
            b'{"summary": {"service_code": "GA-001", "service_name": "' + "长".encode() * 300 + b'", '
            b'"applicant_masked": "x"}}',
            "service_name must be",
        ),
    ],
    ids=["nested", "surrogate-payload", "surrogate-summary", "1e400", "20MB", "long-name"],
)
def test_kiosk_queue_put_refuses_what_the_platform_would_in_one_line(
    platform: Platform, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    config = _config(tmp_path, platform)
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"summary": GOOD_SUMMARY, "payload": {"name": "张三"}}, ensure_ascii=False))
    assert main(["--config", str(config), "queue", "put", str(good)]) == 0
    bad = tmp_path / "bad.json"
    bad.write_bytes(content.replace(b"SUMMARY", json.dumps(GOOD_SUMMARY).encode()))
    capsys.readouterr()
    assert main(["--config", str(config), "queue", "put", str(bad)]) == 1
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert _pending(config, capsys) == 1
    assert not list((tmp_path / "data").rglob("attachments/*.bin"))


def _attachment_files(outbox: Outbox) -> list[Path]:
    return list(outbox.attachment_dir.glob("*.bin"))


@pytest.mark.parametrize(
    ("summary", "attachments", "message"),
    [
        (SubmissionSummary("GA-001", "\udc80", "张*三", SUMMARY.created_at), [], "not text"),
        (SubmissionSummary("GA-001", "居民身份证换领", "张*\ud800", SUMMARY.created_at), [], "not text"),
        (SubmissionSummary("", "居民身份证换领", "张*三", SUMMARY.created_at), [], "service_code must be"),
        (SubmissionSummary("GA-001", "居民身份证换领", "张*三", "yesterday"), [], "ISO 8601"),
        (SUMMARY, [NewAttachment(b"\0" * MAX_ATTACHMENT_BYTES, "image/jpeg")], "attachment 1 is"),
        (SUMMARY, [NewAttachment(b"scan", "image/jpeg")] * 51, "51 attachments"),
    ],
    ids=["surrogate-name", "surrogate-masked", "no-code", "time", "attachment-20MiB", "51-attachments"],
)
def test_put_refuses_before_writing_anything(
    outbox: Outbox, summary: SubmissionSummary, attachments: list[NewAttachment], message: str
) -> None:
    with pytest.raises(OutboxWriteError, match=message) as refused:
        outbox.put(b"{}", summary, attachments)
    assert "nothing was saved" in str(refused.value)
    assert outbox_status(outbox).pending == 0
    assert _attachment_files(outbox) == []


def test_the_largest_submission_put_accepts_is_one_the_platform_accepts(
    outbox: Outbox, platform: Platform, tmp_path: Path
) -> None:
    """Both ends read the same limit: just under it is queued and delivered, just over it is refused at put."""
    fits = b"x" * (MAX_SUBMISSION_BYTES * 3 // 4 - 2000)
    with pytest.raises(OutboxWriteError, match="at most"):
        outbox.put(fits + b"x" * 3000, SUMMARY)
    assert outbox_status(outbox).pending == 0
    submission_id = outbox.put(fits, SUMMARY)
    assert len(outbox.sealed_body(submission_id) or b"") <= MAX_SUBMISSION_BYTES
    engine = SyncEngine(tmp_path / "outbox", platform.link())
    try:
        report = engine.run_once()
    finally:
        engine.stop()
    assert report.sent == 1
    assert platform.copies(submission_id) == 1
