"""The card photo (证件照): 1024 bytes in the WLT format, readable only by vendors' closed decoders.

The reader hands us the WLT bytes; turning them into a picture needs a licensed decoder library that we
cannot ship. :class:`PhotoDecoder` is the seam where a site plugs its vendor's decoder in. The default,
:class:`NoPhotoDecoder`, returns None, and the screens show a placeholder silhouette instead of the photo.
"""

from __future__ import annotations

import abc

WLT_SIZE = 1024


class PhotoDecoder(abc.ABC):
    """Turns WLT bytes into an image file's bytes (PNG, JPEG or BMP), or None if it cannot."""

    @abc.abstractmethod
    def decode(self, wlt: bytes) -> bytes | None:
        """The decoded image, or None; must not raise for malformed input."""


class NoPhotoDecoder(PhotoDecoder):
    """No vendor decoder installed: there is never a picture, and the UI shows its placeholder."""

    def decode(self, wlt: bytes) -> bytes | None:
        return None
