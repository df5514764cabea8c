"""A forking worker for the crash-loop test: imports once, then forks one short-lived child per trial.

Reads one JSON command per line on stdin; forks; the child saves submissions (``put``) or delivers them
(``sync``) and exits; the parent prints the child's pid at once (so the test can SIGKILL it at a random
moment) and then ``done <wait status>``. The worker itself has no threads and no open database, so
forking it is safe.
"""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path

from offline_cache.backoff import Backoff
from offline_cache.courier import PlatformLink
from offline_cache.models import NewAttachment
from offline_cache.store import Outbox
from offline_cache.sync import SyncEngine, SyncSettings
from offline_cache.wire.protocol import SubmissionSummary
from offline_cache.wire.sealing import Sealer, load_public_key

SUMMARY = SubmissionSummary("GA-001", "居民身份证换领", "张*三", "2026-11-22T08:00:00+00:00")


def _put(command: dict[str, object]) -> None:
    key = load_public_key(base64.b64decode(str(command["public_key"])))
    outbox = Outbox(Path(str(command["folder"])), terminal_id=str(command["terminal"]), sealer=Sealer(key))
    with Path(str(command["log"])).open("a", encoding="ascii") as log:
        for n in range(int(str(command["count"]))):
            attachments = [NewAttachment(os.urandom(40_000), "image/jpeg")] if n % 2 else []
            submission_id = outbox.put(b'{"trial": true}', SUMMARY, attachments)
            log.write(submission_id + "\n")
            log.flush()


def _sync(command: dict[str, object]) -> None:
    link = PlatformLink(str(command["url"]), str(command["token"]), str(command["terminal"]))
    settings = SyncSettings(workers=2, use_batch=bool(command["batch"]), batch_size=3, backoff=Backoff(0.0, 0.001))
    engine = SyncEngine(Path(str(command["folder"])), link, settings)
    engine.outbox.recover_leases()  # as a freshly started terminal does
    engine.run_once()


def main() -> None:
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                (_put if command["mode"] == "put" else _sync)(command)
            finally:
                os._exit(0)
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"done {status}", flush=True)


if __name__ == "__main__":
    main()
