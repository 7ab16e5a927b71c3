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


def _texts(record: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of texts (as `ccEmails`): its texts kept, anything else left out."""
    value = record.get(key)
    if not isinstance(value, list):
        return ()
    return tuple(_clean(item) for item in value if isinstance(item, str))


def _default_currency(record: dict[str, Any]) -> str | None:
    """The code of the workspace's currency marked `isDefault` (None when none is)."""
    currencies = record.get("currencies")
    if isinstance(currencies, list):
        for currency in currencies:
            if isinstance(currency, dict) and currency.get("isDefault") is True:
                return _text(currency, "code")
    return None


def _hourly_rate(record: dict[str, Any]) -> str | None:
    """`hourlyRate` as text: {"amount": 10500, "currency": "EUR"} is "105.00 EUR".

    Clockify gives the amount in hundredths; a rate that is not a whole number of them,
    or has no amount, is left out.
    """
    rate = record.get("hourlyRate")
    if not isinstance(rate, dict):
        return None
    amount = rate.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int) or abs(amount) > 10**15:
        return None
    sign = "-" if amount < 0 else ""
    units, cents = divmod(abs(amount), 100)
    currency = _text(rate, "currency")
    text = f"{sign}{units}.{cents:02d}"
    return f"{text} {currency}" if currency else text


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace; `plan` is Clockify's `featureSubscriptionType` where the answer has it,
    `currency` the default currency's code, `hourly_rate` the workspace rate as text."""

    id: str
    name: str | None
    plan: str | None = None
    currency: str | None = None
    hourly_rate: str | None = None

    @classmethod
    def from_json(cls, record: Any) -> Workspace:
        ident = _require_id(record, "workspace")
        return cls(
            id=ident,
            name=_text(record, "name"),
            plan=_text(record, "featureSubscriptionType"),
            currency=_default_currency(record),
            hourly_rate=_hourly_rate(record),
        )


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
    cc_emails: tuple[str, ...] = ()
    currency: str | None = None
    note: str | None = None

    @classmethod
    def from_json(cls, record: Any) -> Client:
        return cls(
            id=_require_id(record, "client"),
            name=_text(record, "name"),
            archived=record.get("archived") is True,
            email=_text(record, "email"),
            address=_text(record, "address"),
            cc_emails=_texts(record, "ccEmails"),
            currency=_text(record, "currencyCode"),
            note=_text(record, "note"),
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
