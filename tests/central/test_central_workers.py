"""Two platform processes on one database serve one terminal as one platform would (issue 18: a province runs
several stateless workers). Each instance is a real ``kiosk-central serve`` process; the terminal's requests
alternate between them, and everything it depends on (its token, its staff call, a submission's first answer,
an upload half done, a console session) is found by the other process.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

from central.db import open_engine
from central.keys import PlatformKeys
from offline_cache.wire.protocol import PATH_ATTACHMENT, PATH_ENROLL, PATH_HEARTBEAT
from tests.central.conftest import Terminal

ROOT = Path(__file__).resolve().parents[2]
ADMIN_TOKEN = "workers-test-admin-token"
CONSOLE_PASSWORD = "correct horse 长城 battery"
CHUNK = 64 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Instance:
    """One ``kiosk-central serve`` process; ``ready`` is set when uvicorn says it is listening."""

    url: str
    process: subprocess.Popen[str]
    ready: threading.Event = field(default_factory=threading.Event)
    #: A worker has started its application: requests on the bound socket are answered.
    serving: threading.Event = field(default_factory=threading.Event)
    lines: list[str] = field(default_factory=list)

    def read_log(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.lines.append(line)
            if "Uvicorn running on" in line:  # the socket is bound: a request waits for a worker to take it
                self.ready.set()
            if "Application startup complete" in line:
                self.serving.set()
        self.ready.set()  # the process ended: let the waiter look at why
        self.serving.set()

    def wait_ready(self) -> Instance:
        assert self.ready.wait(60), "the platform did not start within 60 s"
        assert self.process.poll() is None, "".join(self.lines[-5:])
        # With --workers the parent binds the socket and says so before a worker serves it: wait for a worker.
        assert self.serving.wait(60), "no worker started within 60 s"
        assert self.process.poll() is None, "".join(self.lines[-5:])
        # A worker says its application has started just before it listens on the socket (until then the
        # kernel refuses connections to a bound socket), and nothing announces the listen itself: the condition
        # is tried again until a connection is taken (a refused connect returns at once; the pause spares a core).
        host, port = self.url.removeprefix("http://").split(":")
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection((host, int(port)), timeout=5).close()
                return self
            except ConnectionRefusedError:
                assert time.monotonic() < deadline, "no worker listened within 60 s"
                assert self.process.poll() is None, "".join(self.lines[-5:])
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(db_url: str, keys: Path, token_file: Path, workers: int = 1) -> Instance:
    """Start ``kiosk-central serve``; ``wait_ready`` on the answer before sending it requests."""
    port = _free_port()
    command = [sys.executable, "-m", "central.cli", "serve", "--db", db_url, "--port", str(port)]
    command += ["--keys", str(keys), "--admin-token-file", str(token_file), "--workers", str(workers)]
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    instance = Instance(f"http://127.0.0.1:{port}", process)
    threading.Thread(target=instance.read_log, daemon=True).start()
    return instance


@pytest.fixture
def shared(tmp_path: Path) -> tuple[Path, Path, PlatformKeys]:
    keys = PlatformKeys.generate()
    keys.save(tmp_path / "platform.keys")
    (tmp_path / "admin-token").write_text(ADMIN_TOKEN, encoding="utf-8")
    return tmp_path / "platform.keys", tmp_path / "admin-token", keys


@pytest.fixture
def pair(db_url: str, shared: tuple[Path, Path, PlatformKeys]) -> Iterator[tuple[Instance, Instance]]:
    keys, token_file, _ = shared
    open_engine(db_url).dispose()  # the schema made once, as the unit's ExecStartPre does; both start together
    first = serve(db_url, keys, token_file)
    second = serve(db_url, keys, token_file)
    try:
        yield first.wait_ready(), second.wait_ready()
    finally:
        second.stop()
        first.stop()


@dataclass
class RunningView:
    """What conftest's :class:`Terminal` needs of a platform: its URL and public key."""

    url: str
    public_key: bytes


def _enroll(instance: Instance, terminal_id: str) -> str:
    answer = requests.post(
        instance.url + PATH_ENROLL,
        json={"terminal_id": terminal_id},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        timeout=30,
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["token"])


def _terminal(instance: Instance, keys: PlatformKeys, terminal_id: str, token: str) -> Terminal:
    return Terminal(RunningView(instance.url, keys.seal_public), terminal_id, token)  # type: ignore[arg-type]


def _beat(instance: Instance, terminal: Terminal, alerts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    answer = terminal.session.post(
        instance.url + PATH_HEARTBEAT.format(terminal_id=terminal.terminal_id),
        json={"queue_depth": 2, "devices": {"printer": {"state": "ok", "reason": ""}}, "alerts": alerts or []},
        headers=terminal.headers,
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def _log_in(instance: Instance, db_url: str) -> requests.Session:
    made = subprocess.run(
        [sys.executable, "-m", "central.cli", "console-user", "add", "wang", "--role", "admin", "--db", db_url],
        input=CONSOLE_PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert made.returncode == 0, made.stderr
    browser = requests.Session()
    form = browser.get(instance.url + "/console/login", timeout=30).text
    found = re.search(r'name="csrf" value="([^"]+)"', form)
    assert found is not None
    answer = browser.post(
        instance.url + "/console/login",
        data={"username": "wang", "password": CONSOLE_PASSWORD, "csrf": found.group(1)},
        allow_redirects=False,
        timeout=30,
    )
    assert answer.status_code == 303, answer.text
    return browser


def test_a_terminal_enrolled_on_one_process_beats_on_both_and_its_staff_call_is_answered_on_either(
    pair: tuple[Instance, Instance], shared: tuple[Path, Path, PlatformKeys], db_url: str
) -> None:
    a, b = pair
    terminal = _terminal(a, shared[2], "T-0101", _enroll(a, "T-0101"))
    first = _beat(a, terminal, alerts=[{"kind": "call_staff", "at": "2026-11-25T09:00:00+08:00", "screen": "form"}])
    assert first["staff_calls"] == [{"at": "2026-11-25T09:00:00+08:00", "state": "open"}]
    assert _beat(b, terminal)["staff_calls"] == [{"at": "2026-11-25T09:00:00+08:00", "state": "open"}]

    # A hall manager logged in through one process acknowledges the call through the other.
    browser = _log_in(a, db_url)
    alerts_page = browser.get(b.url + "/console/alerts", timeout=30)
    assert alerts_page.status_code == 200
    assert "T-0101" in alerts_page.text
    ack = re.search(
        r'action="(/console/alerts/\d+/ack)"><input type="hidden" name="csrf" value="([^"]+)"', alerts_page.text
    )
    assert ack is not None
    answered = browser.post(a.url + ack.group(1), data={"csrf": ack.group(2)}, allow_redirects=False, timeout=30)
    assert answered.status_code in (200, 303), answered.text

    for instance in (a, b):  # the kiosk hears "工作人员马上到" whichever process answers its next beat
        calls = _beat(instance, terminal)["staff_calls"]
        assert calls[0]["state"] == "acknowledged"
        assert calls[0]["message"]["zh"] == "工作人员马上到"
    page = browser.get(b.url + "/console/terminals/T-0101", timeout=30)  # the same session on the other process
    assert page.status_code == 200
    assert "T-0101" in page.text


def test_a_submission_sent_again_to_the_other_process_gets_the_first_answer(
    pair: tuple[Instance, Instance], shared: tuple[Path, Path, PlatformKeys], rows: Any
) -> None:
    a, b = pair
    token = _enroll(a, "T-0102")
    on_a, on_b = _terminal(a, shared[2], "T-0102", token), _terminal(b, shared[2], "T-0102", token)
    delivery = on_a.seal()
    first = on_a.post(delivery.body)
    assert first.status_code == 201
    again = on_b.post(delivery.body)
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    other = on_b.post(on_b.seal().body)  # sealed to the same key: the second process opens it too
    assert other.status_code == 201
    assert other.json()["case_no"] != first.json()["case_no"]
    assert rows("submissions", "terminal_id = :t", t="T-0102") == 2


def test_an_upload_cut_off_on_one_process_resumes_on_the_other(
    pair: tuple[Instance, Instance], shared: tuple[Path, Path, PlatformKeys]
) -> None:
    a, b = pair
    token = _enroll(b, "T-0103")
    on_a, on_b = _terminal(a, shared[2], "T-0103", token), _terminal(b, shared[2], "T-0103", token)
    delivery = on_a.seal(attachments=[os.urandom(3 * CHUNK - 10)])
    sealed = delivery.attachments[0]
    sha = hashlib.sha256(sealed).hexdigest()
    assert on_a.put(sealed[:CHUNK], 0, len(sealed), sha).status_code == 202  # then the network drops

    where = on_b.session.head(on_b.url(PATH_ATTACHMENT.format(sha256=sha)), headers=on_b.headers, timeout=30)
    assert where.status_code == 200
    offset = int(where.headers["Upload-Offset"])
    assert offset == CHUNK
    answer = None
    for start in range(offset, len(sealed), CHUNK):
        answer = on_b.put(sealed[start : start + CHUNK], start, len(sealed), sha)
    assert answer is not None
    assert answer.status_code == 201
    assert answer.json()["complete"] is True
    assert on_a.post(delivery.body).status_code == 201  # the submission finds its attachment whole


@pytest.mark.slow  # three processes start (the parent and two workers): ~30 s on a busy 2-core machine
def test_serve_with_two_workers_answers_a_terminal_on_every_request(
    db_url: str, shared: tuple[Path, Path, PlatformKeys]
) -> None:
    keys, token_file, platform_keys = shared
    instance = serve(db_url, keys, token_file, workers=2).wait_ready()
    try:
        terminal = _terminal(instance, platform_keys, "T-0104", _enroll(instance, "T-0104"))
        for _ in range(10):  # new connections each time: the kernel hands them to either worker
            terminal.session.close()
            assert _beat(instance, terminal)["kind"] == "heartbeat_reply"
        delivery = terminal.seal()
        first = terminal.post(delivery.body)
        assert first.status_code == 201
        terminal.session.close()
        assert terminal.post(delivery.body).json() == first.json()
    finally:
        instance.stop()


def test_serve_with_two_workers_and_no_key_file_says_why(tmp_path: Path) -> None:
    made = subprocess.run(
        [sys.executable, "-m", "central.cli", "serve", "--db", f"sqlite:///{tmp_path / 'c.db'}", "--workers", "2"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=60,
    )
    assert made.returncode == 1
    assert made.stderr.strip().splitlines() == [
        "kiosk-central: --workers needs --keys: every worker must open what terminals seal to the same key"
    ]
