"""A province on one machine: 10,000 terminals heartbeating every 30 s while one terminal drains 10,000 submissions.

Each run starts the platform as ``kiosk-central serve --workers N`` over a fresh database, enrolls the terminals
straight into it (placed in 13 regions, 25 terminals to a hall), and then, at once:

- every terminal sends a heartbeat every ``--interval`` seconds, its phase spread evenly over the interval (an
  asyncio load generator on uvloop, one process: ``bench/beat_load.py``'s prebuilt requests over at most 200
  keep-alive connections, lean so as to leave the cores to the platform); a beat's time runs from the moment it
  was due to its answer, so a beat that waited for a free connection counts its wait;
- a terminal's sealed outbox of ``--submissions`` items (2 KB each, every tenth with a 100 KB attachment, filled
  once with ``bench/sync_drain.py``'s helpers) is drained by the terminal's own sync engine, in another process;
- a console administrator opens the fleet console's terminal page (``/console/terminals``: every terminal,
  worst first) every few seconds.

Runs: PostgreSQL with 1 and 2 workers (a private server started here: initdb and pg_ctl in a temporary folder,
as the ``postgres`` user when run as root) and SQLite with 1 worker, so each figure reads as a ratio. Heartbeats
go on until the drain has ended and ``--duration`` has passed. Prints a table and one JSON line at the end.
``--drain-nice N`` runs the drain's process at niceness N (a terminal's CPU is not the platform's in a province).

    .venv/bin/python bench/province.py [--terminals 10000] [--submissions 10000] [--duration 90]
    .venv/bin/python bench/province.py --terminals 1000 --submissions 1000 --duration 30   # about 2 minutes
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import multiprocessing
import multiprocessing.synchronize
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import uvloop
from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.beat_load import BeatPool, request_bytes  # noqa: E402
from bench.private_postgres import (  # noqa: E402
    PrivatePostgresError,
    free_port,
    fresh_postgres_database,
    private_postgres_if,
)
from bench.sync_drain import TERMINAL as DRAIN_TERMINAL  # noqa: E402
from bench.sync_drain import fill  # noqa: E402
from central.clock import iso, utc_now  # noqa: E402
from central.db import open_engine  # noqa: E402
from central.keys import PlatformKeys  # noqa: E402
from central.schema import console_terminals, submissions, terminals  # noqa: E402
from central.terminals import token_hash  # noqa: E402
from offline_cache.wire.protocol import PATH_HEARTBEAT  # noqa: E402
from offline_cache.wire.sealing import Sealer, load_public_key  # noqa: E402

CONSOLE_USER = "province-admin"
CONSOLE_PASSWORD = "bench-password-长城-2026"
REGIONS = ("济南", "青岛", "淄博", "枣庄", "东营", "烟台", "潍坊", "济宁", "泰安", "威海", "日照", "临沂", "德州")
TERMINALS_PER_HALL = 25
PAGE_EVERY_S = 5.0


class BenchError(Exception):
    """A run could not be set up; the message says what to check."""


# -- the platform -------------------------------------------------------------------------------------------
@dataclass
class Platform:
    url: str
    db_url: str
    process: subprocess.Popen[bytes]

    def stop(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_platform(db_url: str, keys: Path, workers: int, folder: Path) -> Platform:
    """``kiosk-central serve --workers N``, waiting until a request gets an answer."""
    port = free_port()
    token_file = folder / "admin-token"
    token_file.write_text("bench-admin-token-" + os.urandom(8).hex(), encoding="utf-8")
    log = (folder / f"platform-{workers}.log").open("wb")
    command = [sys.executable, "-m", "central.cli", "serve", "--db", db_url, "--keys", str(keys), "--port", str(port)]
    command += ["--workers", str(workers), "--admin-token-file", str(token_file), "--no-access-log"]
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"the platform exited ({process.returncode}): see {log.name}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
                sock.sendall(b"GET /console/login HTTP/1.1\r\nHost: bench\r\nConnection: close\r\n\r\n")
                if sock.recv(12).startswith(b"HTTP/1.1 200"):
                    return Platform(url, db_url, process)
        except OSError:
            pass
        time.sleep(0.2)
    process.kill()
    raise BenchError(f"the platform did not answer within 60 s: see {log.name}")


def enroll_fleet(db_url: str, count: int) -> tuple[list[tuple[str, str]], str]:
    """``count`` terminals (id, token) and the draining terminal's token, written straight into the database,
    each placed in a region and hall as a province's operator would."""
    engine = open_engine(db_url, create_schema=False)
    now = iso(utc_now())
    fleet = [(f"T{n:05d}", base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")) for n in range(count)]
    drain_token = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    rows = [
        {"terminal_id": tid, "token_sha256": token_hash(tok), "revoked": False, "enrolled_at": now}
        for tid, tok in fleet
    ]
    rows.append(
        {"terminal_id": DRAIN_TERMINAL, "token_sha256": token_hash(drain_token), "revoked": False, "enrolled_at": now}
    )
    places = []
    for n, (tid, _token) in enumerate(fleet):
        hall_no = n // TERMINALS_PER_HALL
        region = REGIONS[hall_no % len(REGIONS)]
        places.append(
            {
                "terminal_id": tid,
                "region": region,
                "hall": f"{region}第{hall_no + 1}政务服务大厅",
                "state": "ok",
                "state_since": now,
                "last_seen_at": now,
            }
        )
    with engine.begin() as conn:
        for start in range(0, len(rows), 2000):
            conn.execute(insert(terminals), rows[start : start + 2000])
        for start in range(0, len(places), 2000):
            conn.execute(insert(console_terminals), places[start : start + 2000])
    engine.dispose()
    return fleet, drain_token


def add_console_user(db_url: str) -> None:
    command = [sys.executable, "-m", "central.cli", "console-user", "add", CONSOLE_USER, "--role", "admin"]
    made = subprocess.run(
        [*command, "--db", db_url],
        input=CONSOLE_PASSWORD + "\n",
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if made.returncode != 0:
        raise BenchError(f"console-user add failed: {made.stderr.strip()}")


# -- the drain, in a process of its own ---------------------------------------------------------------------
def _drain(outbox: str, url: str, token: str, go: multiprocessing.synchronize.Event, answer: Any) -> None:
    from offline_cache.courier import PlatformLink
    from offline_cache.sync import SyncEngine, SyncSettings

    engine = SyncEngine(Path(outbox), PlatformLink(url, token, DRAIN_TERMINAL), SyncSettings(workers=4, batch_size=100))
    go.wait()
    began = time.perf_counter()
    report = engine.run_once()
    seconds = time.perf_counter() - began
    pending = engine.status().pending
    engine.stop()
    answer.put({"sent": report.sent, "seconds": seconds, "pending": pending})


# -- the load -----------------------------------------------------------------------------------------------
@dataclass
class Figures:
    beats: list[tuple[float, float]] = field(default_factory=list)  # (due, seconds to the answer)
    failed: dict[str, int] = field(default_factory=dict)
    pages: list[tuple[float, float, int]] = field(default_factory=list)  # (began, seconds, bytes)
    pages_failed: dict[str, int] = field(default_factory=dict)  # status or error → how many


def _report(n: int) -> dict[str, Any]:
    paper = "paper low" if n % 97 == 0 else ""
    return {
        "queue_depth": n % 3,
        "devices": {
            "id_card": {"state": "ok", "reason": ""},
            "printer": {"state": "degraded" if paper else "ok", "reason": paper},
            "camera": {"state": "ok", "reason": ""},
        },
        "app_version": "1.4.0",
    }


def _beat_request(host: str, terminal: tuple[str, str], n: int) -> bytes:
    """The ``n``-th heartbeat of the run as it goes on the wire (the report changes from round to round: about a
    hundred terminals report paper low each round, a different hundred each time, so states change as they go)."""
    tid, token = terminal
    body = json.dumps({**_report(n), "sent_at": "2026-11-25T08:00:00+00:00"}).encode()
    return request_bytes(host, PATH_HEARTBEAT.format(terminal_id=tid), token, body)


async def _console(url: str, out: Figures, stop: asyncio.Event) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # the platform is on an IP address; the default jar would drop its cookies
    async with aiohttp.ClientSession(cookie_jar=jar, timeout=aiohttp.ClientTimeout(total=120)) as http:
        async with http.get(url + "/console/login") as page:
            found = re.search(r'name="csrf" value="([^"]+)"', await page.text())
        if found is None:
            raise BenchError("the console's login form has no CSRF field")
        form = {"username": CONSOLE_USER, "password": CONSOLE_PASSWORD, "csrf": found.group(1)}
        async with http.post(url + "/console/login", data=form, allow_redirects=False) as answer:
            if answer.status != 303:
                raise BenchError(f"console login answered {answer.status}")
        while not stop.is_set():
            began = time.perf_counter()
            try:
                async with http.get(url + "/console/terminals") as page:
                    size = len(await page.read())
                    if page.status == 200:
                        out.pages.append((began, time.perf_counter() - began, size))
                    else:  # a platform out of database connections answers 503: counted, the run goes on
                        out.pages_failed[str(page.status)] = out.pages_failed.get(str(page.status), 0) + 1
            except (TimeoutError, aiohttp.ClientError) as exc:
                out.pages_failed[type(exc).__name__] = out.pages_failed.get(type(exc).__name__, 0) + 1
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), PAGE_EVERY_S)


async def load(
    url: str, fleet: list[tuple[str, str]], interval: float, duration: float, drain_done: Any, start_drain: Any
) -> tuple[Figures, float, float]:
    """Heartbeats until ``duration`` has passed and the drain has ended; the drain starts after one second."""
    out = Figures()
    stop = asyncio.Event()
    where = urlsplit(url)
    assert where.hostname is not None
    assert where.port is not None
    beats = BeatPool(where.hostname, where.port, out.beats, out.failed, limit=200, timeout=60.0)
    console = asyncio.create_task(_console(url, out, stop))
    began = time.perf_counter()
    step = interval / len(fleet)
    drain_started = drain_ended = 0.0
    n = 0
    while True:
        due = began + n * step
        now = time.perf_counter()
        if not drain_started and now - began >= 1.0:
            start_drain()
            drain_started = now
        if drain_started and not drain_ended and drain_done():
            drain_ended = now
        if now - began >= duration and drain_ended:
            break
        if due > now:
            await asyncio.sleep(due - now)
        beats.send(_beat_request(where.netloc, fleet[n % len(fleet)], n), due)
        n += 1
    await beats.drained()
    beats.close()
    stop.set()
    await console
    return out, drain_started, drain_ended


# -- one run ------------------------------------------------------------------------------------------------
def tree_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its living descendants, from /proc (0 where unreadable)."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        for task in Path(f"/proc/{pid}/task").iterdir():
            for child in (task / "children").read_text().split():
                total += tree_cpu_seconds(int(child))
    except (OSError, IndexError, ValueError):
        pass
    return total


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def one_run(
    name: str, db_url: str, workers: int, keys: Path, outbox_template: Path, folder: Path, args: argparse.Namespace
) -> dict[str, Any]:
    folder.mkdir(parents=True)
    platform = start_platform(db_url, keys, workers, folder)
    try:
        fleet, drain_token = enroll_fleet(db_url, args.terminals)
        add_console_user(db_url)
        outbox = folder / "outbox"
        shutil.copytree(outbox_template, outbox)
        context = multiprocessing.get_context("spawn")
        go = context.Event()
        answers = context.Queue()
        drainer = context.Process(target=_drain, args=(str(outbox), platform.url, drain_token, go, answers))
        drainer.start()
        if args.drain_nice and drainer.pid is not None:  # the drain stands for a terminal, whose CPU is its own
            os.setpriority(os.PRIO_PROCESS, drainer.pid, args.drain_nice)
        drained: dict[str, Any] = {}

        def drain_done() -> bool:
            if not drained and not answers.empty():
                drained.update(answers.get())
            if not drained and not drainer.is_alive():
                raise BenchError("the drain's process ended without an answer")
            return bool(drained)

        cpu_before, own_before, wall_before = tree_cpu_seconds(platform.process.pid), time.process_time(), time.time()
        figures, drain_started, drain_ended = uvloop.run(
            load(platform.url, fleet, args.interval, args.duration, drain_done, go.set)
        )
        window = time.time() - wall_before
        platform_cpu = tree_cpu_seconds(platform.process.pid) - cpu_before
        generator_cpu = time.process_time() - own_before
        drainer.join(30)
    finally:
        platform.stop()
    engine = open_engine(db_url, create_schema=False)
    with engine.connect() as conn:
        stored = conn.execute(select(func.count(func.distinct(submissions.c.id)))).scalar_one()
        seen = conn.execute(select(func.count()).where(terminals.c.last_heartbeat_at.is_not(None))).scalar_one()
    engine.dispose()
    latencies = [seconds for _due, seconds in figures.beats]
    during = [seconds for due, seconds in figures.beats if drain_started <= due <= drain_ended]
    outside = [seconds for due, seconds in figures.beats if not drain_started <= due <= drain_ended]
    pages = [seconds for _began, seconds, _size in figures.pages]
    elapsed = max((due for due, _s in figures.beats), default=0.0) - min(
        (due for due, _s in figures.beats), default=0.0
    )
    return {
        "run": name,
        "workers": workers,
        "heartbeats": len(latencies),
        "heartbeats_failed": figures.failed,
        "heartbeats_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "heartbeat_p50_ms": round(_quantile(latencies, 0.50) * 1000, 1),
        "heartbeat_p99_ms": round(_quantile(latencies, 0.99) * 1000, 1),
        "heartbeat_p99_during_drain_ms": round(_quantile(during, 0.99) * 1000, 1),
        "heartbeat_p99_outside_drain_ms": round(_quantile(outside, 0.99) * 1000, 1),
        "drain_seconds": round(drain_ended - drain_started, 1),
        "submissions_sent": drained.get("sent", 0),
        "submissions_left_pending": drained.get("pending"),
        "submissions_stored": stored,
        "submissions_per_s": round(drained.get("sent", 0) / drained["seconds"], 1) if drained else 0.0,
        "terminals_seen": seen,
        "terminal_page_loads": len(pages),
        "terminal_page_failed": figures.pages_failed,
        "terminal_page_median_s": round(statistics.median(pages), 3) if pages else None,
        "terminal_page_max_s": round(max(pages), 3) if pages else None,
        "terminal_page_kib": round(figures.pages[-1][2] / 1024) if figures.pages else None,
        "load_seconds": round(window, 1),
        "platform_cpu_cores_busy": round(platform_cpu / window, 2),
        "platform_cpu_ms_per_heartbeat_and_submission": round(
            platform_cpu * 1000 / max(1, len(latencies) + int(drained.get("sent", 0))), 2
        ),
        "load_generator_cpu_cores_busy": round(generator_cpu / window, 2),
        "machine_load_average_1min": round(os.getloadavg()[0], 1),
    }


def _print_table(results: list[dict[str, Any]]) -> None:
    head = f"{'run':<14}{'beats':>8}{'fail':>8}{'/s':>7}{'p50 ms':>9}{'p99 ms':>9}{'subm/s':>9}"
    head += f"{'page s':>8}{'page max':>9}"
    print(head, file=sys.stderr)
    for r in results:
        print(
            f"{r['run']:<14}{r['heartbeats']:>8}{sum(r['heartbeats_failed'].values()):>8}{r['heartbeats_per_s']:>7}"
            f"{r['heartbeat_p50_ms']:>9}{r['heartbeat_p99_ms']:>9}{r['submissions_per_s']:>9}"
            f"{r['terminal_page_median_s']!s:>8}{r['terminal_page_max_s']!s:>9}",
            file=sys.stderr,
        )


def _ratio(results: dict[str, dict[str, Any]], a: str, b: str, key: str) -> float | None:
    if a in results and b in results and results[b][key]:
        return round(float(results[a][key]) / float(results[b][key]), 2)
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--terminals", type=int, default=10_000)
    parser.add_argument("--submissions", type=int, default=10_000)
    parser.add_argument("--duration", type=float, default=90.0, help="seconds of heartbeats at least (≥ one interval)")
    parser.add_argument("--interval", type=float, default=30.0, help="each terminal's heartbeat interval, seconds")
    parser.add_argument(
        "--drain-nice", type=int, default=0, help="niceness of the drain's process (0: as the platform's)"
    )
    parser.add_argument(
        "--runs", default="postgresql:1,postgresql:2,sqlite:1", help="database:workers, comma-separated"
    )
    args = parser.parse_args()
    runs = []
    for item in args.runs.split(","):
        database, _, workers = item.strip().partition(":")
        if database not in ("postgresql", "sqlite") or not workers.isdigit() or int(workers) < 1:
            parser.error(f"--runs: {item!r} is not database:workers (postgresql:2, sqlite:1)")
        runs.append((database, int(workers)))
    if args.terminals < 1 or args.submissions < 1 or args.interval <= 0:
        parser.error("--terminals and --submissions must be at least 1, --interval more than 0")

    top = Path(tempfile.mkdtemp(prefix="bench-province-", dir=os.environ.get("BENCH_DIR")))
    os.chmod(top, 0o755)
    results: dict[str, dict[str, Any]] = {}
    try:
        keys = PlatformKeys.generate()
        keys.save(top / "platform.keys")
        began = time.perf_counter()
        fill(top / "outbox-template", Sealer(load_public_key(keys.seal_public)), args.submissions)
        print(f"outbox of {args.submissions} filled in {time.perf_counter() - began:.0f} s", file=sys.stderr)
        with private_postgres_if(any(db == "postgresql" for db, _ in runs), top / "pg") as pg_server:
            for database, workers in runs:
                name = f"{database}x{workers}"
                if database == "postgresql":
                    assert pg_server is not None
                    db_url = fresh_postgres_database(pg_server, f"province_{workers}_{len(results)}")
                else:
                    db_url = f"sqlite:///{top / f'{name}.sqlite3'}"
                print(f"{name}: {args.terminals} terminals, {args.submissions} submissions ...", file=sys.stderr)
                results[name] = one_run(
                    name, db_url, workers, top / "platform.keys", top / "outbox-template", top / name, args
                )
                _print_table([results[name]])
    except (BenchError, PrivatePostgresError) as exc:
        print(f"province: {exc}", file=sys.stderr)
        sys.exit(1)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    _print_table(list(results.values()))
    summary = {
        "bench": "province",
        "terminals": args.terminals,
        "heartbeat_interval_s": args.interval,
        "submissions": args.submissions,
        "cpu_cores": os.cpu_count(),
        "goals": {"heartbeat_p99_ms": 200, "submissions_per_s": 800, "terminal_page_s": 1.0},
        "runs": list(results.values()),
        "ratio_submissions_pg2_over_pg1": _ratio(results, "postgresqlx2", "postgresqlx1", "submissions_per_s"),
        "ratio_heartbeat_p99_pg2_over_pg1": _ratio(results, "postgresqlx2", "postgresqlx1", "heartbeat_p99_ms"),
        "ratio_submissions_pg1_over_sqlite1": _ratio(results, "postgresqlx1", "sqlitex1", "submissions_per_s"),
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
