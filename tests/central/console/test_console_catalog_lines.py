"""A refused catalog names the line of each problem, in Chinese first, as the terminal's own model refuses it."""

from __future__ import annotations

import json

import pytest

from central.catalog_file import SAMPLE_CATALOG
from central.console.catalogs import CatalogRefusedError, check_catalog, value_lines


def test_each_value_is_found_on_its_line() -> None:
    text = '{\n  "a": [\n    1,\n    {"b": "x"}\n  ],\n  "c": {}\n}'
    lines = value_lines(text)
    assert lines[("a",)] == 2 and lines[("a", 0)] == 3 and lines[("a", 1, "b")] == 4 and lines[("c",)] == 6


def test_every_problem_is_told_by_line_in_chinese() -> None:
    catalog = json.loads(SAMPLE_CATALOG.read_text(encoding="utf-8"))
    catalog["services"][0]["fields"][0]["kind"] = "telepathy"
    del catalog["services"][0]["name"]
    catalog["services"][0]["colour"] = "red"
    text = json.dumps(catalog, ensure_ascii=False, indent=2)
    with pytest.raises(CatalogRefusedError) as refused:
        check_catalog(text)
    told = {p.where: p for p in refused.value.problems}
    lines = text.splitlines()
    kind = told["services.0.fields.0.kind"]
    assert '"telepathy"' in lines[kind.line - 1] and kind.message.startswith("取值不在允许的范围内")
    assert '"colour"' in lines[told["services.0.colour"].line - 1]
    assert told["services.0.name"].message.startswith("缺少此项")
    assert check_catalog(SAMPLE_CATALOG.read_text(encoding="utf-8")).version
