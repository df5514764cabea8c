"""The service catalog (事项目录) as the console publishes it: checked with the terminal's own model
(``kiosk.visit.catalog.Catalog``, pure pydantic), each error shown with the line it is on, published with a
version; terminals fetch the newest published one by its strong ETag, whichever worker answers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy.exc import IntegrityError

from central.catalog_file import CatalogSnapshot
from central.clock import iso
from central.db import reading
from central.schema import console_catalogs
from kiosk.visit.catalog import Catalog

MAX_CATALOG_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class CatalogProblem:
    """One thing wrong with a catalog: the line (1-based, 0 when unknown), where in it, and what."""

    line: int
    where: str
    message: str


class CatalogRefusedError(Exception):
    def __init__(self, problems: list[CatalogProblem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.message}" for p in problems))
        self.problems = problems


def _line(text: str, index: int) -> int:
    return text.count("\n", 0, index) + 1


def value_lines(text: str) -> dict[tuple[Any, ...], int]:
    """Where each value of a JSON text starts, by its path (keys and list indexes): for errors by line."""
    decoder = json.JSONDecoder()
    lines: dict[tuple[Any, ...], int] = {}

    def skip(i: int) -> int:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        return i

    def walk(i: int, path: tuple[Any, ...]) -> int:
        i = skip(i)
        lines[path] = _line(text, i)
        if text.startswith("{", i):
            i = skip(i + 1)
            if text.startswith("}", i):
                return i + 1
            while True:
                key, i = scanstring(text, skip(i) + 1)
                i = skip(i) + 1  # the colon
                lines.setdefault((*path, key), _line(text, i))
                i = skip(walk(i, (*path, key)))
                if text.startswith(",", i):
                    i += 1
                    continue
                return i + 1
        if text.startswith("[", i):
            i = skip(i + 1)
            if text.startswith("]", i):
                return i + 1
            index = 0
            while True:
                i = skip(walk(i, (*path, index)))
                index += 1
                if text.startswith(",", i):
                    i += 1
                    continue
                return i + 1
        _, end = decoder.raw_decode(text, i)
        return int(end)

    walk(0, ())
    return lines


#: The model's refusals a catalog editor meets most, said in Chinese first (the model's own words follow).
_REFUSALS = {
    "missing": "缺少此项",
    "extra_forbidden": "不认识的字段",
    "string_too_short": "不能为空",
    "too_short": "至少要有一项",
    "string_pattern_mismatch": "格式不对",
    "literal_error": "取值不在允许的范围内",
    "string_type": "应为文字",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "bool_type": "应为 true 或 false",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "value_error": "取值不对",
}


def _in_chinese(error: Any) -> str:
    said = str(error.get("msg", ""))
    chinese = _REFUSALS.get(str(error.get("type", "")))
    return f"{chinese} ({said})" if chinese else said


def check_catalog(text: str) -> Catalog:
    """The catalog in ``text`` as the terminal would read it, or :class:`CatalogRefusedError` with lines."""
    if len(text.encode("utf-8")) > MAX_CATALOG_BYTES:
        raise CatalogRefusedError([CatalogProblem(0, "", f"目录超过 {MAX_CATALOG_BYTES} 字节 (catalog too large)")])
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogRefusedError([CatalogProblem(exc.lineno, "", f"不是有效的 JSON (not JSON): {exc.msg}")]) from exc
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        lines = value_lines(text)
        problems = []
        for error in exc.errors()[:20]:
            loc = tuple(error["loc"])
            line = 0
            for cut in range(len(loc), -1, -1):
                if loc[:cut] in lines:
                    line = lines[loc[:cut]]
                    break
            where = ".".join(str(part) for part in loc)
            problems.append(CatalogProblem(line, where, _in_chinese(error)))
        raise CatalogRefusedError(problems) from exc


@dataclass(frozen=True)
class PublishedCatalog:
    version: str
    etag: str
    published_by: str
    published_at: str


@dataclass(frozen=True)
class CatalogShelf:
    engine: Engine

    def publish(self, text: str, username: str, now: datetime) -> PublishedCatalog:
        catalog = check_catalog(text)
        content = text.encode("utf-8")
        etag = '"' + hashlib.sha256(content).hexdigest() + '"'
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    insert(console_catalogs).values(
                        version=catalog.version,
                        content=text,
                        etag=etag,
                        published_by=username,
                        published_at=iso(now),
                    )
                )
        except IntegrityError as exc:
            raise CatalogRefusedError(
                [
                    CatalogProblem(
                        value_lines(text).get(("version",), 0),
                        "version",
                        f"版本 {catalog.version} 已发布过，请换一个版本号 (version already published)",
                    )
                ]
            ) from exc
        return PublishedCatalog(catalog.version, etag, username, iso(now))

    def current(self, conn: Connection | None = None) -> CatalogSnapshot | None:
        """The newest published catalog, as the terminal API serves it; None before the first publication."""
        query = select(console_catalogs.c.content, console_catalogs.c.etag).order_by(console_catalogs.c.seq.desc())
        if conn is None:
            with reading(self.engine) as own:
                row = own.execute(query.limit(1)).first()
        else:
            row = conn.execute(query.limit(1)).first()
        if row is None:
            return None
        data = json.loads(row.content)
        notices = data.get("notices", []) if isinstance(data, dict) else []
        return CatalogSnapshot(row.content.encode("utf-8"), row.etag, tuple(notices))

    def history(self, limit: int = 50) -> list[PublishedCatalog]:
        with reading(self.engine) as conn:
            rows = conn.execute(
                select(
                    console_catalogs.c.version,
                    console_catalogs.c.etag,
                    console_catalogs.c.published_by,
                    console_catalogs.c.published_at,
                )
                .order_by(console_catalogs.c.seq.desc())
                .limit(limit)
            ).all()
        return [PublishedCatalog(r.version, r.etag, r.published_by, r.published_at) for r in rows]
