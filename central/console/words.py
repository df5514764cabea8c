"""How the console says things to a hall manager: times in China Standard Time, devices and their states by
their Chinese names, and each alert's detail as a short sentence (both languages)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from central.clock import CHINA_TIME

DEVICE_NAMES = {
    "id_reader": ("身份证读卡器", "ID card reader"),
    "idcard": ("身份证读卡器", "ID card reader"),
    "printer": ("打印机", "Printer"),
    "camera": ("高拍仪", "Document camera"),
    "voice": ("语音", "Voice"),
}
DEVICE_STATES = {
    "ok": ("正常", "OK"),
    "degraded": ("异常", "Degraded"),
    "offline": ("离线", "Offline"),
}


def when(moment: str | None) -> str:
    """An ISO time as the hall reads it: China Standard Time, to the second (— when there is none)."""
    if not moment:
        return "—"
    try:
        parsed = datetime.fromisoformat(moment)
    except ValueError:
        return moment
    return parsed.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")


def device_name(name: str, lang: str) -> str:
    zh, en = DEVICE_NAMES.get(name, (name, name))
    return en if lang == "en" else zh


def device_state(state: Any, lang: str) -> str:
    zh, en = DEVICE_STATES.get(str(state), (str(state), str(state)))
    return en if lang == "en" else zh


def alert_detail(kind: str, detail: dict[str, Any], lang: str) -> str:
    en = lang == "en"
    if kind == "call_staff":
        screen = detail.get("screen") or "?"
        return f"Pressed on the {screen} screen" if en else f"在“{screen}”页按下"
    if kind in ("paper_out", "device_offline"):
        name = device_name(str(detail.get("device", "")), lang)
        reason = str(detail.get("reason", "") or "")
        return f"{name}: {reason}" if reason else name
    if kind == "queue_stuck":
        depth = detail.get("queue_depth", "?")
        oldest = detail.get("oldest_unsent_s")
        minutes = f"{float(oldest) / 60:.0f}" if isinstance(oldest, int | float) else "?"
        return f"{depth} waiting, oldest {minutes} min" if en else f"待发 {depth} 件，最早的已等 {minutes} 分钟"
    if kind == "terminal_offline":
        return "No heartbeat" if en else "收不到心跳"
    if kind == "audit_failure":
        return "The platform refused the audit log" if en else "平台拒绝了该终端的审计日志"
    return ", ".join(f"{key}: {value}" for key, value in detail.items())
