"""`list` and the request ledger (issue 17, point 6): on a limited (Free plan) workspace a
warning on stderr above 20 requests in the last hour, a refusal past 25 (exit 5, nothing
sent, the time when a request will be possible) unless --force, plans learnt from the
/workspaces answer and a 429 marking a workspace limited. The ledger is pre-filled through
its own API (the same default file as the command's, in this test's XDG_STATE_HOME)."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from conftest import TEST_KEY
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify
from test_cli import listing, run

from desktop.clockify import Workspace
from desktop.clockify.connection import Connection
from desktop.store.ledger import RequestLedger

SIDE = SAMPLE_SIDE_WORKSPACE_ID  # no plan: limited
ACME = SAMPLE_WORKSPACE_ID  # "PRO": not limited
CLIENTS = f"/workspaces/{SIDE}/clients"


def _connection_id(server: FakeClockify) -> str:
    """The ledger's name of the connection `list --base-url server` uses."""
    return Connection.from_options(None, server.base_url).id


def _note_plans(server: FakeClockify) -> None:
    """What a /workspaces answer would tell the ledger, without a request."""
    RequestLedger().note_workspaces(
        _connection_id(server),
        [Workspace(id=ACME, name="Acme Ltd", plan="PRO"), Workspace(id=SIDE, name="Side Project")],
    )


def _prefill(server: FakeClockify, workspace_id: str, count: int, at: float | None = None) -> None:
    """`count` requests for `workspace_id` in the ledger, as if sent at `at` (default now)."""
    ledger = RequestLedger() if at is None else RequestLedger(clock=lambda: at)
    for _ in range(count):
        ledger.admit(_connection_id(server), workspace_id, False, force=True)


def _used(workspace_id: str) -> int:
    return RequestLedger().usage(workspace_id).used


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if "warning" in line]


def test_at_19_used_a_list_is_sent_and_counted_without_a_warning(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_plans(fake_server)
    _prefill(fake_server, SIDE, 19)
    code, out, err = run(listing(fake_server, "clients", "--workspace", SIDE), capsys)
    assert code == 0, err
    assert "Hobby Client" in out
    assert err == ""
    assert fake_server.count(CLIENTS) == 1
    assert _used(SIDE) == 20  # counted: the 20th is still within the quiet share


def test_at_20_used_the_21st_request_warns_once_on_stderr(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_plans(fake_server)
    _prefill(fake_server, SIDE, 20)
    # Last-Page: false on every page: two requests (the second one read ahead, on another
    # thread), both above 20; still one warning.
    fake_server.paging_mode = "always-false"
    code, out, err = run(listing(fake_server, "clients", "--workspace", SIDE), capsys)
    assert code == 0, err
    assert "Hobby Client" in out
    assert fake_server.count(CLIENTS) == 2
    assert _used(SIDE) == 22
    assert err.splitlines() == [
        f"clockify-panel: warning: 21 of the 30 requests Clockify allows workspace {SIDE} an "
        "hour used by this app in the last hour (Free plan)."
    ]


def test_the_warning_names_the_workspace_when_the_workspace_list_told_its_name(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    fake_server.workspaces[0].visible_to = {"someone-else"}  # the key sees Side Project only
    _note_plans(fake_server)
    _prefill(fake_server, SIDE, 20)
    code, _, err = run(listing(fake_server, "clients"), capsys)
    assert code == 0, err
    assert fake_server.count(CLIENTS) == 1
    (line,) = _warnings(err)
    # /workspaces names no workspace: the ledger may count it for Side Project too.
    assert re.fullmatch(
        r"clockify-panel: warning: 2[12] of the 30 requests Clockify allows Side Project an "
        r"hour used by this app in the last hour \(Free plan\)\.",
        line,
    ), line


def _minute_ago(minutes: int) -> float:
    """A whole minute, `minutes` before now: a request an hour after it is due at a whole
    minute, so the time the refusal shows is exact."""
    return (time.time() // 60 - minutes) * 60


def test_at_25_used_nothing_is_sent_and_the_refusal_says_when_and_force(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_plans(fake_server)
    sent_at = _minute_ago(10)
    _prefill(fake_server, SIDE, 25, at=sent_at)
    code, out, err = run(listing(fake_server, "clients", "--workspace", SIDE), capsys)
    assert code == 5
    assert out == ""
    assert fake_server.requests == []  # not one request reached the server
    assert _used(SIDE) == 25  # and the refused one is not counted
    (line,) = err.splitlines()
    assert line.startswith("clockify-panel: ")
    assert SIDE in line
    assert time.strftime("%H:%M", time.localtime(sent_at + 3600)) in line
    assert "--force" in line
    assert "Traceback" not in err
    assert TEST_KEY not in err


def test_at_25_used_force_sends_and_counts_the_request(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    _note_plans(fake_server)
    _prefill(fake_server, SIDE, 25, at=_minute_ago(10))
    code, out, err = run(listing(fake_server, "clients", "--workspace", SIDE, "--force"), capsys)
    assert code == 0, err
    assert "Hobby Client" in out
    assert fake_server.count(CLIENTS) == 1
    assert _used(SIDE) == 26
    assert len(_warnings(err)) == 1  # past 20 still: warned, once
    assert TEST_KEY not in err


def test_a_paid_workspace_learnt_from_the_workspace_list_is_not_limited(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    # No plan noted by the test: `list workspaces` must tell the ledger Acme is PRO.
    code, _, err = run(listing(fake_server, "workspaces"), capsys)
    assert code == 0, err
    ledger = RequestLedger()
    assert not ledger.is_limited(ACME)
    assert ledger.is_limited(SIDE)
    _prefill(fake_server, ACME, 30)
    code, out, err = run(listing(fake_server, "clients", "--workspace", ACME), capsys)
    assert code == 0, err
    assert "Globex Corporation" in out
    assert err == ""
    assert fake_server.count(f"/workspaces/{ACME}/clients") == 1


def test_a_429_marks_even_a_paid_workspace_limited(
    fake_server: FakeClockify, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(listing(fake_server, "workspaces"), capsys)
    assert code == 0, err
    assert not RequestLedger().is_limited(ACME)  # PRO, as the answer said
    fake_server.rate_limit_first = 1
    fake_server.retry_after = "0"
    code, out, err = run(listing(fake_server, "clients", "--workspace", ACME), capsys)
    assert code == 0, err  # the retry got the list
    assert "Globex Corporation" in out
    assert fake_server.count(f"/workspaces/{ACME}/clients") == 2
    assert RequestLedger().is_limited(ACME)


def test_an_unusable_state_folder_does_not_stop_a_list(
    fake_server: FakeClockify,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocked))  # the ledger's folder cannot exist
    code, out, err = run(listing(fake_server, "clients", "--workspace", SIDE), capsys)
    assert code == 0, err
    assert "Hobby Client" in out
    assert "Traceback" not in err
    assert fake_server.count(CLIENTS) == 1
