"""A fake docs101 on 127.0.0.1: the customer list, its errors, and switches for faults.

It answers GET /api/v1/customer/ with the `X-API-Key` it was given (401 otherwise), as a
plain JSON list or in one of the shapes the client must also read (`paging`), and can
instead answer a fixed error status, a malformed body, a redirect or an endless body.
Every request is logged (never its key). Methods other than GET are answered 405. The
serving (server, handler, threads, start and stop) is the demo's docs101 server's
(desktop.demo.docs101.DemoDocs101, on desktop.demo.server's handler); this layer answers.

`demo_customers()` is the demo's customer list (desktop/demo/docs101.py, imported from
there): it overlaps the demo Clockify's clients (desktop/demo/data.py) with exact, near and
missing names.

Run it alone to try the client by hand:
    python tests/fake_docs101.py      # prints the base URL and the key, serves until Ctrl-C
"""

from __future__ import annotations

import json
import sys
import threading
from dataclasses import dataclass, field
from typing import Any, ClassVar

from desktop.demo.docs101 import DemoDocs101, _company, demo_customers
from desktop.demo.server import API_PREFIX, Answer, DemoHandler, Request

CUSTOMERS = API_PREFIX + "/customer/"
#: A made-up key in docs101's format.
DOCS101_TEST_KEY = "ak_live_9fQ2xWm7Lr4Tz8Kp1Vb6Hn3Yc5Gd0JsE"
#: "list": a plain list (what docs101 sends); "results", "data", "items", "customers": that
#: list inside an object, all at once; "next": pages of `page_size` with a `next` link
#: (count, next, previous, results); "next-relative": the same with a link without host;
#: "page": pages by `?page=N` with page and total (data); "next-elsewhere": a `next` link
#: to `next_host`; "ignores-paging": says there is more, but always sends page 1;
#: "next-loop": the `next` link points at the page itself.
PAGING_MODES = frozenset(
    {
        "list",
        "results",
        "data",
        "items",
        "customers",
        "next",
        "next-relative",
        "page",
        "next-elsewhere",
        "ignores-paging",
        "next-loop",
    }
)
#: "bad-json": not JSON; "html": a web page; "object": an object with no list in it.
MALFORMED_MODES = frozenset({"bad-json", "html", "object"})
#: Each default error body, as docs101 words them.
ERROR_BODIES: dict[int, dict[str, Any]] = {
    400: {"message": "Validation failed: unknown filter"},
    401: {"message": "Invalid API key"},
    402: {
        "error": "Plan limit exceeded",
        "used": 1000,
        "limit": 1000,
        "reset_date": "2026-12-01",
    },
    404: {"error": "Not found"},
    422: {"message": "Unprocessable entity: page must be a number"},
    500: {"error": "Internal server error"},
}


@dataclass(frozen=True, slots=True)
class Docs101Request:
    """One request as the fake saw it; the key itself is never kept."""

    method: str
    path: str
    query: dict[str, str]
    key_present: bool
    key_headers: int
    other_headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Seen(Request):
    """The demo server's request, with the headers the log keeps besides the key."""

    others: dict[str, str] = field(default_factory=dict)


_ENDLESS = Answer(status=0)  # stream a list of customers that never ends instead


class _Handler(DemoHandler):
    """The demo server's handler: every method reaches the fake, which answers non-GET 405."""

    server_version = "FakeDocs101/1.0"

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = DemoHandler.do_GET

    def _as_request(self) -> Request:
        request = super()._as_request()
        others = {
            name.lower(): value
            for name, value in self.headers.items()
            if name.lower() in ("accept-encoding", "authorization", "proxy-authorization")
        }
        return _Seen(request.method, request.path, request.query, request.keys, others)

    def _send(self, answer: Answer) -> None:
        if answer is _ENDLESS:
            self._endless()
        else:
            super()._send(answer)

    def _endless(self) -> None:
        """A list of customers with no end and no length: the client must stop reading."""
        self.close_connection = True
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            record = json.dumps(_company(1, "x" * 1000, None, None)).encode() + b","
            piece = b"[" + record * 1024
            while not self.server.clockify._stopping.is_set():
                self.wfile.write(piece)
                piece = record * 1024
        except OSError:
            pass


def _answer(status: int, body: bytes, headers: dict[str, str] | None = None) -> Answer:
    return Answer(status, body, headers=tuple((headers or {}).items()))


def _json(payload: Any) -> bytes:
    return json.dumps(payload, ensure_ascii=False).encode()


class FakeDocs101(DemoDocs101):
    """The demo's docs101 server with switches, on a daemon thread once started (`start()`,
    `stop()`, `with`); every request is logged in `requests`.

    Attributes (switches a test may change while it runs):
        customers: the records served, as docs101 shapes them.
        paging: one of PAGING_MODES; page_size: the customers of one page when paged.
        status: answer every request with this status and `error_body` (or its default
            from ERROR_BODIES); echo_key: put the key it was sent into that body.
        malformed: one of MALFORMED_MODES, answered with 200.
        redirect_to: answer 302 to this address.
        endless: answer 200 with a body that never ends.
        next_host: where "next-elsewhere" links to.
    """

    handler_class: ClassVar[type[DemoHandler]] = _Handler

    def __init__(
        self,
        *,
        api_key: str = DOCS101_TEST_KEY,
        customers: list[dict[str, Any]] | None = None,
        paging: str = "list",
        page_size: int = 5,
    ) -> None:
        if paging not in PAGING_MODES:
            raise ValueError(f"unknown paging {paging!r}")
        super().__init__(api_key=api_key, customers=customers)
        self.paging = paging
        self.page_size = page_size
        self.status: int | None = None
        self.error_body: Any = None
        self.echo_key = False
        self.malformed: str | None = None
        self.redirect_to: str | None = None
        self.endless = False
        self.next_host = "https://elsewhere.example"
        self.requests: list[Docs101Request] = []
        self.lock = threading.Lock()

    @property
    def origin(self) -> str:
        return self.base_url.removesuffix(API_PREFIX)

    @property
    def port(self) -> int:
        return int(self.origin.rsplit(":", 1)[1])

    # -- answering ---------------------------------------------------------------------------

    def _answer(self, request: Request) -> Answer:
        keys = list(request.keys)
        others = request.others if isinstance(request, _Seen) else {}
        with self.lock:
            self.requests.append(
                Docs101Request(
                    request.method, request.path, request.query, bool(keys), len(keys), others
                )
            )
        if request.method != "GET":
            return _answer(405, _json({"error": "Method not allowed"}))
        if self.redirect_to is not None:
            return _answer(302, b"", {"Location": self.redirect_to})
        if self.status is not None:
            body = self.error_body
            if body is None:
                body = dict(ERROR_BODIES.get(self.status, {"error": "Error"}))
                if self.echo_key and keys:
                    body["message"] = f"the key {keys[0]} is not valid here"
            return _answer(self.status, body if isinstance(body, bytes) else _json(body))
        if keys != [self.api_key]:
            return _answer(401, _json(ERROR_BODIES[401]))
        if request.path != CUSTOMERS:
            return _answer(404, _json(ERROR_BODIES[404]))
        if self.endless:
            return _ENDLESS
        if self.malformed is not None:
            body = {
                "bad-json": b'[{"id": 1, "organization_name": "Acme"',
                "html": b"<!DOCTYPE html><html><body>Welcome</body></html>",
                "object": _json({"status": "ok", "count": 3}),
            }[self.malformed]
            return _answer(200, body)
        return _answer(200, _json(self._paged(request.query)))

    def _paged(self, query: dict[str, str]) -> Any:
        customers = self.customers
        mode = self.paging
        if mode == "list":
            return customers
        if mode in ("results", "data", "items", "customers"):
            return {mode: customers}
        size = self.page_size
        try:
            page = max(int(query.get("page", "1")), 1)
        except ValueError:
            page = 1
        if mode == "ignores-paging":
            page = 1
        chunk = customers[(page - 1) * size : page * size]
        more = page * size < len(customers)
        if mode == "page" or mode == "ignores-paging":
            return {"page": page, "total": len(customers), "data": chunk}
        link: str | None = None
        if mode == "next-loop":
            link = f"{self.origin}{CUSTOMERS}?page={page}"
        elif more:
            link = {
                "next": f"{self.origin}{CUSTOMERS}?page={page + 1}",
                "next-relative": f"{CUSTOMERS}?page={page + 1}",
                "next-elsewhere": f"{self.next_host}{CUSTOMERS}?page={page + 1}",
            }[mode]
        return {
            "count": len(customers),
            "next": link,
            "previous": None if page == 1 else f"{self.origin}{CUSTOMERS}?page={page - 1}",
            "results": chunk,
        }


__all__ = ["DOCS101_TEST_KEY", "FakeDocs101", "demo_customers"]


if __name__ == "__main__":
    fake = FakeDocs101(paging=sys.argv[1] if len(sys.argv) > 1 else "list").start()
    print(fake.base_url, fake.api_key, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        fake.stop()
