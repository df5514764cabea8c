"""The service catalog (事项清单) as data: a new service is a catalog entry, not code.

Served by the central platform, cached offline, validated here with readable errors before anything reaches a
screen. Each service says how the person is identified, the steps (fields), the required materials and the
outcome: a submission that makes a case, a query that prints or shows a result, or a queue ticket.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

FieldKind = Literal[
    "text",
    "number",
    "id_number",
    "phone",
    "date",
    "choice",
    "yes_no",
    "document",
    "photo",
    "signature",
    "bank_account",
]
PrefillSource = Literal["name", "id_number", "gender", "birth_date", "address", "age"]
Identification = Literal["id_card", "qr", "none"]
Outcome = Literal["case", "query", "ticket"]
#: 可代办 (``allowed``: staff may handle it for a resident under a 委托) or 须本人到场 (``in_person``).
Proxy = Literal["allowed", "in_person"]


class CatalogError(Exception):
    """The catalog cannot be used; the message names the service, field and problem."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    """A text in both languages; Chinese is required, English falls back to Chinese."""

    zh: str = Field(min_length=1)
    en: str = ""

    def get(self, language: str) -> str:
        return self.en if language == "en" and self.en else self.zh


class Choice(_Model):
    value: str = Field(min_length=1)
    label: Text


class ShownWhen(_Model):
    """A question asked only after an earlier answer (the bank's name only when 银行卡 was chosen)."""

    field: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    equals: str = Field(min_length=1)


class FormField(_Model):
    """One question on the form; in elder mode each gets its own page."""

    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    kind: FieldKind
    label: Text
    help: Text | None = None
    required: bool = True
    prefill: PrefillSource | None = None
    choices: tuple[Choice, ...] = ()
    min_value: float | None = None
    max_value: float | None = None
    max_length: int = Field(64, ge=1, le=500)
    #: For ``date``: the earliest and latest allowed (ISO); for ``document``: what to put under the camera.
    earliest: date | None = None
    latest: date | None = None
    #: Asked only when an earlier question was answered so.
    shown_when: ShownWhen | None = None
    #: For ``text``: a rule the answer must meet (``address``: a real address, down to the number or the
    #: village, see :func:`kiosk.visit.validation.check_address`).
    check: Literal["address"] | None = None

    @model_validator(mode="after")
    def _choices_match_kind(self) -> FormField:
        if self.kind == "choice" and len(self.choices) < 2:
            raise ValueError("a choice field needs at least two choices")
        if self.kind != "choice" and self.choices:
            raise ValueError("only a choice field has choices")
        return self


class Service(_Model):
    code: str = Field(pattern=r"^[A-Z0-9_-]{2,32}$")
    name: Text
    department: Text
    category: Text
    icon: str = "document"
    identification: Identification = "id_card"
    min_age: int | None = Field(None, ge=0, le=150)
    fields: tuple[FormField, ...] = ()
    materials: tuple[Text, ...] = ()
    outcome: Outcome = "case"
    #: What the citizen is told happens next (shown on the result screen and printed on the receipt).
    next_steps: Text | None = None
    popularity: int = 0
    proxy: Proxy = "allowed"

    @model_validator(mode="after")
    def _unique_keys(self) -> Service:
        keys = [f.key for f in self.fields]
        duplicates = sorted({k for k in keys if keys.count(k) > 1})
        if duplicates:
            raise ValueError(f"field keys repeat: {', '.join(duplicates)}")
        for index, form_field in enumerate(self.fields):
            condition = form_field.shown_when
            if condition is not None and condition.field not in keys[:index]:
                raise ValueError(f"{form_field.key}: shown_when names {condition.field}, not an earlier field")
        return self


class Notice(_Model):
    """A policy notice (政策推送) shown on the attract screen."""

    title: Text
    body: Text


class Catalog(_Model):
    version: str = Field(min_length=1)
    services: Annotated[tuple[Service, ...], Field(min_length=1)]
    notices: tuple[Notice, ...] = ()

    @model_validator(mode="after")
    def _unique_codes(self) -> Catalog:
        codes = [s.code for s in self.services]
        duplicates = sorted({c for c in codes if codes.count(c) > 1})
        if duplicates:
            raise ValueError(f"service codes repeat: {', '.join(duplicates)}")
        return self

    def service(self, code: str) -> Service:
        for service in self.services:
            if service.code == code:
                return service
        raise KeyError(code)

    def by_popularity(self) -> list[Service]:
        """The most used first (an elderly visitor's matter is usually among the first tiles)."""
        return sorted(self.services, key=lambda s: -s.popularity)


def _describe(error: ValidationError, raw: object) -> str:
    first = error.errors()[0]
    loc = list(first["loc"])
    where: list[str] = []
    node: object = raw
    for part in loc:
        if isinstance(node, dict):
            node = node.get(part)
            where.append(str(part))
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            node = node[part]
            label = node.get("code") or node.get("key") if isinstance(node, dict) else None
            where[-1] = f"{where[-1]}[{label or part}]" if where else str(part)
        else:
            where.append(str(part))
    message = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
    return f"{'.'.join(where) or 'catalog'}: {message}"


def parse_catalog(data: bytes | str) -> Catalog:
    """Parse and validate catalog JSON; :class:`CatalogError` names where it is wrong."""
    try:
        raw = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogError(f"catalog is not valid JSON: {exc}") from None
    except RecursionError:
        raise CatalogError("catalog is not valid JSON: nested too deeply") from None
    try:
        return Catalog.model_validate(raw)
    except ValidationError as exc:
        raise CatalogError(f"catalog invalid: {_describe(exc, raw)}") from None
