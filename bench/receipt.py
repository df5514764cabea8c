"""Receipt rendering speed: layout → ESC/POS bytes and layout → PNG preview, against python-escpos's own text path.

Goal: the bytes of a typical receipt in ≤ 20 ms (median) on the 2-core development machine. The peer is
python-escpos's ``Dummy().text()`` with its magic encoding, fed the same text lines; it is measured in the
same run so the ratio holds on a noisy machine. (The peer cannot print Chinese on a GB printer — it guesses
single-byte code pages — so it is a speed reference, not an alternative.)

Run: ``.venv/bin/python bench/receipt.py [--rounds N]``; prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from escpos.printer import Dummy

from devices.printer.escpos_render import EscposRenderer
from devices.printer.preview import preview_png
from devices.printer.profile import load_profile
from kiosk.records.receipt_layout import build_receipt
from kiosk.visit.receipt import ReceiptData, ReceiptKind

TYPICAL = ReceiptData(
    kind=ReceiptKind.ACCEPTED,
    hall_name="示范区政务服务中心",
    service_name="城乡居民基本养老保险参保登记",
    case_no="SQ2026112200012345",
    issued_at=datetime(2026, 11, 22, 14, 3),
    terminal_id="demo-0001",
    applicant_masked="张*三",
    next_steps=("材料审核通过后 5 个工作日内短信通知结果", "凭本回执和身份证到 3 号窗口领取证件"),
)
RARE_NAME = replace(TYPICAL, applicant_masked="刘*䶮")


def median_ms(fn: Callable[[], object], rounds: int) -> float:
    fn()  # warm caches (fonts, glyphs, profile) as a running kiosk would have them
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    results: dict[str, float] = {}
    for width in (58, 80):
        profile = load_profile("default", width)
        renderer = EscposRenderer(profile)
        text = build_receipt(TYPICAL).text()

        def peer(text: str = text) -> bytes:
            printer = Dummy()
            printer.text(text + "\n")
            printer.cut()
            output: bytes = printer.output
            return output

        results[f"bytes_{width}_ms"] = median_ms(lambda r=renderer: r.render(build_receipt(TYPICAL)), args.rounds)
        results[f"bytes_rare_name_{width}_ms"] = median_ms(
            lambda r=renderer: r.render(build_receipt(RARE_NAME)), args.rounds
        )
        results[f"png_{width}_ms"] = median_ms(lambda p=profile: preview_png(build_receipt(TYPICAL), p), args.rounds)
        results[f"peer_escpos_text_{width}_ms"] = median_ms(peer, args.rounds)
    for key, value in results.items():
        print(f"{key:28s} {value:8.2f}")
    summary = {
        "bench": "receipt",
        "rounds": args.rounds,
        "goal_bytes_ms": 20.0,
        **{k: round(v, 3) for k, v in results.items()},
        "ratio_bytes_vs_peer_80": round(results["bytes_80_ms"] / results["peer_escpos_text_80_ms"], 2),
        "ratio_bytes_vs_peer_58": round(results["bytes_58_ms"] / results["peer_escpos_text_58_ms"], 2),
        "meets_goal": max(results["bytes_58_ms"], results["bytes_80_ms"]) <= 20.0,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
