"""The fake Clockify server's own contract, checked over real HTTP with plain requests."""

from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests
from conftest import TEST_KEY
from fake_clockify import (
    FREE_PLAN_LIMIT,
    SAMPLE_ARCHIVED_CLIENT_ID,
    SAMPLE_INACTIVE_USER_ID,
    SAMPLE_SIDE_WORKSPACE_ID,
    SAMPLE_WORKSPACE_ID,
    FakeClockify,
    FakeWorkspace,
    is_free_plan,
)

from desktop.demo import DEMO_API_KEY, demo_server
from desktop.demo.data import TRICKY_NAMES, make_clients, make_users

PAGED_WS = "aaaaaaaaaaaaaaaaaaaa0120"


@pytest.fixture
def session() -> Iterator[requests.Session]:
    http_session = requests.Session()
    http_session.trust_env = False
    http_session.headers["X-Api-Key"] = TEST_KEY
    try:
        yield http_session
    finally:
        http_session.close()


@pytest.fixture
def paged_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample server plus a workspace of 120 users and 120 clients (3 pages of 50)."""
    fake_server.add_workspace(
        FakeWorkspace(
            id=PAGED_WS,
            name="Paged",
            users=make_users(120, workspace_id=PAGED_WS),
            clients=make_clients(120, workspace_id=PAGED_WS),
        )
    )
    return fake_server


def _error(response: requests.Response) -> tuple[int, object, object]:
    body = response.json()
    return response.status_code, body.get("code"), body.get("message")


# -- auth ---------------------------------------------------------------------------------


def test_missing_or_empty_key_is_code_1000(fake_server: FakeClockify) -> None:
    url = fake_server.base_url + "/user"
    with requests.Session() as session:
        session.trust_env = False
        missing = session.get(url)
        empty = session.get(url, headers={"X-Api-Key": ""})
    expected = (401, 1000, "Multiple or none auth tokens present")
    assert _error(missing) == expected
    assert _error(empty) == expected
    assert [r.api_key_present for r in fake_server.requests] == [False, False]


def test_two_key_headers_are_code_1000(fake_server: FakeClockify) -> None:
    parts = urlsplit(fake_server.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.putrequest("GET", parts.path + "/user")
        conn.putheader("X-Api-Key", TEST_KEY)
        conn.putheader("X-Api-Key", TEST_KEY)
        conn.endheaders()
        response = conn.getresponse()
        status, body = response.status, response.read()
    finally:
        conn.close()
    assert status == 401
    assert b'"code": 1000' in body


def test_unknown_key_is_code_4003_and_the_key_is_never_recorded(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    response = session.get(fake_server.base_url + "/user", headers={"X-Api-Key": "nope"})
    assert _error(response) == (401, 4003, "Api key does not exist")
    good = session.get(fake_server.base_url + "/user")
    assert good.status_code == 200
    assert good.json()["name"] == "Alice Admin"
    assert [r.api_key_present for r in fake_server.requests] == [True, True]
    assert TEST_KEY not in repr(fake_server.requests)
    assert "nope" not in repr(fake_server.requests)


# -- routes -------------------------------------------------------------------------------


@pytest.mark.sends_non_get
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "HEAD"])
def test_other_methods_are_405_and_recorded(
    fake_server: FakeClockify, session: requests.Session, method: str
) -> None:
    response = session.request(method, fake_server.base_url + "/workspaces", json={"name": "x"})
    assert response.status_code == 405
    if method != "HEAD":
        assert _error(response) == (405, 3000, f"Request method '{method}' is not supported")
    assert fake_server.methods() == {method}
    assert fake_server.requests[0].path == "/api/v1/workspaces"


def test_unknown_route_is_404_code_3000(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    for path in ("/projects", "/workspaces/x/users/y", "/users"):
        status, code, message = _error(session.get(fake_server.base_url + path))
        assert (status, code) == (404, 3000)
        assert isinstance(message, str)
        assert message.startswith("No static resource")


def test_workspaces_is_a_bare_unpaginated_array(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    response = session.get(fake_server.base_url + "/workspaces", params={"page": 5, "page-size": 1})
    body = response.json()
    assert response.headers["Content-Type"] == "application/json"
    assert [ws["name"] for ws in body] == ["Acme Ltd", "Side Project"]
    assert body[0]["subdomain"] == {"enabled": False, "name": None}
    assert "Last-Page" not in response.headers


def test_unknown_or_invisible_workspace_is_403_code_501(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    fake_server.add_workspace(
        FakeWorkspace("bbbbbbbbbbbbbbbbbbbbbbbb", "Hidden", [], [], visible_to={"other-key"})
    )
    names = [ws["name"] for ws in session.get(fake_server.base_url + "/workspaces").json()]
    assert "Hidden" not in names
    for ws_id in ("ffffffffffffffffffffffff", "bbbbbbbbbbbbbbbbbbbbbbbb"):
        for what in ("users", "clients"):
            response = session.get(f"{fake_server.base_url}/workspaces/{ws_id}/{what}")
            assert _error(response) == (403, 501, "Access Denied")


def test_forbidden_users_leave_clients_readable(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    fake_server.workspaces[0].forbid_users = True
    base = f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}"
    assert _error(session.get(base + "/users")) == (403, 501, "Access Denied")
    assert session.get(base + "/clients").status_code == 200


# -- paging -------------------------------------------------------------------------------


def test_page_size_over_5000_is_400_without_code(
    paged_server: FakeClockify, session: requests.Session
) -> None:
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/users"
    response = session.get(url, params={"page-size": 5001})
    assert response.status_code == 400
    assert response.json() == {"message": "Page size cannot be larger than 5,000."}
    assert len(session.get(url, params={"page-size": 5000}).json()) == 120


def test_default_page_size_is_50(paged_server: FakeClockify, session: requests.Session) -> None:
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/clients"
    assert len(session.get(url).json()) == 50


@pytest.mark.parametrize(
    ("mode", "header", "expected"),
    [
        ("header", "Last-Page", ["false", "false", "true", "true"]),
        ("lowercase", "last-page", ["false", "false", "true", "true"]),
        ("always-false", "Last-Page", ["false", "false", "false", "false"]),
        ("total-count", "total-count", ["120", "120", "120", "120"]),
        ("none", "Last-Page", [None, None, None, None]),
    ],
)
def test_paging_headers_per_mode(
    paged_server: FakeClockify,
    session: requests.Session,
    mode: str,
    header: str,
    expected: list[str | None],
) -> None:
    paged_server.paging_mode = mode
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/users"
    seen: list[str | None] = []
    sizes: list[int] = []
    ids: list[str] = []
    for page in (1, 2, 3, 4):
        response = session.get(url, params={"page": page, "page-size": 50, "status": "ALL"})
        assert response.status_code == 200
        raw_names = {name.lower() for name in response.raw.headers}
        if mode != "total-count":
            assert "total-count" not in raw_names
        if mode in ("none", "total-count"):
            assert "last-page" not in raw_names
        seen.append(response.headers.get(header))
        sizes.append(len(response.json()))
        ids += [user["id"] for user in response.json()]
    assert seen == expected
    assert sizes == [50, 50, 20, 0]
    assert len(set(ids)) == 120


def test_lowercase_mode_sends_the_name_in_lower_case(paged_server: FakeClockify) -> None:
    paged_server.paging_mode = "lowercase"
    parts = urlsplit(paged_server.base_url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=5)
    try:
        conn.request(
            "GET", f"{parts.path}/workspaces/{PAGED_WS}/users", headers={"X-Api-Key": TEST_KEY}
        )
        response = conn.getresponse()
        response.read()
        names = [name for name, _ in response.getheaders()]
    finally:
        conn.close()
    assert "last-page" in names
    assert "Last-Page" not in names


def test_page_past_the_end_is_empty(paged_server: FakeClockify, session: requests.Session) -> None:
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/clients"
    response = session.get(url, params={"page": 99, "page-size": 50})
    assert response.status_code == 200
    assert response.json() == []
    assert response.headers["Last-Page"] == "true"


def test_ignore_paging_answers_page_one_every_time(
    paged_server: FakeClockify, session: requests.Session
) -> None:
    paged_server.ignore_paging = True
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/users"
    first = session.get(url, params={"page": 1}).json()
    third = session.get(url, params={"page": 3}).json()
    assert len(first) == 50
    assert first == third


# -- filters and shape --------------------------------------------------------------------


def _user_ids(session: requests.Session, server: FakeClockify, **params: str) -> set[str]:
    url = f"{server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/users"
    response = session.get(url, params=params)
    assert response.status_code == 200
    return {user["id"] for user in response.json()}


def test_users_status_filter(fake_server: FakeClockify, session: requests.Session) -> None:
    everyone = _user_ids(session, fake_server)
    assert len(everyone) == 5
    assert _user_ids(session, fake_server, status="ALL") == everyone
    assert _user_ids(session, fake_server, status="INACTIVE") == {SAMPLE_INACTIVE_USER_ID}
    active = _user_ids(session, fake_server, status="ACTIVE")
    assert len(active) == 3
    assert SAMPLE_INACTIVE_USER_ID not in active
    assert len(_user_ids(session, fake_server, status="PENDING")) == 1
    assert _user_ids(session, fake_server, status="DECLINED") == set()
    url = f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/users"
    assert session.get(url, params={"status": "BOGUS"}).status_code == 400


def test_users_name_and_email_filters(fake_server: FakeClockify, session: requests.Session) -> None:
    assert len(_user_ids(session, fake_server, name="BOB")) == 1
    assert len(_user_ids(session, fake_server, email="@ACME.example")) == 5
    assert _user_ids(session, fake_server, name="nobody") == set()


def test_users_are_sorted_by_name_with_nulls_last_and_internal_keys_hidden(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    url = f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/users"
    users = session.get(url).json()
    names = [user["name"] for user in users]
    assert names == ["Alice Admin", "Bob Builder", "Ivy Inactive", "Pete Pending", None]
    assert all(not key.startswith("_") for user in users for key in user)
    assert users[0]["settings"] is None
    assert "_membership" in fake_server.workspaces[0].users[0]  # the source is left alone


def test_clients_archived_filter(fake_server: FakeClockify, session: requests.Session) -> None:
    url = f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/clients"
    both = {c["id"] for c in session.get(url).json()}
    active = {c["id"] for c in session.get(url, params={"archived": "false"}).json()}
    archived = {c["id"] for c in session.get(url, params={"archived": "true"}).json()}
    assert archived == {SAMPLE_ARCHIVED_CLIENT_ID}
    assert both == active | archived
    assert len(both) == 4
    names = [c["name"] for c in session.get(url, params={"name": "INIT"}).json()]
    assert names == ["Initech"]
    assert "<b>x</b><img src=x>" in {c["name"] for c in session.get(url).json()}


# -- fault knobs --------------------------------------------------------------------------


def test_rate_limit_counts_down_with_empty_body(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    fake_server.rate_limit_first = 2
    fake_server.retry_after = "7"
    url = fake_server.base_url + "/user"
    first, second, third = session.get(url), session.get(url), session.get(url)
    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 200)
    assert first.content == b""
    assert first.headers["Retry-After"] == "7"
    assert fake_server.rate_limit_first == 0


def test_server_error_counts_down(fake_server: FakeClockify, session: requests.Session) -> None:
    fake_server.server_error_first = 1
    url = fake_server.base_url + "/workspaces"
    first = session.get(url)
    assert first.status_code == 503
    assert first.json()["code"] == 503
    assert session.get(url).status_code == 200


@pytest.mark.parametrize(
    ("mode", "content_type", "body_start"),
    [
        ("bad-json", "application/json", b'{"oops": ['),
        ("object", "application/json", b"{"),
        ("html", "text/html; charset=utf-8", b"<!DOCTYPE html>"),
    ],
)
def test_malformed_answers_only_on_chosen_paths(
    fake_server: FakeClockify,
    session: requests.Session,
    mode: str,
    content_type: str,
    body_start: bytes,
) -> None:
    fake_server.malformed = mode
    fake_server.malformed_paths = ("/users",)
    bad = session.get(f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/users")
    assert bad.status_code == 200
    assert bad.headers["Content-Type"] == content_type
    assert bad.content.startswith(body_start)
    good = session.get(f"{fake_server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/clients")
    assert isinstance(good.json(), list)
    fake_server.malformed_paths = ()
    assert session.get(fake_server.base_url + "/workspaces").content.startswith(body_start)


def test_reset_after_pages_drops_the_connection(
    paged_server: FakeClockify, session: requests.Session
) -> None:
    paged_server.reset_after_pages = 1
    url = f"{paged_server.base_url}/workspaces/{PAGED_WS}/users"
    assert session.get(url, params={"page": 1}).status_code == 200
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(url, params={"page": 2})


def test_redirect_knob(fake_server: FakeClockify, session: requests.Session) -> None:
    fake_server.redirect = "http://127.0.0.1:9/elsewhere"
    response = session.get(fake_server.base_url + "/user", allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == "http://127.0.0.1:9/elsewhere"


def test_latency_delays_answers(fake_server: FakeClockify, session: requests.Session) -> None:
    fake_server.latency = 0.2
    started = time.monotonic()
    assert session.get(fake_server.base_url + "/user").status_code == 200
    assert time.monotonic() - started >= 0.2


# -- the Free plan's limit ----------------------------------------------------------------

FREE_WS = "aaaaaaaaaaaaaaaaaaaa0030"
HIDDEN_WS = "aaaaaaaaaaaaaaaaaaaa0031"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def limited(fake_server: FakeClockify) -> tuple[FakeClockify, Clock]:
    """The sample server enforcing the Free limit on a hand-moved clock, plus a FREE workspace
    the key sees and one it does not."""
    fake_server.add_workspace(FakeWorkspace(id=FREE_WS, name="Free", plan="FREE"))
    fake_server.add_workspace(
        FakeWorkspace(id=HIDDEN_WS, name="Hidden", plan="FREE", visible_to={"another-key"})
    )
    clock = Clock()
    fake_server.clock = clock
    fake_server.free_limit = FREE_PLAN_LIMIT
    return fake_server, clock


def _statuses(session: requests.Session, url: str, count: int) -> list[int]:
    return [session.get(url).status_code for _ in range(count)]


def test_which_plans_are_limited() -> None:
    assert [is_free_plan(p) for p in (None, "FREE", "free", "FREE_2024", "PRO", "")] == [
        True,
        True,
        True,
        True,
        False,
        False,
    ]


@pytest.mark.parametrize("plan", ["FREE", "Free", None])
def test_the_31st_request_in_an_hour_on_a_free_workspace_is_429(
    limited: tuple[FakeClockify, Clock], session: requests.Session, plan: str | None
) -> None:
    server, clock = limited
    ws_id = "aaaaaaaaaaaaaaaaaaaa0032"
    server.add_workspace(FakeWorkspace(id=ws_id, name="Limited", plan=plan))
    url = f"{server.base_url}/workspaces/{ws_id}/clients"
    assert _statuses(session, url, 30) == [200] * 30
    clock.now += 60
    refused = session.get(url)
    assert refused.status_code == 429
    assert refused.content == b""  # docs/clockify-api.md: a 429 may have no body
    assert "Retry-After" not in refused.headers
    assert (server.free_count(ws_id), server.refused_429) == (30, 1)  # the 429 is not counted
    # Another workspace has its own budget; a request naming none is refused while any
    # limited workspace of the key is at its limit, and counted against none.
    assert session.get(f"{server.base_url}/workspaces/{FREE_WS}/users").status_code == 200
    assert session.get(server.base_url + "/workspaces").status_code == 429
    assert session.get(server.base_url + "/user").status_code == 429
    assert (server.free_count(FREE_WS), server.refused_429) == (1, 3)
    assert server.count(f"/workspaces/{ws_id}/clients") == 31  # every arrival is logged


def test_a_pro_workspace_is_never_limited(
    limited: tuple[FakeClockify, Clock], session: requests.Session
) -> None:
    server, _clock = limited
    url = f"{server.base_url}/workspaces/{SAMPLE_WORKSPACE_ID}/clients"  # Acme Ltd: PRO
    assert _statuses(session, url, 45) == [200] * 45
    assert (server.free_count(SAMPLE_WORKSPACE_ID), server.refused_429) == (45, 0)


def test_a_request_naming_no_workspace_counts_against_every_workspace_the_key_sees(
    limited: tuple[FakeClockify, Clock], session: requests.Session
) -> None:
    server, _clock = limited
    assert session.get(server.base_url + "/workspaces").status_code == 200
    assert session.get(server.base_url + "/user").status_code == 200
    assert session.get(f"{server.base_url}/workspaces/{FREE_WS}/clients").status_code == 200
    # A workspace the key does not see: 403, counted against none.
    assert session.get(f"{server.base_url}/workspaces/{HIDDEN_WS}/clients").status_code == 403
    counts = {ws: server.free_count(ws) for ws in (SAMPLE_WORKSPACE_ID, FREE_WS, HIDDEN_WS)}
    assert counts == {SAMPLE_WORKSPACE_ID: 2, FREE_WS: 3, HIDDEN_WS: 0}
    assert server.free_count(SAMPLE_SIDE_WORKSPACE_ID) == 2
    # 28 more for "/workspaces" bring the FREE ones to 30 and 31: the last one is refused.
    assert _statuses(session, server.base_url + "/workspaces", 28) == [200] * 27 + [429]
    assert server.free_count(FREE_WS) == 30
    assert server.free_count(SAMPLE_SIDE_WORKSPACE_ID) == 29
    assert session.get(f"{server.base_url}/workspaces/{FREE_WS}/clients").status_code == 429
    side_url = f"{server.base_url}/workspaces/{SAMPLE_SIDE_WORKSPACE_ID}/clients"
    assert _statuses(session, side_url, 2) == [200, 429]


def test_requests_are_served_again_as_the_hour_rolls_on(
    limited: tuple[FakeClockify, Clock], session: requests.Session
) -> None:
    server, clock = limited
    url = f"{server.base_url}/workspaces/{FREE_WS}/users"
    start = clock.now
    assert _statuses(session, url, 10) == [200] * 10
    clock.now = start + 1800
    assert _statuses(session, url, 21) == [200] * 20 + [429]
    clock.now = start + 3599.9
    assert session.get(url).status_code == 429
    assert server.free_count(FREE_WS) == 30
    clock.now = start + 3600  # the first ten are an hour old: ten more fit
    assert server.free_count(FREE_WS) == 20
    assert _statuses(session, url, 11) == [200] * 10 + [429]
    clock.now = start + 1800 + 3600  # everything is an hour old
    assert server.free_count(FREE_WS) == 10
    clock.now += 3600
    assert server.free_count(FREE_WS) == 0
    assert session.get(url).status_code == 200
    assert server.refused_429 == 3


def test_the_free_limit_is_off_by_default(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    assert fake_server.free_limit is None
    assert FakeClockify(free_limit=FREE_PLAN_LIMIT).free_limit == FREE_PLAN_LIMIT
    url = f"{fake_server.base_url}/workspaces/{SAMPLE_SIDE_WORKSPACE_ID}/clients"  # no plan
    assert _statuses(session, url, 40) == [200] * 40
    assert (fake_server.free_count(SAMPLE_SIDE_WORKSPACE_ID), fake_server.refused_429) == (40, 0)


def test_stop_interrupts_a_stall_and_open_keep_alive_connections() -> None:
    server = FakeClockify.with_sample_data(api_key=TEST_KEY).start()
    httpd = server._httpd
    assert httpd is not None
    with requests.Session() as session:
        session.trust_env = False
        # An idle keep-alive connection is open when stop() runs.
        assert session.get(server.base_url + "/user", headers={"X-Api-Key": TEST_KEY}).ok
        server.stall = 600.0
        errors: list[BaseException] = []

        def stalled() -> None:
            try:
                requests.get(server.base_url + "/user", headers={"X-Api-Key": TEST_KEY}, timeout=60)
            except requests.RequestException as exc:
                errors.append(exc)

        worker = threading.Thread(target=stalled)
        worker.start()
        assert server.wait_arrived(2, "/user")
        server.stop()
        # stop() returned after joining every handler: the stalled one woke up and finished
        # (a sleeping one would still be missing from `answered`), the idle one was closed.
        assert len(server.answered) == 2
        assert httpd._open == {}
        server.stop()  # idempotent
        worker.join(timeout=30)
        assert not worker.is_alive()
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(server.base_url + "/user", timeout=2)


# -- gates --------------------------------------------------------------------------------


class Call:
    """A GET on its own thread and connection, so a test can hold it at a gate."""

    def __init__(self, url: str, **params: str) -> None:
        self.status: int | None = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, args=(url, params), daemon=True)
        self._thread.start()

    def _run(self, url: str, params: dict[str, str]) -> None:
        try:
            response = requests.get(url, params=params, headers={"X-Api-Key": TEST_KEY}, timeout=60)
            self.status = response.status_code
        except requests.RequestException as exc:
            self.error = exc

    def join(self) -> bool:
        """Whether the call ended (an answer or an error) within a generous deadline."""
        self._thread.join(timeout=30)
        return not self._thread.is_alive()


def test_a_gate_holds_matching_requests_while_others_are_answered(
    fake_server: FakeClockify, session: requests.Session
) -> None:
    gate = fake_server.hold("/workspaces")
    assert gate.arrived == 0
    held = Call(fake_server.base_url + "/workspaces")
    assert gate.wait_arrived(1)
    assert gate.held == 1
    # Another path passes, on another connection, while the first request waits.
    assert session.get(fake_server.base_url + "/user").status_code == 200
    assert fake_server.wait_answered(1, "/user")
    assert fake_server.count("/workspaces") == 1
    assert fake_server.count("/workspaces", answered=True) == 0
    assert held.status is None
    gate.release()
    assert held.join()
    assert held.status == 200
    assert gate.held == 0
    assert fake_server.wait_answered(1, "/workspaces")
    # Open for good: a later matching request is not held.
    assert session.get(fake_server.base_url + "/workspaces").status_code == 200
    assert gate.arrived == 2


def test_release_lets_held_requests_through_one_at_a_time_in_arrival_order(
    fake_server: FakeClockify,
) -> None:
    gate = fake_server.hold(lambda request: request.path.endswith("/user"))
    url = fake_server.base_url + "/user"
    first = Call(url, n="1")
    assert gate.wait_arrived(1)
    second = Call(url, n="2")
    assert gate.wait_arrived(2)
    assert gate.wait_held(2)
    gate.release(1)
    assert first.join()
    assert first.status == 200
    assert fake_server.wait_answered(1)
    assert [r.query["n"] for r in fake_server.answered] == ["1"]
    assert gate.held == 1  # the second waits for its own release
    assert second.status is None
    gate.release(1)
    assert second.join()
    assert second.status == 200
    assert fake_server.wait_answered(2)
    assert [r.query["n"] for r in fake_server.answered] == ["1", "2"]
    # A permit given before a request comes is used by the next one.
    gate.release(1)
    assert Call(url, n="3").join()
    third = Call(url, n="4")
    assert gate.wait_held(1)
    gate.close()
    assert third.join()
    assert third.status == 200
    with pytest.raises(ValueError, match="cannot release -1"):
        gate.release(-1)


def test_waiting_for_requests_that_never_come_answers_false(fake_server: FakeClockify) -> None:
    gate = fake_server.hold("/clients")
    assert gate.wait_arrived(1, timeout=0) is False
    assert gate.wait_held(1, timeout=0) is False
    assert fake_server.wait_arrived(1, timeout=0) is False
    assert fake_server.wait_answered(1, timeout=0) is False


def test_a_closed_gate_holds_nothing_more(fake_server: FakeClockify) -> None:
    url = fake_server.base_url + "/user"
    with fake_server.hold() as gate:
        held = Call(url)
        assert gate.wait_held(1)
    assert held.join()  # leaving the block let it through
    assert held.status == 200
    assert Call(url).join()
    assert gate.arrived == 1  # the gate is gone: the later request never met it
    assert fake_server.wait_answered(2)


def test_stop_lets_every_held_request_go() -> None:
    server = FakeClockify.with_sample_data(api_key=TEST_KEY).start()
    gate = server.hold()
    held = Call(server.base_url + "/workspaces")
    assert gate.wait_held(1)
    server.stop()
    # The handler went on past the gate (a held one would never be counted as answered).
    assert len(server.answered) == 1
    assert gate.held == 0
    assert held.join()


def test_context_manager_starts_and_stops() -> None:
    with FakeClockify(api_keys={"k": {"id": "1" * 24, "name": None}}) as server:
        response = requests.get(server.base_url + "/user", headers={"X-Api-Key": "k"}, timeout=5)
        assert response.json() == {"id": "1" * 24, "name": None}
        response = requests.get(
            server.base_url + "/workspaces", headers={"X-Api-Key": "k"}, timeout=5
        )
        assert response.json() == []
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(server.base_url + "/user", timeout=2)


# -- data ---------------------------------------------------------------------------------


def test_generators_are_deterministic_and_realistic() -> None:
    users = make_users(2000, workspace_id="w" * 24)
    assert users == make_users(2000, workspace_id="w" * 24)
    assert users != make_users(2000, seed=9, workspace_id="w" * 24)
    ids = [user["id"] for user in users]
    assert len(set(ids)) == 2000
    assert all(len(i) == 24 and int(i, 16) >= 0 for i in ids)
    inactive = sum(user["_membership"] == "INACTIVE" for user in users)
    assert 40 < inactive < 180
    assert any(user["name"] is None for user in users)
    named = [user["name"] for user in users if user["name"] is not None]
    assert len(set(named)) == len(named)

    clients = make_clients(1000, workspace_id="w" * 24)
    assert len({client["id"] for client in clients}) == 1000
    archived = sum(client["archived"] for client in clients)
    assert 40 < archived < 130
    assert {client["workspaceId"] for client in clients} == {"w" * 24}


def test_tricky_names_cover_the_awkward_cases() -> None:
    texts = [name for name in TRICKY_NAMES if name is not None]
    assert None in TRICKY_NAMES
    assert texts.count("Duplicate Co") == 2
    assert any(len(name) >= 10_000 for name in texts)
    assert "Zoe\u0308 Mu\u0308ller" in texts
    assert "Zoë Müller" in texts
    assert any("\t" in name and "\n" in name for name in texts)


def test_demo_server_serves_the_demo_data(session: requests.Session) -> None:
    server, key = demo_server()
    assert key == DEMO_API_KEY
    assert server.latency == pytest.approx(0.03)
    server.latency = 0.0
    with server:
        session.headers["X-Api-Key"] = key
        assert session.get(server.base_url + "/user").json()["name"] == "Demo User"
        workspaces = {
            ws["name"]: ws["id"] for ws in session.get(server.base_url + "/workspaces").json()
        }
        assert set(workspaces) == {
            "Northwind Consulting",
            "Zoë's Design Studio",
            "Side Project",
            "Partner Agency",
        }
        base = server.base_url + "/workspaces/"
        north = session.get(
            base + workspaces["Northwind Consulting"] + "/clients",
            params={"page-size": 5000},
        ).json()
        assert len(north) >= 1000
        assert {"<b>x</b><img src=x>", "شركة المثال"} <= {c["name"] for c in north}
        partner = workspaces["Partner Agency"]
        assert session.get(base + partner + "/users").status_code == 403
        assert len(session.get(base + partner + "/clients", params={"page-size": 100}).json()) == 40
        side = workspaces["Side Project"]
        assert session.get(base + side + "/clients").json() == []
        assert len(session.get(base + side + "/users").json()) == 3
        north_users = session.get(
            base + workspaces["Northwind Consulting"] + "/users",
            params={"page-size": 5000, "page": 2, "status": "ALL"},
        )
        assert north_users.status_code == 200
    assert sum(len(ws.users) for ws in server.workspaces[:1]) > 5000
