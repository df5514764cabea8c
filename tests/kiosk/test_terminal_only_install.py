"""A terminal installed without the ``central`` extra: ``kiosk --version``, ``kiosk doctor …`` and ``kiosk queue …``
work with FastAPI, uvicorn, SQLAlchemy, psycopg, alembic and Starlette impossible to import.

Each command runs in its own process, with a ``sitecustomize`` on ``PYTHONPATH`` that puts a meta-path finder in
front of every other and refuses those packages, the way ``tests/test_layers.py`` refuses PySide6. What needs the
demo's embedded platform says so in one line instead of failing on an import.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from devices.camera import scenes

REPO = Path(__file__).resolve().parents[2]
CENTRAL_ONLY = ("fastapi", "uvicorn", "sqlalchemy", "psycopg", "alembic", "starlette")

SITECUSTOMIZE = textwrap.dedent(
    f"""
    import sys

    REFUSED = {CENTRAL_ONLY!r}

    class RefuseCentral:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in REFUSED:
                raise ModuleNotFoundError(f"No module named {{name!r}} (a terminal-only install)", name=name)
            return None

    sys.meta_path.insert(0, RefuseCentral())
    """
)

#: Run first in the child: at exit it prints which refused packages (or central/) were imported after all.
REPORT = textwrap.dedent(
    f"""
    import atexit, sys
    WATCHED = {{*{CENTRAL_ONLY!r}, "central"}}
    loaded = lambda: sorted({{m.split(".")[0] for m in sys.modules}} & WATCHED)
    atexit.register(lambda: print("LOADED", loaded(), file=sys.stderr))
    """
)


@pytest.fixture
def terminal(tmp_path: Path) -> dict[str, Path]:
    block = tmp_path / "refuse_central"
    block.mkdir()
    (block / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
    public = X25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    hall = tmp_path / "hall.toml"
    hall.write_text(
        f'data_dir = "{tmp_path / "data"}"\n[platform]\nurl = "http://127.0.0.1:9"\ntoken = "t"\n'
        f'public_key = "{base64.b64encode(public).decode()}"\n',
        encoding="utf-8",
    )
    demo = tmp_path / "demo.toml"
    demo.write_text(f'data_dir = "{tmp_path / "demo-data"}"\n', encoding="utf-8")
    submission = tmp_path / "submission.json"
    summary = {"service_code": "GA-001", "service_name": "居民身份证换领", "applicant_masked": "张*三"}
    submission.write_text(json.dumps({"summary": summary}, ensure_ascii=False), encoding="utf-8")
    qr = tmp_path / "phone.png"
    cv2.imwrite(str(qr), scenes.scene_frames("qr")[0])
    return {"block": block, "hall": hall, "demo": demo, "submission": submission, "qr": qr, "tmp": tmp_path}


def kiosk(terminal: dict[str, Path], *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(terminal["block"]), str(REPO)])}
    env.pop("KIOSK_CONFIG", None)
    script = f"{REPORT}\nimport sys\nfrom kiosk.cli.main import main\nsys.exit(main(sys.argv[1:]))"
    return subprocess.run(
        [sys.executable, "-c", script, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
        cwd=terminal["tmp"],
    )


def _loaded(result: subprocess.CompletedProcess[str]) -> str:
    return next(line for line in result.stderr.splitlines() if line.startswith("LOADED"))


def test_the_refusal_works(terminal: dict[str, Path]) -> None:
    env = {**os.environ, "PYTHONPATH": str(terminal["block"])}
    for name in CENTRAL_ONLY:
        result = subprocess.run(
            [sys.executable, "-c", f"import {name}"], capture_output=True, text=True, env=env, check=False
        )
        assert result.returncode != 0
        assert "terminal-only install" in result.stderr


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["--version"], "hall-kiosk"),
        (["doctor", "id-reader", "--port", "sim://", "--json"], '"card_type"'),
        (["doctor", "printer", "--connection", "sim://", "--status"], "printer sim://: ok"),
        (["doctor", "printer", "--preview", "{tmp}/receipt.png"], "preview:"),
        (["doctor", "camera", "--connection", "sim://qr", "--scan", "3"], "QR:"),
        (["doctor", "qr", "{qr}"], "{qr}: "),
        (["queue", "status", "--config", "{hall}"], "pending: 0"),
        (["queue", "status", "--json", "--config", "{demo}"], '"pending": 0'),
        (["queue", "status", "--demo", "--config", "{hall}"], "pending: 0"),
        (["queue", "put", "{submission}", "--config", "{hall}"], "-"),
    ],
)
def test_terminal_commands_run_without_the_central_extra(
    terminal: dict[str, Path], args: list[str], expect: str
) -> None:
    names = {key: str(value) for key, value in terminal.items()}
    result = kiosk(terminal, *[arg.format(**names) for arg in args])
    assert result.returncode == 0, result.stderr
    assert expect.format(**names) in result.stdout
    assert "Traceback" not in result.stderr
    assert _loaded(result) == "LOADED []"


@pytest.mark.parametrize(
    "args",
    [
        ["queue", "put", "{submission}", "--demo", "--config", "{hall}"],
        ["queue", "put", "{submission}", "--config", "{demo}"],
        ["queue", "sync", "--once", "--demo", "--config", "{hall}"],
        ["run", "--demo", "--config", "{hall}"],
    ],
)
def test_what_needs_the_demo_platform_says_so_in_one_line(terminal: dict[str, Path], args: list[str]) -> None:
    names = {key: str(value) for key, value in terminal.items()}
    result = kiosk(terminal, *[arg.format(**names) for arg in args])
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("LOADED")]
    assert len(lines) == 1, result.stderr
    assert "hall-kiosk[demo]" in lines[0]
    assert "Traceback" not in result.stderr
