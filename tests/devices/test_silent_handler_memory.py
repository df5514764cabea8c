"""The handler the hall's own devices run with when no screen asks the person (``open_hall``'s default) keeps
only its last requests: a camera asking for the paper at every capture, for months, must not fill the memory."""

from __future__ import annotations

from devices.base import SilentHandler


def test_a_handler_asked_for_months_keeps_only_its_last_requests() -> None:
    handler = SilentHandler()
    for capture in range(10 * SilentHandler.KEPT):
        handler.device_needs_person("camera", f"请把材料放在拍摄区中间 {capture}")
        handler.device_clear_request("camera")
    assert len(handler.requests) == SilentHandler.KEPT
    assert handler.requests[-2:] == [
        ("camera", f"请把材料放在拍摄区中间 {10 * SilentHandler.KEPT - 1}"),
        ("camera", ""),
    ]
