"""Shared fixtures of the camera tests: the generated test set, made once per session."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

_GENERATE = Path(__file__).with_name("generate.py")


def load_generate() -> ModuleType:
    """``generate.py`` as a module (tests run in importlib mode, so it is not importable by name)."""
    spec = importlib.util.spec_from_file_location("camera_test_generate", _GENERATE)
    assert spec is not None
    assert spec.loader is not None
    if spec.name in sys.modules:
        return sys.modules[spec.name]
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def gen() -> ModuleType:
    return load_generate()


@pytest.fixture(scope="session")
def qr_cases(gen: ModuleType) -> list:  # type: ignore[type-arg]
    return gen.qr_set()
