"""``kiosk doctor qr|document|camera``: a technician's checks of the camera's reading and capture.

``qr IMAGE…`` reads the QR code in each picture as the kiosk would (exit 1 when any has none),
``document IMAGE --out FILE`` finds, straightens and checks the page (exit 1 when there is no page), and
``camera`` opens the configured camera and reads frames from it.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from devices.camera.document import capture_document
from devices.camera.drivers import SCENES, register_cameras
from devices.camera.errors import CameraError, ImageError, PayloadRejectedError
from devices.camera.frames import read_image_file
from devices.camera.payload import classify
from devices.camera.qr import decode_qr
from devices.connection_url import ConnectionUrlError, known_schemes
from devices.registry import DeviceRegistry
from kiosk.cli.arguments import connection_url, existing_file, output_file, seconds
from kiosk.cli.support import CliContext, CliError, SubParsers, config_connection, print_json, set_handler

NO_CODE = "没有识别到二维码 / no QR code found"
NO_PAGE = "没有找到材料 / no page found"


def _schemes() -> tuple[str, ...]:
    registry = DeviceRegistry()
    register_cameras(registry)
    return known_schemes(registry.drivers("camera"))


def _camera_target(url: str) -> None:
    """A ``sim://SCENE`` must name one of the simulated scenes; ``v4l2://`` a device number or path."""
    scheme, _, rest = url.partition("://")
    target = rest.split("?", 1)[0].strip("/")
    if scheme.lower() == "sim" and target and target not in SCENES:
        raise ConnectionUrlError(f"no simulated scene '{target}' in '{url}' (known: {', '.join(SCENES)})")
    if scheme.lower() == "v4l2" and not (target.isdigit() or (target and rest.startswith("/"))):
        raise ConnectionUrlError(f"'{url}' names no camera: v4l2://N (a number) or v4l2:///dev/videoN")


def register(checks: SubParsers) -> None:
    qr = checks.add_parser("qr", help="read the QR code in image files as the kiosk camera would")
    qr.add_argument("images", nargs="+", type=existing_file, metavar="IMAGE")
    qr.add_argument("--json", action="store_true", help="one JSON document instead of lines of text")
    set_handler(qr, _cmd_qr)

    doc = checks.add_parser("document", help="find, straighten and check the page in a photo of a document")
    doc.add_argument("image", type=existing_file, metavar="IMAGE")
    doc.add_argument("--out", type=output_file, required=True, metavar="FILE", help="where to write the JPEG")
    doc.add_argument("--json", action="store_true")
    set_handler(doc, _cmd_document)

    cam = checks.add_parser("camera", help="open the configured camera and read frames (and a QR code)")
    cam.add_argument(
        "--connection",
        type=connection_url(_schemes(), _camera_target),
        metavar="URL",
        help="override devices.camera.connection (e.g. /dev/video0, sim://qr)",
    )
    cam.add_argument(
        "--scan", type=seconds(allow_zero=True), default=0.0, metavar="SECONDS", help="also scan for a QR code"
    )
    set_handler(cam, _cmd_camera)


def _read_one(path: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"image": str(path), "found": False}
    try:
        frame = read_image_file(path)
    except ImageError as exc:
        row["error"] = exc.message
        return row
    start = time.perf_counter()
    raw = decode_qr(frame)
    row["ms"] = round((time.perf_counter() - start) * 1000, 1)
    if raw is None:
        row["error"] = NO_CODE
        return row
    row["stage"] = raw.stage
    row["corners"] = raw.corners
    try:
        payload = classify(raw.data, raw.text, binary=raw.binary)
    except PayloadRejectedError as exc:
        row["error"] = exc.message
        return row
    row.update(found=True, kind=payload.kind.value, text=payload.text)
    if payload.host:
        row["host"] = payload.host
    if payload.fields:
        row["fields"] = dict(payload.fields)
    return row


def _cmd_qr(args: argparse.Namespace, ctx: CliContext) -> int:
    rows = [_read_one(path) for path in args.images]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            if row["found"]:
                extra = f" (host {row['host']})" if "host" in row else ""
                print(f"{row['image']}: {row['kind']}{extra}: {row['text']}  [{row['stage']}, {row['ms']} ms]")
            else:
                print(f"{row['image']}: {row['error']}")
    return 0 if all(row["found"] for row in rows) else 1


def _cmd_document(args: argparse.Namespace, ctx: CliContext) -> int:
    try:
        capture = capture_document(read_image_file(args.image))
    except ImageError as exc:
        raise CliError(f"{args.image}: {exc.message}") from None
    report: dict[str, Any] = {
        "image": str(args.image),
        "found": bool(capture.jpeg),
        "issues": [issue.name.lower() for issue in capture.issues],
        "advice": [issue.advice for issue in capture.issues],
    }
    if capture.jpeg:
        try:
            args.out.parent.mkdir(parents=True, exist_ok=True)
            args.out.write_bytes(capture.jpeg)
        except OSError as exc:
            raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from None
        assert capture.outline is not None
        report.update(
            out=str(args.out),
            size=list(capture.size),
            bytes=len(capture.jpeg),
            corners=[[round(x, 1), round(y, 1)] for x, y in capture.outline.corners],
        )
    if args.json:
        print_json(report)
    elif not capture.jpeg:
        print(f"{args.image}: {NO_PAGE}")
    else:
        width, height = capture.size
        print(f"{args.image}: page written to {args.out} ({width}×{height}, {len(capture.jpeg) // 1024} KB)")
        for advice in report["advice"]:
            print(f"  to fix: {advice}")
        if not capture.issues:
            print("  quality: good")
    return 0 if capture.jpeg else 1


def _cmd_camera(args: argparse.Namespace, ctx: CliContext) -> int:
    from devices.base import DeviceError, SilentHandler
    from devices.camera.camera import Camera

    settings = ctx.config.devices.camera
    connection = args.connection or config_connection(
        settings.connection, "devices.camera.connection", _schemes(), _camera_target
    )
    registry = DeviceRegistry()
    register_cameras(registry)
    try:
        camera = registry.create("camera", connection, SilentHandler(), {"max_fps": settings.max_fps})
    except DeviceError as exc:  # an unknown scheme, a bad simulated scene
        raise CliError(exc.message) from None
    assert isinstance(camera, Camera)
    try:
        health = camera.open()
        print(f"camera {connection}: {health.state.value} {health.reason}")
        if not health.usable:
            return 1
        start, first = time.monotonic(), camera.frames_read
        while time.monotonic() - start < 1.0:
            camera.latest_frame()
        print(f"  frames in 1 s: {camera.frames_read - first} (max_fps {settings.max_fps})")
        if args.scan > 0:
            result = camera.scan_qr(args.scan)
            if result.payload is None:
                print(f"  QR: {result.message}")
                return 1
            print(f"  QR: {result.payload.kind.value}: {result.payload.text} ({result.frames} frames)")
        return 0
    except CameraError as exc:
        raise CliError(exc.message) from None
    finally:
        camera.close()
