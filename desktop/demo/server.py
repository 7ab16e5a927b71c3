"""Demo mode's Clockify: made-up data served read-only over HTTP on 127.0.0.1.

It answers what the panel asks and nothing more: GET /user, GET /workspaces, and the users
and clients of a workspace, filtered (`status`, `archived`), sorted by name and paged
(`page`, `page-size`, `Last-Page`) as Clockify does, with Clockify's answers to a missing
or unknown key (401), a workspace not found or a user list not allowed (403) and an
unknown path (404). Only GET is served. Nothing is recorded, so memory stays flat however
long the demo runs.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, ClassVar, Self
from urllib.parse import parse_qsl, urlsplit

log = logging.getLogger(__name__)

API_PREFIX = "/api/v1"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 5000
MEMBERSHIP_STATUSES = frozenset({"ACTIVE", "PENDING", "DECLINED", "INACTIVE"})
JSON = "application/json"


@dataclass(frozen=True, slots=True)
class Request:
    """One request: its method, path, query and the X-Api-Key headers sent (never shown)."""

    method: str
    path: str
    query: dict[str, str]
    keys: tuple[str, ...] = field(repr=False)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes = b""
    content_type: str | None = JSON
    headers: tuple[tuple[str, str], ...] = ()


def json_answer(status: int, payload: Any, headers: tuple[tuple[str, str], ...] = ()) -> Answer:
    return Answer(status, json.dumps(payload, ensure_ascii=False).encode(), headers=headers)


def error(status: int, message: str, code: int | None = None) -> Answer:
    payload: dict[str, Any] = {"message": message}
    if code is not None:
        payload["code"] = code
    return json_answer(status, payload)


@dataclass
class DemoWorkspace:
    """A workspace with Clockify-shaped user and client records.

    Keys starting with "_" are internal (a user's "_membership" is the workspace membership
    status the `status` filter reads) and never leave the server.

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
    #: `featureSubscriptionType` (left out of the answer when None, as some answers do).
    plan: str | None = None
    currency: str = "USD"
    #: The workspace's hourly rate in hundredths of `currency`.
    hourly_rate: int = 0

    def to_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "hourlyRate": {"amount": self.hourly_rate, "currency": self.currency},
            "currencies": [
                {"id": f"{self.id[:18]}c0ffee", "code": self.currency, "isDefault": True}
            ],
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
        if self.plan is not None:
            answer["featureSubscriptionType"] = self.plan
        return answer


def _public(record: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in record.items() if not key.startswith("_")}


def _name_key(record: dict[str, Any]) -> tuple[bool, str]:
    name = record.get("name")
    return (False, name.casefold()) if isinstance(name, str) else (True, "")


class DemoHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # an idle keep-alive connection must not hold up stop()

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        clockify: DemoClockify,
    ) -> None:
        self.clockify = clockify
        super().__init__(address, handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        log.debug("fake Clockify: error while serving %s", client_address, exc_info=True)


class DemoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeClockify/1.0"
    server: DemoHTTPServer

    def version_string(self) -> str:
        return self.server_version

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this, Nagle's algorithm and the
        # client's delayed ACK add about 40 ms to every answer.
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        with contextlib.suppress(OSError):  # the client went away
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake Clockify: " + format, *args)

    def do_GET(self) -> None:
        self._serve()

    def _serve(self) -> None:
        self.server.clockify._handle(self._as_request(), self._send)

    def _as_request(self) -> Request:
        """The request being served, as the server's `_handle` takes it."""
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        keys = tuple(self.headers.get_all("X-Api-Key") or ())
        return Request(self.command, split.path, query, keys)

    def _send(self, answer: Answer) -> None:
        try:
            self.send_response(answer.status)
            if answer.content_type is not None:
                self.send_header("Content-Type", answer.content_type)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if self.command != "HEAD" and answer.body:
                self.wfile.write(answer.body)
        except OSError:
            # BrokenPipe, ConnectionReset, or a socket shut by stop(): the client is gone.
            self.close_connection = True


class DemoClockify:
    """The server, on a daemon thread once started; `stop()` (or leaving `with`) ends it.

    Attributes:
        api_keys: each key the server accepts, with the user record GET /user returns.
        latency: seconds waited before each answer, so the demo feels like a network.
    """

    server_class: ClassVar[type[DemoHTTPServer]] = DemoHTTPServer
    handler_class: ClassVar[type[DemoHandler]] = DemoHandler

    def __init__(
        self,
        *,
        api_keys: dict[str, dict[str, Any]] | None = None,
        workspaces: list[DemoWorkspace] | None = None,
        latency: float = 0.0,
    ) -> None:
        self.api_keys: dict[str, dict[str, Any]] = dict(api_keys or {})
        self._workspaces: list[DemoWorkspace] = list(workspaces or [])
        self.latency = latency
        self._stopping = threading.Event()
        self._httpd: DemoHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._base_url: str | None = None

    @property
    def workspaces(self) -> list[DemoWorkspace]:
        return list(self._workspaces)

    @property
    def base_url(self) -> str:
        if self._base_url is None:
            raise RuntimeError("the demo Clockify server is not started")
        return self._base_url

    def start(self) -> Self:
        if self._httpd is not None:
            return self
        self._stopping = threading.Event()
        httpd = self.server_class(("127.0.0.1", 0), self.handler_class, self)
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
        """Stop listening; answers being waited for (`latency`) go out at once."""
        httpd, thread = self._httpd, self._thread
        self._httpd = self._thread = None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        httpd.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- answering (on the connection's thread) ----------------------------------------------

    def _handle(self, request: Request, send: Callable[[Answer], None]) -> None:
        send(self._answer(request))

    def _answer(self, request: Request) -> Answer:
        if self.latency > 0:
            self._stopping.wait(self.latency)
        keys = request.keys
        if len(keys) != 1 or not keys[0].strip():
            return error(401, "Multiple or none auth tokens present", 1000)
        key = keys[0].strip()
        owner = self.api_keys.get(key)
        if owner is None:
            return error(401, "Api key does not exist", 4003)
        return self._route(key, owner, request.path, request.query)

    def _route(self, key: str, owner: dict[str, Any], path: str, query: dict[str, str]) -> Answer:
        parts = path[len(API_PREFIX) :].split("/") if path.startswith(API_PREFIX + "/") else []
        # parts[0] is "" (the slash after /api/v1).
        if parts == ["", "user"]:
            return json_answer(200, _public(owner))
        if parts == ["", "workspaces"]:
            return json_answer(200, [ws.to_json() for ws in self._visible(key)])
        if len(parts) == 4 and parts[1] == "workspaces" and parts[3] in ("users", "clients"):
            ws = next((ws for ws in self._visible(key) if ws.id == parts[2]), None)
            if ws is None or (parts[3] == "users" and ws.forbid_users):
                return error(403, "Access Denied", 501)
            if parts[3] == "users":
                return self._list(self._users(ws, query), query)
            return self._list(self._clients(ws, query), query)
        return error(404, f"No static resource {path.lstrip('/')}.", 3000)

    def _visible(self, key: str) -> list[DemoWorkspace]:
        return [ws for ws in self.workspaces if ws.visible_to is None or key in ws.visible_to]

    def _users(self, ws: DemoWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | Answer:
        status = query.get("status", "ALL").upper()
        if status != "ALL" and status not in MEMBERSHIP_STATUSES:
            return error(400, f"Invalid value '{query['status']}' for parameter status.")
        users = ws.users
        if status != "ALL":
            users = [u for u in users if u.get("_membership", "ACTIVE") == status]
        return sorted(users, key=_name_key)

    def _clients(self, ws: DemoWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | Answer:
        clients = ws.clients
        archived = query.get("archived")
        if archived is not None:
            wanted = archived.lower()
            if wanted not in ("true", "false"):
                return error(400, f"Invalid value '{archived}' for parameter archived.")
            clients = [c for c in clients if (c.get("archived") is True) == (wanted == "true")]
        return sorted(clients, key=_name_key)

    def _list(self, records: list[dict[str, Any]] | Answer, query: dict[str, str]) -> Answer:
        if isinstance(records, Answer):
            return records
        try:
            page = int(query.get("page", "1"))
            page_size = int(query.get("page-size", str(DEFAULT_PAGE_SIZE)))
        except ValueError:
            return error(400, "Failed to convert value of page or page-size to a number.")
        if page_size > MAX_PAGE_SIZE:
            return error(400, "Page size cannot be larger than 5,000.")
        return self._page(records, max(page, 1), max(page_size, 1))

    def _page(self, records: list[dict[str, Any]], page: int, page_size: int) -> Answer:
        start = (page - 1) * page_size
        batch = [_public(record) for record in records[start : start + page_size]]
        last = start + page_size >= len(records)
        return json_answer(200, batch, self._paging_headers(last, len(records)))

    def _paging_headers(self, last: bool, total: int) -> tuple[tuple[str, str], ...]:
        return (("Last-Page", "true" if last else "false"),)


__all__ = ["Answer", "DemoClockify", "DemoHTTPServer", "DemoHandler", "DemoWorkspace", "Request"]
