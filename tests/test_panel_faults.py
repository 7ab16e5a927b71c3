"""Faults and hostile data on the running panel (offscreen, fake server over real HTTP).

Each fault is judged as the user sees it: a clear message where they look, what was
loaded stays visible and usable, and the next refresh recovers.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
from conftest import TEST_KEY
from fake_clockify import SAMPLE_WORKSPACE_ID, FakeClockify, FakeWorkspace, Gate
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from desktop.clockify import (
    ApiKey,
    ClockifyClient,
    ClockifyError,
    Connection,
    KeyRejectedError,
    NetworkError,
    RetryPolicy,
    UnexpectedResponseError,
)
from desktop.demo.data import TRICKY_NAMES, make_users
from desktop.search import normalise
from desktop.ui.main_window import PanelWindow
from desktop.ui.tree_model import GroupNode, LoadState, Role, WorkspaceNode

FAST_RETRY = RetryPolicy(attempts=3, base_delay=0.01, max_delay=0.02, max_total=0.2)


@pytest.fixture
def panels(qtbot: QtBot) -> Iterator[list[PanelWindow]]:
    made: list[PanelWindow] = []
    yield made
    for window in made:
        window.loader.cancel_all()
        window.runner.wait_idle(5)
        window.close()


def open_panel(
    qtbot: QtBot, panels: list[PanelWindow], base_url: str, timeout: float = 3.0
) -> PanelWindow:
    window = PanelWindow()
    qtbot.addWidget(window)
    panels.append(window)
    client = ClockifyClient(
        Connection.for_base_url(base_url),
        ApiKey(TEST_KEY),
        timeout=(timeout, timeout),
        retry=FAST_RETRY,
    )
    window.connect_client(client)
    return window


def loaded_workspace(qtbot: QtBot, window: PanelWindow, workspace_id: str) -> WorkspaceNode:
    ws = shown_workspace(qtbot, window, workspace_id)
    window.loader.load_workspace(workspace_id)
    qtbot.waitUntil(lambda: all(g.state is LoadState.LOADED for g in ws.groups), timeout=10000)
    return ws


def shown_workspace(qtbot: QtBot, window: PanelWindow, workspace_id: str) -> WorkspaceNode:
    """Wait for a workspace's row and open it (its groups not loaded yet)."""
    qtbot.waitUntil(lambda: window.model.workspace(workspace_id) is not None, timeout=5000)
    ws = window.model.workspace(workspace_id)
    assert ws is not None
    window.model.set_expanded(ws, True)
    return ws


def big_workspace(server: FakeClockify, workspace_id: str, users: int) -> None:
    server.add_workspace(
        FakeWorkspace(
            id=workspace_id,
            name="Big",
            users=make_users(users, workspace_id=workspace_id),
            clients=[],
        )
    )


def group_label(window: PanelWindow, group: GroupNode) -> str:
    return str(window.model.index_of(group).data())


def names(group: GroupNode) -> list[str]:
    return [n.name for n in group.children]


Fault = Callable[[FakeClockify, pytest.MonkeyPatch], Gate | None]
"""Injects a fault; returns the gate holding requests, if it made one (closed after the fault)."""


def _revoke(server: FakeClockify, _mp: pytest.MonkeyPatch) -> None:
    server.api_keys.clear()


def _rate_limit(server: FakeClockify, _mp: pytest.MonkeyPatch) -> None:
    server.rate_limit_first = 1000


def _rate_limit_retry_after(server: FakeClockify, _mp: pytest.MonkeyPatch) -> None:
    server.rate_limit_first = 1000
    server.retry_after = "0"


def _stall(server: FakeClockify, _mp: pytest.MonkeyPatch) -> Gate:
    return server.hold()  # nothing is answered until the fault is over


def _bad_json(server: FakeClockify, _mp: pytest.MonkeyPatch) -> None:
    server.malformed = "bad-json"


def _object(server: FakeClockify, _mp: pytest.MonkeyPatch) -> None:
    server.malformed = "object"


def _unresolvable(_server: FakeClockify, mp: pytest.MonkeyPatch) -> None:
    # Simulated in the transport: nothing leaves 127.0.0.1.
    def fail(*_args: Any, **_kwargs: Any) -> Any:
        raise requests.exceptions.ConnectionError("NameResolutionError: cannot resolve")

    mp.setattr(requests.Session, "get", fail)


FAULTS: dict[str, tuple[Fault, str]] = {
    "key revoked": (_revoke, "rejected the API key"),
    "429 storm": (_rate_limit, "Rate limited"),
    "429 storm with Retry-After": (_rate_limit_retry_after, "Rate limited"),
    "stalled server": (_stall, "timeout"),
    "malformed JSON": (_bad_json, "not valid JSON"),
    "object instead of array": (_object, "expected a list"),
    "host does not resolve": (_unresolvable, "could not be resolved"),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_fault_on_refresh_keeps_the_rows_says_why_and_the_next_refresh_recovers(
    qtbot: QtBot,
    panels: list[PanelWindow],
    fake_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
) -> None:
    window = open_panel(qtbot, panels, fake_server.base_url, timeout=0.5)
    ws = loaded_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    users_before, clients_before = names(ws.users), names(ws.clients)
    assert users_before
    assert clients_before

    inject, expected = FAULTS[fault]
    with monkeypatch.context() as patch:
        gate = inject(fake_server, patch)
        window.refresh()
        qtbot.waitUntil(lambda: not window.notice.isHidden(), timeout=10000)
        qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
        shown = window.notice_label.text() + " " + window.status_label.text()
        assert expected in shown
        assert TEST_KEY not in shown
        # What was loaded stays visible and usable.
        assert names(ws.users) == users_before
        assert names(ws.clients) == clients_before
        window.filter_edit.setText(clients_before[0][:4])
        assert window.model.match_count() >= 1
        window.filter_edit.clear()

    # The fault is gone (key restored, knobs reset, held requests let go): the next
    # refresh recovers.
    fake_server.api_keys[TEST_KEY] = {"id": "x", "name": "Back", "email": "b@example.com"}
    fake_server.rate_limit_first = 0
    fake_server.retry_after = None
    fake_server.malformed = None
    if gate is not None:
        gate.close()
    window.refresh()
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
    qtbot.waitUntil(lambda: all(g.state is LoadState.LOADED for g in ws.groups), timeout=10000)
    assert window.notice.isHidden()
    assert names(ws.clients) == clients_before


@pytest.mark.parametrize(
    ("fault", "kind", "notice_button"),
    [
        ("key revoked", KeyRejectedError, "Update key"),  # the key's own bar, no Retry
        ("object instead of array", UnexpectedResponseError, "Retry"),
        ("host does not resolve", NetworkError, "Retry"),
    ],
)
def test_a_failed_load_signals_the_error_itself(
    qtbot: QtBot,
    panels: list[PanelWindow],
    fake_server: FakeClockify,
    monkeypatch: pytest.MonkeyPatch,
    fault: str,
    kind: type[ClockifyError],
    notice_button: str,
) -> None:
    """The exception travels with the signal: listeners need nothing else to tell faults apart."""
    window = open_panel(qtbot, panels, fake_server.base_url, timeout=0.5)
    ws = shown_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=10000)
    from_loader: list[object] = []
    from_window: list[object] = []
    window.loader.workspaces_failed.connect(from_loader.append)
    window.workspaces_failed.connect(from_window.append)
    inject, _expected = FAULTS[fault]
    inject(fake_server, monkeypatch)
    with qtbot.waitSignal(window.workspaces_failed, timeout=10000) as blocker:
        window.refresh()
    error = blocker.args[0]
    assert isinstance(error, kind)
    assert from_loader == from_window == [error]  # the same object, passed on by the window
    assert window.status_label.text() == error.message  # what describe_error says
    assert window.notice_button.text() == notice_button

    # A users list failing: group_failed carries its exception too.
    with qtbot.waitSignal(window.loader.group_failed, timeout=10000) as group_blocker:
        window.loader.load_group(ws.users, force=True)
    group_error = group_blocker.args[0]
    assert isinstance(group_error, kind)
    assert window.status_label.text() == group_error.message
    assert group_error.message in group_label(window, ws.users)


def test_server_dying_mid_pagination_never_shows_a_half_list(
    qtbot: QtBot, panels: list[PanelWindow], fake_server: FakeClockify
) -> None:
    big = "64b0a0000000000000000099"
    big_workspace(fake_server, big, 12_345)
    fake_server.reset_after_pages = 1  # page 2 of 3: the connection is reset
    window = open_panel(qtbot, panels, fake_server.base_url)
    ws = shown_workspace(qtbot, window, big)
    window.loader.load_group(ws.users)
    qtbot.waitUntil(lambda: ws.users.state is LoadState.FAILED, timeout=10000)
    assert ws.users.children == []  # nothing of page 1 is presented
    assert "broke off" in group_label(window, ws.users)
    fake_server.reset_after_pages = None
    window.loader.load_group(ws.users, force=True)
    qtbot.waitUntil(lambda: ws.users.state is LoadState.LOADED, timeout=10000)
    active = sum(1 for u in fake_server.workspaces[-1].users if u["_membership"] == "ACTIVE")
    assert len(ws.users.children) == active
    assert group_label(window, ws.users) == f"Users ({active:,})"


def test_a_page_repeated_forever_is_an_error_not_a_loop(
    qtbot: QtBot, panels: list[PanelWindow], fake_server: FakeClockify
) -> None:
    big = "64b0a0000000000000000098"
    big_workspace(fake_server, big, 6000)
    fake_server.ignore_paging = True
    window = open_panel(qtbot, panels, fake_server.base_url)
    ws = shown_workspace(qtbot, window, big)
    window.loader.load_group(ws.users)
    qtbot.waitUntil(lambda: ws.users.state is LoadState.FAILED, timeout=10000)
    assert "same page twice" in group_label(window, ws.users)


def test_unknown_workspace_fails_in_its_row(
    qtbot: QtBot, panels: list[PanelWindow], fake_server: FakeClockify
) -> None:
    window = open_panel(qtbot, panels, fake_server.base_url)
    ws = shown_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    # The workspace vanished for this key between the list and the expand (403 code 501).
    fake_server.workspaces[0].visible_to = {"someone-else"}
    window.loader.load_group(ws.clients)
    qtbot.waitUntil(lambda: ws.clients.state is LoadState.FAILED, timeout=5000)
    assert "Workspace not found" in group_label(window, ws.clients)


def test_a_refused_connection_says_so(qtbot: QtBot, panels: list[PanelWindow]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    window = open_panel(qtbot, panels, f"http://127.0.0.1:{port}")
    qtbot.waitUntil(lambda: not window.notice.isHidden(), timeout=5000)
    assert "refused" in window.notice_label.text()
    assert window.notice_button.text() == "Retry"


@pytest.mark.parametrize("count", [0, 60])
def test_zero_and_sixty_workspaces(qtbot: QtBot, panels: list[PanelWindow], count: int) -> None:
    server = FakeClockify(
        api_keys={TEST_KEY: {"id": "u", "name": "U", "email": "u@example.com"}},
        workspaces=[
            FakeWorkspace(id=f"{i:024x}", name=f"Workspace {i}", users=[], clients=[])
            for i in range(count)
        ],
    ).start()
    try:
        window = open_panel(qtbot, panels, server.base_url)
        qtbot.waitUntil(
            lambda: not window.loader.busy and window.loader.loaded_at is not None, timeout=5000
        )
        assert len(window.model.workspaces()) == count
        assert window.model.rowCount() == count
        if count == 0:
            assert window.status_label.text() == "This key sees no workspaces."
        else:
            assert "60 workspaces" in window.status_label.text()
    finally:
        server.stop()


def test_fifty_thousand_users_load_completely(
    qtbot: QtBot, panels: list[PanelWindow], fake_server: FakeClockify
) -> None:
    big = "64b0a0000000000000000097"
    users = make_users(50_000, workspace_id=big)
    for user in users:
        user["_membership"] = "ACTIVE"
    fake_server.add_workspace(FakeWorkspace(id=big, name="Huge", users=users, clients=[]))
    window = open_panel(qtbot, panels, fake_server.base_url)
    qtbot.waitUntil(lambda: window.model.workspace(big) is not None, timeout=5000)
    ws = window.model.workspace(big)
    assert ws is not None
    window.model.set_expanded(ws, True)
    window.loader.load_group(ws.users)
    qtbot.waitUntil(lambda: ws.users.state is LoadState.LOADED, timeout=30000)
    assert len(ws.users.children) == 50_000
    assert {n.record.id for n in ws.users.children} == {u["id"] for u in users}
    assert group_label(window, ws.users) == "Users (50,000)"


def test_hostile_names_are_shown_literally_copied_exactly_and_found(
    qtbot: QtBot, panels: list[PanelWindow], fake_server: FakeClockify
) -> None:
    odd = "64b0a0000000000000000096"
    clients = [
        {
            "id": f"{i:024x}",
            "name": name,
            "workspaceId": odd,
            "archived": False,
            "email": None,
            "address": None,
            "note": None,
            "ccEmails": None,
            "currencyId": None,
            "currencyCode": None,
        }
        for i, name in enumerate(TRICKY_NAMES)
    ]
    fake_server.add_workspace(FakeWorkspace(id=odd, name="<i>Odd</i>", users=[], clients=clients))
    window = open_panel(qtbot, panels, fake_server.base_url)
    ws = loaded_workspace(qtbot, window, odd)
    window.model.set_expanded(ws.clients, True)
    assert len(ws.clients.children) == len(TRICKY_NAMES)
    model = window.model
    clipboard = QGuiApplication.clipboard()
    for node in ws.clients.children:
        index = model.index_of(node)
        display = str(index.data())
        if node.record.name is None:
            assert display == "(no name)"
        else:
            # Literal: markup is not interpreted, nothing but control characters is changed.
            visible = node.record.name[:20].translate({c: 0x2400 + c for c in range(32)})
            assert display.startswith(visible)
        window.tree.setCurrentIndex(index)
        window.tree.selectionModel().select(
            index, window.tree.selectionModel().SelectionFlag.ClearAndSelect
        )
        window.copy_names()
        assert clipboard.text() == (node.record.name or "")
        window.copy_ids()
        assert clipboard.text() == node.record.id
        assert str(index.data(Role.ID)) == node.record.id
    # Filtering finds each named one by a normalised piece of its name.
    for node in ws.clients.children:
        name = node.record.name
        if not name or not normalise(name).strip():
            continue
        piece = normalise(name)[:12]
        window.filter_edit.setText(piece)
        found = [n for n in model.visible_nodes() if n is node]
        assert found, f"{name[:30]!r} not found by {piece!r}"
    window.filter_edit.clear()
