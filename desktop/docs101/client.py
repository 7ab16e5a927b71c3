"""The read-only docs101 client: the customer list, with the Clockify client's guarantees.

What it relies on of docs101's API:

- The API lives at https://docs101.com/api/v1 and is open to accounts on docs101's Pro
  plan. The key (docs101 shows keys starting with "ak_live_") goes in the `X-API-Key`
  header of each request.
- `GET /customer/` (the trailing slash belongs to the path) answers every customer at
  once, as a JSON list. Nothing promises that this stays so, so the client also accepts
  an object holding that list under `results`, `data`, `items` or `customers`, and
  follows paging if the object has any: a `next` link (which must stay on the same scheme
  and host, or it is refused), or else a `page` number with a `total` (or `count`) of
  customers still above what came so far. It stops on an empty page, refuses a page
  identical to the one before and a link it already followed (a server ignoring the
  paging), and gives up after MAX_PAGES pages, as the Clockify client does.
- A customer has an integer `id`; `organization_name` (null for a person), `first_name`,
  `last_name`, `email` and `vat_id` (such as DE123456789) are texts or null; `is_active`
  is a boolean. Other fields are not read.
- Errors: 401 the key was refused; 402 the plan does not allow it or its limit is used up
  (the body may tell `used`, `limit` and `reset_date`); 404 not found; 400 and 422 a
  request that failed validation. An error body carries its text in `message` or `error`;
  without either the status line tells.

The transport is the Clockify client's (desktop.clockify.client): only GET, the key in
exactly one header, TLS verified, no redirect followed, plain http (loopback only) never
through a proxy, one deadline for the whole request however slowly the bytes come, the
body read in chunks up to MAX_BODY_BYTES after decompression, strict JSON. Any server
text is quoted with the key hidden, and every error leaving the client is searched for
the key once more.
"""

from __future__ import annotations

import contextlib
import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urljoin, urlsplit

from desktop.clockify.client import (
    MAX_BODY_BYTES,
    MAX_ERROR_BODY_BYTES,
    MAX_PAGES,
    BodyError,
    ThreadSessions,
    bounded_get,
    loads_whole,
    loads_yielding,
    read_body,
    request_deadline,
)
from desktop.clockify.connection import MAX_KEY_LENGTH, ApiKey, normalise_base_url
from desktop.clockify.errors import InvalidConnectionError, redact, server_text
from desktop.clockify.models import MAX_ID_LENGTH
from desktop.docs101.errors import (
    Docs101ConnectionError,
    Docs101Error,
    Docs101KeyRejectedError,
    Docs101NetworkError,
    Docs101NotFoundError,
    Docs101PlanError,
    Docs101ServerError,
    Docs101UnexpectedError,
    Docs101UnusableKeyError,
)

if TYPE_CHECKING:
    import requests

DEFAULT_BASE_URL = "https://docs101.com/api/v1"
CUSTOMERS_PATH = "/customer/"
#: Where an object answer may hold the list of customers, in the order they are looked for.
LIST_KEYS = ("results", "data", "items", "customers")
#: The longest reset date quoted from a 402 answer.
_DATE_LIMIT = 40
_SURROGATES = str.maketrans(dict.fromkeys(range(0xD800, 0xE000), "\ufffd"))


def _clean(value: str) -> str:
    """`value` with lone surrogates replaced, so that it encodes as UTF-8."""
    return value if value.isascii() else value.translate(_SURROGATES)


def _text(record: dict[str, Any], key: str) -> str | None:
    """A text field: a text as it is, a number as its text, anything else None."""
    value = record.get(key)
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@dataclass(frozen=True, slots=True)
class Docs101Customer:
    """One docs101 customer, parsed leniently: only `id` is required.

    A field of the wrong type never raises: a number becomes its text, anything else
    where a text belongs counts as missing. `is_active` is False only when docs101 says
    false. `id` is docs101's integer id as text.
    """

    id: str
    organization_name: str | None
    first_name: str | None
    last_name: str | None
    email: str | None
    vat_id: str | None
    is_active: bool = True

    @classmethod
    def from_json(cls, record: Any) -> Docs101Customer:
        if not isinstance(record, dict):
            raise Docs101UnexpectedError(
                f"Unexpected answer from docs101: a customer is {type(record).__name__}, "
                "not an object."
            )
        ident = record.get("id")
        if isinstance(ident, int) and not isinstance(ident, bool):
            text = str(ident)
        elif isinstance(ident, str) and ident.strip() and len(ident) <= MAX_ID_LENGTH:
            text = _clean(ident)
        else:
            raise Docs101UnexpectedError("Unexpected answer from docs101: a customer has no id.")
        return cls(
            id=text,
            organization_name=_text(record, "organization_name"),
            first_name=_text(record, "first_name"),
            last_name=_text(record, "last_name"),
            email=_text(record, "email"),
            vat_id=_text(record, "vat_id"),
            is_active=record.get("is_active") is not False,
        )

    @property
    def display_name(self) -> str | None:
        """The organisation's name, or for a person "first last"; None if neither is there."""
        if self.organization_name and self.organization_name.strip():
            return self.organization_name.strip()
        parts = [p.strip() for p in (self.first_name, self.last_name) if p and p.strip()]
        return " ".join(parts) or None


class Docs101Client:
    """Reads the customer list of one docs101 account.

    `api_key` is an ApiKey (desktop.clockify.connection: hides itself in repr and str) or
    the key's text. `timeout` is (connect, total) in seconds: connecting may take at most
    `connect`, the whole request (connecting, headers, body) at most `total`. Safe to use
    from several threads (one HTTP session per thread); `close()` ends them.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        api_key: ApiKey | str = "",
        *,
        timeout: tuple[float, float] = (5.0, 20.0),
        yielding: bool = True,
    ) -> None:
        if not all(math.isfinite(t) and t > 0 for t in timeout):
            raise ValueError("the timeouts must be positive, finite numbers of seconds")
        try:
            self.base_url = normalise_base_url(base_url)
        except InvalidConnectionError as exc:
            raise Docs101ConnectionError(f"docs101: {exc.message}") from None
        if isinstance(api_key, ApiKey):
            self._api_key = api_key
        else:
            try:
                if len(api_key.strip()) > MAX_KEY_LENGTH:  # ApiKey's text names Clockify
                    raise ValueError(
                        f"it is {len(api_key.strip()):,} characters long, far longer than "
                        "any API key"
                    )
                self._api_key = ApiKey(api_key)
            except ValueError as exc:
                raise Docs101UnusableKeyError(
                    f"The docs101 API key cannot be used: {exc}."
                ) from None
        parts = urlsplit(self.base_url)
        self._scheme = parts.scheme
        self.host = parts.netloc
        self.timeout = timeout
        self._loads: Callable[[bytes | bytearray], Any] = (
            loads_yielding if yielding else loads_whole
        )
        self._sessions = ThreadSessions()

    def __repr__(self) -> str:
        return f"Docs101Client({self.base_url}, key=<hidden>)"

    # -- the call ----------------------------------------------------------------------------

    def customers(self) -> list[Docs101Customer]:
        """Every customer of the account, all pages followed; a Docs101Error if not."""
        with self._key_hidden():
            return [Docs101Customer.from_json(record) for record in self._records()]

    def close(self) -> None:
        self._sessions.close()

    # -- paging ------------------------------------------------------------------------------

    def _records(self) -> list[Any]:
        first = self.base_url + CUSTOMERS_PATH
        url = first
        followed = {url}
        records: list[Any] = []
        previous: list[Any] | None = None
        for page in range(1, MAX_PAGES + 1):
            data = self._get(url)
            if isinstance(data, list):
                batch, more = data, None
            else:
                batch = self._list_in(data, url)
                more = self._next_url(data, url, first, page, len(records) + len(batch))
            if not batch:
                return records
            if batch == previous:
                raise Docs101UnexpectedError(
                    f"The server at {self.host} sent the same page of customers twice: it "
                    "seems to ignore paging, so the list cannot be made complete."
                )
            records.extend(batch)
            if more is None:
                return records
            if more in followed:
                raise Docs101UnexpectedError(
                    f"The server at {self.host} sent a paging link it had sent before: the "
                    "list of customers would never end."
                )
            followed.add(more)
            previous, url = batch, more
        raise Docs101UnexpectedError(
            f"The server at {self.host} kept sending pages of customers beyond {MAX_PAGES}; "
            "stopped."
        )

    def _list_in(self, data: Any, url: str) -> list[Any]:
        if isinstance(data, dict):
            for key in LIST_KEYS:
                value = data.get(key)
                if isinstance(value, list):
                    return value
        raise Docs101UnexpectedError(
            f"Unexpected answer from {self.host} for {self._path(url)}: no list of customers "
            f"in it (got {type(data).__name__}). Is this docs101's API?"
        )

    def _next_url(
        self, data: dict[str, Any], url: str, first: str, page: int, got: int
    ) -> str | None:
        """The next page's address, or None when this page is the last.

        A `next` link wins (null or empty: the last page); without one, a `total` (or
        `count`) above what came so far asks for `page` + 1 of the first address.
        """
        if "next" in data:
            link = data["next"]
            if not isinstance(link, str) or not link.strip():
                return None
            target = urljoin(url, link.strip())
            parts = urlsplit(target)
            if parts.scheme.lower() != self._scheme or parts.netloc.lower() != self.host.lower():
                raise Docs101UnexpectedError(
                    f"Unexpected answer from {self.host}: its link to the next page of "
                    "customers leads to another host or scheme, which is not followed so "
                    "the key stays on this host."
                )
            return target
        total = _number(data.get("total"))
        if total is None:
            total = _number(data.get("count"))
        if total is None or got >= total:
            return None
        current = _number(data.get("page"))
        return f"{first}?page={(current if current is not None else page) + 1}"

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    # -- one request -------------------------------------------------------------------------

    @contextlib.contextmanager
    def _key_hidden(self) -> Iterator[None]:
        """The last guard: no error leaves the client with the key in its text (a server can
        put it into a paging link, an id, anything quoted)."""
        try:
            yield
        except Docs101Error as exc:
            message = redact(exc.message, self._api_key.reveal())
            if message != exc.message:
                exc.message = message
                exc.args = (message,)
            raise

    def _session(self) -> requests.Session:
        return self._sessions.get()

    def _get(self, url: str) -> Any:
        """The decoded JSON of the 200 answer to GET `url`; any other answer raises."""
        path = self._path(url)
        deadline = time.monotonic() + self.timeout[1]
        with request_deadline(deadline):
            response = self._send(url, deadline)
            try:
                if response.status_code != 200:
                    self._raise_for_status(response, path, deadline)
                body = self._read(response, path, MAX_BODY_BYTES, deadline)
            finally:
                response.close()
        try:
            return self._loads(body)
        except ValueError:
            raise Docs101UnexpectedError(
                f"Unexpected answer from {self.host} for {path}: not valid JSON. "
                "Is this docs101's API?"
            ) from None

    def _send(self, url: str, deadline: float) -> requests.Response:
        return bounded_get(
            self._session(),
            url,
            host=self.host,
            headers={"X-API-Key": self._api_key.reveal()},
            deadline=deadline,
            connect_timeout=self.timeout[0],
            network_error=Docs101NetworkError,
            timeout_error=self._timeout_error,
        )

    def _timeout_error(self) -> Docs101NetworkError:
        seconds = max(self.timeout)
        return Docs101NetworkError(
            f"Connection timeout: {self.host} did not answer within {seconds:g} s. "
            "Check your network, then retry."
        )

    def _read(
        self, response: requests.Response, path: str, limit: int, deadline: float
    ) -> bytearray:
        try:
            return read_body(response, limit, deadline)
        except BodyError as problem:
            kind = problem.kind
        host = self.host
        if kind == "too-large":
            size = f"{limit // 1024 // 1024} MB" if limit >= 1024 * 1024 else f"{limit // 1024} KB"
            raise Docs101UnexpectedError(
                f"Unexpected answer from {host} for {path}: larger than {size}. "
                "Is this docs101's API?"
            )
        if kind == "encoding":
            raise Docs101UnexpectedError(
                f"Unexpected answer from {host} for {path}: compressed in a way that was not "
                "asked for. Is this docs101's API?"
            )
        if kind == "gzip":
            raise Docs101UnexpectedError(
                f"Unexpected answer from {host} for {path}: its gzip compression is broken."
            )
        if kind == "timeout":
            raise self._timeout_error()
        raise Docs101NetworkError(
            f"The connection to {host} broke off before the answer was complete."
        )

    def _error_body(self, response: requests.Response, path: str, deadline: float) -> Any:
        """The error answer's JSON, or None if it is too large, late, broken or not JSON."""
        try:
            return loads_whole(self._read(response, path, MAX_ERROR_BODY_BYTES, deadline))
        except (Docs101Error, ValueError):
            return None

    def _quoted(self, text: Any) -> str | None:
        if not isinstance(text, str) or not text.strip():
            return None
        return server_text(text.strip(), self._api_key.reveal())

    def _raise_for_status(
        self, response: requests.Response, path: str, deadline: float
    ) -> NoReturn:
        status = response.status_code
        host = self.host
        if 300 <= status < 400:
            raise Docs101UnexpectedError(
                f"Unexpected answer from {host}: a redirect ({status}), which is not followed "
                "so the key stays on this host. Is the base URL right?"
            )
        data = self._error_body(response, path, deadline)
        fields = data if isinstance(data, dict) else {}
        message = self._quoted(fields.get("message")) or self._quoted(fields.get("error"))
        status_line = f"{status} {self._quoted(response.reason) or ''}".strip()
        if status == 401:
            raise Docs101KeyRejectedError(host, message)
        if status == 402:
            raise self._plan_error(fields, message)
        if status == 404:
            raise Docs101NotFoundError(
                f"docs101 answered {status_line} for {path} at {host}: is the base URL right "
                f"(docs101's is {DEFAULT_BASE_URL})?"
            )
        if status >= 500:
            raise Docs101ServerError(
                f"docs101 server error: {host} answered {status_line}. Try again in a moment."
            )
        raise Docs101ServerError(
            f"docs101 refused the request for {path} ({message or status_line})."
        )

    def _plan_error(self, fields: dict[str, Any], message: str | None) -> Docs101PlanError:
        used, limit = _number(fields.get("used")), _number(fields.get("limit"))
        reset = self._quoted(fields.get("reset_date"))
        reset = reset[:_DATE_LIMIT] if reset else None
        said = f' (server said: "{message}")' if message else ""
        if used is None and limit is None and reset is None:
            text = f"docs101 refused the request{said}: its API needs docs101's Pro plan."
        else:
            counts = f" ({used} of {limit} used)" if used is not None and limit is not None else ""
            when = f"; it resets on {reset}" if reset else ""
            text = f"docs101's plan limit is used up{counts}{said}{when}."
        return Docs101PlanError(
            text,
            used=used,
            limit=limit,
            reset_date=reset,
        )


__all__ = ["DEFAULT_BASE_URL", "Docs101Client", "Docs101Customer"]
