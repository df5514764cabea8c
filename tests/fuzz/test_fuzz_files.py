"""Fuzzing the files a hall reads: the service catalog (from the platform or a drive) and the kiosk's config
file. Any bytes give a catalog or config, or :class:`CatalogError` / :class:`ConfigError` naming the problem."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fuzzing import FUZZ, readable, refusal
from hypothesis import example, given
from hypothesis import strategies as st

from kiosk.config import ConfigError, parse_config
from kiosk.visit.catalog import CatalogError, parse_catalog

pytestmark = pytest.mark.fuzz

SAMPLE = json.loads((Path(__file__).resolve().parents[2] / "kiosk" / "data" / "sample_catalog.json").read_bytes())

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def _mutated(draw: Any, document: Any) -> Any:
    """``document`` with one value somewhere in it replaced by any JSON value (or a key dropped)."""
    if isinstance(document, dict) and document and draw(st.integers(0, 3)):
        key = draw(st.sampled_from(sorted(document)))
        changed = dict(document)
        if draw(st.integers(0, 5)) == 0:
            del changed[key]
        else:
            changed[key] = draw(_mutated(document[key]))
        return changed
    if isinstance(document, list) and document and draw(st.integers(0, 3)):
        index = draw(st.integers(0, len(document) - 1))
        return [*document[:index], draw(_mutated(document[index])), *document[index + 1 :]]
    return draw(JSON)


DEEP = st.integers(1, 3000).map(lambda n: "[" * n + "]" * n) | st.integers(1, 3000).map(
    lambda n: '{"a":' * n + "1" + "}" * n
)


@FUZZ
@example(b"[" * 100_000 + b"]" * 100_000)  # RecursionError in json.loads before the fix
@given(st.binary(max_size=2000) | DEEP.map(str.encode) | _mutated(SAMPLE).map(lambda d: json.dumps(d).encode()))
def test_any_catalog_bytes_give_a_catalog_or_a_readable_catalog_error(data: bytes) -> None:
    message = refusal(lambda: parse_catalog(data), CatalogError)
    assert message is None or readable(message)


TOML_VALUE = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=True).map(lambda f: str(f).lower()),
    st.text(max_size=20).map(json.dumps),
    st.booleans().map(lambda b: str(b).lower()),
    st.sampled_from(["[]", "[1, 2]", "{}", '"/dev/ttyUSB0"', '"http://127.0.0.1:8000"', "1979-05-27", "inf", "nan"]),
    st.integers(1, 3000).map(lambda n: "[" * n + "]" * n),
    st.integers(1, 3000).map(lambda n: "{a=" * n + "1" + "}" * n),
)
SECTIONS = st.sampled_from(
    ["terminal", "platform", "devices", "devices.idcard", "devices.printer", "devices.camera", "x"]
)
KEYS = st.sampled_from(["terminal_id", "region_code", "url", "token", "port", "baudrate", "timeout_s", "kind", "x"])


@st.composite
def _toml(draw: Any) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        lines.append(f"[{draw(SECTIONS)}]")
        lines.extend(f"{draw(KEYS)} = {draw(TOML_VALUE)}" for _ in range(draw(st.integers(0, 4))))
    return "\n".join(lines)


@FUZZ
@example("x = " + "[" * 100_000 + "]" * 100_000)  # RecursionError in tomllib before the fix
@given(_toml() | st.text(max_size=500))
def test_any_config_text_gives_a_config_or_a_readable_config_error(text: str) -> None:
    message = refusal(lambda: parse_config(text, "fuzz.toml"), ConfigError)
    assert message is None or (readable(message) and "fuzz.toml" in message)


def test_toml_is_what_the_config_parser_reads() -> None:
    assert tomllib.loads("[terminal]\nterminal_id = 'T-1'")["terminal"]["terminal_id"] == "T-1"
