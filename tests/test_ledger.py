"""The request ledger (issue 17): counting this app's requests per workspace per hour."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import filelock
import pytest

from desktop.clockify.client import RequestGate
from desktop.clockify.errors import RequestBudgetError
from desktop.clockify.models import Workspace
from desktop.store import ledger as ledger_module
from desktop.store.ledger import (
    AUTOMATIC_LIMIT,
    LEDGER_FILE,
    LIMITED_AFTER_429_SECONDS,
    MAX_FILE_BYTES,
    MAX_REQUESTS,
    MAX_WORKSPACES,
    USER_LIMIT,
    WINDOW_SECONDS,
    RequestLedger,
)

REPO = Path(__file__).resolve().parent.parent
T0 = 1_700_000_040.0  # a whole minute, in the past
CONN = "conn-1"
FREE = "aaaaaaaaaaaaaaaaaaaaaaa1"
PAID = "bbbbbbbbbbbbbbbbbbbbbbb2"
OTHER = "ccccccccccccccccccccccc3"


class Clock:
    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / LEDGER_FILE


@pytest.fixture
def ledger(path: Path, clock: Clock) -> RequestLedger:
    made = RequestLedger(path, clock=clock)
    made.note_workspaces(
        CONN,
        [
            Workspace(id=FREE, name="Studio Free", plan="FREE"),
            Workspace(id=PAID, name="Studio Pro", plan="PRO"),
        ],
    )
    return made


def stored(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return document


def stored_requests(path: Path, workspace_id: str) -> list[float]:
    requests: list[float] = stored(path)["workspaces"][workspace_id]["requests"]
    return requests


def spend(ledger: RequestLedger, workspace_id: str, count: int, automatic: bool = True) -> None:
    for _ in range(count):
        ledger.admit(CONN, workspace_id, automatic)


def ledger_warnings(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [
        record
        for record in caplog.records
        if record.name == "desktop.store.ledger" and record.levelno == logging.WARNING
    ]


# The shares ---------------------------------------------------------------------------------


def test_automatic_limit_10_then_user_requests_up_to_25(ledger: RequestLedger) -> None:
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=True)
    assert refused.value.automatic
    assert (refused.value.used, refused.value.limit) == (10, 10)
    assert ledger.usage(FREE).used == 10  # the refused one is not recorded
    spend(ledger, FREE, USER_LIMIT - AUTOMATIC_LIMIT, automatic=False)
    assert ledger.usage(FREE).used == 25
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=False)
    assert not refused.value.automatic
    assert (refused.value.used, refused.value.limit) == (25, 25)
    assert ledger.usage(FREE).used == 25


def test_an_explicit_limit_replaces_the_share(ledger: RequestLedger) -> None:
    spend(ledger, FREE, 3, automatic=False)
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=False, limit=3)
    assert refused.value.limit == 3
    with pytest.raises(ValueError, match="limit"):
        ledger.admit(CONN, FREE, automatic=False, limit=0)


def test_unlimited_workspace_counts_but_is_never_refused(ledger: RequestLedger) -> None:
    spend(ledger, PAID, USER_LIMIT + 5)
    usage = ledger.usage(PAID)
    assert (usage.used, usage.limited, usage.plan) == (30, False, "PRO")


def test_force_records_past_the_limit(ledger: RequestLedger) -> None:
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    ledger.admit(CONN, FREE, automatic=True, force=True)
    assert ledger.usage(FREE).used == 11
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=False, limit=11)
    assert refused.value.used == 11
    gate: RequestGate = ledger.gate(CONN, force=True)  # mypy checks it is a RequestGate
    gate.admit(FREE, True)
    assert ledger.usage(FREE).used == 12


def test_requests_without_a_workspace_count_against_every_workspace_of_the_connection(
    ledger: RequestLedger, clock: Clock
) -> None:
    ledger.admit(CONN, None, automatic=True)
    assert ledger.usage(FREE).used == 1
    assert ledger.usage(PAID).used == 1
    ledger.admit("another-connection", None, automatic=True)  # knows no workspace
    assert ledger.usage(FREE).used == 1
    spend(ledger, FREE, AUTOMATIC_LIMIT - 1)
    clock.now += 5
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, None, automatic=True)
    assert refused.value.workspace_id == FREE
    assert ledger.usage(PAID).used == 1  # nothing recorded anywhere
    ledger.admit(CONN, PAID, automatic=True)  # the paid one itself still goes
    ledger.admit(CONN, None, automatic=False)  # a user's request is within 25
    assert (ledger.usage(FREE).used, ledger.usage(PAID).used) == (11, 3)


def test_a_workspace_less_refusal_names_the_workspace_that_frees_up_last(
    path: Path, clock: Clock
) -> None:
    ledger = RequestLedger(path, clock=clock)
    ledger.note_workspaces(CONN, [Workspace(FREE, "A", "FREE"), Workspace(OTHER, "B", None)])
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    clock.now += 60
    spend(ledger, OTHER, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, None, automatic=True)
    assert refused.value.workspace_id == OTHER
    assert refused.value.retry_at == pytest.approx(T0 + 60 + WINDOW_SECONDS)


def test_note_workspaces_replaces_the_connections_list(
    ledger: RequestLedger,
) -> None:
    ledger.note_workspaces(CONN, [Workspace(OTHER, "C", "FREE")])
    ledger.admit(CONN, None, automatic=True)
    assert [ledger.usage(w).used for w in (FREE, PAID, OTHER)] == [0, 0, 1]


def test_the_first_listing_of_a_connection_counts_against_its_workspaces(
    path: Path, clock: Clock
) -> None:
    ledger = RequestLedger(path, clock=clock)
    gate = ledger.gate(CONN)
    gate.admit(None, False)  # /workspaces: the connection's workspaces are not known yet
    gate.note_workspaces([Workspace(FREE, "A", "FREE"), Workspace(PAID, "B", "PRO")])
    assert (ledger.usage(FREE).used, ledger.usage(PAID).used) == (1, 1)
    gate.admit(None, False)  # known now: counted by admit itself
    gate.note_workspaces([Workspace(FREE, "A", "FREE"), Workspace(PAID, "B", "PRO")])
    assert (ledger.usage(FREE).used, ledger.usage(PAID).used) == (2, 2)
    ledger.note_workspaces("conn-2", [Workspace(FREE, "A", "FREE")])  # not a listing
    assert ledger.usage(FREE).used == 2


# Which workspaces are limited -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "limited"),
    [
        ("FREE", True),
        ("free", True),
        ("FREE_TRIAL", True),
        (None, True),
        ("PRO", False),
        ("BASIC", False),
        ("ENTERPRISE", False),
    ],
)
def test_plans(path: Path, plan: str | None, limited: bool) -> None:
    ledger = RequestLedger(path)
    ledger.note_workspaces(CONN, [Workspace(OTHER, "W", plan)])
    assert ledger.is_limited(OTHER) is limited
    assert ledger.usage(OTHER).plan == plan
    assert RequestLedger(path).is_limited(OTHER) is limited  # the plan is in the file


def test_a_workspace_never_seen_is_limited(path: Path) -> None:
    ledger = RequestLedger(path)
    assert ledger.is_limited(OTHER)
    usage = ledger.usage(OTHER)
    assert (usage.used, usage.plan, usage.marked_paid) == (0, None, False)
    spend(ledger, OTHER, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, OTHER, automatic=True)


def test_the_paid_mark_is_remembered_across_instances(
    ledger: RequestLedger, path: Path, clock: Clock
) -> None:
    assert ledger.is_limited(FREE)
    ledger.set_paid(FREE, True)
    again = RequestLedger(path, clock=clock)
    assert again.marked_paid(FREE)
    assert not again.is_limited(FREE)
    spend(again, FREE, AUTOMATIC_LIMIT + 3)  # not refused
    again.note_workspaces(CONN, [Workspace(FREE, "Studio Free", "FREE")])  # keeps the mark
    assert RequestLedger(path).marked_paid(FREE)
    again.set_paid(FREE, False)
    assert not ledger.marked_paid(FREE)
    assert ledger.is_limited(FREE)


def test_a_429_limits_even_a_paid_workspace_for_an_hour(
    ledger: RequestLedger, clock: Clock
) -> None:
    ledger.set_paid(PAID, True)
    assert not ledger.is_limited(PAID)
    ledger.gate(CONN).rate_limited(PAID)
    assert ledger.is_limited(PAID)
    assert RequestLedger(ledger.path, clock=clock).is_limited(PAID)
    assert ledger.usage(PAID).limited_until == pytest.approx(T0 + LIMITED_AFTER_429_SECONDS)
    spend(ledger, PAID, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, PAID, automatic=True)
    clock.now += LIMITED_AFTER_429_SECONDS - 1
    assert ledger.is_limited(PAID)
    clock.now += 1
    assert not ledger.is_limited(PAID)
    assert ledger.usage(PAID).limited_until is None
    ledger.admit(CONN, PAID, automatic=True)


def test_a_429_without_a_workspace_limits_every_workspace_of_the_connection(
    ledger: RequestLedger, clock: Clock
) -> None:
    ledger.rate_limited(CONN, None)
    assert ledger.is_limited(PAID)
    assert ledger.is_limited(FREE)
    assert RequestLedger(ledger.path, clock=clock).is_limited(PAID)


# The error -----------------------------------------------------------------------------------


def test_the_automatic_refusal(ledger: RequestLedger, clock: Clock) -> None:
    spend(ledger, FREE, 1)
    clock.now += 100
    spend(ledger, FREE, AUTOMATIC_LIMIT - 1)
    clock.now += 100
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=True)
    error = refused.value
    assert str(error) == (
        "Saving requests for Studio Free: 10 of 30 used by this panel in the last hour. "
        "F5 refreshes anyway."
    )
    assert (error.workspace_id, error.used, error.limit, error.automatic) == (FREE, 10, 10, True)
    assert error.retry_at == pytest.approx(T0 + WINDOW_SECONDS)  # the oldest leaves
    assert error.exit_code == 5


def test_the_refusal_of_a_request_the_user_asked_for(ledger: RequestLedger, clock: Clock) -> None:
    for _ in range(USER_LIMIT):
        ledger.admit(CONN, FREE, automatic=False)
        clock.now += 10
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=False)
    error = refused.value
    assert (error.used, error.limit, error.automatic) == (25, 25, False)
    assert error.retry_at == pytest.approx(T0 + WINDOW_SECONDS)
    at = time.strftime("%H:%M", time.localtime(T0 + WINDOW_SECONDS))  # a whole minute
    assert str(error) == (
        "Clockify allows Studio Free 30 requests an hour on its plan, and this app has used "
        f"25 of them in the last hour; the next request is possible at {at}."
    )
    usage = ledger.usage(FREE)
    assert usage.next_free_at(USER_LIMIT) == pytest.approx(T0 + WINDOW_SECONDS)
    assert usage.next_free_at(20) == pytest.approx(T0 + 50 + WINDOW_SECONDS)
    assert usage.next_free_at(26) is None


def test_the_time_in_the_message_is_rounded_up_to_the_minute(path: Path, clock: Clock) -> None:
    clock.now = T0 + 20  # T0 is a whole minute
    ledger = RequestLedger(path, clock=clock)
    for _ in range(USER_LIMIT):
        ledger.admit(CONN, OTHER, automatic=False)
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, OTHER, automatic=False)
    later = time.strftime("%H:%M", time.localtime(T0 + 60 + WINDOW_SECONDS))
    assert str(refused.value).endswith(f"possible at {later}.")


def test_a_workspace_without_a_known_name_is_named_by_its_id(path: Path) -> None:
    ledger = RequestLedger(path)
    spend(ledger, OTHER, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError, match=f"^Saving requests for workspace {OTHER}: 10 "):
        ledger.admit(CONN, OTHER, automatic=True)
    assert ledger.usage(OTHER).display_name == f"workspace {OTHER}"


# The hour ------------------------------------------------------------------------------------


def test_entries_older_than_an_hour_stop_counting(
    ledger: RequestLedger, clock: Clock, path: Path
) -> None:
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    clock.now += WINDOW_SECONDS - 1
    assert ledger.usage(FREE).used == 10
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, FREE, automatic=True)
    clock.now += 1
    assert ledger.usage(FREE).used == 0
    ledger.admit(CONN, FREE, automatic=True)
    assert stored_requests(path, FREE) == [T0 + WINDOW_SECONDS]  # the old ones pruned


def test_a_rolling_hour_frees_one_request_at_a_time(ledger: RequestLedger, clock: Clock) -> None:
    for _ in range(AUTOMATIC_LIMIT):
        ledger.admit(CONN, FREE, automatic=True)
        clock.now += 60
    clock.now = T0 + WINDOW_SECONDS + 1  # only the first left the window
    ledger.admit(CONN, FREE, automatic=True)
    with pytest.raises(RequestBudgetError) as refused:
        ledger.admit(CONN, FREE, automatic=True)
    assert refused.value.retry_at == pytest.approx(T0 + 60 + WINDOW_SECONDS)


def test_the_clock_going_backwards_does_not_unlock_the_budget(
    ledger: RequestLedger, clock: Clock, path: Path
) -> None:
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    jump = T0 - 2 * WINDOW_SECONDS
    clock.now = jump
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, FREE, automatic=True)
    assert ledger.usage(FREE).used == 10
    assert RequestLedger(path, clock=clock).usage(FREE).used == 10  # another process too
    assert max(stored_requests(path, FREE)) <= jump  # stored clamped
    clock.now = jump + WINDOW_SECONDS - 1
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, FREE, automatic=True)
    clock.now = jump + WINDOW_SECONDS
    ledger.admit(CONN, FREE, automatic=True)
    assert ledger.usage(FREE).used == 1


def test_the_clock_going_backwards_does_not_lift_a_429(ledger: RequestLedger, clock: Clock) -> None:
    ledger.rate_limited(CONN, PAID)
    clock.now = T0 - 5 * WINDOW_SECONDS
    assert ledger.is_limited(PAID)
    clock.now += LIMITED_AFTER_429_SECONDS - 1
    assert ledger.is_limited(PAID)
    clock.now += 1
    assert not ledger.is_limited(PAID)


# The file ------------------------------------------------------------------------------------


def test_default_path_is_in_the_state_folder(isolated_home: Path) -> None:
    ledger = RequestLedger()
    ledger.admit(CONN, OTHER, automatic=True)
    expected = isolated_home / "state" / "clockify-panel" / LEDGER_FILE
    assert ledger.path == expected
    assert stored_requests(expected, OTHER)


def test_the_file_holds_no_names_and_is_private(ledger: RequestLedger, path: Path) -> None:
    spend(ledger, FREE, 2)
    text = path.read_text("utf-8")
    assert "Studio" not in text
    assert FREE in text
    document = json.loads(text)
    assert document["v"] == 1
    assert document["connections"] == {CONN: [FREE, PAID]}
    assert document["workspaces"][FREE] == {
        "plan": "FREE",
        "known": True,
        "paid": False,
        "limited_until": None,
        "requests": [T0, T0],
    }
    assert ledger.usage(FREE).name == "Studio Free"  # in memory only
    assert RequestLedger(path).usage(FREE).name is None
    if sys.platform != "win32":
        assert path.stat().st_mode & 0o777 == 0o600


DAMAGE = {
    "garbage": b"\x00\xff\xfe not json at all",
    "empty": b"",
    "a list": b"[1, 2, 3]",
    "wrong version": b'{"v": 2, "workspaces": {}, "connections": {}}',
    "version true": b'{"v": true, "workspaces": {}, "connections": {}}',
    "workspaces a list": b'{"v": 1, "workspaces": [], "connections": {}}',
    "plan a number": (
        b'{"v": 1, "workspaces": {"w1": {"plan": 5, "known": true, "paid": false,'
        b' "limited_until": null, "requests": []}}, "connections": {}}'
    ),
    "times are texts": (
        b'{"v": 1, "workspaces": {"w1": {"plan": null, "known": true, "paid": false,'
        b' "limited_until": null, "requests": ["soon"]}}, "connections": {}}'
    ),
    "a time is NaN": (
        b'{"v": 1, "workspaces": {"w1": {"plan": null, "known": true, "paid": false,'
        b' "limited_until": NaN, "requests": []}}, "connections": {}}'
    ),
    "a flag missing": (
        b'{"v": 1, "workspaces": {"w1": {"plan": null, "paid": false,'
        b' "limited_until": null, "requests": []}}, "connections": {}}'
    ),
    "connections of numbers": b'{"v": 1, "workspaces": {}, "connections": {"c": [1]}}',
    "too large": b'{"v": 1, "workspaces": {}, "connections": {}}' + b" " * MAX_FILE_BYTES,
    "deeply nested": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_damaged_ledger_is_rebuilt_with_one_warning(
    path: Path, clock: Clock, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(damage)
    caplog.set_level(logging.WARNING, logger="desktop.store.ledger")
    ledger = RequestLedger(path, clock=clock)
    assert ledger.usage(FREE).used == 0
    assert ledger.is_limited(FREE)
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError):
        ledger.admit(CONN, FREE, automatic=True)
    assert RequestLedger(path, clock=clock).usage(FREE).used == 10
    assert len(ledger_warnings(caplog)) == 1
    assert "starts again empty" in ledger_warnings(caplog)[0].getMessage()
    assert stored(path)["v"] == 1
    assert len(stored_requests(path, FREE)) == 10


def test_a_damaged_ledger_is_rebuilt_even_by_a_question(path: Path) -> None:
    path.parent.mkdir(parents=True)
    path.write_bytes(b"{{{")
    RequestLedger(path).is_limited(FREE)
    assert stored(path) == {"v": 1, "workspaces": {}, "connections": {}}


def test_the_file_stays_bounded(path: Path, clock: Clock) -> None:
    old = {
        "plan": "PRO",
        "known": True,
        "paid": False,
        "limited_until": None,
        "requests": [T0 - 1.0] * MAX_REQUESTS,
    }
    document = {"v": 1, "workspaces": {PAID: old}, "connections": {}}
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(document), "utf-8")
    ledger = RequestLedger(path, clock=clock)
    assert ledger.usage(PAID).used == MAX_REQUESTS
    ledger.admit(CONN, PAID, automatic=True)
    requests = stored_requests(path, PAID)
    assert len(requests) == MAX_REQUESTS
    assert requests[-1] == T0  # the oldest dropped
    quiet = dict(old, requests=[])
    many = {f"w{index:05d}": quiet for index in range(MAX_WORKSPACES)}
    path.write_text(json.dumps({"v": 1, "workspaces": many, "connections": {}}), "utf-8")
    ledger.admit(CONN, OTHER, automatic=True)
    workspaces = stored(path)["workspaces"]
    assert len(workspaces) == MAX_WORKSPACES
    assert OTHER in workspaces  # the active one is kept


def test_the_encoded_file_never_passes_the_size_bound() -> None:
    state = ledger_module._State()
    for index in range(MAX_WORKSPACES):
        entry = state.entry(f"{index:0>200}")
        entry.requests = [T0 + index / 1000] * MAX_REQUESTS
    data = ledger_module._encode(state)
    assert len(data) <= MAX_FILE_BYTES
    assert ledger_module._parse(data).workspaces


# Several writers ------------------------------------------------------------------------------

WRITER = """
import sys
sys.path.insert(0, sys.argv[1])
from desktop.store.ledger import RequestLedger
from pathlib import Path
ledger = RequestLedger(Path(sys.argv[2]), lock_timeout=60)
for _ in range(int(sys.argv[3])):
    ledger.admit("conn-1", sys.argv[4], automatic=True)
"""


def test_concurrent_writers_in_three_processes_lose_no_entry(path: Path) -> None:
    RequestLedger(path).set_paid(PAID, True)
    count = 40
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(REPO), str(path), str(count), PAID],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    for writer in writers:
        _, err = writer.communicate(timeout=100)
        assert writer.returncode == 0, err.decode()
    assert len(stored_requests(path, PAID)) == 3 * count
    assert RequestLedger(path).usage(PAID).used == 3 * count
    assert RequestLedger(path).marked_paid(PAID)


def test_concurrent_threads_lose_no_entry(path: Path) -> None:
    shared = RequestLedger(path)
    shared.set_paid(PAID, True)
    own = [RequestLedger(path) for _ in range(2)]  # separate lock objects, one file

    def write(ledger: RequestLedger) -> None:
        for _ in range(15):
            ledger.admit(CONN, PAID, automatic=True)

    threads = [threading.Thread(target=write, args=(x,)) for x in [shared, shared, *own]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(stored_requests(path, PAID)) == 60


# A failing disk -------------------------------------------------------------------------------


def test_a_lock_held_elsewhere_delays_only_briefly_and_nothing_is_lost(
    path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop.store.ledger")
    ledger = RequestLedger(path, clock=clock, lock_timeout=2.0)
    spend(ledger, FREE, 2)
    holder = filelock.FileLock(str(path) + ".lock")
    holder.acquire()
    try:
        started = time.monotonic()
        spend(ledger, FREE, AUTOMATIC_LIMIT - 2)
        # The first waits lock_timeout; later ones only briefly (not 8 x 2 s).
        assert time.monotonic() - started < 10
        with pytest.raises(RequestBudgetError):  # counted in memory
            ledger.admit(CONN, FREE, automatic=True)
        assert len(stored_requests(path, FREE)) == 2
    finally:
        holder.release()
    assert len(ledger_warnings(caplog)) == 1
    assert ledger.usage(FREE).used == 10
    assert len(stored_requests(path, FREE)) == 10  # written once the lock came back
    assert RequestLedger(path, clock=clock).usage(FREE).used == 10


def test_a_damaged_file_that_cannot_be_rebuilt_is_reported_once(
    path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop.store.ledger")
    path.parent.mkdir(parents=True)
    path.write_bytes(b"not json")
    holder = filelock.FileLock(str(path) + ".lock")
    holder.acquire()
    try:
        ledger = RequestLedger(path, clock=clock, lock_timeout=0.05)
        spend(ledger, FREE, AUTOMATIC_LIMIT)
        with pytest.raises(RequestBudgetError):
            ledger.admit(CONN, FREE, automatic=True)
        assert path.read_bytes() == b"not json"
    finally:
        holder.release()
    messages = [record.getMessage() for record in ledger_warnings(caplog)]
    assert len(messages) == 2  # the damage once, the lock once
    assert sum("starts again empty" in message for message in messages) == 1
    assert ledger.usage(FREE).used == 10
    assert len(stored_requests(path, FREE)) == 10


def test_a_state_folder_that_is_a_file_does_not_raise(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop.store.ledger")
    (tmp_path / "blocked").write_text("not a folder")
    ledger = RequestLedger(tmp_path / "blocked" / LEDGER_FILE, clock=clock)
    ledger.note_workspaces(CONN, [Workspace(FREE, "Studio Free", "FREE")])
    spend(ledger, FREE, AUTOMATIC_LIMIT)
    with pytest.raises(RequestBudgetError, match="Studio Free"):
        ledger.admit(CONN, FREE, automatic=True)
    ledger.set_paid(FREE, True)
    assert ledger.marked_paid(FREE)
    ledger.admit(CONN, FREE, automatic=True)
    assert ledger.usage(FREE).used == 11
    assert len(ledger_warnings(caplog)) == 1


@pytest.mark.skipif(sys.platform == "win32", reason="chmod does not make a folder read-only")
@pytest.mark.skipif(
    hasattr(os, "geteuid") and os.geteuid() == 0, reason="root writes to read-only folders"
)
def test_a_read_only_folder_does_not_raise(
    path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="desktop.store.ledger")
    first = RequestLedger(path, clock=clock)
    spend(first, FREE, 3)
    path.parent.chmod(0o500)
    try:
        ledger = RequestLedger(path, clock=clock)
        assert ledger.usage(FREE).used == 3  # the file is still read
        spend(ledger, FREE, AUTOMATIC_LIMIT - 3)
        with pytest.raises(RequestBudgetError):
            ledger.admit(CONN, FREE, automatic=True)
        assert len(ledger_warnings(caplog)) == 1
        assert len(stored_requests(path, FREE)) == 3
    finally:
        path.parent.chmod(0o700)
