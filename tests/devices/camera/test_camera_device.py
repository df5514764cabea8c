"""The camera as a device: the simulator and file sources through the registry, events, pacing, unplugging."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import cv2
import numpy as np
import pytest

from devices.base import Backoff, DeviceError, DeviceState, SilentHandler
from devices.camera.camera import NO_CODE, Camera, QrResult
from devices.camera.document import DocumentCapture
from devices.camera.drivers import SimulatedCamera, register_cameras
from devices.camera.errors import CameraError
from devices.camera.payload import QrKind
from devices.registry import DeviceRegistry


@pytest.fixture
def registry() -> DeviceRegistry:
    registry = DeviceRegistry()
    register_cameras(registry)
    return registry


@pytest.fixture
def handler() -> SilentHandler:
    return SilentHandler()


@pytest.fixture
def sim(registry: DeviceRegistry, handler: SilentHandler) -> Iterator[SimulatedCamera]:
    camera = registry.create("camera", "sim://", handler, {"max_fps": 20})
    assert isinstance(camera, SimulatedCamera)
    assert camera.open().state is DeviceState.OK
    yield camera
    camera.close()


def test_the_simulator_reads_the_phone_scene_and_tells_observers(sim: SimulatedCamera) -> None:
    seen: list[tuple[QrResult, bool]] = []
    sim.qr_did_read.connect(lambda result: seen.append((result, sim.thread.is_current())))
    sim.show_scene("qr")
    result = sim.scan_qr(timeout=5)
    assert result.ok
    assert result.payload is not None
    assert result.payload.kind is QrKind.URL
    assert result.payload.host == "zwfw.example.gov.cn"
    assert seen == [(result, True)]  # emitted on the camera's own thread; the UI bridge moves it


def test_an_empty_desk_gives_no_code_after_the_timeout(sim: SimulatedCamera, handler: SilentHandler) -> None:
    sim.show_scene("empty")
    # The hint is given at the first frame read after 0.2 s: a busy machine still reads some before the end.
    result = sim.scan_qr(timeout=2.0, hint_after=0.2)
    assert not result.ok
    assert result.message == NO_CODE
    assert result.frames >= 1
    # The person was told what to do while the scan ran, and the request withdrawn at its end.
    assert handler.requests == [("camera", NO_CODE), ("camera", "")]


def test_frames_are_never_read_faster_than_max_fps(registry: DeviceRegistry, handler: SilentHandler) -> None:
    camera = registry.create("camera", "sim://empty", handler, {"max_fps": 5})
    assert isinstance(camera, Camera)
    try:
        camera.open()
        first, start = camera.frames_read, time.monotonic()
        camera.scan_qr(timeout=1.0)
        elapsed = time.monotonic() - start
        assert camera.frames_read - first <= elapsed * 5 + 1
    finally:
        camera.close()


def test_the_document_scene_is_captured(sim: SimulatedCamera) -> None:
    captures: list[DocumentCapture] = []
    sim.document_did_capture.connect(captures.append)
    sim.show_scene("document")
    capture = sim.capture_document(timeout=10)
    assert capture.ok
    assert capture.jpeg[:2] == b"\xff\xd8"
    assert captures == [capture]


def test_without_a_page_the_person_is_told_what_to_do(sim: SimulatedCamera, handler: SilentHandler) -> None:
    sim.show_scene("empty")
    capture = sim.capture_document(timeout=0.5)
    assert not capture.ok
    assert capture.jpeg == b""
    assert handler.requests[0] == ("camera", "请把材料放在拍摄区中间 / put the paper in the middle of the capture area")
    assert handler.requests[-1] == ("camera", "")  # the request is withdrawn when the capture ends


def test_a_scan_can_be_cancelled_from_another_thread(sim: SimulatedCamera) -> None:
    sim.show_scene("empty")
    scanning = threading.Event()
    sim.frame_did_arrive.connect(lambda frame: scanning.set())
    canceller = threading.Thread(target=lambda: scanning.wait(30) and sim.cancel())
    canceller.start()
    start = time.monotonic()
    result = sim.scan_qr(timeout=30)
    canceller.join(10)
    assert scanning.is_set()
    assert not result.ok
    assert time.monotonic() - start < 30


def test_latest_frame_is_a_frame_of_the_scene(sim: SimulatedCamera) -> None:
    frame = sim.latest_frame()
    assert frame is not None
    assert frame.shape == (720, 1280, 3)


def test_an_image_file_is_a_camera(registry: DeviceRegistry, gen: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "phone.png"
    cv2.imwrite(str(path), gen.qr_frame(3).frame)
    camera = registry.create("camera", f"file://{path}", SilentHandler(), {"max_fps": 30})
    assert isinstance(camera, Camera)
    try:
        camera.open()
        result = camera.scan_qr(timeout=3)
        assert result.payload is not None
        assert result.payload.text == gen.qr_frame(3).expected
    finally:
        camera.close()


def test_a_video_file_is_a_camera_and_loops(registry: DeviceRegistry, gen: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "clip.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (1280, 720))
    for _ in range(3):
        writer.write(np.full((720, 1280, 3), 90, np.uint8))  # the desk before the phone arrives
    writer.write(gen.qr_frame(6).frame)
    writer.release()
    camera = registry.create("camera", f"file://{path}", SilentHandler(), {"max_fps": 30})
    assert isinstance(camera, Camera)
    try:
        camera.open()
        result = camera.scan_qr(timeout=5)
        assert result.payload is not None
        assert result.payload.text == gen.qr_frame(6).expected
        assert result.frames >= 3  # the probe at open took the first desk frame
    finally:
        camera.close()


def test_an_unplugged_camera_goes_offline_and_comes_back(
    registry: DeviceRegistry, gen: ModuleType, tmp_path: Path
) -> None:
    """A folder of frames that disappears and comes back, as a camera's device node does on unplug."""
    folder = tmp_path / "frames"
    folder.mkdir()
    cv2.imwrite(str(folder / "0001.png"), gen.qr_frame(0).frame)
    camera = registry.create("camera", f"file://{folder}", SilentHandler(), {"max_fps": 30})
    assert isinstance(camera, Camera)
    states: list[DeviceState] = []
    camera.device_did_change_health.connect(lambda health: states.append(health.state))
    try:
        assert camera.open().state is DeviceState.OK
        folder.rename(tmp_path / "unplugged")
        with pytest.raises(CameraError) as info:
            camera.scan_qr(timeout=5)
        assert " / " in info.value.message
        assert camera.health.state is DeviceState.OFFLINE
        assert camera.latest_frame() is None
        (tmp_path / "unplugged").rename(folder)
        changed = threading.Event()
        camera.device_did_change_health.connect(lambda health: changed.set())
        camera.start_polling(interval=0.1, backoff=Backoff(base=0.05, cap=0.2))
        while camera.health.state is not DeviceState.OK:
            assert changed.wait(10), "the camera did not come back"
            changed.clear()
        assert camera.scan_qr(timeout=3).ok
        assert states[0] is DeviceState.OK
        assert DeviceState.OFFLINE in states
        assert states[-1] is DeviceState.OK
    finally:
        camera.close()


def test_a_missing_video_device_is_offline_with_a_reason(registry: DeviceRegistry) -> None:
    camera = registry.create("camera", "/dev/video97", SilentHandler(), {})
    assert isinstance(camera, Camera)
    try:
        health = camera.open()
        assert health.state is DeviceState.OFFLINE
        assert "/dev/video97" in health.reason
        with pytest.raises(CameraError, match="not available"):
            camera.scan_qr(timeout=0.2)
    finally:
        camera.close()


@pytest.mark.parametrize("connection", ["sim://kitchen", "rtsp://cam.local/stream"])
def test_bad_connections_are_refused_readably(registry: DeviceRegistry, connection: str) -> None:
    with pytest.raises(DeviceError) as info:
        registry.create("camera", connection, SilentHandler(), {})
    assert " / " in info.value.message


def test_a_preview_does_not_wait_for_a_running_scan(sim: SimulatedCamera) -> None:
    sim.show_scene("empty")
    previewed = threading.Event()
    sim.frame_did_arrive.connect(lambda frame: previewed.set())
    results: list[QrResult] = []
    scan = threading.Thread(target=lambda: results.append(sim.scan_qr(timeout=30)))
    scan.start()
    try:
        assert previewed.wait(10), "no frame arrived"
        frame = sim.latest_frame()  # answered from the scan's frames, not queued behind the scan
        assert frame is not None
        assert scan.is_alive()
    finally:
        sim.cancel()
        scan.join(timeout=10)
    assert results
    assert not results[0].ok


def test_closing_during_a_scan_ends_it_and_releases_the_camera(registry: DeviceRegistry) -> None:
    camera = registry.create("camera", "sim://empty", SilentHandler(), {"max_fps": 20})
    assert isinstance(camera, SimulatedCamera)
    camera.open()
    frames = threading.Semaphore(0)
    camera.frame_did_arrive.connect(lambda frame: frames.release())
    results: list[QrResult] = []
    scan = threading.Thread(target=lambda: results.append(camera.scan_qr(timeout=60)))
    scan.start()
    for _ in range(3):
        assert frames.acquire(timeout=10), "the scan read no frames"
    camera.close()
    scan.join(timeout=10)
    assert not scan.is_alive()
    assert results
    assert not results[0].ok
