"""The tests' fake Clockify: demo mode's server plus fault switches, gates and a request log.

Routing, keys and paging are the demo server's (`desktop.demo.server`); this layer adds what
only tests need: faults (rate limits, 503s, stalls, resets, redirects, malformed bodies, other
paging headers), methods other than GET (answered 405), the `name` and `email` filters,
gates that hold requests, a log of every request (never its key), and, when asked, the Free
plan's limit of 30 requests an hour per workspace (`free_limit`).
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, ClassVar

from desktop.demo.server import (
    API_PREFIX,
    Answer,
    DemoClockify,
    DemoHandler,
    DemoHTTPServer,
    DemoWorkspace,
    Request,
    error,
    json_answer,
)

PAGING_MODES = frozenset({"header", "lowercase", "none", "total-count", "always-false"})
MALFORMED_MODES = frozenset({"bad-json", "object", "html"})
#: Clockify's Free plan: 30 API requests an hour for the whole workspace.
FREE_PLAN_LIMIT = 30
FREE_PLAN_WINDOW = 3600.0

FakeWorkspace = DemoWorkspace
"""The tests' name for the demo's workspace record (the same class)."""

_HTML_PAGE = (
    "<!DOCTYPE html><html><head><title>Welcome</title></head>"
    "<body><h1>It works!</h1><p>This is not the API you are looking for.</p></body></html>"
)
_RESET = Answer(status=0)  # close the TCP connection abruptly instead of answering


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


def is_free_plan(plan: str | None) -> bool:
    """Whether a workspace's `featureSubscriptionType` puts it under the Free limit.

    Absent (None) or containing "FREE" in any case: limited; any other value: not.
    """
    return plan is None or "FREE" in plan.upper()


def _contains(value: Any, needle: str) -> bool:
    return isinstance(value, str) and needle.casefold() in value.casefold()


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


class _Server(DemoHTTPServer):
    """Keeps track of open connections so stop() can end idle keep-alive ones at once."""

    def __init__(self, *args: Any) -> None:
        self._open: dict[socket.socket, threading.Thread] = {}
        self._open_lock = threading.Lock()
        super().__init__(*args)

    def track(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open[sock] = threading.current_thread()

    def untrack(self, sock: socket.socket) -> None:
        with self._open_lock:
            self._open.pop(sock, None)

    def close_connections(self) -> None:
        """Shut every open connection and wait for its handler to finish."""
        with self._open_lock:
            open_sockets = dict(self._open)
        for sock in open_sockets:
            with contextlib.suppress(OSError):  # already closed by the other side
                sock.shutdown(socket.SHUT_RDWR)
        for thread in open_sockets.values():
            if thread is not threading.current_thread():
                thread.join(timeout=5)


class _Handler(DemoHandler):
    """Every method reaches the server (non-GET is answered 405), and answers may be resets."""

    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def do_HEAD(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def _serve(self) -> None:
        # Read a request body away, so a keep-alive connection stays in step.
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        if length > 0:
            self.rfile.read(length)
        super()._serve()

    def _send(self, answer: Answer) -> None:
        if answer is _RESET:
            # Drop the connection with a TCP reset and no answer at all.
            self.close_connection = True
            linger_off = struct.pack("ii", 1, 0)  # close() then sends RST, not FIN
            with contextlib.suppress(OSError):
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger_off)
            return
        super()._send(answer)


class FakeClockify(DemoClockify):
    """A fake Clockify API server with fault switches, served from a daemon thread.

    Tests that need a request to be in flight hold it at a gate (`hold`) and wait for it to
    arrive (`Gate.wait_arrived`) or to be answered (`wait_answered`): no test decides by how
    long anything takes.

    Attributes (fault and behaviour knobs, read on every request, may change while running):
        latency: seconds waited before each answer (benchmarks; tests use gates).
        paging_mode: how the end of a list is told: "header" (Last-Page), "lowercase"
            (last-page), "none" (no paging header), "total-count" (a total-count header),
            "always-false" (Last-Page: false on every page, even past the end).
        ignore_paging: users and clients lists answer page 1 whatever page is asked.
        rate_limit_first: the next N requests answer 429 with an empty body.
        retry_after: sent as Retry-After with those 429s, if set.
        server_error_first: the next N requests answer 503.
        stall: seconds to wait before answering (stop() interrupts it); tests use gates.
        reset_after_pages: a users or clients page beyond N gets the connection closed
            without any answer.
        malformed: None, "bad-json", "object" or "html": a 200 that is not what Clockify sends.
        malformed_paths: if set, `malformed` applies only to paths ending with one of these.
        redirect: if set, every GET is answered 302 with this Location.
        free_limit: None (the default) or the Free plan's limit, e.g. FREE_PLAN_LIMIT (30):
            requests allowed in a rolling hour (FREE_PLAN_WINDOW) to each workspace whose
            plan is absent or contains "FREE" (`is_free_plan`). See `free_count`.
        clock: the time in seconds the Free limit reads (default time.time); a test moves
            time by setting it, e.g. `server.clock = lambda: now[0]`.
        refused_429: how many requests were refused with 429 by the Free limit.
        requests: every request received, in order (the key is never stored).
        answered: every request the server has finished with, in order: its answer written
            (or the write failed because the client left), or its connection marked for reset.
    """

    server_class: ClassVar[type[DemoHTTPServer]] = _Server
    handler_class: ClassVar[type[DemoHandler]] = _Handler

    def __init__(
        self,
        *,
        api_keys: dict[str, dict[str, Any]] | None = None,
        workspaces: list[FakeWorkspace] | None = None,
        free_limit: int | None = None,
    ) -> None:
        super().__init__(api_keys=api_keys, workspaces=workspaces)
        self.requests: list[RecordedRequest] = []
        self.answered: list[RecordedRequest] = []
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
        self.free_limit: int | None = free_limit
        self.clock: Callable[[], float] = time.time
        self.refused_429: int = 0
        self._served: dict[str, list[float]] = {}  # workspace id -> times of counted requests
        self._lock = threading.Lock()
        self._log_changed = threading.Condition(self._lock)
        self._gates: list[Gate] = []

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
            plan="PRO",
            currency="EUR",
            hourly_rate=12000,
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
                    SAMPLE_BILLED_CLIENT_ID,
                    "Globex Corporation",
                    SAMPLE_WORKSPACE_ID,
                    address=SAMPLE_BILLED_ADDRESS,
                    email="billing@globex.example",
                    cc_emails=["ap@globex.example", "cfo@globex.example"],
                    currency="EUR",
                    note="Purchase order number on every invoice",
                ),
                _sample_client(
                    "64b0c11e0000000000000002",
                    "Initech",
                    SAMPLE_WORKSPACE_ID,
                    address="4120 Freidrich Lane, Austin TX 78744",
                ),
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

    def stop(self) -> None:
        """Stop listening, open every gate, wake stalls, end every connection and its thread."""
        httpd = self._httpd
        if httpd is None:
            return
        with self._lock:
            gates = list(self._gates)
        for gate in gates:
            gate.release()  # held requests go on, to a stall at most, which stop wakes
        super().stop()
        assert isinstance(httpd, _Server)
        httpd.close_connections()

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

    def free_count(self, workspace_id: str) -> int:
        """Requests counted against the workspace in the last hour (by `clock`), limit or not.

        Counted whether or not `free_limit` is set and whatever the plan; a refused request
        is never counted.
        """
        with self._lock:
            return self._recent(workspace_id, self.clock())

    def _recent(self, workspace_id: str, now: float) -> int:
        """Drop the workspace's requests older than an hour; how many are left. Under _lock.

        A request stamped later than `now` (the clock went backwards) still counts.
        """
        times = self._served.get(workspace_id)
        if not times:
            return 0
        times[:] = [t for t in times if now - t < FREE_PLAN_WINDOW]
        return len(times)

    def _spend_free_budget(self, key: str, path: str) -> Answer | None:
        """Count the request against its workspaces; a 429 instead if one is at its limit.

        A path naming a workspace (`/workspaces/{id}/...`) counts against that workspace if
        the key sees it (an unknown or foreign one, answered 403, counts against none); any
        other path (`/user`, `/workspaces`, an unknown one) against every workspace the key
        sees, and is refused if any limited one of them is at the limit.
        """
        visible = self._visible(key)  # takes _lock itself
        parts = path[len(API_PREFIX) :].split("/") if path.startswith(API_PREFIX + "/") else []
        if len(parts) >= 3 and parts[1] == "workspaces" and parts[2]:
            visible = [ws for ws in visible if ws.id == parts[2]]
        with self._lock:
            now = self.clock()
            limit = self.free_limit
            if limit is not None and any(
                is_free_plan(ws.plan) and self._recent(ws.id, now) >= limit for ws in visible
            ):
                self.refused_429 += 1
                # docs/clockify-api.md: a 429 may have no body, and Clockify is not known
                # to send Retry-After.
                return Answer(status=429, content_type=None)
            for ws in visible:
                self._recent(ws.id, now)
                self._served.setdefault(ws.id, []).append(now)
        return None

    def _take(self, knob: str) -> bool:
        """Count one of the "next N requests" knobs down; True if this request is one of them."""
        with self._lock:
            left: int = getattr(self, knob)
            if left <= 0:
                return False
            setattr(self, knob, left - 1)
            return True

    # -- answering: the fault layer over the demo server's -----------------------------------

    def _handle(self, request: Request, send: Callable[[Answer], None]) -> None:
        present = any(key.strip() for key in request.keys)
        recorded = RecordedRequest(request.method, request.path, request.query, present)
        self._record(recorded)
        self._pass_gates(recorded)
        try:
            super()._handle(request, send)
        finally:
            self._record_answered(recorded)

    def _answer(self, request: Request) -> Answer:
        if self.stall > 0:
            self._stopping.wait(self.stall)
        if request.method != "GET":
            return error(405, f"Request method '{request.method}' is not supported", 3000)
        if self._take("rate_limit_first"):
            retry_after = self.retry_after
            headers = (("Retry-After", retry_after),) if retry_after is not None else ()
            return Answer(status=429, content_type=None, headers=headers)
        if self._take("server_error_first"):
            return error(503, "Service temporarily unavailable, try again later", 503)
        if self.redirect is not None:
            return Answer(status=302, content_type=None, headers=(("Location", self.redirect),))
        malformed = self._malformed_answer(request.path)
        if malformed is not None:
            return malformed
        return super()._answer(request)

    def _route(self, key: str, owner: dict[str, Any], path: str, query: dict[str, str]) -> Answer:
        # Reached by a GET with a valid key that no fault knob answered: the requests
        # Clockify would count against a workspace's budget.
        refused = self._spend_free_budget(key, path)
        if refused is not None:
            return refused
        return super()._route(key, owner, path, query)

    def _malformed_answer(self, path: str) -> Answer | None:
        mode = self.malformed
        if mode is None:
            return None
        if self.malformed_paths and not path.endswith(self.malformed_paths):
            return None
        if mode == "bad-json":
            return Answer(status=200, body=b'{"oops": [')
        if mode == "object":
            return json_answer(200, {"unexpected": True, "items": []})
        if mode == "html":
            return Answer(
                status=200, body=_HTML_PAGE.encode(), content_type="text/html; charset=utf-8"
            )
        raise ValueError(f"unknown malformed mode {mode!r}")

    def _users(self, ws: FakeWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | Answer:
        users = super()._users(ws, query)
        if isinstance(users, Answer):
            return users
        if "name" in query:
            users = [u for u in users if _contains(u.get("name"), query["name"])]
        if "email" in query:
            users = [u for u in users if _contains(u.get("email"), query["email"])]
        return users

    def _clients(self, ws: FakeWorkspace, query: dict[str, str]) -> list[dict[str, Any]] | Answer:
        clients = super()._clients(ws, query)
        if isinstance(clients, Answer) or "name" not in query:
            return clients
        return [c for c in clients if _contains(c.get("name"), query["name"])]

    def _page(self, records: list[dict[str, Any]], page: int, page_size: int) -> Answer:
        if self.reset_after_pages is not None and page > self.reset_after_pages:
            return _RESET
        return super()._page(records, 1 if self.ignore_paging else page, page_size)

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
    client_id: str,
    name: str,
    workspace_id: str,
    *,
    archived: bool = False,
    address: str | None = None,
    email: str | None = None,
    cc_emails: list[str] | None = None,
    currency: str = "USD",
    note: str | None = None,
) -> dict[str, Any]:
    return {
        "id": client_id,
        "name": name,
        "workspaceId": workspace_id,
        "archived": archived,
        "email": email,
        "address": address,
        "note": note,
        "ccEmails": cc_emails,
        "currencyId": "64b0cc0000000000000000ee",
        "currencyCode": currency,
    }


SAMPLE_WORKSPACE_ID = "64b0a0000000000000000001"
SAMPLE_SIDE_WORKSPACE_ID = "64b0a0000000000000000002"
SAMPLE_OWNER_ID = "64b0c0ffee00000000000001"
SAMPLE_INACTIVE_USER_ID = "64b0c0ffee00000000000004"
SAMPLE_ARCHIVED_CLIENT_ID = "64b0c11e0000000000000003"
#: Globex Corporation: the sample client with every invoice field (a two-line address).
SAMPLE_BILLED_CLIENT_ID = "64b0c11e0000000000000001"
SAMPLE_BILLED_ADDRESS = "Musterstraße 1\n10115 Berlin"

__all__ = [
    "FREE_PLAN_LIMIT",
    "FREE_PLAN_WINDOW",
    "FakeClockify",
    "FakeWorkspace",
    "Gate",
    "RecordedRequest",
    "RequestMatch",
    "is_free_plan",
]
