"""Where to connect (region or custom base URL) and the API key wrapper that hides itself."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from desktop.clockify.errors import InvalidConnectionError

#: Region code -> (label, API base URL). "global" is Clockify's default.
REGIONS: dict[str, tuple[str, str]] = {
    "global": ("Global", "https://api.clockify.me/api/v1"),
    "eu": ("EU (Germany)", "https://euc1.clockify.me/api/v1"),
    "usa": ("USA", "https://use2.clockify.me/api/v1"),
    "uk": ("UK", "https://euw2.clockify.me/api/v1"),
    "au": ("Australia", "https://apse2.clockify.me/api/v1"),
}


class ApiKey:
    """A Clockify API key that never shows itself in repr(), str() or f-strings.

    Use `reveal()` at the single place that builds the request header.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        value = value.strip()
        if not value:
            raise ValueError("the API key is empty")
        if any(ch.isspace() or not ch.isprintable() for ch in value):
            raise ValueError("the API key contains spaces or control characters")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def masked(self) -> str:
        """At most the first and last four characters, for `key status`."""
        value = self._value
        if len(value) <= 12:
            return "*" * len(value)
        return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"

    def __repr__(self) -> str:
        return "ApiKey(<hidden>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an ApiKey is not picklable")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(url: str) -> str:
    """Return the API base URL (ending in /api/v1) for a user-typed custom URL.

    Plain http is refused unless the host is loopback (a test or demo server).
    """
    text = url.strip()
    if not text:
        raise InvalidConnectionError("The custom base URL is empty.")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidConnectionError(f"The custom base URL is not valid: {exc}.") from None
    if scheme not in ("http", "https") or not host:
        raise InvalidConnectionError(
            "The custom base URL must look like https://clockify.example.com/api/v1."
        )
    if parts.username or parts.password:
        raise InvalidConnectionError(
            "The custom base URL must not contain a user name or password."
        )
    if scheme == "http" and not _is_loopback(host):
        raise InvalidConnectionError(
            f"Refusing plain http to {host}: the API key would travel unencrypted. "
            "Use https (plain http is allowed only for 127.0.0.1 and localhost)."
        )
    path = parts.path.rstrip("/")
    if not path.endswith("/api/v1"):
        path += "/api/v1"
    return urlunsplit((scheme, parts.netloc.lower(), path, "", ""))


@dataclass(frozen=True, slots=True)
class Connection:
    """A region or a custom base URL; `id` names it in the credential store and cache."""

    base_url: str
    region: str | None = None

    @classmethod
    def for_region(cls, region: str) -> Connection:
        code = region.strip().lower()
        if code not in REGIONS:
            known = ", ".join(REGIONS)
            raise InvalidConnectionError(f"Unknown region {region!r}: use one of {known}.")
        return cls(base_url=REGIONS[code][1], region=code)

    @classmethod
    def for_base_url(cls, url: str) -> Connection:
        return cls(base_url=normalise_base_url(url), region=None)

    @classmethod
    def from_options(cls, region: str | None, base_url: str | None) -> Connection:
        """--base-url wins over --region; neither means Global."""
        if base_url:
            return cls.for_base_url(base_url)
        return cls.for_region(region or "global")

    @property
    def id(self) -> str:
        return self.region if self.region else f"url:{self.base_url}"

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def label(self) -> str:
        if self.region:
            return f"{REGIONS[self.region][0]} ({self.host})"
        return self.base_url
