"""Every parser of what a person types gives a value or one clear message, never a traceback.

Property-based (hypothesis) for the base URL, the API key, the timeout and the workspace id;
then the command line end to end with the inputs that used to end in a traceback or be sent as
given, and the terminal escaping of control characters that came from a server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from urllib.parse import quote, urlsplit

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify, FakeWorkspace
from hypothesis import example, given
from hypothesis import strategies as st

from desktop import __main__ as entry
from desktop import options
from desktop.cli import common
from desktop.clockify.connection import MAX_KEY_LENGTH, ApiKey, normalise_base_url
from desktop.clockify.errors import InvalidConnectionError

# -- the base URL ----------------------------------------------------------------------------

_URL_PIECES = st.sampled_from(
    ["https://", "http://", "ftp://", "", "[", "]", "::1", "127.0.0.1", "localhost", ":", "@",
     "?", "#", "%", "/", ".", "..", "a" * 64, "-", "_", "api", "v1", "/api/v1", "ü", "xn--",
     "99999", "0", "8080", " ", "\t", "\\", "\x00", "\x1b", "clockify.example.com"]
)  # fmt: skip
_URLS = st.one_of(st.text(max_size=80), st.lists(_URL_PIECES, max_size=10).map("".join))


def _check_url(result: str) -> None:
    """What a URL the parser accepted must be: something requests sends as it is."""
    import requests
    from urllib3.util import parse_url

    parts = urlsplit(result)
    assert parts.scheme in ("http", "https")
    assert parts.hostname
    assert not parts.query
    assert not parts.fragment
    assert "@" not in parts.netloc
    assert result.endswith("/api/v1")
    assert result.isascii()
    assert not any(ch.isspace() for ch in result)
    if parts.scheme == "http":
        assert parts.hostname in ("127.0.0.1", "localhost", "::1") or parts.hostname.startswith(
            "127."
        )
    parse_url(result)  # raises LocationParseError on what urllib3 cannot send
    prepared = requests.Request("GET", result + "/workspaces").prepare()
    assert prepared.url is not None
    assert urlsplit(prepared.url).hostname == parts.hostname


@given(_URLS)
@example("https://[::1")
@example("https://a..b.com")
@example("https://" + "a" * 64 + ".example.com")
@example("https://clockify.example.com:99999")
@example("https://clockify.example.com:0")
@example("https://clockify.example.com/api/v1?x=1")
@example("https://clockify.example.com/api/v1#frag")
@example("https://[fe80::1%25eth0]/api/v1")
def test_base_url_is_a_value_or_a_clear_error(text: str) -> None:
    try:
        result = normalise_base_url(text)
    except InvalidConnectionError as exc:
        message = exc.message
    else:
        _check_url(result)
        return
    assert message.endswith(".")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://[::1", "brackets"),
        ("https://a..b.com", "empty part"),
        ("https://" + "a" * 64 + ".example.com", "longer than 63"),
        ("https://clockify.example.com:99999", "port"),
        ("https://clockify.example.com:x", "port"),
        ("https://clockify.example.com/api/v1?status=ALL", "query"),
        ("https://clockify.example.com/api/v1#frag", "fragment"),
        ("https://clock ify.example.com", "spaces"),
        ("https://user:pw@clockify.example.com", "user name"),
        ("http://clockify.example.com", "plain http"),
        ("https://under_score.example.com", "only letters"),
    ],
)
def test_base_url_messages_say_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(InvalidConnectionError) as exc:
        normalise_base_url(url)
    assert words in exc.value.message


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("clockify.example.com", "https://clockify.example.com/api/v1"),
        ("https://Clockify.Example.com/api/v1/", "https://clockify.example.com/api/v1"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v1"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x/api/v1"),
        ("https://müller.de", "https://xn--mller-kva.de/api/v1"),
    ],
)
def test_good_base_urls_are_normalised(url: str, expected: str) -> None:
    assert normalise_base_url(url) == expected


# -- the API key -----------------------------------------------------------------------------


@given(st.text(max_size=300))
@example("ключ-1234567890")
@example("key\x1bwith-escape")
@example("x" * (MAX_KEY_LENGTH + 1))
@example("")
def test_api_key_is_a_value_or_a_clear_error(text: str) -> None:
    try:
        key = ApiKey(text)
    except ValueError as exc:
        message = str(exc)
    else:
        _check_key(key)
        return
    assert message.startswith("the API key")
    stripped = text.strip()
    if len(stripped) > 3:
        assert stripped not in message  # never repeats the key


def _check_key(key: ApiKey) -> None:
    from requests.utils import check_header_validity

    value = key.reveal()
    assert 1 <= len(value) <= MAX_KEY_LENGTH
    assert value.isascii()
    assert all("!" <= ch <= "~" for ch in value)
    check_header_validity(("X-Api-Key", value))  # it can travel in the header


def test_a_two_million_character_key_is_refused_before_anything_else() -> None:
    with pytest.raises(ValueError, match="2,000,000 characters"):
        ApiKey("k" * 2_000_000)


# -- the timeout and the workspace id --------------------------------------------------------


@given(st.one_of(st.text(max_size=30), st.floats().map(repr), st.integers().map(str)))
@example("nan")
@example("inf")
@example("1e308")
@example("-1")
@example("0.5")
def test_timeout_is_a_value_or_a_clear_error(text: str) -> None:
    try:
        value = options.timeout_seconds(text)
    except argparse.ArgumentTypeError as exc:
        message = str(exc)
    else:
        assert options.MIN_TIMEOUT <= value <= options.MAX_TIMEOUT
        return
    assert "from 1 to 600" in message


@given(st.text(max_size=80))
@example("../../../../etc/passwd")
@example("abc?status=ALL&page-size=999999&x=")
@example("abc#frag")
@example("a" * 65)
def test_workspace_id_is_a_plain_token_or_a_clear_error(text: str) -> None:
    try:
        value = common.workspace_id(text)
    except argparse.ArgumentTypeError as exc:
        message = str(exc)
    else:
        assert value == text
        assert quote(value, safe="") == value  # nothing in it can change the path
        return
    assert "workspace id" in message


@given(
    workspace=st.text(max_size=20),
    timeout=st.text(max_size=8),
    url=_URLS,
)
def test_list_ends_with_one_line_and_an_exit_code(
    workspace: str, timeout: str, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Whatever is typed, `list` exits with a code and at most one line on stderr.

    A URL that passes the checks points at a closed port, so nothing leaves the machine.
    """
    if url.strip() and "://" not in url:
        url = "http://" + url
    argv = ["list", "users", "--workspace", workspace, "--timeout", timeout, "--base-url", url]
    mp = pytest.MonkeyPatch()
    mp.setenv("CLOCKIFY_API_KEY", TEST_KEY)
    try:
        try:
            code = entry.run(argv)
        except SystemExit as exc:  # argparse's usage error
            code = exc.code if isinstance(exc.code, int) else 1
    finally:
        mp.undo()
    err = capsys.readouterr().err
    assert code in (0, 1, 2, 3, 4, 5)
    assert len(err.splitlines()) <= 1, err
    assert TEST_KEY not in err


# -- end to end: one line, an exit code, nothing sent ----------------------------------------


def _run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "CLOCKIFY_API_KEY": TEST_KEY, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "desktop", *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    "workspace",
    ["../../../../etc/passwd", "abc?status=ALL&page-size=999999&x=", "abc#frag", "a/b", ""],
)
def test_a_workspace_id_that_is_no_id_is_a_usage_error_and_nothing_is_sent(
    fake_server: FakeClockify, workspace: str
) -> None:
    result = _run_cli("list", "users", "--workspace", workspace, "--base-url", fake_server.base_url)
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert "workspace id" in result.stderr
    assert "Traceback" not in result.stderr
    assert fake_server.requests == []


@pytest.mark.parametrize(
    ("args", "env", "code", "words"),
    [
        (["--base-url", "https://[::1"], {}, 2, "brackets"),
        (["--base-url", "https://a..b.com"], {}, 2, "empty part"),
        ([], {"CLOCKIFY_BASE_URL": "https://[::1"}, 2, "brackets"),
        (["--timeout", "nan"], {}, 2, "from 1 to 600"),
        (["--timeout", "inf"], {}, 2, "from 1 to 600"),
        (["--timeout", "1e308"], {}, 2, "from 1 to 600"),
        ([], {"CLOCKIFY_API_KEY": "ключ-0123456789abcdef"}, 3, "not plain ASCII"),
        ([], {"CLOCKIFY_API_KEY": "key\x1b[2Jwith-escape"}, 3, "control characters"),
    ],
)
def test_bad_input_ends_in_one_line_and_its_exit_code(
    args: list[str], env: dict[str, str], code: int, words: str
) -> None:
    result = _run_cli("list", "workspaces", *args, env=env)
    assert result.returncode == code, result.stderr
    assert result.stderr.startswith("clockify-panel")
    assert len(result.stderr.splitlines()) == 1, result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.stderr
    assert "ключ" not in result.stderr
    assert result.stdout == ""


# -- control characters from a server --------------------------------------------------------

EVIL = "Evil\x1b]0;owned\x07 \x1b[31mRed\x9b2J Ltd"


@pytest.fixture
def evil_server(monkeypatch: pytest.MonkeyPatch) -> FakeClockify:
    monkeypatch.setenv("CLOCKIFY_API_KEY", TEST_KEY)
    owner = {"id": "u-owner", "name": "Owner", "email": "owner@example.com"}
    server = FakeClockify(
        api_keys={TEST_KEY: owner},
        workspaces=[
            FakeWorkspace("w1", EVIL),
            FakeWorkspace("w2", "Plain"),
        ],
    )
    server.start()
    yield server  # type: ignore[misc]
    server.stop()


def test_table_output_escapes_control_characters(
    evil_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code = entry.run(["list", "workspaces", "--base-url", evil_server.base_url])
    out = capsys.readouterr().out
    assert code == 0
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\x9b" not in out
    assert r"Evil\x1b]0;owned\x07 \x1b[31mRed\x9b2J Ltd" in out


def test_json_output_keeps_the_exact_data(
    evil_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code = entry.run(["list", "workspaces", "--format", "json", "--base-url", evil_server.base_url])
    assert code == 0
    names = [w["name"] for w in json.loads(capsys.readouterr().out)]
    assert EVIL in names


def test_messages_escape_control_characters(
    evil_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two workspaces and no --workspace: the message lists their names, escaped."""
    code = entry.run(["list", "users", "--base-url", evil_server.base_url])
    err = capsys.readouterr().err
    assert code == 2
    assert "\x1b" not in err
    assert "\x9b" not in err
    assert r"Evil\x1b]0;owned\x07" in err
    assert len(err.splitlines()) == 1
