"""The read-only Clockify client: complete lists, bounded retries, one error hierarchy.

Only GET is ever sent. The key travels in exactly one header, redirects are not
followed (a redirect to another host would carry the key along), TLS is always
verified, and plain http (allowed only to loopback) never goes through a proxy.

Every answer is bounded, whatever the server does: one deadline covers the whole request
(connecting, the headers and the body, however slowly its bytes arrive), the body is
read in chunks up to MAX_BODY_BYTES after decompression, and a JSON answer that cannot
be decoded (malformed, nested too deeply) is an UnexpectedResponseError. Ids go into
paths percent-encoded, and any text from a server is quoted with the key hidden.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import math
import random
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar
from urllib.parse import quote, unquote

if TYPE_CHECKING:
    import requests
    from requests.adapters import HTTPAdapter
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
    UnusableKeyError,
    WorkspaceNotFoundError,
    redact,
    server_text,
)
from desktop.clockify.models import MAX_ID_LENGTH, Client, CurrentUser, User, Workspace

log = logging.getLogger(__name__)

PAGE_SIZE = 5000  # Clockify's maximum; a larger value is a 400.
MAX_PAGES = 2000  # 10 million rows: far beyond any workspace, short of forever.
#: The largest answer read, after decompression. A page of 5,000 records is a few MB.
MAX_BODY_BYTES = 64 * 1024 * 1024
#: The largest error answer read; Clockify's are a line of JSON. A larger one is not quoted.
MAX_ERROR_BODY_BYTES = 64 * 1024
_CHUNK = 64 * 1024  # bytes asked of the connection at a time
_PIECE = 1024 * 1024  # the most one step of decompression may produce
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_CODE_ACCESS_DENIED = 501

T = TypeVar("T")
Row = dict[str, Any]
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


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


# Strict JSON: NaN, Infinity and -Infinity are refused, as the standard says.
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _skip(text: str, index: int = 0) -> int:
    match = _WHITESPACE.match(text, index)
    return match.end() if match else index


def loads_yielding(body: bytes | bytearray) -> Any:
    """json.loads, but a top-level array is decoded one element at a time.

    One json.loads of a 5,000-user page (1.7 MB) holds the GIL for about 50 ms, and the
    GUI thread stalls that long. Element by element, the interpreter can switch threads
    between elements, at the cost of a few milliseconds per page.

    Anything that is not strict JSON raises ValueError, a nesting too deep for the
    decoder included.
    """
    try:
        return _loads_yielding(body)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def _loads_yielding(body: bytes | bytearray) -> Any:
    text = body.decode("utf-8-sig")
    skip = _skip
    start = skip(text)
    if not text.startswith("[", start):
        return _DECODER.decode(text)
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


def loads_whole(body: bytes | bytearray) -> Any:
    """json.loads in one call, as strict as loads_yielding: for a caller with no other
    thread to keep responsive (the command line), in about half its time.

    Anything that is not strict JSON raises ValueError, a nesting too deep for the
    decoder included.
    """
    try:
        return _DECODER.decode(body.decode("utf-8-sig"))
    except RecursionError:
        raise ValueError("nested too deeply") from None


def decode_json(
    body: bytes | bytearray, where: str, loads: Callable[[bytes | bytearray], Any] = loads_yielding
) -> Any:
    """The JSON value of an answer, or UnexpectedResponseError naming `where` it came from."""
    try:
        return loads(body)
    except ValueError:
        raise UnexpectedResponseError(
            f"Unexpected answer from {where}: not valid JSON. Is this a Clockify server?"
        ) from None


def path_segment(value: str) -> str | None:
    """`value` percent-encoded as one path segment, or None if no segment can carry it.

    "/", "?", "#" and "%" are encoded, so an id can neither reach another path nor add a
    query. "", "." and ".." cannot be sent at all: requests and urllib3 undo the encoding
    of dots and then resolve the dot segments.
    """
    if value in ("", ".", ".."):
        return None
    return quote(value, safe="", errors="surrogatepass")


def _parse_retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    from email.utils import parsedate_to_datetime  # rarely needed; 18 ms to import

    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _content_length(value: str | None) -> int | None:
    """The announced length, if it is one number (any number of digits; Python's int()
    refuses more than 4,300)."""
    text = (value or "").strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if len(text) <= 18 else 10**18


class _TooLarge(Exception):
    """The answer grew past its limit."""


class _Gunzip:
    """Inflates a gzip body chunk by chunk, never past a limit (a gzip bomb stops there)."""

    def __init__(self) -> None:
        self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)

    @property
    def complete(self) -> bool:
        return self._inflater.eof

    def feed(self, data: bytes, into: bytearray, limit: int) -> None:
        """Append what `data` inflates to; raise _TooLarge past `limit`, zlib.error if bad."""
        while data:
            inflater = self._inflater
            while data:
                into += inflater.decompress(data, _PIECE)
                if len(into) > limit:
                    raise _TooLarge
                data = inflater.unconsumed_tail
            data = inflater.unused_data if inflater.eof else b""
            if data:  # another gzip member follows
                self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)


# -- the transport: one deadline for the whole request --------------------------------------

_deadline = threading.local()  # .at: the time.monotonic() the running request must end by


def _current_deadline() -> float | None:
    at: float | None = getattr(_deadline, "at", None)
    return at


@functools.cache
def _adapter_class() -> type[HTTPAdapter]:
    """An HTTPAdapter whose connections never wait past the running request's deadline.

    requests' read timeout bounds each wait for bytes; a server sending a byte a second
    never reaches it. Here every read of the status line, the headers and the body first
    sets the socket's timeout to the time left, and the TLS handshake gets the time left
    too. Built on first use: importing requests costs the panel's start-up 0.2 s.
    """
    import http.client
    import io
    import socket

    from requests.adapters import HTTPAdapter
    from urllib3.connection import HTTPConnection, HTTPSConnection
    from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
    from urllib3.poolmanager import ProxyManager

    if TYPE_CHECKING:
        from _typeshed import WriteableBuffer

    class DeadlineReader(io.RawIOBase):
        """A socket's bytes, each read given only the time left before the deadline.

        Reads through the socket's own raw file (as http.client does), which holds the
        socket open after the connection lets go of it (an answer with Connection: close).
        """

        def __init__(self, sock: socket.socket, deadline: float) -> None:
            super().__init__()
            self._sock = sock
            self._raw = sock.makefile("rb", buffering=0)
            self._deadline = deadline

        def readable(self) -> bool:
            return True

        def fileno(self) -> int:
            return self._raw.fileno()

        def readinto(self, buffer: WriteableBuffer) -> int:
            left = self._deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request's deadline has passed")
            self._sock.settimeout(left)
            got = self._raw.readinto(buffer)
            if got is None:  # "would block": only a socket without a timeout says that
                raise TimeoutError("the socket had nothing to read")
            return got

        def close(self) -> None:
            if not self.closed:
                self._raw.close()
            super().close()

    class DeadlineResponse(http.client.HTTPResponse):
        def __init__(
            self,
            sock: socket.socket,
            debuglevel: int = 0,
            method: str | None = None,
            url: str | None = None,
        ) -> None:
            super().__init__(sock, debuglevel, method, url)
            deadline = _current_deadline()
            if deadline is not None:
                raw = DeadlineReader(sock, deadline)
                self.fp.close()  # after the new reader took its hold on the socket
                self.fp = io.BufferedReader(raw)

    def bounded(sock: socket.socket) -> socket.socket:
        deadline = _current_deadline()
        if deadline is not None:  # the TLS handshake that follows waits at most this long
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
        return sock

    class DeadlineHTTPConnection(HTTPConnection):
        response_class = DeadlineResponse

        def _new_conn(self) -> socket.socket:
            return bounded(super()._new_conn())

    class DeadlineHTTPSConnection(HTTPSConnection):
        response_class = DeadlineResponse

        def _new_conn(self) -> socket.socket:
            return bounded(super()._new_conn())

    class DeadlinePool(HTTPConnectionPool):
        ConnectionCls = DeadlineHTTPConnection

    class DeadlineHTTPSPool(HTTPSConnectionPool):
        ConnectionCls = DeadlineHTTPSConnection

    pools: dict[str, type[HTTPConnectionPool]] = {
        "http": DeadlinePool,
        "https": DeadlineHTTPSPool,
    }

    class DeadlineAdapter(HTTPAdapter):
        def init_poolmanager(
            self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any
        ) -> None:
            super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
            self.poolmanager.pool_classes_by_scheme = pools

        def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> ProxyManager:
            manager: ProxyManager = super().proxy_manager_for(proxy, **proxy_kwargs)
            if not proxy.lower().startswith("socks"):  # SOCKS has its own connections
                manager.pool_classes_by_scheme = pools
            return manager

    return DeadlineAdapter


@contextlib.contextmanager
def request_deadline(at: float) -> Iterator[None]:
    """Inside: the connections of this thread never wait past `at` (time.monotonic()).

    Covers connecting, the TLS handshake, the status line, the headers and every read
    of the body through sessions made by new_session().
    """
    _deadline.at = at
    try:
        yield
    finally:
        _deadline.at = None


class ThreadSessions:
    """One `new_session()` per thread that asks (a Session is not safe to share between
    threads; each keeps its own connection alive), and every one closed by `close`."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._made: list[requests.Session] = []
        self._lock = threading.Lock()

    def get(self) -> requests.Session:
        """This thread's session, made on its first request."""
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = new_session()
            self._local.session = session
            with self._lock:
                self._made.append(session)
        return session

    def close(self) -> None:
        """Close every session made so far (a thread asking later gets a new one)."""
        with self._lock:
            made, self._made = self._made, []
        for session in made:
            session.close()


def new_session() -> requests.Session:
    """A requests session as the clients use it: the deadline adapter for http and https,
    TLS verified, nothing taken from the environment (no .netrc; proxies are chosen per
    request by proxies_for), JSON and gzip asked for."""
    import requests  # here, not at import: it costs 0.2 s of the panel's start-up

    session = requests.Session()
    adapter = _adapter_class()()
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    session.verify = True
    # Not the environment's .netrc: a second auth header makes Clockify answer 401.
    # Proxies from the environment are chosen per request (see proxies_for).
    session.trust_env = False
    session.headers.update(
        {
            "Accept": "application/json",
            "Accept-Encoding": "gzip",  # the only encoding read_body inflates
            "User-Agent": f"clockify-panel/{__version__}",
        }
    )
    return session


def proxies_for(url: str) -> dict[str, str]:
    """The proxies a request to `url` goes through.

    None for plain http: it is allowed only to loopback, and a proxy there would read
    the key in clear text. For https, the environment's HTTPS_PROXY (or ALL_PROXY) as
    users behind a company proxy expect, NO_PROXY honoured; the key stays inside TLS.
    """
    if not url.lower().startswith("https://"):
        return {}
    from requests.utils import get_environ_proxies

    found = get_environ_proxies(url)
    return {scheme: proxy for scheme, proxy in found.items() if scheme in ("https", "all")}


def connection_failure(host: str, exc: BaseException) -> str:
    """One sentence for a connection that failed (not a timeout): `host` unresolved,
    refused, broken off, or otherwise unreachable."""
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


def bounded_get(
    session: requests.Session,
    url: str,
    *,
    host: str,
    headers: dict[str, str],
    deadline: float,
    connect_timeout: float,
    network_error: Callable[[str], Exception],
    timeout_error: Callable[[], Exception],
    params: dict[str, str] | None = None,
) -> requests.Response:
    """GET `url` as the clients send it: no redirect followed, the body left for read_body
    (streamed), proxies by proxies_for, connecting within `connect_timeout` seconds and the
    whole before `deadline` (time.monotonic()).

    A failure raises timeout_error() for a timeout (or a connection failing past the
    deadline), else network_error(a sentence naming `host`): the certificate, the proxy,
    the connection (see connection_failure) or any other; never requests' exception.
    """
    from requests import exceptions

    left = max(deadline - time.monotonic(), 0.001)
    try:
        return session.get(
            url,
            params=params,
            headers=headers,
            timeout=(min(connect_timeout, left), left),
            allow_redirects=False,
            stream=True,  # the body is read by read_body, bounded
            proxies=proxies_for(url),
        )
    except exceptions.SSLError:
        raise network_error(
            f"The secure connection to {host} failed: its certificate could not be verified."
        ) from None
    except exceptions.Timeout:
        raise timeout_error() from None
    except exceptions.ProxyError:
        raise network_error(
            f"The proxy set by HTTPS_PROXY (or ALL_PROXY) failed or refused the "
            f"connection to {host}. Check the proxy, or exclude {host} with NO_PROXY."
        ) from None
    except exceptions.ConnectionError as exc:
        if time.monotonic() >= deadline:
            raise timeout_error() from None
        raise network_error(connection_failure(host, exc)) from None
    except exceptions.RequestException as exc:
        raise network_error(f"The request to {host} failed ({type(exc).__name__}).") from None


class BodyError(Exception):
    """Why read_body could not read a body whole; `kind` is one of BODY_ERRORS."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


#: too-large: past the limit (announced or not); encoding: compressed another way than
#: gzip; gzip: broken gzip; timeout: the deadline passed; broke-off: the connection ended
#: before the body did.
BODY_ERRORS = ("too-large", "encoding", "gzip", "timeout", "broke-off")


def read_body(response: requests.Response, limit: int, deadline: float) -> bytearray:
    """The whole body of a streamed response, decompressed, at most `limit` bytes, read
    before `deadline` (time.monotonic()); BodyError saying why not."""
    from http.client import HTTPException

    from urllib3.exceptions import HTTPError, ReadTimeoutError

    length = _content_length(response.headers.get("Content-Length"))
    if length is not None and length > limit:
        raise BodyError("too-large")
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    gunzip: _Gunzip | None = None
    if encoding in ("gzip", "x-gzip"):
        gunzip = _Gunzip()
    elif encoding not in ("", "identity"):
        raise BodyError("encoding")
    body = bytearray()
    try:
        while True:
            if time.monotonic() >= deadline:
                raise TimeoutError
            chunk: bytes = response.raw.read(_CHUNK, decode_content=False)
            if not chunk:
                break
            if gunzip is None:
                body += chunk
                if len(body) > limit:
                    raise BodyError("too-large")
            else:
                gunzip.feed(chunk, body, limit)
    except _TooLarge:
        raise BodyError("too-large") from None
    except zlib.error:
        raise BodyError("gzip") from None
    except (HTTPError, HTTPException, OSError) as exc:
        if isinstance(exc, ReadTimeoutError | TimeoutError) or time.monotonic() >= deadline:
            raise BodyError("timeout") from None
        raise BodyError("broke-off") from None
    if gunzip is not None and not gunzip.complete:
        raise BodyError("broke-off")
    return body


class RequestGate(Protocol):
    """Counts the requests a client sends, and may refuse one before it is sent.

    Called on the thread sending the request, once per request (retries included).
    `workspace_id` is the workspace the path names, None for `/user` and `/workspaces`;
    `automatic` tells a request the app sent on its own (a refresh at start, a load the
    filter triggered, a retry) from one the user asked for.
    """

    def admit(self, workspace_id: str | None, automatic: bool) -> None:
        """Record the request about to be sent, or raise RequestBudgetError to stop it."""

    def rate_limited(self, workspace_id: str | None) -> None:
        """The server answered 429 to a request for `workspace_id`."""


class ClockifyClient:
    """Reads workspaces, users, clients and the key's owner from one Clockify connection.

    Safe to use from several threads at once (one HTTP session per thread), so the users
    and the clients of a workspace can load concurrently.

    `timeout` is (connect, total) in seconds: connecting may take at most `connect`, and
    the whole request (connecting, the headers, the whole body) at most `total`.

    `yielding` decodes a page element by element, so that other threads (the panel's GUI)
    get turns meanwhile; without it a page is decoded in one call, in about half the time,
    which is what the command line wants. Both are equally strict.

    `read_ahead` asks for the next page, on the same connection, while a page is decoded,
    whenever the server said that more follow (Last-Page: false on a page that is not
    empty): the same requests as without it, unless a page turns out to be an error.

    `gate` (a RequestGate) is asked before every request, retries included, and told of
    every 429; it may refuse a request (RequestBudgetError), which is then not sent. The
    calls take `automatic`: whether the app sends them on its own rather than because
    the user asked (retries always count as automatic).
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
        yielding: bool = True,
        read_ahead: bool = False,
        gate: RequestGate | None = None,
    ) -> None:
        if not all(math.isfinite(t) and t > 0 for t in timeout):
            raise ValueError("the timeouts must be positive, finite numbers of seconds")
        self.connection = connection
        self._api_key = api_key
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self.page_size = page_size
        self._loads: Callable[[bytes | bytearray], Any] = (
            loads_yielding if yielding else loads_whole
        )
        self._read_ahead = read_ahead
        self.gate = gate
        self._sessions = ThreadSessions()

    def __repr__(self) -> str:
        return f"ClockifyClient({self.connection.label}, key=<hidden>)"

    # -- the calls -------------------------------------------------------------------------

    def current_user(self, *, automatic: bool = False) -> CurrentUser:
        with self._key_hidden():
            return CurrentUser.from_json(self._get_json("/user", {}, automatic))

    def workspaces(self, *, automatic: bool = False) -> list[Workspace]:
        with self._key_hidden():
            data = self._get_json("/workspaces", {}, automatic)
            return [Workspace.from_json(item) for item in self._expect_list(data, "/workspaces")]

    def users(
        self,
        workspace_id: str,
        *,
        include_inactive: bool = False,
        progress: ProgressCallback | None = None,
        automatic: bool = False,
    ) -> list[User]:
        return self._users(workspace_id, include_inactive, User.from_json, progress, automatic)

    def user_rows(self, workspace_id: str, *, include_inactive: bool = False) -> list[Row]:
        """The users of users(), each a dict of a User's id, name, email and status.

        The same values by the same rules, without building a User for each record: the
        command line prints dicts (building 10,000 Users took it about 50 ms).
        """
        return self._users(workspace_id, include_inactive, _user_row, None, False)

    def clients(
        self,
        workspace_id: str,
        *,
        include_archived: bool = False,
        progress: ProgressCallback | None = None,
        automatic: bool = False,
    ) -> list[Client]:
        return self._clients(workspace_id, include_archived, Client.from_json, progress, automatic)

    def client_rows(self, workspace_id: str, *, include_archived: bool = False) -> list[Row]:
        """The clients of clients(), each a dict of a Client's id, name and archived flag
        (see user_rows)."""
        return self._clients(workspace_id, include_archived, _client_row, None, False)

    def _users(
        self,
        workspace_id: str,
        include_inactive: bool,
        parse: Callable[[Any], T],
        progress: ProgressCallback | None,
        automatic: bool,
    ) -> list[T]:
        params = {"status": "ALL" if include_inactive else "ACTIVE", "sort-column": "NAME"}
        with self._key_hidden():
            path = f"/workspaces/{self._workspace_segment(workspace_id)}/users"
            try:
                return self._paginate(path, params, parse, progress, automatic)
            except _AccessDenied:
                raise NoPermissionError(
                    "No permission to list the users of this workspace: only its admins and "
                    "owners may. Its clients are still available."
                ) from None

    def _clients(
        self,
        workspace_id: str,
        include_archived: bool,
        parse: Callable[[Any], T],
        progress: ProgressCallback | None,
        automatic: bool,
    ) -> list[T]:
        params = {} if include_archived else {"archived": "false"}
        with self._key_hidden():
            path = f"/workspaces/{self._workspace_segment(workspace_id)}/clients"
            try:
                return self._paginate(path, params, parse, progress, automatic)
            except _AccessDenied:
                raise WorkspaceNotFoundError(workspace_id) from None

    def close(self) -> None:
        self._sessions.close()

    @staticmethod
    def _workspace_segment(workspace_id: str) -> str:
        segment = path_segment(workspace_id)
        if segment is None:
            raise WorkspaceNotFoundError(workspace_id)
        return segment

    @contextlib.contextmanager
    def _key_hidden(self) -> Iterator[None]:
        """The last guard: no error leaves the client with the key in its text.

        Server texts are already hidden where they are quoted; this also covers ids and
        paths that came from a server (one could make an id of the key it was sent).
        """
        try:
            yield
        except ClockifyError as exc:
            secret = self._api_key.reveal()
            message = redact(exc.message, secret)
            if message != exc.message:
                exc.message = message
                exc.args = (message,)
            if isinstance(exc, WorkspaceNotFoundError):
                exc.workspace_id = redact(exc.workspace_id, secret)
            raise

    # -- paging ----------------------------------------------------------------------------

    def _paginate(
        self,
        path: str,
        params: dict[str, str],
        parse: Callable[[Any], T],
        progress: ProgressCallback | None,
        automatic: bool = False,
    ) -> list[T]:
        """Fetch every page, by the stop rule of Clockify's paging.

        Stop on an empty page, on Last-Page: true, or (when no usable Last-Page header
        came) on a page shorter than the page size. Last-Page: false goes on even after
        a short page. A non-empty page identical to the previous one means the server
        ignores paging: that is an error, never a loop.
        """
        items: list[T] = []
        previous: list[Any] | None = None
        ahead: _Ahead | None = None
        for page in range(1, MAX_PAGES + 1):
            if ahead is None:
                body, headers = self._fetch(
                    path, self._page_query(params, page), automatic=automatic
                )
            else:
                body, headers = ahead.result()
                ahead = None
            last_page = (headers.get("Last-Page") or "").strip().lower()
            if (
                self._read_ahead
                and last_page == "false"
                and page < MAX_PAGES
                and not _EMPTY_ARRAY.match(body)
            ):
                # More follow, by the server's word: the next page is on its way while this
                # one is decoded, on the same connection (it is back in the pool by now).
                fetch = functools.partial(
                    self._fetch,
                    path,
                    self._page_query(params, page + 1),
                    self._session(),
                    automatic=automatic,
                )
                ahead = _Ahead(fetch)
            batch = self._expect_list(self._decode(body, path), path)
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
            if last_page == "true":
                return items
            if last_page != "false" and len(batch) < self.page_size:
                return items
            previous = batch
        raise UnexpectedResponseError(
            f"The server at {self.connection.host} kept sending pages of {path} "
            f"beyond {MAX_PAGES}; stopped."
        )

    def _page_query(self, params: dict[str, str], page: int) -> dict[str, str]:
        return {**params, "page": str(page), "page-size": str(self.page_size)}

    def _expect_list(self, data: Any, path: str) -> list[Any]:
        if not isinstance(data, list):
            raise UnexpectedResponseError(
                f"Unexpected answer from {self.connection.host} for {path}: expected a list, "
                f"got {type(data).__name__}. Is this a Clockify server?"
            )
        return data

    # -- one request -----------------------------------------------------------------------

    def _session(self) -> requests.Session:
        return self._sessions.get()

    def _get_json(self, path: str, params: dict[str, str], automatic: bool = False) -> Any:
        return self._decode(self._fetch(path, params, automatic=automatic)[0], path)

    def _fetch(
        self,
        path: str,
        params: dict[str, str],
        session: requests.Session | None = None,
        *,
        automatic: bool = False,
    ) -> tuple[bytearray, CaseInsensitiveDict[str]]:
        """The body of the 200 answer (read whole, bounded) and its headers, after the
        retries; any other answer raises its error. `session`: another thread's (read-ahead).
        The gate sees every attempt first (a retry as automatic) and every 429."""
        waited = 0.0
        attempt = 0
        gate = self.gate
        workspace_id = _workspace_of(path) if gate is not None else None
        while True:
            delay: float | None = None
            if gate is not None:
                gate.admit(workspace_id, automatic or attempt > 0)
            deadline = time.monotonic() + self.timeout[1]
            _deadline.at = deadline
            try:
                response = self._send(path, params, deadline, session)
                try:
                    status = response.status_code
                    if status == 429 and gate is not None:
                        gate.rate_limited(workspace_id)
                    if status in _RETRY_STATUSES and attempt + 1 < self.retry.attempts:
                        delay = self.retry.delay(
                            attempt, _parse_retry_after(response.headers.get("Retry-After"))
                        )
                        if waited + delay > self.retry.max_total:
                            delay = None
                    if delay is None:
                        if status == 200:
                            body = self._read_body(response, path, MAX_BODY_BYTES, deadline)
                            return body, response.headers
                        self._raise_for_status(response, path, deadline)
                finally:
                    response.close()
            finally:
                _deadline.at = None
            log.info(
                "%s answered %s for %s; retrying in %.1f s",
                self.connection.host,
                status,
                redact(path, self._api_key.reveal()),
                delay,
            )
            self._sleep(delay)
            waited += delay
            attempt += 1

    _proxies = staticmethod(proxies_for)

    def _send(
        self,
        path: str,
        params: dict[str, str],
        deadline: float,
        session: requests.Session | None = None,
    ) -> requests.Response:
        url = self.connection.base_url + path
        key = self._api_key.reveal()
        if not key.isascii():
            raise UnusableKeyError(
                "The API key contains characters other than ASCII letters, digits and "
                "punctuation, so it cannot be sent; Clockify keys never do. Check the key."
            )
        return bounded_get(
            session or self._session(),
            url,
            host=self.connection.host,
            params=params,
            headers={"X-Api-Key": key},
            deadline=deadline,
            connect_timeout=self.timeout[0],
            network_error=NetworkError,
            timeout_error=self._timeout_error,
        )

    def _timeout_error(self) -> NetworkError:
        return NetworkError(
            f"Connection timeout: {self.connection.host} did not answer within "
            f"{self._timeout_text()}. Check your network and the region, then retry."
        )

    def _timeout_text(self) -> str:
        connect, total = self.timeout
        return f"{max(connect, total):g} s"

    _connection_failure = staticmethod(connection_failure)

    def _read_body(
        self, response: requests.Response, path: str, limit: int, deadline: float
    ) -> bytearray:
        """The whole body, decompressed, at most `limit` bytes, read before the deadline.

        Raises UnexpectedResponseError for a body over the limit (announced or not) or
        compressed in a way not asked for, NetworkError for the deadline or a broken
        connection.
        """
        try:
            return read_body(response, limit, deadline)
        except BodyError as problem:
            kind = problem.kind
        host = self.connection.host
        if kind == "too-large":
            raise UnexpectedResponseError(
                f"Unexpected answer from {host} for {path}: larger than "
                f"{limit // 1024 // 1024} MB, far more than a page of Clockify records. "
                "Is this a Clockify server?"
                if limit >= 1024 * 1024
                else f"Unexpected answer from {host} for {path}: larger than {limit // 1024} KB."
            )
        if kind == "encoding":
            raise UnexpectedResponseError(
                f"Unexpected answer from {host} for {path}: compressed in a way that was not "
                "asked for. Is this a Clockify server?"
            )
        if kind == "gzip":
            raise UnexpectedResponseError(
                f"Unexpected answer from {host} for {path}: its gzip compression is broken. "
                "Is this a Clockify server?"
            )
        if kind == "timeout":
            raise self._timeout_error()
        raise NetworkError(f"The connection to {host} broke off before the answer was complete.")

    def _decode(self, body: bytearray, path: str) -> Any:
        return decode_json(body, f"{self.connection.host} for {path}", self._loads)

    def _error_body(
        self, response: requests.Response, path: str, deadline: float
    ) -> tuple[str | None, int | None]:
        """Clockify's message (the key hidden, shortened) and code, if the body has them.

        An error body that is too large, late, broken or not JSON has neither: the status
        alone then tells what went wrong.
        """
        try:
            body = self._read_body(response, path, MAX_ERROR_BODY_BYTES, deadline)
            data = decode_json(body, self.connection.host)
        except ClockifyError:
            return None, None
        if not isinstance(data, dict):
            return None, None
        message = data.get("message")
        code = data.get("code")
        return (
            server_text(message, self._api_key.reveal()) if isinstance(message, str) else None,
            code if isinstance(code, int) and not isinstance(code, bool) else None,
        )

    def _raise_for_status(
        self, response: requests.Response, path: str, deadline: float
    ) -> NoReturn:
        status = response.status_code
        host = self.connection.host
        if 300 <= status < 400:
            raise UnexpectedResponseError(
                f"Unexpected answer from {host}: a redirect ({status}), which is not followed "
                "so the key stays on this host. Is the base URL right?"
            )
        message, code = self._error_body(response, path, deadline)
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


#: A body that is an empty JSON array (a byte-order mark and whitespace allowed).
_EMPTY_ARRAY = re.compile(rb"(?:\xef\xbb\xbf)?[ \t\n\r]*\[[ \t\n\r]*\][ \t\n\r]*\Z")


class _Ahead:
    """One request made on a thread of its own while the caller goes on; result() gives
    its answer, or raises its error, in the caller's thread."""

    def __init__(self, fetch: Callable[[], tuple[bytearray, CaseInsensitiveDict[str]]]) -> None:
        self._answer: tuple[bytearray, CaseInsensitiveDict[str]] | None = None
        self._error: BaseException | None = None
        # A daemon: a caller that stops (an error, Ctrl+C) never waits for it.
        self._thread = threading.Thread(
            target=self._run, args=(fetch,), name="clockify-read-ahead", daemon=True
        )
        self._thread.start()

    def _run(self, fetch: Callable[[], tuple[bytearray, CaseInsensitiveDict[str]]]) -> None:
        try:
            self._answer = fetch()
        except BaseException as exc:  # handed to the caller
            self._error = exc

    def result(self) -> tuple[bytearray, CaseInsensitiveDict[str]]:
        self._thread.join()
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        assert self._answer is not None
        return self._answer


def _workspace_of(path: str) -> str | None:
    """The workspace id a request path names ("/workspaces/ID/users"), None for "/user"
    and "/workspaces"."""
    parts = path.split("/")
    if len(parts) > 3 and parts[1] == "workspaces":
        return unquote(parts[2], errors="surrogatepass")
    return None


# -- records as rows (the command line) -------------------------------------------------------

_TEXT_TYPES = (str, type(None))
_SURROGATE = re.compile("[\ud800-\udfff]")


def _user_row(record: Any) -> Row:
    """User.from_json(record) as a dict of id, name, email and status.

    A record whose id and fields the model keeps as they are (texts without lone
    surrogates, or null) is copied as it is; any other goes through the model's rules,
    and its errors.
    """
    if type(record) is dict:
        get = record.get
        ident, name, email, status = get("id"), get("name"), get("email"), get("status")
        if (
            type(ident) is str
            and 0 < len(ident) <= MAX_ID_LENGTH
            and type(name) in _TEXT_TYPES
            and type(email) in _TEXT_TYPES
            and type(status) in _TEXT_TYPES
        ):
            text = f"{ident}{name}{email}{status}"
            if text.isascii() or _SURROGATE.search(text) is None:
                return {"id": ident, "name": name, "email": email, "status": status}
    user = User.from_json(record)
    return {"id": user.id, "name": user.name, "email": user.email, "status": user.status}


def _client_row(record: Any) -> Row:
    """Client.from_json(record) as a dict of id, name, archived, address, email, ccEmails,
    currencyCode and note: Clockify's names, and null where the server sent null or no
    list of CC e-mails (see _user_row)."""
    if type(record) is dict:
        get = record.get
        ident, name, address = get("id"), get("name"), get("address")
        email, cc_emails, currency, note = (
            get("email"),
            get("ccEmails"),
            get("currencyCode"),
            get("note"),
        )
        if (
            type(ident) is str
            and 0 < len(ident) <= MAX_ID_LENGTH
            and type(name) in _TEXT_TYPES
            and type(address) in _TEXT_TYPES
            and type(email) in _TEXT_TYPES
            and type(currency) in _TEXT_TYPES
            and type(note) in _TEXT_TYPES
            and (cc_emails is None or (type(cc_emails) is list and not cc_emails))
        ):
            text = f"{ident}{name}{address}{email}{currency}{note}"
            if text.isascii() or _SURROGATE.search(text) is None:
                return {
                    "id": ident,
                    "name": name,
                    "archived": get("archived") is True,
                    "address": address,
                    "email": email,
                    "ccEmails": cc_emails,
                    "currencyCode": currency,
                    "note": note,
                }
    client = Client.from_json(record)
    emails = record.get("ccEmails")
    return {
        "id": client.id,
        "name": client.name,
        "archived": client.archived,
        "address": client.address,
        "email": client.email,
        "ccEmails": list(client.cc_emails) if isinstance(emails, list) else None,
        "currencyCode": client.currency,
        "note": client.note,
    }


class _AccessDenied(ClockifyError):
    """Code 501: its meaning depends on the call (no permission or no such workspace)."""


__all__ = [
    "BODY_ERRORS",
    "BodyError",
    "ClockifyClient",
    "ClockifyError",
    "RetryPolicy",
    "ThreadSessions",
    "bounded_get",
    "connection_failure",
    "new_session",
    "proxies_for",
    "read_body",
    "request_deadline",
]
