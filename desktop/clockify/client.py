"""The read-only Clockify client: complete lists, bounded retries, one error hierarchy.

Only GET is ever sent. The key travels in exactly one header, redirects are not
followed (a redirect to another host would carry the key along), and TLS is always
verified.
"""

from __future__ import annotations

import json
import logging
import random
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import requests
    from requests.structures import CaseInsensitiveDict

from desktop import __version__
from desktop.clockify.connection import ApiKey, Connection
from desktop.clockify.errors import (
    ClockifyError,
    KeyRejectedError,
    NetworkError,
    NoPermissionError,
    RateLimitedError,
    ServerError,
    UnexpectedResponseError,
    WorkspaceNotFoundError,
)
from desktop.clockify.models import Client, CurrentUser, User, Workspace

log = logging.getLogger(__name__)

PAGE_SIZE = 5000  # Clockify's maximum; a larger value is a 400.
MAX_PAGES = 2000  # 10 million rows: far beyond any workspace, short of forever.
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CODE_ACCESS_DENIED = 501

T = TypeVar("T")
ProgressCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How 429 and transient 5xx answers are retried.

    Attributes:
        attempts: total tries of one request, the first included.
        base_delay: first back-off in seconds; doubles each retry, with jitter.
        max_delay: cap of one back-off, and of an honoured Retry-After.
        max_total: no retry starts once this many seconds were spent waiting.
    """

    attempts: int = 4
    base_delay: float = 1.0
    max_delay: float = 20.0
    max_total: float = 45.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay)
        backoff = min(self.base_delay * 2.0**retry, self.max_delay)
        jitter: float = random.uniform(0.5, 1.0)  # noqa: S311 - jitter, not crypto
        return backoff * jitter


_WHITESPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, index: int = 0) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def loads_yielding(body: bytes) -> Any:
    """json.loads, but a top-level array is decoded one element at a time.

    One json.loads of a 5,000-user page (1.7 MB) holds the GIL for about 50 ms, and the
    GUI thread stalls that long. Element by element, the interpreter can switch threads
    between elements, at the cost of a few milliseconds per page.
    """
    text = body.decode("utf-8-sig")
    skip = _skip
    start = skip(text)
    if not text.startswith("[", start):
        return json.loads(text)
    items: list[Any] = []
    index = skip(text, start + 1)
    if text.startswith("]", index):
        index += 1
    else:
        decode = _DECODER.raw_decode
        while True:
            value, index = decode(text, index)
            items.append(value)
            index = skip(text, index)
            if text.startswith(",", index):
                index = skip(text, index + 1)
            elif text.startswith("]", index):
                index += 1
                break
            else:
                raise ValueError(f"expected ',' or ']' at {index}")
    if skip(text, index) != len(text):
        raise ValueError("extra data after the array")
    return items


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime  # rarely needed; 18 ms to import

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _error_body(response: requests.Response) -> tuple[str | None, int | None]:
    try:
        body = response.json()
    except ValueError:
        return None, None
    if not isinstance(body, dict):
        return None, None
    message = body.get("message")
    code = body.get("code")
    return (
        message if isinstance(message, str) else None,
        code if isinstance(code, int) else None,
    )


class ClockifyClient:
    """Reads workspaces, users, clients and the key's owner from one Clockify connection.

    Safe to use from several threads at once (one HTTP session per thread), so the users
    and the clients of a workspace can load concurrently.
    """

    def __init__(
        self,
        connection: Connection,
        api_key: ApiKey,
        *,
        timeout: tuple[float, float] = (5.0, 20.0),
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.connection = connection
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.page_size = page_size
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._sessions_lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClockifyClient({self.connection.label}, key=<hidden>)"

    # -- the calls -------------------------------------------------------------------------

    def current_user(self) -> CurrentUser:
        return CurrentUser.from_json(self._get_json("/user", {}))

    def workspaces(self) -> list[Workspace]:
        data = self._get_json("/workspaces", {})
        return [Workspace.from_json(item) for item in self._expect_list(data, "/workspaces")]

    def users(
        self,
        workspace_id: str,
        *,
        include_inactive: bool = False,
        progress: ProgressCallback | None = None,
    ) -> list[User]:
        params = {"status": "ALL" if include_inactive else "ACTIVE", "sort-column": "NAME"}
        try:
            return self._paginate(
                f"/workspaces/{workspace_id}/users", params, User.from_json, progress
            )
        except _AccessDenied:
            raise NoPermissionError(
                "No permission to list the users of this workspace: only its admins and "
                "owners may. Its clients are still available."
            ) from None

    def clients(
        self,
        workspace_id: str,
        *,
        include_archived: bool = False,
        progress: ProgressCallback | None = None,
    ) -> list[Client]:
        params = {} if include_archived else {"archived": "false"}
        try:
            return self._paginate(
                f"/workspaces/{workspace_id}/clients", params, Client.from_json, progress
            )
        except _AccessDenied:
            raise WorkspaceNotFoundError(workspace_id) from None

    def close(self) -> None:
        with self._sessions_lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()

    # -- paging ----------------------------------------------------------------------------

    def _paginate(
        self,
        path: str,
        params: dict[str, str],
        parse: Callable[[Any], T],
        progress: ProgressCallback | None,
    ) -> list[T]:
        """Fetch every page, by the stop rule of API.md.

        Stop on an empty page, on Last-Page: true, or (when no usable Last-Page header
        came) on a page shorter than the page size. Last-Page: false goes on even after
        a short page. A non-empty page identical to the previous one means the server
        ignores paging: that is an error, never a loop.
        """
        items: list[T] = []
        previous: list[Any] | None = None
        for page in range(1, MAX_PAGES + 1):
            query = {**params, "page": str(page), "page-size": str(self.page_size)}
            data, headers = self._get(path, query)
            batch = self._expect_list(data, path)
            if not batch:
                return items
            if batch == previous:
                raise UnexpectedResponseError(
                    f"The server at {self.connection.host} sent the same page twice for "
                    f"{path}: it seems to ignore paging, so the list cannot be made complete."
                )
            items.extend(parse(record) for record in batch)
            if progress is not None:
                progress(len(items))
            last_page = (headers.get("Last-Page") or "").strip().lower()
            if last_page == "true":
                return items
            if last_page != "false" and len(batch) < self.page_size:
                return items
            previous = batch
        raise UnexpectedResponseError(
            f"The server at {self.connection.host} kept sending pages of {path} "
            f"beyond {MAX_PAGES}; stopped."
        )

    def _expect_list(self, data: Any, path: str) -> list[Any]:
        if not isinstance(data, list):
            raise UnexpectedResponseError(
                f"Unexpected answer from {self.connection.host} for {path}: expected a list, "
                f"got {type(data).__name__}. Is this a Clockify server?"
            )
        return data

    # -- one request -----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            import requests  # here, not at import: it costs 0.2 s of the panel's start-up

            session = requests.Session()
            session.verify = True
            # Not the environment's .netrc: a second auth header makes Clockify answer 401.
            # Proxies from the environment are honoured per request (see _send).
            session.trust_env = False
            session.headers.update(
                {"Accept": "application/json", "User-Agent": f"clockify-panel/{__version__}"}
            )
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _get_json(self, path: str, params: dict[str, str]) -> Any:
        return self._get(path, params)[0]

    def _get(self, path: str, params: dict[str, str]) -> tuple[Any, CaseInsensitiveDict[str]]:
        waited = 0.0
        attempt = 0
        while True:
            response = self._send(path, params)
            status = response.status_code
            if status in _RETRY_STATUSES and attempt + 1 < self.retry.attempts:
                delay = self.retry.delay(
                    attempt, _parse_retry_after(response.headers.get("Retry-After"))
                )
                if waited + delay <= self.retry.max_total:
                    log.info(
                        "%s answered %s for %s; retrying in %.1f s",
                        self.connection.host,
                        status,
                        path,
                        delay,
                    )
                    response.close()
                    self._sleep(delay)
                    waited += delay
                    attempt += 1
                    continue
            if status == 200:
                return self._decode(response, path), response.headers
            self._raise_for_status(response, path)

    def _send(self, path: str, params: dict[str, str]) -> requests.Response:
        from requests import exceptions
        from requests.utils import get_environ_proxies

        url = self.connection.base_url + path
        host = self.connection.host
        try:
            return self._session().get(
                url,
                params=params,
                headers={"X-Api-Key": self._api_key.reveal()},
                timeout=self.timeout,
                allow_redirects=False,
                proxies=get_environ_proxies(url),  # HTTPS_PROXY and NO_PROXY, as users expect
            )
        except exceptions.SSLError:
            raise NetworkError(
                f"The secure connection to {host} failed: its certificate could not be verified."
            ) from None
        except exceptions.Timeout:
            raise NetworkError(
                f"Connection timeout: {host} did not answer within {self._timeout_text()}. "
                "Check your network and the region, then retry."
            ) from None
        except exceptions.ConnectionError as exc:
            raise NetworkError(self._connection_failure(host, exc)) from None
        except exceptions.RequestException as exc:
            raise NetworkError(f"The request to {host} failed ({type(exc).__name__}).") from None

    def _timeout_text(self) -> str:
        connect, read = self.timeout
        return f"{max(connect, read):g} s"

    @staticmethod
    def _connection_failure(host: str, exc: BaseException) -> str:
        text = repr(exc)
        if "NameResolution" in text or "Name or service not known" in text or "getaddrinfo" in text:
            return (
                f"No connection: the host name {host} could not be resolved. "
                "Check your network or the URL."
            )
        if "Connection refused" in text or "ConnectionRefused" in text:
            return f"No connection: {host} refused the connection."
        if (
            "Connection reset" in text
            or "RemoteDisconnected" in text
            or "ConnectionReset" in text
            or "ProtocolError" in text
        ):
            return f"The connection to {host} broke off before the answer was complete."
        return f"No connection to {host}. Check your network, then retry."

    def _decode(self, response: requests.Response, path: str) -> Any:
        from requests import exceptions

        host = self.connection.host
        try:
            body = response.content
        except exceptions.RequestException:
            raise NetworkError(
                f"The connection to {host} broke off before the answer was complete."
            ) from None
        try:
            return loads_yielding(body)
        except ValueError:
            raise UnexpectedResponseError(
                f"Unexpected answer from {host} for {path}: not valid JSON. "
                "Is this a Clockify server?"
            ) from None

    def _raise_for_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        host = self.connection.host
        message, code = _error_body(response)
        if status == 401:
            raise KeyRejectedError(host, message)
        if status in (400, 403) and code == _CODE_ACCESS_DENIED:
            raise _AccessDenied(message or "Access Denied")
        if status == 403:
            raise NoPermissionError(
                f"No permission: Clockify refused access to {path} ({message or 'Forbidden'})."
            )
        if status == 429:
            raise RateLimitedError(
                f"Rate limited: {host} answered 429 Too Many Requests, even after waiting. "
                "Free workspaces allow few API requests per hour; try again later."
            )
        if 300 <= status < 400:
            raise UnexpectedResponseError(
                f"Unexpected answer from {host}: a redirect ({status}), which is not followed "
                "so the key stays on this host. Is the base URL right?"
            )
        if status == 404:
            raise UnexpectedResponseError(
                f"Unexpected answer from {host}: {path} does not exist there (404). "
                "Is this a Clockify server, and is the base URL right?"
            )
        if status >= 500:
            raise ServerError(
                f"Clockify server error: {host} answered {status}. Try again in a moment."
            )
        detail = f": {message}" if message else ""
        raise ServerError(f"{host} refused the request ({status}){detail}.")


class _AccessDenied(ClockifyError):
    """Code 501: its meaning depends on the call (no permission or no such workspace)."""


__all__ = ["ClockifyClient", "ClockifyError", "RetryPolicy"]
