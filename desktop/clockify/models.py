"""The records the panel shows, parsed leniently from Clockify's JSON.

Unknown fields are ignored and any optional field may be null or missing; only `id` is
required, because nothing can be copied or told apart without it. A field of the wrong
type never raises: a number or a boolean becomes its text, an object or a list counts as
missing. Lone surrogates (JSON allows "\\ud800") become U+FFFD, so every text can be
encoded as UTF-8 for a terminal, a file or the clipboard.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from desktop.clockify.errors import UnexpectedResponseError

#: Clockify ids are 24 hex digits; anything far longer is not an id.
MAX_ID_LENGTH = 256
_SURROGATE = re.compile("[\ud800-\udfff]")


def _clean(value: str) -> str:
    """`value` with lone surrogates replaced, so that it encodes as UTF-8."""
    return value if value.isascii() else _SURROGATE.sub("\ufffd", value)


def _text(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, bool | int | float):
        return str(value)
    return None  # missing, null, or an object or a list where a text belongs


def _require_id(record: Any, what: str) -> str:
    if not isinstance(record, dict):
        raise UnexpectedResponseError(
            f"Unexpected answer from the server: a {what} is "
            f"{type(record).__name__}, not an object."
        )
    value = record.get("id")
    if not isinstance(value, str) or not value:
        raise UnexpectedResponseError(f"Unexpected answer from the server: a {what} has no id.")
    if len(value) > MAX_ID_LENGTH:
        raise UnexpectedResponseError(
            f"Unexpected answer from the server: a {what} has an id of {len(value)} "
            "characters, not a Clockify id."
        )
    return _clean(value)


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str | None

    @classmethod
    def from_json(cls, record: Any) -> Workspace:
        return cls(id=_require_id(record, "workspace"), name=_text(record, "name"))


@dataclass(frozen=True, slots=True)
class User:
    id: str
    name: str | None
    email: str | None
    status: str | None

    @classmethod
    def from_json(cls, record: Any) -> User:
        return cls(
            id=_require_id(record, "user"),
            name=_text(record, "name"),
            email=_text(record, "email"),
            status=_text(record, "status"),
        )


@dataclass(frozen=True, slots=True)
class Client:
    id: str
    name: str | None
    archived: bool
    email: str | None
    address: str | None

    @classmethod
    def from_json(cls, record: Any) -> Client:
        return cls(
            id=_require_id(record, "client"),
            name=_text(record, "name"),
            archived=record.get("archived") is True,
            email=_text(record, "email"),
            address=_text(record, "address"),
        )


@dataclass(frozen=True, slots=True)
class CurrentUser:
    id: str
    name: str | None
    email: str | None
    active_workspace: str | None
    default_workspace: str | None

    @classmethod
    def from_json(cls, record: Any) -> CurrentUser:
        return cls(
            id=_require_id(record, "user"),
            name=_text(record, "name"),
            email=_text(record, "email"),
            active_workspace=_text(record, "activeWorkspace"),
            default_workspace=_text(record, "defaultWorkspace"),
        )
