"""Where to connect (region or custom base URL) and the API key wrapper that hides itself."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, replace
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


#: Clockify's keys are about 48 characters; a key over this length is a paste gone wrong.
MAX_KEY_LENGTH = 256
#: Longer than any API address a person types; keeps hostile input small.
MAX_URL_LENGTH = 2000

#: A connection's storage slot (`Connection.account`): 1 to 32 lowercase letters or digits.
_ACCOUNT = re.compile(r"[a-z0-9]{1,32}\Z")
MAX_ACCOUNT_LENGTH = 32

_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)\Z")
# RFC 3986 path characters: unreserved, sub-delims, ":", "@", "/" and percent escapes.
_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]*\Z")


def check_api_key(text: str) -> str:
    """The key without surrounding white space; ValueError saying what is wrong with it.

    A key is printable ASCII with no spaces, 1 to MAX_KEY_LENGTH characters: anything else
    cannot travel in an HTTP header and is refused before it is stored or sent. The message
    never repeats the key.
    """
    value = text.strip()
    if not value:
        raise ValueError("the API key is empty")
    if len(value) > MAX_KEY_LENGTH:
        raise ValueError(
            f"the API key is {len(value):,} characters long; Clockify's keys are far shorter "
            f"(at most {MAX_KEY_LENGTH} are accepted)"
        )
    if not value.isascii():
        raise ValueError(
            "the API key contains characters that are not plain ASCII letters, digits or "
            "punctuation (copied from a formatted document?)"
        )
    if any(not ("!" <= ch <= "~") for ch in value):
        raise ValueError("the API key contains spaces or control characters")
    return value


class ApiKey:
    """A Clockify API key that never shows itself in repr(), str() or f-strings.

    Use `reveal()` at the single place that builds the request header.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = check_api_key(value)

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


def _check_host(host: str) -> str:
    """The host in the form requests will use (IDNA for non-ASCII names), or the reason."""
    if ":" in host:  # an IPv6 address; urlsplit has removed its brackets
        try:
            if "%" in host:
                raise ValueError("zone ids are not supported")
            return str(ipaddress.IPv6Address(host))
        except ValueError:
            raise InvalidConnectionError(
                f"The custom base URL's host [{host}] is not a valid IPv6 address."
            ) from None
    name = host[:-1] if host.endswith(".") else host  # one trailing dot: a full DNS name
    labels = []
    for label in name.split("."):
        if not label:
            raise InvalidConnectionError(
                f"The custom base URL's host {host!r} has an empty part between dots."
            )
        try:
            ascii_label = label.encode("idna").decode("ascii").lower()
        except UnicodeError:
            ascii_label = ""  # the codec refuses labels over 63 characters, among others
        if len(label) > 63 or len(ascii_label) > 63:
            raise InvalidConnectionError(
                "The custom base URL's host has a part longer than 63 characters."
            )
        if not _HOST_LABEL.match(ascii_label):
            raise InvalidConnectionError(
                f"The custom base URL's host {host!r} may contain only letters, digits, "
                "hyphens and dots."
            )
        labels.append(ascii_label)
    ascii_name = ".".join(labels)
    if len(ascii_name) > 253:
        raise InvalidConnectionError(
            "The custom base URL's host name is longer than 253 characters."
        )
    return ascii_name


def normalise_base_url(url: str) -> str:
    """Return the API base URL (ending in /api/v1) for a user-typed custom URL.

    Every malformed URL raises InvalidConnectionError with one sentence saying what is
    wrong: bad brackets, empty or over-long host labels, bad ports, queries, fragments,
    spaces or control characters. Plain http is refused unless the host is loopback (a
    test or demo server).
    """
    text = url.strip()
    if not text:
        raise InvalidConnectionError("The custom base URL is empty.")
    if len(text) > MAX_URL_LENGTH:
        raise InvalidConnectionError(
            f"The custom base URL is longer than {MAX_URL_LENGTH} characters."
        )
    if any(ch.isspace() or not ch.isprintable() or ch == "\\" for ch in text):
        raise InvalidConnectionError(
            "The custom base URL must not contain spaces, backslashes or control characters."
        )
    if "://" not in text:
        text = "https://" + text
    try:
        parts = urlsplit(text)
        hostname = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        # urlsplit: unbalanced brackets; .port: not a number or out of range.
        reason = (
            "its port is not a number from 1 to 65535"
            if "port" in str(exc).lower()
            else "its brackets [ ] do not enclose an IPv6 address"
        )
        raise InvalidConnectionError(f"The custom base URL is not valid: {reason}.") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not hostname:
        raise InvalidConnectionError(
            "The custom base URL must look like https://clockify.example.com/api/v1."
        )
    if "@" in parts.netloc:
        raise InvalidConnectionError(
            "The custom base URL must not contain a user name or password."
        )
    if port == 0 or parts.netloc.endswith(":"):
        raise InvalidConnectionError(
            "The custom base URL is not valid: its port is not a number from 1 to 65535."
        )
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise InvalidConnectionError(
            "The custom base URL must not contain a query (?...) or a fragment (#...): "
            "give the address of the API only, such as https://clockify.example.com/api/v1."
        )
    if not _PATH.match(parts.path):
        raise InvalidConnectionError(
            "The custom base URL's path contains characters a URL cannot hold."
        )
    host = _check_host(hostname)
    if scheme == "http" and not _is_loopback(host):
        raise InvalidConnectionError(
            f"Refusing plain http to {host}: the API key would travel unencrypted. "
            "Use https (plain http is allowed only for 127.0.0.1 and localhost)."
        )
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc += f":{port}"
    path = parts.path.rstrip("/")
    if not path.endswith("/api/v1"):
        path += "/api/v1"
    return urlunsplit((scheme, netloc, path, "", ""))


def check_account(account: str) -> str:
    """`account` when it can be a storage slot (1 to 32 of a-z and 0-9), else
    InvalidConnectionError."""
    if not isinstance(account, str) or not _ACCOUNT.match(account):
        raise InvalidConnectionError(
            f"A connection's storage slot must be 1 to {MAX_ACCOUNT_LENGTH} lowercase "
            "letters or digits."
        )
    return account


@dataclass(frozen=True, slots=True)
class Connection:
    """A region or a custom base URL, and a storage slot; `id` names it in the credential
    store, the cache and the request ledger.

    `account` tells apart several connections to the same address (several Clockify
    accounts on one server, each with its own key): None is the slot of earlier versions,
    whose `id` is the address's alone, so a key, cache and ledger entries stored before
    keep their names; any other slot (1 to 32 of a-z and 0-9) gives ``{address id}#{slot}``.
    """

    base_url: str
    region: str | None = None
    account: str | None = None

    def __post_init__(self) -> None:
        if self.account is not None:
            check_account(self.account)

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

    def with_account(self, account: str | None) -> Connection:
        """This address in the storage slot `account` (None: the slot of earlier versions);
        InvalidConnectionError for a slot that is not 1 to 32 of a-z and 0-9."""
        return replace(self, account=account)

    @property
    def address_id(self) -> str:
        """The `id` of this address in the slot of earlier versions (None)."""
        return self.region if self.region else f"url:{self.base_url}"

    @property
    def id(self) -> str:
        base = self.address_id
        return base if self.account is None else f"{base}#{self.account}"

    def same_address(self, other: Connection) -> bool:
        """Whether `other` talks to the same server (whatever its storage slot)."""
        return self.address_id == other.address_id

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).netloc

    @property
    def label(self) -> str:
        if self.region:
            return f"{self.server_name} ({self.host})"
        return self.base_url

    @property
    def server_name(self) -> str:
        """The server in a word or two: the region's name ("EU (Germany)"), else the host."""
        return REGIONS[self.region][0] if self.region else self.host
