"""What can go wrong with the camera or a picture, each with a message a person can read (Chinese / English)."""

from __future__ import annotations

from devices.base import DeviceError


class CameraError(DeviceError):
    """The camera cannot be used right now (unplugged, busy, no frames)."""


class ImageError(CameraError):
    """A picture (a frame, a file) cannot be used as it is."""


class UnreadableImageError(ImageError):
    """The file is damaged or cut short (a truncated JPEG or PNG)."""


class EmptyFrameError(ImageError):
    """The picture has no pixels (zero width or height, an empty file)."""


class ImageTooLargeError(ImageError):
    """The picture is too large to handle safely (decoding it would take too much memory or time)."""


class NotAnImageError(ImageError):
    """The thing given is not a picture at all (text, a wrong array type, an unknown file format)."""


class PayloadRejectedError(CameraError):
    """A QR code was read but what it holds cannot be accepted (too long, binary data)."""
