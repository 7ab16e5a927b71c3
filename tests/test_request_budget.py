"""The panel and a Free workspace's 30 requests an hour (issue 17), against a fake Clockify that
enforces the limit: ten starts stay within the panel's share, F5 past 25 is refused and says
when, a 429 marks even a paid workspace, and the user's "paid plan" override."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify, FakeWorkspace
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMenu
from test_session import FAST_RETRY, Panel, isolated_settings, panels, store_key

from desktop.clockify import ApiKey, ClockifyClient, Connection
from desktop.demo.data import make_clients, make_users
from desktop.store.ledger import AUTOMATIC_LIMIT, USER_LIMIT, RequestLedger
from desktop.ui.session import PanelSession
from desktop.ui.tree_model import LoadState

__all__ = ["isolated_settings", "panels"]  # fixtures, used by name

FREE_WS = "f4ee00000000000000000001"
LIMITED = (FREE_WS, SAMPLE_SIDE_WORKSPACE_ID)  # Free, and no plan at all (counted as Free)


def counting_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    """The panel's client (see desktop.ui.connection_settings.default_client), fast retries."""
    gate = RequestLedger().gate(connection.id)
    return ClockifyClient(connection, key, timeout=(3.0, 5.0), retry=FAST_RETRY, gate=gate)


@pytest.fixture
def free_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample workspaces (Acme: PRO; Side Project: no plan) and a Free one, the Free
    limit enforced as Clockify does."""
    fake_server.add_workspace(
        FakeWorkspace(
            FREE_WS,
            "Kanzlei Frei",
            make_users(40, seed=5, workspace_id=FREE_WS),
            make_clients(60, seed=6, workspace_id=FREE_WS),
            plan="FREE",
            currency="EUR",
        )
    )
    fake_server.free_limit = 30
    return fake_server


def start(qtbot: Any, panels: list[Panel], connection: Connection) -> Panel:
    panel = Panel(qtbot)
    panel.session = PanelSession(panel.window, client_factory=counting_client)
    panels.append(panel)
    said: list[str] = []  # every status line, for `started`
    panel.said = said  # type: ignore[attr-defined]
    show_status = panel.window.show_status

    def recorded(text: str) -> None:
        said.append(text)
        show_status(text)

    panel.window.show_status = recorded  # type: ignore[method-assign]
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: bool(panel.model.workspaces()), timeout=10000)
    return panel


def started(panel: Panel) -> bool:
    """The start is over: the refresh at start came back, or was refused (a notice), or was
    left out (the status line says why)."""
    window = panel.window
    said: list[str] = getattr(panel, "said", [])
    return (
        window.loader.loaded_at is not None
        or window.notice.isVisibleTo(window)
        or any("saving requests on the Free plan" in text for text in said)
    )


def settle(qtbot: Any, panel: Panel) -> None:
    """The start is over, everything asked for has come back (or been refused), and the
    results are in."""
    qtbot.waitUntil(lambda: started(panel), timeout=10000)
    qtbot.waitUntil(lambda: not panel.window.loader.busy, timeout=10000)
    assert panel.runner.wait_idle(10)
    QCoreApplication.processEvents()


def use_and_close(qtbot: Any, panel: Panel, text: str) -> None:
    """Type a filter, as a user looking for a client does, then quit (the cache is saved)."""
    panel.window.filter_edit.setText(text)
    settle(qtbot, panel)
    panel.session._save_cache()
    assert panel.runner.wait_idle(10)
    panel.close()


def group_rows(panel: Panel, workspace_id: str) -> int:
    ws = panel.model.workspace(workspace_id)
    assert ws is not None
    return len(ws.users.children) + len(ws.clients.children)


def test_ten_starts_with_a_filter_stay_within_ten_requests_per_free_workspace(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    for run in range(10):
        panel = start(qtbot, panels, connection)
        settle(qtbot, panel)
        if run:  # from the cache: every workspace's rows are there before any filter
            assert all(group_rows(panel, ws) for ws in LIMITED), run
        use_and_close(qtbot, panel, "a" if run % 2 else "e")
        assert all(free_server.free_count(ws) <= AUTOMATIC_LIMIT for ws in LIMITED), run
    counts = {ws: free_server.free_count(ws) for ws in LIMITED}
    assert all(0 < count <= AUTOMATIC_LIMIT for count in counts.values()), counts
    assert free_server.refused_429 == 0
    ledger = RequestLedger()
    for ws in LIMITED:  # the ledger counted what the server counted
        assert ledger.usage(ws).used == free_server.free_count(ws)


def test_the_same_ten_starts_on_workspaces_marked_paid_refresh_every_time(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    free_server.free_limit = None  # they really are paid
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    ledger = RequestLedger()
    for ws in LIMITED:
        ledger.set_paid(ws, True)
    for run in range(10):
        panel = start(qtbot, panels, connection)
        settle(qtbot, panel)
        use_and_close(qtbot, panel, "a")
        assert sum(r.path.endswith("/workspaces") for r in free_server.requests) == run + 1
    # Every start reloaded the Free workspace's groups (cached after the first start).
    loads = [r for r in free_server.requests if r.path.endswith(f"/workspaces/{FREE_WS}/clients")]
    assert len(loads) == 10
    assert free_server.refused_429 == 0


def test_f5_past_25_is_refused_and_says_when(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    panel = start(qtbot, panels, connection)
    settle(qtbot, panel)
    ledger = RequestLedger()
    used = ledger.usage(FREE_WS).used
    for _ in range(USER_LIMIT - used):
        ledger.admit(connection.id, FREE_WS, automatic=False)
    before = len(free_server.requests)
    panel.window.refresh()  # F5
    settle(qtbot, panel)
    assert len(free_server.requests) == before  # nothing sent
    notice = panel.window.notice_label.text()
    assert "Kanzlei Frei" in notice
    assert re.search(r"the next request is possible at \d\d:\d\d", notice), notice
    assert panel.window.notice.isVisibleTo(panel.window)
    assert panel.model.workspace(FREE_WS) is not None  # what was shown stays


def test_an_automatic_load_past_10_keeps_the_cached_rows_and_says_why(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    panel = start(qtbot, panels, connection)
    settle(qtbot, panel)
    ledger = RequestLedger()
    for _ in range(AUTOMATIC_LIMIT - ledger.usage(FREE_WS).used):
        ledger.admit(connection.id, FREE_WS, automatic=True)
    before = len(free_server.requests)
    panel.window.filter_edit.setText("x")  # loads every group never loaded: automatically
    settle(qtbot, panel)
    free = panel.model.workspace(FREE_WS)
    assert free is not None
    assert free.clients.state is LoadState.FAILED
    assert "Saving requests for Kanzlei Frei" in str(free.clients.error)
    sent = [r.path for r in free_server.requests[before:]]
    assert not any(FREE_WS in path for path in sent)  # the paid workspace still loads
    assert any(SAMPLE_WORKSPACE_ID in path for path in sent)


def test_a_429_marks_even_a_paid_workspace_limited_and_the_tooltip_says_so(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    panel = start(qtbot, panels, connection)
    settle(qtbot, panel)
    assert not RequestLedger().is_limited(SAMPLE_WORKSPACE_ID)  # Acme: PRO
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    free_server.rate_limit_first = 1
    panel.window.loader.load_group(acme.clients)
    settle(qtbot, panel)
    assert RequestLedger().is_limited(SAMPLE_WORKSPACE_ID)
    panel.window.update_request_count()
    qtbot.waitUntil(lambda: "Acme Ltd" in panel.window.status_label.toolTip(), timeout=5000)
    tooltip = panel.window.status_label.toolTip()
    assert re.search(
        r"Clockify requests in the last hour: \d+ of 30 \(Acme Ltd, limited after a 429", tooltip
    )
    assert "Kanzlei Frei, Free plan)" in tooltip
    assert "Side Project, plan unknown" in tooltip


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: no raise(), no grabs
def test_the_paid_plan_override_is_remembered_and_lifts_the_limit(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    panel = start(qtbot, panels, connection)
    settle(qtbot, panel)
    window = panel.window
    free = panel.model.workspace(FREE_WS)
    assert free is not None
    window.tree.setCurrentIndex(panel.model.index_of(free))
    offered: list[bool] = []

    def tick_and_close() -> None:
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        offered.append(window.paid_plan_action in popup.actions())
        popup.close()
        window.paid_plan_action.trigger()

    QTimer.singleShot(0, tick_and_close)
    window.tree.customContextMenuRequested.emit(
        window.tree.visualRect(window.tree.currentIndex()).center()
    )
    assert offered == [True]
    assert panel.runner.wait_idle(5)
    assert RequestLedger().marked_paid(FREE_WS)
    assert not RequestLedger().is_limited(FREE_WS)
    qtbot.waitUntil(lambda: "Kanzlei Frei" not in window.status_label.toolTip(), timeout=5000)


def test_a_start_on_recent_cached_rows_of_free_workspaces_sends_nothing_and_says_so(
    qtbot: Any, panels: list[Panel], free_server: FakeClockify
) -> None:
    acme = next(ws for ws in free_server.workspaces if ws.id == SAMPLE_WORKSPACE_ID)
    acme.visible_to = {"another key"}  # this key sees only rate-limited workspaces
    connection = Connection.for_base_url(free_server.base_url)
    store_key(connection)
    first = start(qtbot, panels, connection)
    settle(qtbot, first)
    use_and_close(qtbot, first, "e")
    sent = len(free_server.requests)
    again = start(qtbot, panels, connection)
    settle(qtbot, again)
    assert all(group_rows(again, ws) for ws in LIMITED)  # from the cache
    said = again.said  # type: ignore[attr-defined]
    assert any("saving requests on the Free plan. F5 refreshes." in text for text in said), said
    again.window.filter_edit.setText("a")
    settle(qtbot, again)
    assert len(free_server.requests) == sent
