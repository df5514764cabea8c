"""Handwriting recognised offline by the Zinnia engine (``libzinnia0``) and the Tegaki Simplified Chinese
model (``tegaki-zinnia-simplified-chinese``), both Debian packages, through Zinnia's C API.

Nothing leaves the terminal and nothing is learnt: each character is classified and forgotten. When the
library or the model is missing, :meth:`ZinniaHandwriting.unavailable` says which, and the keyboard shows the
pad with that sentence while its other keys keep working.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import threading
from pathlib import Path

from kiosk.visit.ports import Strokes

MODEL = Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model")
LIBRARY = "libzinnia.so.0"


def _load(name: str) -> ctypes.CDLL | None:
    for candidate in (name, ctypes.util.find_library("zinnia")):
        if candidate:
            try:
                return ctypes.CDLL(candidate)
            except OSError:
                continue
    return None


def _declare(lib: ctypes.CDLL) -> None:
    p, i, u, f, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_size_t, ctypes.c_float, ctypes.c_char_p
    signatures: dict[str, tuple[list[type], type | None]] = {
        "zinnia_recognizer_new": ([], p),
        "zinnia_recognizer_destroy": ([p], None),
        "zinnia_recognizer_open": ([p, s], i),
        "zinnia_recognizer_strerror": ([p], s),
        "zinnia_recognizer_classify": ([p, p, u], p),
        "zinnia_character_new": ([], p),
        "zinnia_character_destroy": ([p], None),
        "zinnia_character_set_width": ([p, u], None),
        "zinnia_character_set_height": ([p, u], None),
        "zinnia_character_add": ([p, u, i, i], i),
        "zinnia_result_value": ([p, u], s),
        "zinnia_result_score": ([p, u], f),
        "zinnia_result_size": ([p], u),
        "zinnia_result_destroy": ([p], None),
    }
    for name, (args, result) in signatures.items():
        function = getattr(lib, name)
        function.argtypes = args
        function.restype = result


class ZinniaHandwriting:
    """The :class:`kiosk.visit.ports.Handwriting` port over Zinnia. Opened once; safe from any thread."""

    def __init__(self, model: Path = MODEL, library: str = LIBRARY) -> None:
        self._lock = threading.Lock()
        self._why = ""
        self._recognizer: int | None = None
        lib = _load(library)
        if lib is None:
            self._why = "手写识别程序未安装 (libzinnia0)"
            self._lib: ctypes.CDLL | None = None
            return
        _declare(lib)
        self._lib = lib
        if not model.is_file():
            self._why = "手写识别字库未安装 (tegaki-zinnia-simplified-chinese)"
            return
        recognizer = lib.zinnia_recognizer_new()
        if not lib.zinnia_recognizer_open(recognizer, str(model).encode()):
            error = (lib.zinnia_recognizer_strerror(recognizer) or b"").decode(errors="replace")
            self._why = "手写识别字库打不开: " + error
            lib.zinnia_recognizer_destroy(recognizer)
            return
        self._recognizer = recognizer

    def unavailable(self) -> str:
        return self._why

    def recognise(self, strokes: Strokes, size: int, count: int = 10) -> list[str]:
        lib, recognizer = self._lib, self._recognizer
        if lib is None or recognizer is None or not strokes or size <= 0:
            return []
        with self._lock:
            character = lib.zinnia_character_new()
            try:
                lib.zinnia_character_set_width(character, size)
                lib.zinnia_character_set_height(character, size)
                for number, stroke in enumerate(strokes):
                    for x, y in stroke:
                        lib.zinnia_character_add(character, number, int(x), int(y))
                result = lib.zinnia_recognizer_classify(recognizer, character, count)
                if not result:
                    return []
                try:
                    found = [lib.zinnia_result_value(result, n) for n in range(lib.zinnia_result_size(result))]
                finally:
                    lib.zinnia_result_destroy(result)
            finally:
                lib.zinnia_character_destroy(character)
        return [value.decode("utf-8", errors="ignore") for value in found if value]

    def close(self) -> None:
        with self._lock:
            if self._lib is not None and self._recognizer is not None:
                self._lib.zinnia_recognizer_destroy(self._recognizer)
            self._recognizer = None


_opened: list[ZinniaHandwriting] = []
_opening = threading.Lock()


def open_handwriting() -> ZinniaHandwriting:
    """The process's one recogniser (the model is opened once, on first use)."""
    with _opening:
        if not _opened:
            _opened.append(ZinniaHandwriting())
        return _opened[0]
