"""The transport against hostile servers (issue #13): bounded in time and memory, no
traceback, the key never shown, no proxy for plain http, ids kept inside their segment.

The command-line cases run `python -m desktop list` in a child process, as a user would,
and measure its wall time and peak RSS.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import math
import os
import re
import signal
import subprocess
import sys
import time
import tracemalloc
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest
import requests
from conftest import TEST_KEY
from fake_clockify import FakeClockify, FakeWorkspace
from hostile_server import HostileServer, key_echoes
from hypothesis import given
from hypothesis import strategies as st

from desktop.clockify import (
    ApiKey,
    Client,
    ClockifyClient,
    ClockifyError,
    Connection,
    CurrentUser,
    KeyRejectedError,
    NetworkError,
    RetryPolicy,
    ServerError,
    UnexpectedResponseError,
    User,
    Workspace,
    WorkspaceNotFoundError,
)

# Two private parsers on purpose: the headers of any answer (Content-Length, Retry-After) are
# held to "a value or nothing" here; through a server, hypothesis could not reach them cheaply.
from desktop.clockify.client import (
    MAX_BODY_BYTES,
    _content_length,
    _parse_retry_after,
    decode_json,
    loads_yielding,
    path_segment,
)
from desktop.clockify.errors import SERVER_TEXT_LIMIT, redact, server_text

REPO = Path(__file__).resolve().parent.parent
KEY = "Zk9tQ2xvY2tpZnlQYW5lbEhvc3RpbGVUZXN0S2V5MDEyMzQ1"  # 48 characters, like Clockify's
CLI_TIMEOUT = 3
RSS_LIMIT = 300 * 1024 * 1024
FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.05, max_total=1)
LIMIT_MB = f"larger than {MAX_BODY_BYTES // 1024 // 1024} MB"

# Runs the command line as its only child, then writes that child's peak RSS in bytes
# (ru_maxrss is KiB on Linux, bytes on macOS) to the file named by its first argument.
WRAPPER = """
import subprocess, sys
code = subprocess.call(sys.argv[2:])
try:
    import resource
except ImportError:
    pass
else:
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(sys.argv[1], "w") as out:
        out.write(str(peak if sys.platform == "darwin" else peak * 1024))
sys.exit(code)
"""


# -- helpers ------------------------------------------------------------------------------


_ANSI = re.compile(r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]|\x1b[ -/]*[0-~]")


def letters(text: str) -> str:
    """Letters and digits only, case-folded, terminal escapes removed: a key's shape."""
    text = unicodedata.normalize("NFKC", _ANSI.sub("", text)).casefold()
    return "".join(c for c in text if c.isalnum())


def assert_no_trace(text: str, key: str = KEY) -> None:
    """None of the forms a server could echo the key in is left in `text`."""
    raw = key.encode()
    assert key.casefold() not in text.casefold()
    shape = letters(text)
    for form in (key, key[::-1], raw.hex(), base64.b64encode(raw).decode()):
        assert letters(form) not in shape, form
    for half in (key[: len(key) // 2], key[len(key) // 2 :]):
        assert letters(half) not in shape, half


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    wall: float
    peak_rss: int | None


def run_cli(args: list[str], tmp_path: Path, env: dict[str, str] | None = None) -> Run:
    """`python -m desktop ARGS` in a child, with CLOCKIFY_API_KEY=KEY; its time and RSS."""
    child_env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    child_env.update(CLOCKIFY_API_KEY=KEY, PYTHONPATH=str(REPO), **(env or {}))
    rss_file = tmp_path / "peak-rss"
    command = [sys.executable, "-c", WRAPPER, str(rss_file), sys.executable, "-m", "desktop"]
    started = time.monotonic()
    proc = subprocess.Popen(
        [*command, *args],
        cwd=REPO,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=os.name == "posix",  # one group: a hang is killed whole
    )
    try:
        stdout, stderr = proc.communicate(timeout=CLI_TIMEOUT + 5)
    except subprocess.TimeoutExpired:
        if os.name == "posix":
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.communicate()
        pytest.fail(f"`list {' '.join(args)}` still ran after {CLI_TIMEOUT + 5} s")
    wall = time.monotonic() - started
    peak = int(rss_file.read_text()) if rss_file.exists() else None
    return Run(proc.returncode, stdout.decode(), stderr.decode(errors="replace"), wall, peak)


def assert_one_clean_line(run: Run) -> str:
    lines = run.stderr.rstrip("\n").split("\n")
    assert len(lines) == 1, run.stderr
    line = lines[0]
    assert line.startswith("clockify-panel: "), line
    assert "Traceback" not in run.stderr
    assert KEY not in run.stderr
    assert KEY not in run.stdout
    return line


@pytest.fixture
def make_client() -> Iterator[Callable[..., ClockifyClient]]:
    made: list[ClockifyClient] = []

    def make(base_url: str, timeout: tuple[float, float] = (2.0, 3.0)) -> ClockifyClient:
        connection = Connection.for_base_url(base_url)
        client = ClockifyClient(connection, ApiKey(KEY), timeout=timeout, retry=FAST_RETRY)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture(autouse=True)
def _debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="urllib3")
    caplog.set_level(logging.DEBUG, logger="desktop")


# -- the command line against each hostile mode ------------------------------------------


CASES = [
    pytest.param("bomb", 1, LIMIT_MB, id="gzip-bomb"),
    pytest.param("huge-length", 1, LIMIT_MB, id="huge-content-length"),
    pytest.param("endless", 1, LIMIT_MB, id="endless-chunked"),
    pytest.param("drip", 5, f"did not answer within {CLI_TIMEOUT} s", id="one-byte-a-second"),
    pytest.param("deep", 1, "not valid JSON", id="nested-200000-deep"),
    pytest.param("echo", 1, "refused the request (400): key ***", id="error-echoes-the-key"),
]
LISTS = [
    pytest.param(["workspaces"], "/api/v1/workspaces", id="workspaces"),
    pytest.param(["users", "--workspace", "w1"], "/api/v1/workspaces/w1/users", id="users"),
]


@pytest.mark.parametrize(("what", "path"), LISTS)
@pytest.mark.parametrize(("mode", "code", "says"), CASES)
def test_the_command_line_survives_a_hostile_server(
    tmp_path: Path, mode: str, code: int, says: str, what: list[str], path: str
) -> None:
    with HostileServer(mode) as server:
        run = run_cli(
            ["list", *what, "--base-url", server.base_url, "--timeout", str(CLI_TIMEOUT)],
            tmp_path,
        )
        seen = [s.request_line.split(" ")[1].split("?")[0] for s in server.seen]
    assert seen == [path]  # it did reach the hostile server, once (no retry of these)
    line = assert_one_clean_line(run)
    assert says in line
    assert run.code == code, run.stderr
    assert run.wall < CLI_TIMEOUT + 5
    if mode == "echo":
        assert_no_trace(line)
    if run.peak_rss is not None:
        assert run.peak_rss < RSS_LIMIT, f"peak RSS {run.peak_rss / 2**20:.0f} MB"


def test_plain_http_ignores_every_proxy_variable(tmp_path: Path) -> None:
    """The command line with every http proxy variable set: nothing reaches the proxy."""
    key_server = FakeClockify.with_sample_data(api_key=KEY)
    key_server.start()
    try:
        with HostileServer("trap") as trap:
            trap_url = f"http://127.0.0.1:{trap.port}"
            proxies = dict.fromkeys(
                ("http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy"), trap_url
            )
            run = run_cli(
                ["list", "workspaces", "--base-url", key_server.base_url, "--format", "json"],
                tmp_path,
                env=proxies,
            )
            assert trap.seen == []
        assert run.code == 0, run.stderr
        assert [w["name"] for w in json.loads(run.stdout)] == ["Acme Ltd", "Side Project"]
        assert [r.path for r in key_server.requests] == ["/api/v1/workspaces"]
    finally:
        key_server.stop()


# -- the client in this process: error bodies, deadlines, encodings -----------------------


@pytest.mark.parametrize(
    ("mode", "status"),
    [
        ("endless", "401 Unauthorized"),
        ("bomb", "401 Unauthorized"),
        ("huge-length", "401 Unauthorized"),
        ("deep", "401 Unauthorized"),
    ],
)
def test_error_bodies_are_bounded_and_the_status_still_tells(
    make_client: Callable[..., ClockifyClient], mode: str, status: str
) -> None:
    """A 401 with a hostile body is still the key's rejection, without a quoted message.

    The error body is read up to its own small limit: what this process allocates while
    the request runs stays far below what the endless body or the bomb would take.
    """
    with HostileServer(mode, status=status) as server:
        client = make_client(server.base_url)
        tracemalloc.start()
        try:
            with pytest.raises(KeyRejectedError) as excinfo:
                client.workspaces()
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert "server said" not in str(excinfo.value)
    assert excinfo.value.exit_code == 3
    assert peak < 16 * 1024 * 1024, f"{peak / 2**20:.0f} MB allocated"


def test_a_nested_error_body_is_not_a_recursion_error(
    make_client: Callable[..., ClockifyClient],
) -> None:
    with (
        HostileServer("deep", status="400 Bad Request") as server,
        pytest.raises(ServerError, match=r"refused the request \(400\)\.$"),
    ):
        make_client(server.base_url).workspaces()


def test_a_retried_status_does_not_read_an_endless_body(
    make_client: Callable[..., ClockifyClient],
) -> None:
    with HostileServer("endless", status="503 Service Unavailable") as server:
        with pytest.raises(ServerError, match="503"):
            make_client(server.base_url).workspaces()
        assert len(server.seen) == FAST_RETRY.attempts


def test_the_deadline_holds_while_one_read_blocks(
    make_client: Callable[..., ClockifyClient], caplog: pytest.LogCaptureFixture
) -> None:
    """A byte a second: each read is quick, so only a deadline over all of them ends it."""
    with HostileServer("drip") as server:
        client = make_client(server.base_url, timeout=(1.0, 1.5))
        started = time.monotonic()
        with pytest.raises(NetworkError, match=r"did not answer within 1\.5 s") as excinfo:
            client.workspaces()
        elapsed = time.monotonic() - started
    assert excinfo.value.exit_code == 5
    assert elapsed < 1.5 + 5  # the bound; without the deadline: 2 minutes
    assert KEY not in caplog.text


def test_a_gzip_answer_in_two_members_is_read_whole(
    make_client: Callable[..., ClockifyClient],
) -> None:
    page = [{"id": f"{i:024x}", "name": f"Workspace {i} Zoë"} for i in range(3000)]
    with HostileServer("gzip-page") as server:
        server.page = page
        got = make_client(server.base_url).workspaces()
        assert server.seen[0].headers["accept-encoding"] == "gzip"
    assert [(w.id, w.name) for w in got] == [(p["id"], p["name"]) for p in page]


def test_a_content_length_of_5000_digits_is_too_large(
    make_client: Callable[..., ClockifyClient],
) -> None:
    """More digits than Python's int() converts: still a length, and far too large."""
    with (
        HostileServer("huge-length", length="9" * 5000) as server,
        pytest.raises(UnexpectedResponseError, match=LIMIT_MB),
    ):
        make_client(server.base_url).workspaces()


def test_a_large_answer_that_closes_the_connection_is_read_whole(
    make_client: Callable[..., ClockifyClient],
) -> None:
    """Connection: close lets http.client drop the socket after the headers; the body's
    reader must keep it open to the end (8 MB here, far past any buffer)."""
    page = [{"id": f"{i:024x}", "name": "x" * 150} for i in range(40_000)]
    with HostileServer("gzip-page", encoding="identity") as server:
        server.page = page
        got = make_client(server.base_url).workspaces()
    assert [w.id for w in got] == [p["id"] for p in page]


def test_an_encoding_not_asked_for_is_refused(
    make_client: Callable[..., ClockifyClient],
) -> None:
    with (
        HostileServer("gzip-page", encoding="br") as server,
        pytest.raises(UnexpectedResponseError, match="compressed in a way") as excinfo,
    ):
        make_client(server.base_url).workspaces()
    assert excinfo.value.exit_code == 1


@pytest.mark.parametrize("status", ["401 Unauthorized", "400 Bad Request", "403 Forbidden"])
def test_a_server_echoing_the_key_gets_it_hidden(
    make_client: Callable[..., ClockifyClient],
    caplog: pytest.LogCaptureFixture,
    status: str,
) -> None:
    with HostileServer("echo", status=status) as server:
        client = make_client(server.base_url)
        with pytest.raises(ClockifyError) as excinfo:
            client.workspaces()
    error = excinfo.value
    assert "***" in error.message
    for text in (error.message, str(error), repr(error), repr(error.args), caplog.text):
        assert_no_trace(text)
    assert len(error.message) < SERVER_TEXT_LIMIT + 400  # the quoted text is shortened


def test_every_echoed_form_is_hidden() -> None:
    """Each form on its own, without the 300-character cut hiding the later ones."""
    for form in key_echoes(KEY).split(" | "):
        shown = server_text(form, KEY)
        assert "***" in shown, form
        assert_no_trace(shown)


def test_an_id_that_is_the_key_is_hidden(
    fake_server: FakeClockify, caplog: pytest.LogCaptureFixture
) -> None:
    """A server can make an id of the key it was sent; the error quoting it hides it."""
    client = ClockifyClient(Connection.for_base_url(fake_server.base_url), ApiKey(TEST_KEY))
    try:
        with pytest.raises(WorkspaceNotFoundError) as excinfo:
            client.clients(TEST_KEY)
    finally:
        client.close()
    assert "***" in str(excinfo.value)
    assert TEST_KEY not in str(excinfo.value)
    assert TEST_KEY not in excinfo.value.workspace_id


# -- ids stay inside their path segment ---------------------------------------------------


HOSTILE_IDS = ["../../user", "w1/../../user", "w1?page=99&x=1", "w1#frag", "%2e%2e", "a b\x00"]


@pytest.mark.parametrize("workspace_id", HOSTILE_IDS)
def test_ids_are_one_encoded_path_segment(fake_server: FakeClockify, workspace_id: str) -> None:
    fake_server.add_workspace(FakeWorkspace(workspace_id, "Odd", users=[], clients=[]))
    client = ClockifyClient(
        Connection.for_base_url(fake_server.base_url), ApiKey(TEST_KEY), retry=FAST_RETRY
    )
    try:
        with pytest.raises(ClockifyError):
            client.users(workspace_id)
    finally:
        client.close()
    [request] = fake_server.requests
    assert request.path == f"/api/v1/workspaces/{quote(workspace_id, safe='')}/users"
    assert set(request.query) == {"status", "sort-column", "page", "page-size"}
    assert request.query["page"] == "1"


@pytest.mark.parametrize("workspace_id", ["", ".", ".."])
def test_ids_no_segment_can_carry_are_not_sent(
    fake_server: FakeClockify, workspace_id: str
) -> None:
    client = ClockifyClient(Connection.for_base_url(fake_server.base_url), ApiKey(TEST_KEY))
    try:
        with pytest.raises(WorkspaceNotFoundError):
            client.users(workspace_id)
        with pytest.raises(WorkspaceNotFoundError):
            client.clients(workspace_id)
    finally:
        client.close()
    assert fake_server.requests == []


@given(st.text(max_size=40))
def test_any_id_stays_in_its_segment(workspace_id: str) -> None:
    """What requests makes of the URL: the id is exactly one segment, no query added."""
    segment = path_segment(workspace_id)
    if workspace_id in ("", ".", ".."):
        assert segment is None
        return
    assert segment is not None
    url = f"https://clockify.example.com/api/v1/workspaces/{segment}/users"
    prepared = requests.Request("GET", url, params={"page": "1"}).prepare()
    parts = urlsplit(prepared.path_url)
    assert parts.query == "page=1"
    assert parts.fragment == ""
    path = parts.path.split("/")
    assert path[:4] == ["", "api", "v1", "workspaces"]
    assert path[5:] == ["users"]
    assert unquote(path[4], errors="surrogatepass") == workspace_id


# -- the JSON decoder and the records, for any input --------------------------------------


JSONISH = st.text(alphabet='[]{},:"0123456789.eE+-tfnrulsaNIiy \\u\n', max_size=200)


@given(
    st.one_of(
        st.binary(max_size=300), st.text(max_size=200).map(str.encode), JSONISH.map(str.encode)
    )
)
def test_loads_yielding_gives_a_value_or_value_error(body: bytes) -> None:
    with contextlib.suppress(ValueError):
        loads_yielding(body)


@given(
    st.one_of(
        st.binary(max_size=300), st.text(max_size=200).map(str.encode), JSONISH.map(str.encode)
    )
)
def test_the_decode_path_gives_a_value_or_unexpected_response(body: bytes) -> None:
    error: UnexpectedResponseError | None = None
    try:
        decode_json(body, "127.0.0.1:1 for /workspaces")
    except UnexpectedResponseError as exc:
        error = exc
    if error is not None:
        assert error.message.startswith("Unexpected answer from 127.0.0.1:1 for /workspaces")
        assert error.exit_code == 1


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_loads_yielding_matches_json_loads_on_valid_json(value: Any) -> None:
    body = json.dumps(value).encode()
    assert loads_yielding(body) == json.loads(body)


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 200_000 + b"]" * 200_000,
        b"[1, " + b"[" * 200_000 + b"]" * 200_000 + b"]",
        b'{"a": ' * 200_000 + b"1" + b"}" * 200_000,
        b"[NaN]",
        b"[Infinity]",
        b'{"x": -Infinity}',
        b"NaN",
        b"[" + b"1" * 5000 + b"]",  # more digits than Python converts
    ],
    ids=["deep-array", "deep-element", "deep-object", "nan", "inf", "-inf", "bare-nan", "digits"],
)
def test_hostile_json_is_not_json(body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError, match="not valid JSON"):
        decode_json(body, "h")


RECORDS = [Workspace.from_json, User.from_json, Client.from_json, CurrentUser.from_json]


@given(JSON_VALUES, st.sampled_from(RECORDS))
def test_records_from_any_json_are_a_model_or_unexpected(
    record: Any, parse: Callable[[Any], Any]
) -> None:
    try:
        model = parse(record)
    except UnexpectedResponseError:
        return
    for value in vars_of(model):
        if isinstance(value, str):
            value.encode("utf-8")  # no lone surrogate survives


def vars_of(model: Any) -> list[Any]:
    return [getattr(model, name) for name in model.__slots__]


@pytest.mark.parametrize(
    "record",
    [
        [],
        "id",
        None,
        {"id": 5},
        {"id": ["a"]},
        {"id": ""},
        {"id": "a" * 10_000},
        {"name": "no id"},
    ],
)
def test_records_of_the_wrong_shape_are_unexpected(record: Any) -> None:
    for parse in RECORDS:
        with pytest.raises(UnexpectedResponseError):
            parse(record)


def test_hostile_field_values_become_text_or_nothing() -> None:
    record = {
        "id": "w\ud800",
        "name": {"nested": [1]},
        "email": float("nan"),
        "status": 10**40,
        "archived": "yes",
        "address": "\udfff and \U0001f600",
    }
    user = User.from_json(record)
    assert user.id == "w\ufffd"
    assert user.name is None
    assert user.email == "nan"
    assert user.status == str(10**40)
    client = Client.from_json(record)
    assert client.archived is False
    assert client.address == "\ufffd and \U0001f600"


def test_a_deeply_nested_field_is_not_turned_into_text() -> None:
    deep: Any = []
    for _ in range(100_000):
        deep = [deep]
    assert Workspace.from_json({"id": "w", "name": deep}).name is None


# -- the key hidden in any server text ----------------------------------------------------


KEYS = st.text(
    alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
    min_size=24,
    max_size=64,
).filter(lambda key: sum(c.isalnum() for c in key) >= 24)
FORMS: list[Callable[[str], str]] = [
    lambda k: k,
    str.upper,
    str.lower,
    lambda k: k[::-1],
    lambda k: "".join(f"%{b:02X}" for b in k.encode()),
    lambda k: k.encode().hex(),
    lambda k: base64.b64encode(k.encode()).decode(),
    lambda k: "\x00".join(k),
    lambda k: "\u200b".join(k),
    lambda k: "\x1b[1m".join(k),
    lambda k: " ".join(k),
    lambda k: "".join(chr(ord(c) + 0xFEE0) for c in k),
]


@given(
    KEYS,
    st.sampled_from(range(len(FORMS))),
    st.text(max_size=60),
    st.text(max_size=60),
)
def test_redact_hides_the_key_in_any_form(key: str, form: int, before: str, after: str) -> None:
    text = before + FORMS[form](key) + after
    shown = redact(text, key)
    assert_no_trace(shown, key)
    quoted = server_text(text * 20, key)
    assert len(quoted) <= SERVER_TEXT_LIMIT
    assert_no_trace(quoted, key)


@given(KEYS, st.text(alphabet=" .,;:!?()<>\"'\n\t", max_size=80))
def test_redact_leaves_other_text_alone(key: str, text: str) -> None:
    assert redact(text, key) == text


@given(st.text(max_size=80), st.text(max_size=80))
def test_redact_never_fails(text: str, secret: str) -> None:
    assert isinstance(server_text(text, secret), str)


@given(st.one_of(st.text(max_size=40), st.text(alphabet="0123456789", max_size=6000)))
def test_content_length_is_a_number_or_nothing(value: str) -> None:
    length = _content_length(value)
    assert length is None or length >= 0


@given(st.text(max_size=40))
def test_retry_after_is_a_finite_number_or_nothing(value: str) -> None:
    seconds = _parse_retry_after(value)
    assert seconds is None or math.isfinite(seconds)
