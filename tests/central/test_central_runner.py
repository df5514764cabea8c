"""The embedded platform is cheap to import and the ``serve`` command really serves."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from offline_cache.wire.protocol import PATH_PLATFORM_KEYS, is_envelope


def test_importing_the_runner_loads_no_web_or_database_stack() -> None:
    # The demo imports the runner before its first screen paints; the heavy stack loads on start only.
    probe = (
        "import sys, central.runner; "
        "print(sorted(m for m in ('fastapi', 'uvicorn', 'sqlalchemy', 'starlette') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.strip() == "[]"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_on_its_port_and_stops_on_sigterm(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    subprocess.run([sys.executable, "-m", "central.cli", "keygen", "--out", str(keys)], check=True, timeout=60)
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "central.cli",
            "serve",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{tmp_path / 'central.db'}",
            "--keys",
            str(keys),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 60
        while answer is None and time.monotonic() < deadline and server.poll() is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}{PATH_PLATFORM_KEYS}", timeout=5)
            except requests.ConnectionError:
                time.sleep(0.1)
        assert answer is not None, server.stderr.read() if server.poll() is not None else "no answer"
        assert is_envelope(answer.json(), "platform_keys")
    finally:
        server.terminate()
        _, stderr = server.communicate(timeout=30)
    # uvicorn shuts down gracefully, then re-raises SIGTERM so supervisors see why it stopped.
    assert server.returncode in (0, -15)
    assert "Finished server process" in stderr
    assert "Traceback" not in stderr
