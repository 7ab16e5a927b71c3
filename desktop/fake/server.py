"""A fake Clockify API over real HTTP on 127.0.0.1, with fault knobs, for tests and demo mode."""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 5000
PAGING_MODES = frozenset({"header", "lowercase", "none", "total-count", "always-false"})
MALFORMED_MODES = frozenset({"bad-json", "object", "html"})
MEMBERSHIP_STATUSES = frozenset({"ACTIVE", "PENDING", "DECLINED", "INACTIVE"})

_JSON = "application/json"
_HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Welcome</title></head>"
    "<body><h1>It works!</h1><p>This is not the API you are looking for.</p></body></html>"
)


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request as the server saw it. The API key itself is never stored."""

    method: str
    path: str
    query: dict[str, str]
    api_key_present: bool


RequestMatch = str | tuple[str, ...] | Callable[[RecordedRequest], bool] | None
"""Which requests: a path ending (or a tuple of them), a test on the request, or None for all."""


def _matcher(match: RequestMatch) -> Callable[[RecordedRequest], bool]:
    if match is None:
        return lambda _request: True
    if isinstance(match, str | tuple):
        endings = (match,) if isinstance(match, str) else match
        return lambda request: request.path.endswith(endings)
    return match


class Gate:
    """Holds the requests that match it until the test lets them through (`FakeClockify.hold`).

    Matching requests wait in the order they arrive: `release(n)` lets the next n through,
    `release()` every held one and every later one. A held request keeps only its own
    connection waiting: other requests are answered as usual. Stopping the server opens
    every gate. A test waits for "request n arrived" with `wait_arrived` (blocking) or by
    polling `arrived` (from a Qt test, with qtbot.waitUntil, so the event loop runs).
    """

    def __init__(self, fake: FakeClockify, match: Callable[[RecordedRequest], bool]) -> None:
        self._fake = fake
        self._match = match
        self._changed = threading.Condition()
        self._arrived = 0
        self._passed = 0
        self._allowed = 0
        self._open = False

    @property
    def arrived(self) -> int:
        """How many matching requests reached the gate so far (held or let through)."""
        with self._changed:
            return self._arrived

    @property
    def held(self) -> int:
        """How many matching requests are waiting at the gate now."""
        with self._changed:
            return self._arrived - self._passed

    def release(self, count: int | None = None) -> None:
        """Let the next `count` matching requests through (held now or still to come).

        Without a count the gate opens for good: every held request and every later one
        passes.
        """
        with self._changed:
            if count is None:
                self._open = True
            elif count < 0:
                raise ValueError(f"cannot release {count} requests")
            else:
                self._allowed += count
            self._changed.notify_all()

    def wait_arrived(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until `count` matching requests have arrived; False if not within `timeout`."""
        with self._changed:
            return self._changed.wait_for(lambda: self._arrived >= count, timeout)

    def wait_held(self, count: int = 1, timeout: float = 10.0) -> bool:
        """Block until `count` matching requests wait at the gate at once; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self._arrived - self._passed >= count, timeout)

    def close(self) -> None:
        """Open the gate and take it off the server: later requests never meet it."""
        self.release()
        self._fake._remove_gate(self)

    def __enter__(self) -> Gate:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _pass(self, request: RecordedRequest) -> None:
        """Called on the request's handler thread: returns once the request may be answered."""
        if not self._match(request):
            return
        with self._changed:
            ticket = self._arrived
            self._arrived += 1
            self._changed.notify_all()
            self._changed.wait_for(lambda: self._open or ticket < self._allowed)
            self._passed += 1
            self._changed.notify_all()


@dataclass
class FakeWorkspace:
    """A workspace with Clockify-shaped user and client records.

    Keys starting with "_" are internal (for example a user's "_membership", the workspace
    membership status the `status` filter uses) and never leave the server.

    Attributes:
        forbid_users: listing the users answers 403 code 501 (the key's owner is no admin).
        visible_to: the API keys that see this workspace; None means every key.
    """

    id: str
    name: str | None
    users: list[dict[str, Any]] = field(default_factory=list)
    clients: list[dict[str, Any]] = field(default_factory=list)
    forbid_users: bool = False
    visible_to: set[str] | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "hourlyRate": {"amount": 0, "currency": "USD"},
            "memberships": [],
            "workspaceSettings": {
                "timeRoundingInReports": False,
                "onlyAdminsSeeBillableRates": True,
                "onlyAdminsCreateProject": True,
                "defaultBillableProjects": True,
                "forceProjects": False,
                "isProjectPublicByDefault": True,
            },
            "imageUrl": "",
            "features": [],
            "subdomain": {"enabled": False, "name": None},
        }


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes = b""
    content_type: str | None = _JSON
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False  # close the TCP connection abruptly instead of answering


_RESET = _Answer(status=0, reset=True)


def _json_answer(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> _Answer:
    body = json.dumps(payload, ensure_ascii=False).encode()
    return _Answer(status=status, body=body, headers=headers)


def _error(status: int, message: str, code: int | None = None) -> _Answer:
    payload: dict[str, Any] = {"message": message}
    if code is not None:
        payload["code"] = code
    return _json_answer(status, payload)


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _name_key(record: dict[str, Any]) -> tuple[bool, str]:
    name = record.get("name")
    if isinstance(name, str):
        return (False, name.casefold())
    return (True, "")


def _contains(value: Any, needle: str) -> bool:
    return isinstance(value, str) and needle.casefold() in value.casefold()


class FakeClockify:
    """A fake Clockify API server, faithful to API.md, served from a daemon thread.

    Tests that need a request to be in flight hold it at a gate (`hold`) and wait for it to
    arrive (`Gate.wait_arrived`) or to be answered (`wait_answered`): no test decides by how
    long anything takes.

    Attributes (fault and behaviour knobs, read on every request, may change while running):
        latency: seconds slept before each answer (demo mode and benchmarks; tests use gates).
        paging_mode: how the end of a list is told: "header" (Last-Page), "lowercase"
            (last-page), "none" (no paging header), "total-count" (a total-count header),
            "always-false" (Last-Page: false on every page, even past the end).
        ignore_paging: users and clients lists answer page 1 whatever page is asked.
        rate_limit_first: the next N requests answer 429 with an empty body.
        retry_after: sent as Retry-After with those 429s, if set.
        server_error_first: the next N requests answer 503.
        stall: seconds to sleep before answering (stop() interrupts it); tests use gates.
        reset_after_pages: a users or clients page beyond N gets the connection closed
            without any answer.
        malformed: None, "bad-json", "object" or "html": a 200 that is not what Clockify sends.
        malformed_paths: if set, `malformed` applies only to paths ending with one of these.
        redirect: if set, every GET is answered 302 with this Location.
        requests: every request received, in order (the key is never stored).
        answered: every request the server has finished with, in order: its answer written
            (or the write failed because the client left), or its connection marked for reset.
    """

    def __init__(
        self,
        *,
        api_keys: dict[str, dict[str, Any]] | None = None,
        workspaces: list[FakeWorkspace] | None = None,
    ) -> None:
        self.api_keys: dict[str, dict[str, Any]] = dict(api_keys or {})
        self._workspaces: list[FakeWorkspace] = list(workspaces or [])
        self.requests: list[RecordedRequest] = []
        self.answered: list[RecordedRequest] = []
        self.latency: float = 0.0
        self.paging_mode: str = "header"
        self.ignore_paging: bool = False
        self.rate_limit_first: int = 0
        self.retry_after: str | None = None
        self.server_error_first: int = 0
        self.stall: float = 0.0
        self.reset_after_pages: int | None = None
        self.malformed: str | None = None
        self.malformed_paths: tuple[str, ...] = ()
        self.redirect: str | None = None
        self._lock = threading.Lock()
        self._log_changed = threading.Condition(self._lock)
        self._gates: list[Gate] = []
        self._stopping = threading.Event()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    # -- set-up ------------------------------------------------------------------------------

    @classmethod
    def with_sample_data(cls, api_key: str) -> FakeClockify:
        """Two workspaces ("Acme Ltd", "Side Project") with a few awkward records."""
        owner = {
            "id": SAMPLE_OWNER_ID,
            "name": "Alice Admin",
            "email": "alice@acme.example",
            "activeWorkspace": SAMPLE_WORKSPACE_ID,
            "defaultWorkspace": SAMPLE_WORKSPACE_ID,
            "profilePicture": "",
            "settings": None,
            "status": "ACTIVE",
        }
        acme = FakeWorkspace(
            id=SAMPLE_WORKSPACE_ID,
            name="Acme Ltd",
            users=[
                _sample_user(SAMPLE_OWNER_ID, "Alice Admin", "alice@acme.example"),
                _sample_user("64b0c0ffee00000000000002", "Bob Builder", "bob@acme.example"),
                _sample_user("64b0c0ffee00000000000003", None, "noname@acme.example"),
                _sample_user(
                    SAMPLE_INACTIVE_USER_ID,
                    "Ivy Inactive",
                    "ivy@acme.example",
                    membership="INACTIVE",
                ),
                _sample_user(
                    "64b0c0ffee00000000000005",
                    "Pete Pending",
                    "pete@acme.example",
                    membership="PENDING",
                    status="PENDING_EMAIL_VERIFICATION",
                ),
            ],
            clients=[
                _sample_client(
                    "64b0c11e0000000000000001", "Globex Corporation", SAMPLE_WORKSPACE_ID
                ),
                _sample_client("64b0c11e0000000000000002", "Initech", SAMPLE_WORKSPACE_ID),
                _sample_client(
                    SAMPLE_ARCHIVED_CLIENT_ID,
                    "Archived Holdings",
                    SAMPLE_WORKSPACE_ID,
                    archived=True,
                ),
                _sample_client(
                    "64b0c11e0000000000000004", "<b>x</b><img src=x>", SAMPLE_WORKSPACE_ID
                ),
            ],
        )
        side = FakeWorkspace(
            id=SAMPLE_SIDE_WORKSPACE_ID,
            name="Side Project",
            users=[_sample_user(SAMPLE_OWNER_ID, "Alice Admin", "alice@acme.example")],
            clients=[
                _sample_client("64b0c11e0000000000000011", "Hobby Client", SAMPLE_SIDE_WORKSPACE_ID)
            ],
        )
        return cls(api_keys={api_key: owner}, workspaces=[acme, side])

    def add_workspace(self, ws: FakeWorkspace) -> None:
        with self._lock:
            self._workspaces.append(ws)

    @property
    def workspaces(self) -> list[FakeWorkspace]:
        with self._lock:
            return list(self._workspaces)

    # -- life cycle --------------------------------------------------------------------------

    def start(self) -> FakeClockify:
        if self._httpd is not None:
            return self
        self._stopping = threading.Event()
        httpd = _Server(("127.0.0.1", 0), _Handler, self)
        port = httpd.server_address[1]
        self._base_url = f"http://127.0.0.1:{port}{API_PREFIX}"
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-clockify-{port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._lock:
            httpd, thread = self._httpd, self._thread
            self._httpd = self._thread = None
        if httpd is None:
            return
        self._stopping.set()  # wakes stalled and slow handlers
        with self._lock:
            gates = list(self._gates)
        for gate in gates:
            gate.release()  # and held ones
        httpd.shutdown()
        httpd.close_connections()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeClockify:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the fake Clockify server is not started")
        return self._base_url

    # -- holding requests --------------------------------------------------------------------

    def hold(self, match: RequestMatch = None) -> Gate:
        """A gate that holds every request matching `match` until the test releases it.

        `match` is a path ending such as "/workspaces", a tuple of them, a test on the
        RecordedRequest, or None (every request). Use it as a context manager, or call
        `Gate.close` (stop() opens it too), so no request stays held after the test.
        """
        gate = Gate(self, _matcher(match))
        with self._lock:
            self._gates.append(gate)
        return gate

    def _remove_gate(self, gate: Gate) -> None:
        with self._lock:
            if gate in self._gates:
                self._gates.remove(gate)

    def _pass_gates(self, request: RecordedRequest) -> None:
        with self._lock:
            gates = list(self._gates)
        for gate in gates:
            gate._pass(request)

    # -- what was asked ----------------------------------------------------------------------

    def methods(self) -> set[str]:
        with self._lock:
            return {request.method for request in self.requests}

    def count(self, match: RequestMatch = None, *, answered: bool = False) -> int:
        """How many requests matching `match` arrived (or, with `answered`, were answered)."""
        test = _matcher(match)
        with self._lock:
            return sum(1 for r in (self.answered if answered else self.requests) if test(r))

    def wait_arrived(self, count: int, match: RequestMatch = None, timeout: float = 10.0) -> bool:
        """Block until `count` requests matching `match` arrived; False if not within `timeout`."""
        test = _matcher(match)
        with self._log_changed:
            return self._log_changed.wait_for(
                lambda: sum(1 for r in self.requests if test(r)) >= count, timeout
            )

    def wait_answered(self, count: int, match: RequestMatch = None, timeout: float = 10.0) -> bool:
        """Block until `count` requests matching `match` were answered; False on timeout."""
        test = _matcher(match)
        with self._log_changed:
            return self._log_changed.wait_for(
                lambda: sum(1 for r in self.answered if test(r)) >= count, timeout
            )

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)
            self._log_changed.notify_all()

    def _record_answered(self, request: RecordedRequest) -> None:
        with self._lock:
            self.answered.append(request)
            self._log_changed.notify_all()

    def _take(self, knob: str) -> bool:
        """Count one of the "next N requests" knobs down; True if this request is one of them."""
        with self._lock:
            left: int = getattr(self, knob)
            if left <= 0:
                return False
            setattr(self, knob, left - 1)
            return True

    # -- answering ---------------------------------------------------------------------------

    def _answer(self, method: str, path: str, query: dict[str, str], keys: list[str]) -> _Answer:
        if self.latency > 0:
            self._stopping.wait(self.latency)
        if self.stall > 0:
            self._stopping.wait(self.stall)
        if method != "GET":
            return _error(405, f"Request method '{method}' is not supported", 3000)
        if self._take("rate_limit_first"):
            retry_after = self.retry_after
            headers = (("Retry-After", retry_after),) if retry_after is not None else ()
            return _Answer(status=429, content_type=None, headers=headers)
        if self._take("server_error_first"):
            return _error(503, "Service temporarily unavailable, try again later", 503)
        if self.redirect is not None:
            return _Answer(status=302, content_type=None, headers=(("Location", self.redirect),))
        malformed = self._malformed_answer(path)
        if malformed is not None:
            return malformed

        if len(keys) != 1 or not keys[0].strip():
            return _error(401, "Multiple or none auth tokens present", 1000)
        key = keys[0].strip()
        owner = self.api_keys.get(key)
        if owner is None:
            return _error(401, "Api key does not exist", 4003)
        return self._route(key, owner, path, query)

    def _malformed_answer(self, path: str) -> _Answer | None:
        mode = self.malformed
        if mode is None:
            return None
        if self.malformed_paths and not path.endswith(self.malformed_paths):
            return None
        if mode == "bad-json":
            return _Answer(status=200, body=b'{"oops": [')
        if mode == "object":
            return _json_answer(200, {"unexpected": True, "items": []})
        if mode == "html":
            return _Answer(
                status=200, body=_HTML_PAGE.encode(), content_type="text/html; charset=utf-8"
            )
        raise ValueError(f"unknown malformed mode {mode!r}")

    def _route(self, key: str, owner: dict[str, Any], path: str, query: dict[str, str]) -> _Answer:
        parts = path[len(API_PREFIX) :].split("/") if path.startswith(API_PREFIX + "/") else []
        # parts[0] is "" (the slash after /api/v1).
        if parts == ["", "user"]:
            return _json_answer(200, _public(owner))
        if parts == ["", "workspaces"]:
            return _json_answer(200, [ws.to_json() for ws in self._visible(key)])
        if len(parts) == 4 and parts[1] == "workspaces" and parts[3] in ("users", "clients"):
            ws = self._find(key, parts[2])
            if ws is None:
                return _error(403, "Access Denied", 501)
            if parts[3] == "users":
                if ws.forbid_users:
                    return _error(403, "Access Denied", 501)
                return self._list(self._users(ws, query), query)
            return self._list(self._clients(ws, query), query)
        shown = path.lstrip("/")
        return _error(404, f"No static resource {shown}.", 3000)

    def _visible(self, key: str) -> list[FakeWorkspace]:
        return [ws for ws in self.workspaces if ws.visible_to is None or key in ws.visible_to]

    def _find(self, key: str, workspace_id: str) -> FakeWorkspace | None:
        for ws in self._visible(key):
            if ws.id == workspace_id:
                return ws
        return None

    @staticmethod
    def _users(ws: FakeWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | _Answer:
        status = query.get("status", "ALL").upper()
        if status != "ALL" and status not in MEMBERSHIP_STATUSES:
            return _error(400, f"Invalid value '{query['status']}' for parameter status.")
        users = list(ws.users)
        if status != "ALL":
            users = [u for u in users if u.get("_membership", "ACTIVE") == status]
        if "name" in query:
            users = [u for u in users if _contains(u.get("name"), query["name"])]
        if "email" in query:
            users = [u for u in users if _contains(u.get("email"), query["email"])]
        return sorted(users, key=_name_key)

    @staticmethod
    def _clients(ws: FakeWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | _Answer:
        clients = list(ws.clients)
        archived = query.get("archived")
        if archived is not None:
            wanted = archived.lower()
            if wanted not in ("true", "false"):
                return _error(400, f"Invalid value '{archived}' for parameter archived.")
            flag = wanted == "true"
            clients = [c for c in clients if (c.get("archived") is True) == flag]
        if "name" in query:
            clients = [c for c in clients if _contains(c.get("name"), query["name"])]
        return sorted(clients, key=_name_key)

    def _list(self, records: list[dict[str, Any]] | _Answer, query: dict[str, str]) -> _Answer:
        if isinstance(records, _Answer):
            return records
        try:
            page = int(query.get("page", "1"))
            page_size = int(query.get("page-size", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            return _error(400, "Failed to convert value of page or page-size to a number.")
        if page_size > MAX_PAGE_SIZE:
            return _error(400, "Page size cannot be larger than 5,000.")
        page = max(page, 1)
        page_size = max(page_size, 1)
        if self.reset_after_pages is not None and page > self.reset_after_pages:
            return _RESET
        if self.ignore_paging:
            page = 1
        start = (page - 1) * page_size
        batch = [_public(record) for record in records[start : start + page_size]]
        last = start + page_size >= len(records)
        return _json_answer(200, batch, self._paging_headers(last, len(records)))

    def _paging_headers(self, last: bool, total: int) -> tuple[tuple[str, str], ...]:
        mode = self.paging_mode
        flag = "true" if last else "false"
        if mode == "header":
            return (("Last-Page", flag),)
        if mode == "lowercase":
            return (("last-page", flag),)
        if mode == "none":
            return ()
        if mode == "total-count":
            return (("total-count", str(total)),)
        if mode == "always-false":
            return (("Last-Page", "false"),)
        raise ValueError(f"unknown paging mode {mode!r}")


class _Server(ThreadingHTTPServer):
    """Keeps track of open connections so stop() can end idle keep-alive ones at once."""

    daemon_threads = True
    block_on_close = False  # close_connections() ends and joins the handlers instead

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        fake: FakeClockify,
    ) -> None:
        self.fake = fake
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(address, handler)

    def track(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open[sock] = threading.current_thread()

    def untrack(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.pop(sock, None)

    def close_connections(self) -> None:
        with self._open_lock:
            open_sockets = dict(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
        for thread in open_sockets.values():
            if thread is not threading.current_thread():
                thread.join(timeout=5)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("fake Clockify: error while serving %s", client_address, exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeClockify/1.0"
    server: _Server

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add about 40 ms to every answer.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass  # the client went away
        finally:
            self.server.untrack(self.connection)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake Clockify: " + format, *args)

    def do_GET(self) -> None:
        self._serve("GET")

    def do_HEAD(self) -> None:
        self._serve("HEAD")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_PATCH(self) -> None:
        self._serve("PATCH")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def do_OPTIONS(self) -> None:
        self._serve("OPTIONS")

    def _serve(self, method: str) -> None:
        fake = self.server.fake
        self._discard_body()
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        keys = self.headers.get_all("X-Api-Key") or []
        present = any(key.strip() for key in keys)
        request = RecordedRequest(method, split.path, query, present)
        fake._record(request)
        fake._pass_gates(request)
        try:
            self._send(method, fake._answer(method, split.path, query, keys))
        finally:
            fake._record_answered(request)

    def _send(self, method: str, answer: _Answer) -> None:
        if answer.reset:
            self._reset()
            return
        try:
            self.send_response(answer.status)
            if answer.content_type is not None:
                self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if method != "HEAD" and answer.body:
                self.wfile.write(answer.body)
        except OSError:
            # BrokenPipe, ConnectionReset, or a socket shut by stop(): the client is gone.
            self.close_connection = True

    def _discard_body(self) -> None:
        """Read a request body away, so a keep-alive connection stays in step."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > 0:
            self.rfile.read(length)

    def _reset(self) -> None:
        """Drop the connection with a TCP reset and no answer at all."""
        self.close_connection = True
        linger_off = struct.pack("ii", 1, 0)  # close() then sends RST, not FIN
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_off)


def _sample_user(
    user_id: str,
    name: str | None,
    email: str,
    *,
    membership: str = "ACTIVE",
    status: str = "ACTIVE",
) -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "email": email,
        "status": status,
        "memberships": [],
        "profilePicture": "",
        "activeWorkspace": SAMPLE_WORKSPACE_ID,
        "defaultWorkspace": SAMPLE_WORKSPACE_ID,
        "settings": None,
        "customFields": [],
        "_membership": membership,
    }


def _sample_client(
    client_id: str, name: str, workspace_id: str, *, archived: bool = False
) -> dict[str, Any]:
    return {
        "id": client_id,
        "name": name,
        "workspaceId": workspace_id,
        "archived": archived,
        "email": None,
        "address": None,
        "note": None,
        "ccEmails": None,
        "currencyId": "64b0cc0000000000000000ee",
        "currencyCode": "USD",
    }


SAMPLE_WORKSPACE_ID = "64b0a0000000000000000001"
SAMPLE_SIDE_WORKSPACE_ID = "64b0a0000000000000000002"
SAMPLE_OWNER_ID = "64b0c0ffee00000000000001"
SAMPLE_INACTIVE_USER_ID = "64b0c0ffee00000000000004"
SAMPLE_ARCHIVED_CLIENT_ID = "64b0c11e0000000000000003"

__all__ = ["FakeClockify", "FakeWorkspace", "Gate", "RecordedRequest", "RequestMatch"]
