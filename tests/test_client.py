"""ClockifyClient against the fake Clockify over real HTTP: complete lists, errors, no leaks."""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import (
    SAMPLE_ARCHIVED_CLIENT_ID,
    SAMPLE_INACTIVE_USER_ID,
    SAMPLE_OWNER_ID,
    SAMPLE_WORKSPACE_ID,
    FakeClockify,
    FakeWorkspace,
)
from hostile_server import HostileServer

from desktop.clockify import (
    ApiKey,
    ClockifyClient,
    ClockifyError,
    Connection,
    InvalidConnectionError,
    KeyRejectedError,
    NetworkError,
    NoPermissionError,
    RateLimitedError,
    RequestBudgetError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
    WorkspaceNotFoundError,
)
from desktop.demo.data import make_clients, make_users

BIG_WS = "b16b16b16b16b16b16b16b16"
EVEN_WS = "e0e0e0e0e0e0e0e0e0e0e0e0"
ODD_WS = "0dd0dd0dd0dd0dd0dd0dd0dd"
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.01, max_delay=0.05, max_total=1)


@pytest.fixture(scope="module")
def big_data() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """12,345 users and 2,345 clients: two full pages of 5000 and a short one."""
    return make_users(12_345, workspace_id=BIG_WS), make_clients(2_345, workspace_id=BIG_WS)


@pytest.fixture
def big_server(
    fake_server: FakeClockify, big_data: tuple[list[dict[str, Any]], list[dict[str, Any]]]
) -> FakeClockify:
    users, clients = big_data
    fake_server.add_workspace(FakeWorkspace(BIG_WS, "Big", users, clients))
    return fake_server


@pytest.fixture
def make_client() -> Iterator[Callable[..., ClockifyClient]]:
    made: list[ClockifyClient] = []

    def make(server_or_url: FakeClockify | str, key: Any = None, **kwargs: Any) -> ClockifyClient:
        url = server_or_url if isinstance(server_or_url, str) else server_or_url.base_url
        kwargs.setdefault("retry", FAST_RETRY)
        kwargs.setdefault("timeout", (2.0, 5.0))
        client = ClockifyClient(Connection.for_base_url(url), key or ApiKey(TEST_KEY), **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def client(fake_server: FakeClockify, make_client: Callable[..., ClockifyClient]) -> ClockifyClient:
    return make_client(fake_server)


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="desktop")


def assert_key_hidden(
    exc: BaseException, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    for text in (str(exc), repr(exc), repr(client), caplog.text, repr(exc.args)):
        assert TEST_KEY not in text
    assert isinstance(exc, ClockifyError)
    assert exc.message == str(exc)
    assert exc.__cause__ is None  # the requests exception (and its headers) is not chained


def list_requests(server: FakeClockify, suffix: str) -> list[Any]:
    return [r for r in server.requests if r.path.endswith(suffix)]


# -- complete lists -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "user_pages", "client_pages"),
    [
        ("header", 3, 1),
        ("lowercase", 3, 1),
        ("total-count", 3, 1),
        ("none", 3, 1),
        ("always-false", 4, 2),
    ],
)
def test_lists_are_complete_in_every_paging_mode(
    big_server: FakeClockify,
    big_data: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    client: ClockifyClient,
    mode: str,
    user_pages: int,
    client_pages: int,
) -> None:
    big_server.paging_mode = mode
    users, clients = big_data
    got_users = client.users(BIG_WS, include_inactive=True)
    got_clients = client.clients(BIG_WS, include_archived=True)
    assert len(got_users) == 12_345
    assert {u.id for u in got_users} == {u["id"] for u in users}
    assert len(got_clients) == 2_345
    assert {c.id for c in got_clients} == {c["id"] for c in clients}
    user_requests = list_requests(big_server, "/users")
    assert len(user_requests) == user_pages
    assert [r.query["page"] for r in user_requests] == [str(p) for p in range(1, user_pages + 1)]
    assert {r.query["page-size"] for r in user_requests} == {"5000"}
    assert len(list_requests(big_server, "/clients")) == client_pages


@pytest.mark.parametrize(("mode", "pages"), [("none", 3), ("header", 2), ("always-false", 3)])
def test_an_exactly_full_last_page(
    fake_server: FakeClockify,
    client: ClockifyClient,
    mode: str,
    pages: int,
) -> None:
    """10,000 users: without a Last-Page header only an empty page tells the end."""
    fake_server.paging_mode = mode
    users = make_users(10_000, workspace_id=EVEN_WS)
    fake_server.add_workspace(FakeWorkspace(EVEN_WS, "Even", users, []))
    got = client.users(EVEN_WS, include_inactive=True)
    assert {u.id for u in got} == {u["id"] for u in users}
    assert len(got) == 10_000
    assert len(list_requests(fake_server, "/users")) == pages


def test_progress_reports_running_totals(big_server: FakeClockify, client: ClockifyClient) -> None:
    seen: list[int] = []
    client.users(BIG_WS, include_inactive=True, progress=seen.append)
    assert seen == [5000, 10_000, 12_345]


def test_users_and_clients_load_concurrently(
    big_server: FakeClockify,
    big_data: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    client: ClockifyClient,
) -> None:
    users, clients = big_data
    with (
        big_server.hold(("/users", "/clients")) as gate,
        ThreadPoolExecutor(max_workers=2) as pool,
    ):
        got_users = pool.submit(client.users, BIG_WS, include_inactive=True)
        got_clients = pool.submit(client.clients, BIG_WS, include_archived=True)
        # Both first pages are held at once: the two loads really run side by side.
        assert gate.wait_held(2, timeout=30)
        gate.release()
        user_ids = {u.id for u in got_users.result(timeout=30)}
        client_ids = {c.id for c in got_clients.result(timeout=30)}
    assert user_ids == {u["id"] for u in users}
    assert client_ids == {c["id"] for c in clients}
    assert len(list_requests(big_server, "/users")) == 3
    assert len(list_requests(big_server, "/clients")) == 1


@pytest.mark.timeout(30)  # a client that loops would fetch 2000 pages before giving up
def test_a_server_ignoring_paging_is_an_error_not_a_loop(
    big_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    big_server.ignore_paging = True
    with pytest.raises(UnexpectedResponseError, match="paging") as excinfo:
        client.users(BIG_WS)
    assert excinfo.value.exit_code == 1
    assert len(list_requests(big_server, "/users")) == 2
    assert_key_hidden(excinfo.value, client, caplog)


# -- filters ------------------------------------------------------------------------------


def test_users_default_to_active_members(fake_server: FakeClockify, client: ClockifyClient) -> None:
    users = client.users(SAMPLE_WORKSPACE_ID)
    ids = {u.id for u in users}
    assert SAMPLE_OWNER_ID in ids
    assert SAMPLE_INACTIVE_USER_ID not in ids
    assert len(users) == 3
    assert list_requests(fake_server, "/users")[0].query["status"] == "ACTIVE"


def test_include_inactive_asks_for_all(fake_server: FakeClockify, client: ClockifyClient) -> None:
    ids = {u.id for u in client.users(SAMPLE_WORKSPACE_ID, include_inactive=True)}
    assert SAMPLE_INACTIVE_USER_ID in ids
    assert len(ids) == 5
    assert list_requests(fake_server, "/users")[0].query["status"] == "ALL"


def test_clients_default_to_unarchived(fake_server: FakeClockify, client: ClockifyClient) -> None:
    clients = client.clients(SAMPLE_WORKSPACE_ID)
    assert SAMPLE_ARCHIVED_CLIENT_ID not in {c.id for c in clients}
    assert len(clients) == 3
    assert not any(c.archived for c in clients)
    assert "<b>x</b><img src=x>" in {c.name for c in clients}
    assert list_requests(fake_server, "/clients")[0].query["archived"] == "false"


def test_include_archived_gets_both(fake_server: FakeClockify, client: ClockifyClient) -> None:
    clients = client.clients(SAMPLE_WORKSPACE_ID, include_archived=True)
    assert len(clients) == 4
    archived = [c for c in clients if c.archived]
    assert [c.id for c in archived] == [SAMPLE_ARCHIVED_CLIENT_ID]
    assert "archived" not in list_requests(fake_server, "/clients")[0].query


def test_workspaces_and_current_user(client: ClockifyClient) -> None:
    assert [w.name for w in client.workspaces()] == ["Acme Ltd", "Side Project"]
    me = client.current_user()
    assert me.id == SAMPLE_OWNER_ID
    assert me.active_workspace == SAMPLE_WORKSPACE_ID


# -- errors -------------------------------------------------------------------------------


class _EmptyKey:
    """Stands in for an ApiKey (which refuses to be empty) to send an empty header."""

    def reveal(self) -> str:
        return ""


def test_missing_key_is_rejected_with_a_region_hint(
    fake_server: FakeClockify,
    make_client: Callable[..., ClockifyClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(fake_server, _EmptyKey())
    with pytest.raises(KeyRejectedError) as excinfo:
        client.current_user()
    assert excinfo.value.exit_code == 3
    assert "Multiple or none auth tokens present" in str(excinfo.value)
    assert "region" in str(excinfo.value)
    assert fake_server.requests[0].api_key_present is False
    assert_key_hidden(excinfo.value, client, caplog)


def test_wrong_key_is_rejected_with_a_region_hint(
    fake_server: FakeClockify,
    make_client: Callable[..., ClockifyClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    wrong = "wrong-" + TEST_KEY[::-1]
    client = make_client(fake_server, ApiKey(wrong))
    with pytest.raises(KeyRejectedError) as excinfo:
        client.workspaces()
    message = str(excinfo.value)
    assert excinfo.value.exit_code == 3
    assert "Api key does not exist" in message
    assert "region" in message
    assert "127.0.0.1" in message
    for text in (message, repr(excinfo.value), repr(client), caplog.text):
        assert wrong not in text
    assert len(fake_server.requests) == 1  # a 401 is not retried


def test_forbidden_users_leave_clients_working(
    fake_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.workspaces[0].forbid_users = True
    with pytest.raises(NoPermissionError) as excinfo:
        client.users(SAMPLE_WORKSPACE_ID)
    assert excinfo.value.exit_code == 4
    assert "permission" in str(excinfo.value).lower()
    assert "clients" in str(excinfo.value)
    assert len(client.clients(SAMPLE_WORKSPACE_ID)) == 3
    assert_key_hidden(excinfo.value, client, caplog)


def test_unknown_workspace(client: ClockifyClient, caplog: pytest.LogCaptureFixture) -> None:
    missing = "ffffffffffffffffffffffff"
    with pytest.raises(WorkspaceNotFoundError) as excinfo:
        client.clients(missing)
    assert excinfo.value.exit_code == 4
    assert missing in str(excinfo.value)
    assert excinfo.value.workspace_id == missing
    assert_key_hidden(excinfo.value, client, caplog)


def test_rate_limit_is_retried(fake_server: FakeClockify, client: ClockifyClient) -> None:
    fake_server.rate_limit_first = 2
    fake_server.retry_after = "0"
    assert client.current_user().id == SAMPLE_OWNER_ID
    assert len(fake_server.requests) == 3


def test_rate_limit_storm_gives_up(
    fake_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.rate_limit_first = 100
    with pytest.raises(RateLimitedError) as excinfo:
        client.workspaces()
    assert excinfo.value.exit_code == 5
    assert "429" in str(excinfo.value)
    assert len(fake_server.requests) == FAST_RETRY.attempts
    assert_key_hidden(excinfo.value, client, caplog)


def test_a_passing_server_error_is_retried(
    fake_server: FakeClockify, client: ClockifyClient
) -> None:
    fake_server.server_error_first = 1
    assert len(client.clients(SAMPLE_WORKSPACE_ID)) == 3
    assert len(fake_server.requests) == 2


def test_a_lasting_server_error(
    fake_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.server_error_first = 100
    with pytest.raises(ServerError) as excinfo:
        client.users(SAMPLE_WORKSPACE_ID)
    assert excinfo.value.exit_code == 1
    assert "503" in str(excinfo.value)
    assert len(fake_server.requests) == FAST_RETRY.attempts
    assert_key_hidden(excinfo.value, client, caplog)


def test_a_stalled_server_times_out(
    fake_server: FakeClockify,
    make_client: Callable[..., ClockifyClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = make_client(fake_server, timeout=(0.5, 0.5))
    with fake_server.hold("/workspaces"), pytest.raises(NetworkError) as excinfo:
        client.workspaces()  # a hang here would hit pytest's timeout
    assert excinfo.value.exit_code == 5
    assert "timeout" in str(excinfo.value).lower()
    assert_key_hidden(excinfo.value, client, caplog)


def test_a_refused_connection(
    make_client: Callable[..., ClockifyClient], caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make_client(f"http://127.0.0.1:{port}")
    with pytest.raises(NetworkError) as excinfo:
        client.current_user()
    assert excinfo.value.exit_code == 5
    assert "refused" in str(excinfo.value)
    assert_key_hidden(excinfo.value, client, caplog)


def test_a_connection_dropped_mid_list_returns_nothing_partial(
    big_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    big_server.reset_after_pages = 1
    got: list[int] = []
    with pytest.raises(NetworkError) as excinfo:
        got.append(len(client.users(BIG_WS, include_inactive=True)))
    assert got == []
    assert excinfo.value.exit_code == 5
    assert "broke off" in str(excinfo.value)
    assert [r.query["page"] for r in list_requests(big_server, "/users")] == ["1", "2"]
    assert_key_hidden(excinfo.value, client, caplog)


@pytest.mark.parametrize("mode", ["bad-json", "object", "html"])
def test_malformed_answers(
    fake_server: FakeClockify,
    client: ClockifyClient,
    caplog: pytest.LogCaptureFixture,
    mode: str,
) -> None:
    fake_server.malformed = mode
    fake_server.malformed_paths = ("/users",)
    with pytest.raises(UnexpectedResponseError) as excinfo:
        client.users(SAMPLE_WORKSPACE_ID)
    assert excinfo.value.exit_code == 1
    assert "Clockify server" in str(excinfo.value)
    assert len(client.clients(SAMPLE_WORKSPACE_ID)) == 3  # the other paths still work
    assert_key_hidden(excinfo.value, client, caplog)
    fake_server.malformed_paths = ()
    for call in (client.workspaces, client.current_user):
        with pytest.raises(UnexpectedResponseError):
            call()


def test_a_host_that_does_not_resolve(
    monkeypatch: pytest.MonkeyPatch,
    make_client: Callable[..., ClockifyClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The resolver fails as it does for an unknown name; requests and urllib3 run for real."""
    looked_up: list[tuple[str, int]] = []
    resolve = socket.getaddrinfo

    def no_dns(host: str, port: int, *args: Any, **kwargs: Any) -> Any:
        if host != "clockify.invalid":
            return resolve(host, port, *args, **kwargs)
        looked_up.append((host, port))
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    client = make_client("https://clockify.invalid")
    with pytest.raises(NetworkError) as excinfo:
        client.workspaces()
    assert excinfo.value.exit_code == 5
    assert "could not be resolved" in str(excinfo.value)
    assert "clockify.invalid" in str(excinfo.value)
    assert looked_up == [("clockify.invalid", 443)]
    assert_key_hidden(excinfo.value, client, caplog)


def test_redirects_are_not_followed(
    fake_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    elsewhere = fake_server.base_url.replace("/api/v1", "/redirected/api/v1/workspaces")
    fake_server.redirect = elsewhere
    with pytest.raises(UnexpectedResponseError, match="redirect") as excinfo:
        client.workspaces()
    assert excinfo.value.exit_code == 1
    assert [r.path for r in fake_server.requests] == ["/api/v1/workspaces"]
    assert not any("redirected" in r.path for r in fake_server.requests)
    assert_key_hidden(excinfo.value, client, caplog)


def test_only_get_is_ever_sent(fake_server: FakeClockify, client: ClockifyClient) -> None:
    client.current_user()
    client.workspaces()
    client.users(SAMPLE_WORKSPACE_ID, include_inactive=True)
    client.clients(SAMPLE_WORKSPACE_ID, include_archived=True)
    fake_server.rate_limit_first = 1
    fake_server.server_error_first = 1
    client.workspaces()
    with pytest.raises(WorkspaceNotFoundError):
        client.clients("ffffffffffffffffffffffff")
    fake_server.workspaces[0].forbid_users = True
    with pytest.raises(NoPermissionError):
        client.users(SAMPLE_WORKSPACE_ID)
    fake_server.malformed = "html"
    with pytest.raises(UnexpectedResponseError):
        client.workspaces()
    assert len(fake_server.requests) >= 9
    assert fake_server.methods() == {"GET"}
    assert all(r.api_key_present for r in fake_server.requests)


# -- lenient parsing ----------------------------------------------------------------------


def test_records_are_parsed_leniently(fake_server: FakeClockify, client: ClockifyClient) -> None:
    fake_server.add_workspace(
        FakeWorkspace(
            ODD_WS,
            None,
            users=[
                {"id": "a" * 24, "name": None, "email": None, "settings": None, "status": None},
                {"id": "b" * 24},
                {
                    "id": "c" * 24,
                    "name": "Extra",
                    "email": "x@example.com",
                    "status": "LIMITED",
                    "brandNewField": {"nested": [1, 2]},
                    "settings": {"weekStart": "SUNDAY", "unknown": True},
                },
            ],
            clients=[
                {"id": "d" * 24, "name": None, "archived": False},
                {"id": "e" * 24, "futureField": 1, "email": None, "address": None},
            ],
        )
    )
    users = {u.id: u for u in client.users(ODD_WS, include_inactive=True)}
    assert users["a" * 24].name is None
    assert users["a" * 24].email is None
    assert users["b" * 24].name is None
    assert users["c" * 24].name == "Extra"
    assert users["c" * 24].status == "LIMITED"
    clients = {c.id: c for c in client.clients(ODD_WS, include_archived=True)}
    assert set(clients) == {"d" * 24, "e" * 24}
    assert clients["e" * 24].archived is False
    assert clients["e" * 24].name is None
    assert ODD_WS in {w.id for w in client.workspaces()}


def test_a_record_without_id_is_an_error(
    fake_server: FakeClockify, client: ClockifyClient, caplog: pytest.LogCaptureFixture
) -> None:
    fake_server.add_workspace(
        FakeWorkspace(ODD_WS, "Odd", users=[{"id": "a" * 24}, {"name": "No Id"}], clients=[])
    )
    with pytest.raises(UnexpectedResponseError, match="no id") as excinfo:
        client.users(ODD_WS, include_inactive=True)
    assert excinfo.value.exit_code == 1
    assert_key_hidden(excinfo.value, client, caplog)


# -- connections --------------------------------------------------------------------------


def test_plain_http_only_to_loopback() -> None:
    with pytest.raises(InvalidConnectionError, match="http") as excinfo:
        Connection.for_base_url("http://example.com")
    assert excinfo.value.exit_code == 2
    assert Connection.for_base_url("http://127.0.0.1:8080").base_url == (
        "http://127.0.0.1:8080/api/v1"
    )
    assert Connection.for_base_url("http://localhost:1/api/v1/").base_url == (
        "http://localhost:1/api/v1"
    )


def test_https_gets_api_v1_appended() -> None:
    assert Connection.for_base_url("https://Clockify.Example.com").base_url == (
        "https://clockify.example.com/api/v1"
    )
    assert Connection.for_base_url("clockify.example.com/api/v1").base_url == (
        "https://clockify.example.com/api/v1"
    )


@pytest.mark.parametrize(
    "url",
    ["https://user:pass@clockify.example.com", "https://token@clockify.example.com/api/v1"],
)
def test_credentials_in_the_url_are_refused(url: str) -> None:
    with pytest.raises(InvalidConnectionError, match="user name or password"):
        Connection.for_base_url(url)


def test_the_client_repr_hides_the_key(client: ClockifyClient) -> None:
    assert TEST_KEY not in repr(client)
    assert "hidden" in repr(client)


# -- the GIL-friendly JSON decoder -----------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"[]", b" [ ] ", b"[1, 2 ,3]", b'{"a": [1]}', '[{"n": "Zoë"}]'.encode(), b"\xef\xbb\xbf[1]"],
)
def test_loads_yielding_matches_json_loads(body: bytes) -> None:
    from desktop.clockify.client import loads_yielding

    assert loads_yielding(body) == json.loads(body.decode("utf-8-sig"))


@pytest.mark.parametrize("body", [b"[1,]", b"[1 2]", b"[1]x", b"[", b"", b"<html>", b"\xff["])
def test_loads_yielding_rejects_what_json_loads_rejects(body: bytes) -> None:
    from desktop.clockify.client import loads_yielding

    with pytest.raises(ValueError):  # noqa: PT011 - JSONDecodeError and UnicodeDecodeError
        loads_yielding(body)


PROXY_VARIABLES = ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ALL_PROXY")


@pytest.fixture
def proxy_trap(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    """A proxy on 127.0.0.1 that records what reaches it and forwards nothing."""
    for name in (*PROXY_VARIABLES, "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    with HostileServer("trap") as trap:
        yield trap


def test_plain_http_never_goes_through_a_proxy(
    fake_server: FakeClockify,
    client: ClockifyClient,
    proxy_trap: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Plain http is only ever loopback: a proxy there would read the key in clear text."""
    trap_url = f"http://127.0.0.1:{proxy_trap.port}"
    for name in (*PROXY_VARIABLES, "all_proxy"):
        monkeypatch.setenv(name, trap_url)
    assert [w.name for w in client.workspaces()] == ["Acme Ltd", "Side Project"]
    assert [r.path for r in fake_server.requests] == ["/api/v1/workspaces"]
    assert proxy_trap.seen == []
    assert ClockifyClient._proxies(fake_server.base_url + "/workspaces") == {}


def test_https_goes_through_https_proxy_with_the_key_inside_tls(
    make_client: Callable[..., ClockifyClient],
    proxy_trap: HostileServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """HTTPS_PROXY is used (people behind a company proxy); it only sees a CONNECT.

    The host is never resolved here: the proxy would resolve it, and this one refuses.
    """
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy_trap.port}")
    client = make_client("https://clockify.invalid")
    with pytest.raises(NetworkError, match="proxy") as excinfo:
        client.workspaces()
    assert excinfo.value.exit_code == 5
    lines = [seen.request_line.rsplit(" ", 1)[0] for seen in proxy_trap.seen]
    assert lines == ["CONNECT clockify.invalid:443"]
    assert "x-api-key" not in proxy_trap.seen[0].headers
    assert_key_hidden(excinfo.value, client, caplog)


def test_https_proxies_follow_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Which proxies an https request would use: HTTPS_PROXY or ALL_PROXY, NO_PROXY wins."""
    for name in (*PROXY_VARIABLES, "all_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    url = "https://clockify.example.com/api/v1/workspaces"
    assert ClockifyClient._proxies(url) == {}
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # http only: not for https
    assert ClockifyClient._proxies(url) == {}
    monkeypatch.setenv("ALL_PROXY", "http://127.0.0.1:8")
    assert ClockifyClient._proxies(url) == {"all": "http://127.0.0.1:8"}
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:7")
    assert ClockifyClient._proxies(url)["https"] == "http://127.0.0.1:7"
    monkeypatch.setenv("NO_PROXY", "example.com")
    assert ClockifyClient._proxies(url) == {}
    assert ClockifyClient._proxies("http://127.0.0.1:1/api/v1/workspaces") == {}


# -- the request gate (issue 17) ---------------------------------------------------------------


class RecordingGate:
    """A RequestGate that records what it is asked, and refuses once `budget` is spent."""

    def __init__(self, budget: int = 1_000) -> None:
        self.budget = budget
        self.admitted: list[tuple[str | None, bool]] = []
        self.limited: list[str | None] = []

    def admit(self, workspace_id: str | None, automatic: bool) -> None:
        if len(self.admitted) >= self.budget:
            raise RequestBudgetError(
                "budget spent",
                workspace_id=workspace_id or "",
                used=len(self.admitted),
                limit=self.budget,
                retry_at=0.0,
                automatic=automatic,
            )
        self.admitted.append((workspace_id, automatic))

    def rate_limited(self, workspace_id: str | None) -> None:
        self.limited.append(workspace_id)


def test_the_gate_sees_every_request_with_its_workspace_and_purpose(
    fake_server: FakeClockify, make_client: Callable[..., ClockifyClient]
) -> None:
    gate = RecordingGate()
    client = make_client(fake_server, gate=gate)
    client.workspaces(automatic=True)
    client.users(SAMPLE_WORKSPACE_ID)
    client.clients(SAMPLE_WORKSPACE_ID, automatic=True)
    client.current_user()
    assert gate.admitted == [
        (None, True),
        (SAMPLE_WORKSPACE_ID, False),
        (SAMPLE_WORKSPACE_ID, True),
        (None, False),
    ]
    assert len(gate.admitted) == len(fake_server.requests)


def test_every_page_and_every_retry_passes_the_gate_a_retry_as_automatic(
    big_server: FakeClockify, make_client: Callable[..., ClockifyClient]
) -> None:
    gate = RecordingGate()
    client = make_client(big_server, gate=gate, page_size=5000)
    big_server.rate_limit_first = 1
    users = client.users(BIG_WS, include_inactive=True)
    assert len(users) == 12_345
    assert len(gate.admitted) == len(big_server.requests) == 1 + 3  # a 429, then 3 pages
    assert gate.admitted[0] == (BIG_WS, False)
    assert gate.admitted[1] == (BIG_WS, True)  # the retry of the 429
    assert gate.limited == [BIG_WS]


def test_a_refused_request_is_not_sent(
    fake_server: FakeClockify, make_client: Callable[..., ClockifyClient]
) -> None:
    gate = RecordingGate(budget=1)
    client = make_client(fake_server, gate=gate)
    client.workspaces()
    with pytest.raises(RequestBudgetError) as refused:
        client.clients(SAMPLE_WORKSPACE_ID)
    assert refused.value.exit_code == 5
    assert len(fake_server.requests) == 1
