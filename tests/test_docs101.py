"""The docs101 client (issue 19): the customer list in every shape, lenient records, each
error status with its message and exit code, the key never shown, and the hostile-server
cases the Clockify client passes (tests/test_hostile.py), run against this client."""

from __future__ import annotations

import logging
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fake_docs101 import DOCS101_TEST_KEY, FakeDocs101, demo_customers
from hostile_server import HostileServer
from test_hostile import LIMIT_MB, assert_no_trace

from desktop.clockify.connection import ApiKey
from desktop.docs101.client import DEFAULT_BASE_URL, Docs101Client, Docs101Customer
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
from desktop.errors import AppError

KEY = DOCS101_TEST_KEY


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="desktop")


@pytest.fixture
def fake() -> Iterator[FakeDocs101]:
    with FakeDocs101() as server:
        yield server


@pytest.fixture
def make_client() -> Iterator[Callable[..., Docs101Client]]:
    made: list[Docs101Client] = []

    def make(base_url: str, key: str = KEY, **kwargs: Any) -> Docs101Client:
        client = Docs101Client(base_url, key, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def expected_ids() -> list[str]:
    return [str(c["id"]) for c in demo_customers()]


def assert_clean(error: BaseException, caplog: pytest.LogCaptureFixture | None = None) -> None:
    """Neither the error's texts nor the log hold any trace of the key."""
    assert isinstance(error, AppError)
    texts = [error.message, str(error), repr(error), repr(error.args)]
    if caplog is not None:
        texts.append(caplog.text)
    for text in texts:
        assert_no_trace(text, KEY)


# -- the list in every shape --------------------------------------------------------------


def test_a_plain_list_is_every_customer(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    customers = make_client(fake.base_url).customers()
    assert [c.id for c in customers] == expected_ids()
    cafe = customers[0]
    assert cafe == Docs101Customer(
        id="1001",
        organization_name="Café Müller",
        first_name=None,
        last_name=None,
        email="info@cafe-mueller.example",
        vat_id="DE811234567",
        is_active=True,
    )
    [request] = fake.requests
    assert (request.method, request.path, request.query) == ("GET", "/api/v1/customer/", {})
    assert request.key_headers == 1
    assert "authorization" not in request.other_headers
    assert request.other_headers["accept-encoding"] == "gzip"


@pytest.mark.parametrize("shape", ["results", "data", "items", "customers"])
def test_a_list_inside_an_object_is_read(
    make_client: Callable[..., Docs101Client], shape: str
) -> None:
    with FakeDocs101(paging=shape) as fake:
        customers = make_client(fake.base_url).customers()
        assert len(fake.requests) == 1
    assert [c.id for c in customers] == expected_ids()


@pytest.mark.parametrize("paging", ["next", "next-relative", "page"])
def test_pages_are_followed_to_the_end(
    make_client: Callable[..., Docs101Client], paging: str
) -> None:
    with FakeDocs101(paging=paging, page_size=6) as fake:
        customers = make_client(fake.base_url).customers()
        pages = [r.query.get("page") for r in fake.requests]
        assert {r.path for r in fake.requests} == {"/api/v1/customer/"}
    assert [c.id for c in customers] == expected_ids()
    assert pages == [None, "2", "3", "4"]  # 20 customers, 6 a page


def test_an_empty_list_is_no_customers(make_client: Callable[..., Docs101Client]) -> None:
    with FakeDocs101(customers=[], paging="next") as fake:
        assert make_client(fake.base_url).customers() == []
        assert len(fake.requests) == 1


def test_a_next_link_to_another_host_is_refused(
    make_client: Callable[..., Docs101Client],
) -> None:
    with HostileServer("trap") as trap, FakeDocs101(paging="next-elsewhere") as fake:
        fake.next_host = f"http://127.0.0.1:{trap.port}"
        with pytest.raises(Docs101UnexpectedError, match="another host") as excinfo:
            make_client(fake.base_url).customers()
        assert trap.seen == []
        assert len(fake.requests) == 1
    assert excinfo.value.exit_code == 1


@pytest.mark.parametrize("scheme", ["https", "ftp"])
def test_a_next_link_to_another_scheme_is_refused(
    make_client: Callable[..., Docs101Client], scheme: str
) -> None:
    with FakeDocs101(paging="next-elsewhere") as fake:
        fake.next_host = f"{scheme}://127.0.0.1:{fake.port}"
        with pytest.raises(Docs101UnexpectedError, match="another host or scheme"):
            make_client(fake.base_url).customers()
        assert len(fake.requests) == 1


@pytest.mark.parametrize("paging", ["ignores-paging", "next-loop"])
def test_a_server_ignoring_paging_is_an_error_not_a_loop(
    make_client: Callable[..., Docs101Client], paging: str
) -> None:
    with FakeDocs101(paging=paging) as fake:
        with pytest.raises(Docs101UnexpectedError, match=r"paging|sent before"):
            make_client(fake.base_url).customers()
        assert len(fake.requests) == 2


# -- the records --------------------------------------------------------------------------


def test_a_person_has_no_organisation_and_a_display_name(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    customers = {c.id: c for c in make_client(fake.base_url).customers()}
    zoe, jonas = customers["2001"], customers["2002"]
    assert zoe.organization_name is None
    assert (zoe.first_name, zoe.last_name, zoe.display_name) == ("Zoë", "Müller", "Zoë Müller")
    assert zoe.is_active
    assert jonas.display_name == "Jonas Weber"
    assert not jonas.is_active
    assert customers["1001"].display_name == "Café Müller"


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        (
            {"id": 7, "organization_name": 42, "email": ["x"], "vat_id": {"a": 1}},
            Docs101Customer("7", "42", None, None, None, None, True),
        ),
        (
            {"id": "C-9", "first_name": "Ann\ud800", "last_name": True, "is_active": "no"},
            Docs101Customer("C-9", None, "Ann\ufffd", None, None, None, True),
        ),
        (
            {"id": 3, "organization_name": None, "is_active": False, "unknown": [1, 2]},
            Docs101Customer("3", None, None, None, None, None, False),
        ),
        (
            {"id": 10**30, "organization_name": "  ", "first_name": " Max "},
            Docs101Customer(str(10**30), "  ", " Max ", None, None, None, True),
        ),
    ],
)
def test_fields_are_lenient(record: dict[str, Any], expected: Docs101Customer) -> None:
    assert Docs101Customer.from_json(record) == expected


def test_display_name_of_nothing_is_none() -> None:
    assert Docs101Customer.from_json({"id": 1}).display_name is None
    assert Docs101Customer.from_json({"id": 1, "first_name": " Max "}).display_name == "Max"


@pytest.mark.parametrize(
    "record",
    [[], "id", None, 5, {}, {"id": None}, {"id": True}, {"id": ""}, {"id": 1.5}, {"id": "a" * 300}],
)
def test_a_customer_without_an_id_is_unexpected(record: Any) -> None:
    with pytest.raises(Docs101UnexpectedError) as excinfo:
        Docs101Customer.from_json(record)
    assert excinfo.value.exit_code == 1


def test_a_customer_without_an_id_in_an_answer(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    fake.customers = [{"id": 1}, {"organization_name": "No id"}]
    with pytest.raises(Docs101UnexpectedError, match="has no id"):
        make_client(fake.base_url).customers()


def test_demo_customers_overlap_the_demo_clockify() -> None:
    """Exact names, near names and missing ones against the demo's Clockify clients."""
    from desktop.demo.data import demo_server

    server, _key = demo_server()
    clients = {c["name"] for w in server.workspaces for c in w.clients}
    names = [c["organization_name"] for c in demo_customers()]
    exact = [n for n in names if n in clients]
    assert {"Café Müller", "Straße & Söhne", "Horizon Logistics GmbH"} <= set(exact)
    assert "Cafe Mueller GmbH" not in clients  # (a near name of a studio client, below)
    assert {"Creme Brulee Bistro GmbH", "Strasse und Soehne KG", "Vertex Robotics"} <= set(names)
    assert {"Crème Brûlée Bistro", "Übermaß Gym", "Vertex Robotics GmbH"} <= clients
    assert "Bäckerei Schmidt e.K." not in clients
    assert len(clients - set(names)) > 1000  # most clients are missing in docs101
    assert None in names  # persons
    assert demo_customers() == demo_customers()  # fresh, equal copies


# -- errors: each status, its message and exit code ----------------------------------------


@pytest.mark.parametrize(
    ("status", "kind", "code", "says"),
    [
        (
            401,
            Docs101KeyRejectedError,
            3,
            'rejected the API key at 127.0.0.1:PORT (server said: "Invalid API key")',
        ),
        (402, Docs101PlanError, 4, "plan limit is used up (1000 of 1000 used)"),
        (404, Docs101NotFoundError, 1, "answered 404 Not Found for /api/v1/customer/"),
        (
            400,
            Docs101ServerError,
            1,
            "refused the request for /api/v1/customer/ (Validation failed",
        ),
        (422, Docs101ServerError, 1, "(Unprocessable entity: page must be a number)"),
        (500, Docs101ServerError, 1, "docs101 server error: 127.0.0.1:PORT answered 500"),
        (429, Docs101ServerError, 1, "(Error)"),
    ],
)
def test_each_status_has_its_message_and_exit_code(
    fake: FakeDocs101,
    make_client: Callable[..., Docs101Client],
    status: int,
    kind: type[Docs101Error],
    code: int,
    says: str,
) -> None:
    fake.status = status
    with pytest.raises(kind) as excinfo:
        make_client(fake.base_url).customers()
    error = excinfo.value
    assert says.replace("PORT", str(fake.port)) in error.message
    assert error.exit_code == code
    assert isinstance(error, Docs101Error)
    assert error.message.endswith((".", "?"))
    assert error.message.count(". ") <= 1  # one or two sentences
    assert_clean(error)


def test_402_tells_the_reset_date_and_keeps_the_numbers(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    fake.status = 402
    with pytest.raises(Docs101PlanError) as excinfo:
        make_client(fake.base_url).customers()
    error = excinfo.value
    assert error.message == (
        "docs101's plan limit is used up (1000 of 1000 used) "
        '(server said: "Plan limit exceeded"); it resets on 2026-12-01.'
    )
    assert (error.used, error.limit, error.reset_date) == (1000, 1000, "2026-12-01")


def test_402_without_numbers_names_the_pro_plan(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    fake.status = 402
    fake.error_body = {}
    with pytest.raises(Docs101PlanError) as excinfo:
        make_client(fake.base_url).customers()
    assert excinfo.value.message == "docs101 refused the request: its API needs docs101's Pro plan."
    assert excinfo.value.exit_code == 4


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (b"not json at all", "(400 Bad Request)"),
        ({"error": "Bad filter"}, "(Bad filter)"),
        ({"message": "", "error": "Fallback"}, "(Fallback)"),
        ({"message": {"nested": 1}}, "(400 Bad Request)"),
        ([1, 2], "(400 Bad Request)"),
    ],
)
def test_an_error_text_comes_from_message_or_error_or_the_status_line(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client], body: Any, says: str
) -> None:
    fake.status = 400
    fake.error_body = body
    with pytest.raises(Docs101ServerError) as excinfo:
        make_client(fake.base_url).customers()
    assert excinfo.value.message.endswith(says + ".")


def test_a_wrong_key_is_rejected(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    with pytest.raises(Docs101KeyRejectedError) as excinfo:
        make_client(fake.base_url, "ak_live_SomeOtherKeyThatIsWrong000").customers()
    assert excinfo.value.exit_code == 3
    assert "ak_live_SomeOther" not in str(excinfo.value)


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("bad-json", "not valid JSON"),
        ("html", "not valid JSON"),
        ("object", "no list of customers in it (got dict)"),
    ],
)
def test_a_malformed_answer_is_unexpected(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client], mode: str, says: str
) -> None:
    fake.malformed = mode
    with pytest.raises(Docs101UnexpectedError, match=r"Unexpected answer from 127\.0\.0\.1") as e:
        make_client(fake.base_url).customers()
    assert says in e.value.message
    assert e.value.exit_code == 1


def test_a_refused_connection_is_a_network_error(
    make_client: Callable[..., Docs101Client],
) -> None:
    with FakeDocs101() as fake:
        base_url = fake.base_url
    with pytest.raises(Docs101NetworkError, match="refused the connection") as excinfo:
        make_client(base_url).customers()
    assert excinfo.value.exit_code == 5


def test_tls_to_a_server_without_it_is_a_network_error(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    """https is always verified; a plain-http server behind an https URL cannot pass."""
    client = make_client(f"https://127.0.0.1:{fake.port}/api/v1", timeout=(2.0, 3.0))
    with pytest.raises(Docs101NetworkError) as excinfo:
        client.customers()
    assert excinfo.value.exit_code == 5
    assert_clean(excinfo.value)


@pytest.mark.parametrize(
    "url",
    ["http://docs101.com/api/v1", "http://192.168.1.5:8000/api/v1", "https://x/?q=1", "ftp://a"],
)
def test_an_unusable_base_url_is_refused_before_sending(url: str) -> None:
    with pytest.raises(Docs101ConnectionError) as excinfo:
        Docs101Client(url, KEY)
    assert excinfo.value.exit_code == 2
    assert excinfo.value.message.startswith("docs101: ")


@pytest.mark.parametrize("key", ["", "   ", "ak_live_äöü", "ak live x", "x" * 300])
def test_an_unusable_key_is_refused_before_sending(key: str) -> None:
    with pytest.raises(Docs101UnusableKeyError) as excinfo:
        Docs101Client(DEFAULT_BASE_URL, key)
    assert excinfo.value.exit_code == 3
    if key.strip():
        assert key not in excinfo.value.message


def test_the_default_base_url_and_an_api_key_wrapper(fake: FakeDocs101) -> None:
    assert Docs101Client(api_key=KEY).base_url == "https://docs101.com/api/v1"
    client = Docs101Client(fake.base_url, ApiKey(KEY))
    try:
        assert len(client.customers()) == len(demo_customers())
        assert KEY not in repr(client)
    finally:
        client.close()


def test_bad_timeouts_are_refused() -> None:
    for timeout in ((0.0, 1.0), (1.0, float("inf")), (1.0, float("nan"))):
        with pytest.raises(ValueError, match="timeouts"):
            Docs101Client(DEFAULT_BASE_URL, KEY, timeout=timeout)


# -- the key never shown -------------------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 402, 404, 422, 500])
def test_a_server_echoing_the_key_gets_it_hidden(
    fake: FakeDocs101,
    make_client: Callable[..., Docs101Client],
    caplog: pytest.LogCaptureFixture,
    status: int,
) -> None:
    fake.status = status
    fake.error_body = {"message": f"the key {KEY} is not valid", "reset_date": KEY}
    with pytest.raises(Docs101Error) as excinfo:
        make_client(fake.base_url).customers()
    if status not in (404, 500):  # these quote no server text
        assert "***" in excinfo.value.message
    assert_clean(excinfo.value, caplog)


@pytest.mark.parametrize("status", ["401 Unauthorized", "400 Bad Request", "402 Payment Required"])
def test_every_echoed_form_of_the_key_is_hidden(
    make_client: Callable[..., Docs101Client], caplog: pytest.LogCaptureFixture, status: str
) -> None:
    """The hostile server quotes the key reversed, hex, base64, split, full-width..."""
    with HostileServer("echo", status=status) as server:
        with pytest.raises(Docs101Error) as excinfo:
            make_client(server.base_url).customers()
        assert server.seen[0].headers["x-api-key"] == KEY
    assert "***" in excinfo.value.message
    assert_clean(excinfo.value, caplog)
    assert len(excinfo.value.message) < 300 + 400


def test_a_paging_link_holding_the_key_is_hidden_in_the_error(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    fake.paging = "next-elsewhere"
    fake.next_host = f"https://{KEY.lower()}.example"
    fake.customers = [{"id": n} for n in range(10)]
    with pytest.raises(Docs101UnexpectedError) as excinfo:
        make_client(fake.base_url).customers()
    assert_clean(excinfo.value)


# -- the hostile server: the Clockify client's cases, against this client ------------------


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        pytest.param("bomb", LIMIT_MB, id="gzip-bomb"),
        pytest.param("huge-length", LIMIT_MB, id="huge-content-length"),
        pytest.param("endless", LIMIT_MB, id="endless-chunked"),
        pytest.param("deep", "not valid JSON", id="nested-200000-deep"),
    ],
)
def test_a_hostile_answer_is_bounded(
    make_client: Callable[..., Docs101Client], mode: str, says: str
) -> None:
    with HostileServer(mode) as server:
        started = time.monotonic()
        with pytest.raises(Docs101UnexpectedError, match=says) as excinfo:
            make_client(server.base_url, timeout=(2.0, 10.0)).customers()
        elapsed = time.monotonic() - started
        paths = [s.request_line.split(" ")[1] for s in server.seen]
    assert paths == ["/api/v1/customer/"]  # once, no retry
    assert excinfo.value.exit_code == 1
    assert elapsed < 10


@pytest.mark.parametrize("mode", ["endless", "bomb", "huge-length", "deep"])
def test_error_bodies_are_bounded_and_the_status_still_tells(
    make_client: Callable[..., Docs101Client], mode: str
) -> None:
    with HostileServer(mode, status="401 Unauthorized") as server:
        client = make_client(server.base_url)
        tracemalloc.start()
        try:
            with pytest.raises(Docs101KeyRejectedError) as excinfo:
                client.customers()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "server said" not in str(excinfo.value)
    assert excinfo.value.exit_code == 3
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MB allocated"


def test_a_server_error_with_an_endless_body_is_not_read(
    make_client: Callable[..., Docs101Client],
) -> None:
    with HostileServer("endless", status="503 Service Unavailable") as server:
        with pytest.raises(Docs101ServerError, match="503"):
            make_client(server.base_url).customers()
        assert len(server.seen) == 1


def test_the_deadline_holds_while_one_read_blocks(
    make_client: Callable[..., Docs101Client], caplog: pytest.LogCaptureFixture
) -> None:
    """A byte a second: each read is quick, so only a deadline over all of them ends it."""
    with HostileServer("drip") as server:
        client = make_client(server.base_url, timeout=(1.0, 1.5))
        started = time.monotonic()
        with pytest.raises(Docs101NetworkError, match=r"did not answer within 1\.5 s") as e:
            client.customers()
        elapsed = time.monotonic() - started
    assert e.value.exit_code == 5
    assert elapsed < 1.5 + 5
    assert KEY not in caplog.text


def test_a_gzip_answer_in_two_members_is_read_whole(
    make_client: Callable[..., Docs101Client],
) -> None:
    page = [{"id": i, "organization_name": f"Kunde {i} Zoë GmbH"} for i in range(3000)]
    with HostileServer("gzip-page") as server:
        server.page = list(page)
        got = make_client(server.base_url).customers()
        assert server.seen[0].headers["accept-encoding"] == "gzip"
    assert [(c.id, c.organization_name) for c in got] == [
        (str(p["id"]), p["organization_name"]) for p in page
    ]


def test_a_content_length_of_5000_digits_is_too_large(
    make_client: Callable[..., Docs101Client],
) -> None:
    with (
        HostileServer("huge-length", length="9" * 5000) as server,
        pytest.raises(Docs101UnexpectedError, match=LIMIT_MB),
    ):
        make_client(server.base_url).customers()


def test_an_encoding_not_asked_for_is_refused(make_client: Callable[..., Docs101Client]) -> None:
    with (
        HostileServer("gzip-page", encoding="br") as server,
        pytest.raises(Docs101UnexpectedError, match="compressed in a way") as excinfo,
    ):
        make_client(server.base_url).customers()
    assert excinfo.value.exit_code == 1


def test_an_endless_customer_list_stops_at_the_size_cap(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    fake.endless = True
    with pytest.raises(Docs101UnexpectedError, match=LIMIT_MB):
        make_client(fake.base_url).customers()


def test_no_redirect_is_followed(
    fake: FakeDocs101, make_client: Callable[..., Docs101Client]
) -> None:
    with HostileServer("trap") as trap:
        fake.redirect_to = f"http://127.0.0.1:{trap.port}/api/v1/customer/"
        with pytest.raises(Docs101UnexpectedError, match=r"a redirect \(302\)") as excinfo:
            make_client(fake.base_url).customers()
        assert trap.seen == []
    assert len(fake.requests) == 1
    assert excinfo.value.exit_code == 1


def test_plain_http_ignores_every_proxy_variable(
    fake: FakeDocs101,
    make_client: Callable[..., Docs101Client],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with HostileServer("trap") as trap:
        trap_url = f"http://127.0.0.1:{trap.port}"
        for name in ("http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"):
            monkeypatch.setenv(name, trap_url)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.delenv(name, raising=False)
        customers = make_client(fake.base_url).customers()
        assert trap.seen == []
    assert len(customers) == len(demo_customers())
    assert [r.method for r in fake.requests] == ["GET"]


def test_only_get_is_sent(fake: FakeDocs101, make_client: Callable[..., Docs101Client]) -> None:
    fake.paging = "next"
    make_client(fake.base_url).customers()
    assert {r.method for r in fake.requests} == {"GET"}
    assert all(r.key_headers == 1 for r in fake.requests)
