"""Reading ESC/POS bytes back as a printer would (回读): the raster images inside ``GS v 0`` commands.

The simulator and the tests use it to see what a rare-character line or an image QR code would look like on
paper, from the very bytes the printer was sent.
"""

from __future__ import annotations

from PIL import Image

GS_V0 = b"\x1dv0"


def raster_images(data: bytes) -> list[Image.Image]:
    """Every ``GS v 0`` band in ``data`` as a greyscale image (printed dots black), in order."""
    images = []
    at = data.find(GS_V0)
    while at >= 0 and at + 8 <= len(data):
        width_bytes = int.from_bytes(data[at + 4 : at + 6], "little")
        height = int.from_bytes(data[at + 6 : at + 8], "little")
        start = at + 8
        bitmap = data[start : start + width_bytes * height]
        if len(bitmap) < width_bytes * height:
            break  # cut short (paper ran out, line dropped)
        image = Image.frombytes("1", (width_bytes * 8, height), bitmap)
        # ESC/POS: a 1 bit is a printed dot; in Pillow's "1" mode a 1 bit is white.
        images.append(image.convert("L").point(lambda v: 255 - v))
        at = data.find(GS_V0, start + len(bitmap))
    return images


def stack(images: list[Image.Image]) -> Image.Image:
    """Bands one under the other, as they come out on paper."""
    width = max((i.width for i in images), default=1)
    out = Image.new("L", (width, max(1, sum(i.height for i in images))), 255)
    top = 0
    for image in images:
        out.paste(image, (0, top))
        top += image.height
    return out
