"""PanelWindow against the fake Clockify over real HTTP: loading, copying, filtering, state."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify, FakeWorkspace
from PySide6.QtCore import (
    QCoreApplication,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    QRect,
    QSettings,
    Qt,
)
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from desktop.clockify import ApiKey, ClockifyClient, Connection, RetryPolicy
from desktop.store import paths
from desktop.ui.main_window import (
    SETTING_ARCHIVED,
    SETTING_GEOMETRY,
    SETTING_INACTIVE,
    SETTING_ON_TOP,
    PanelWindow,
)
from desktop.ui.tree_model import GroupNode, LoadState, RecordNode, Role, WorkspaceNode

HTML_CLIENT = "<b>x</b><img src=x>"
HTML_CLIENT_ID = "64b0c11e0000000000000004"
BOB_ID = "64b0c0ffee00000000000002"
GLOBEX_ID = "64b0c11e0000000000000001"
ACCENT_WS = "acce0000000000000000ws01"
FORBIDDEN_WS = "f0bd0000000000000000ws01"
ZOE_COMPOSED_ID = "acce00000000000000000001"
ZOE_DECOMPOSED_ID = "acce00000000000000000002"

WindowFactory = Callable[[], PanelWindow]


# -- fixtures and helpers -------------------------------------------------------------------


@pytest.fixture(autouse=True)
def settings_dir(qapp: QApplication, tmp_path: Path) -> Path:
    """QSettings under tmp_path: Qt caches its folder, so HOME alone is not enough."""
    QCoreApplication.setOrganizationName(paths.ORGANISATION)
    QCoreApplication.setApplicationName(paths.APP_NAME)
    folder = tmp_path / "qsettings"
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(folder))
    return folder


@pytest.fixture
def make_window(qtbot: Any) -> Iterator[WindowFactory]:
    """New PanelWindows; their jobs are drained before qtbot closes them."""
    windows: list[PanelWindow] = []

    def make() -> PanelWindow:
        window = PanelWindow()
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.loader.cancel_all()
        assert window.runner.wait_idle(5)
        window.runner.shutdown()


def client_for(server: FakeClockify, key: str = TEST_KEY) -> ClockifyClient:
    return ClockifyClient(
        Connection.for_base_url(server.base_url),
        ApiKey(key),
        retry=RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01, max_total=0.05),
        timeout=(2.0, 5.0),
    )


def show_active(qtbot: Any, window: PanelWindow) -> None:
    """Shown and active: window shortcuts (Ctrl+C, Ctrl+T, ...) need an active window."""
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)


def connected_window(qtbot: Any, make_window: WindowFactory, server: FakeClockify) -> PanelWindow:
    window = make_window()
    show_active(qtbot, window)
    window.connect_client(client_for(server))
    qtbot.waitUntil(lambda: window.model.rowCount() > 0 and not window.loader.busy, timeout=5000)
    return window


def flush(window: PanelWindow) -> None:
    """Every job finished and every queued result delivered (or dropped)."""
    assert window.runner.wait_idle(5)
    QCoreApplication.sendPostedEvents()


def rows(window: PanelWindow) -> list[str]:
    model = window.model
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def index_named(window: PanelWindow, name: str) -> QModelIndex:
    model = window.model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        if index.data(Role.NAME) == name:
            return index
    raise AssertionError(f"no row named {name!r} in {rows(window)}")


def has_row(window: PanelWindow, name: str) -> bool:
    model = window.model
    return any(model.index(r, 0).data(Role.NAME) == name for r in range(model.rowCount()))


def workspace(window: PanelWindow, workspace_id: str) -> WorkspaceNode:
    node = window.model.workspace(workspace_id)
    assert node is not None
    return node


def group_text(window: PanelWindow, group: GroupNode) -> str:
    return str(window.model.index_of(group).data())


def expand_workspace(qtbot: Any, window: PanelWindow, workspace_id: str) -> WorkspaceNode:
    """Keyboard: select the workspace row, Right; then open both groups once they loaded."""
    ws = workspace(window, workspace_id)
    window.tree.setFocus()
    window.tree.setCurrentIndex(window.model.index_of(ws))
    QTest.keyClick(window.tree, Qt.Key.Key_Right)
    assert window.model.is_expanded(ws)
    qtbot.waitUntil(
        lambda: all(g.state in (LoadState.LOADED, LoadState.FAILED) for g in ws.groups),
        timeout=5000,
    )
    for group in ws.groups:
        window.model.set_expanded(group, True)
    return ws


def select(window: PanelWindow, *names: str) -> None:
    window.tree.setFocus()
    selection = window.tree.selectionModel()
    selection.clearSelection()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for name in names:
        selection.select(index_named(window, name), flags)
    window.tree.selectionModel().setCurrentIndex(
        index_named(window, names[-1]), QItemSelectionModel.SelectionFlag.NoUpdate
    )


def type_into(widget: Any, text: str) -> None:
    """Key events one character at a time; QTest.keyClicks aborts on non-ASCII text."""
    for char in text:
        QTest.sendKeyEvent(
            QTest.KeyAction.Click, widget, Qt.Key.Key_unknown, char, Qt.KeyboardModifier.NoModifier
        )


def clipboard() -> str:
    return QGuiApplication.clipboard().text()


# -- loading --------------------------------------------------------------------------------


def test_workspaces_load_at_start(qtbot: Any, make_window: WindowFactory, fake_server: Any) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    assert rows(window) == ["Acme Ltd", "Side Project"]
    assert window.stack.currentWidget() is window.tree_page
    assert window.status_label.text().startswith("2 workspaces")
    # Two workspaces: nothing else is loaded until asked for.
    paths_asked = [r.path for r in fake_server.requests]
    assert not any(p.endswith(("/users", "/clients")) for p in paths_asked)


def test_expanding_shows_loading_then_counts(
    qtbot: Any, make_window: WindowFactory, fake_server: Any
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    gate = fake_server.hold(("/users", "/clients"))
    ws = workspace(window, SAMPLE_WORKSPACE_ID)
    window.tree.setFocus()
    window.tree.setCurrentIndex(window.model.index_of(ws))
    QTest.keyClick(window.tree, Qt.Key.Key_Right)
    qtbot.waitUntil(lambda: gate.arrived == 2, timeout=10000)
    # Both lists are asked for and held at the server: the rows say they are loading.
    assert rows(window)[1:3] == ["Users (loading\u2026)", "Clients (loading\u2026)"]
    assert window.model.index_of(ws.users).data(Role.STATE) == "loading"
    gate.release()
    qtbot.waitUntil(lambda: group_text(window, ws.users) == "Users (3)", timeout=5000)
    qtbot.waitUntil(lambda: group_text(window, ws.clients) == "Clients (3)", timeout=5000)
    window.model.set_expanded(ws.users, True)
    window.model.set_expanded(ws.clients, True)
    assert [n.name for n in window.model.visible_nodes() if isinstance(n, RecordNode)] == [
        "Alice Admin",
        "Bob Builder",
        "",
        HTML_CLIENT,
        "Globex Corporation",
        "Initech",
    ]
    assert index_named(window, "").data() == "(no name)"


# -- copying --------------------------------------------------------------------------------


def test_copy_shortcuts_copy_the_selected_row(
    qtbot: Any, make_window: WindowFactory, fake_server: Any
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, "Bob Builder")
    QTest.keyClick(window.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "Bob Builder"
    assert window.status_label.text() == "Copied name of Bob Builder"
    QTest.keyClick(
        window.tree,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert clipboard() == BOB_ID
    assert window.status_label.text() == "Copied ID of Bob Builder"
    # A null name copies as empty, not as the "(no name)" placeholder.
    select(window, "")
    QTest.keyClick(window.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == ""
    assert window.status_label.text() == "Copied name of (no name)"


def test_multi_selection_copies_one_line_per_row(
    qtbot: Any, make_window: WindowFactory, fake_server: Any
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, "Alice Admin", "Bob Builder", "Initech")
    QTest.keyClick(window.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == "Alice Admin\nBob Builder\nInitech"
    assert window.status_label.text() == "Copied names of 3 rows"
    window.copy_ids()
    assert clipboard().splitlines() == [
        "64b0c0ffee00000000000001",
        BOB_ID,
        "64b0c11e0000000000000002",
    ]


def test_enter_and_double_click_copy_the_name(
    qtbot: Any, make_window: WindowFactory, fake_server: Any
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, "Initech")
    QTest.keyClick(window.tree, Qt.Key.Key_Return)
    assert clipboard() == "Initech"
    select(window, "Globex Corporation")
    rect = window.tree.visualRect(index_named(window, "Globex Corporation"))
    QTest.mouseDClick(window.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert clipboard() == "Globex Corporation"
    assert window.status_label.text() == "Copied name of Globex Corporation"


def test_context_menu_actions(qtbot: Any, make_window: WindowFactory, fake_server: Any) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, "Bob Builder")
    window.copy_name_and_id()
    assert clipboard() == f"Bob Builder\t{BOB_ID}"
    window.copy_emails()
    assert clipboard() == "bob@acme.example"
    assert window.status_label.text() == "Copied e-mail of Bob Builder"
    select(window, "Alice Admin", "Bob Builder")
    window.copy_emails()
    assert clipboard() == "alice@acme.example\nbob@acme.example"


def test_markup_name_is_copied_exactly_and_shown_literally(
    qtbot: Any, make_window: WindowFactory, fake_server: Any
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, HTML_CLIENT)
    QTest.keyClick(window.tree, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert clipboard() == HTML_CLIENT
    window.copy_ids()
    assert clipboard() == HTML_CLIENT_ID
    assert window.status_label.text() == f"Copied ID of {HTML_CLIENT}"
    assert window.status_label.textFormat() == Qt.TextFormat.PlainText


# -- copying and moving in a big branch -----------------------------------------------------

BIG_WS = "b1600000000000000000ws01"
BIG_USERS = [
    {
        "id": f"b16{i:021d}",
        "name": None if i % 1000 == 999 else f"Member {i:04d}",
        "email": f"m{i}@big.example",
    }
    for i in range(3000)
]
BIG_CLIENTS = [{"id": f"b16c{i:020d}", "name": f"Client {i:02d}"} for i in range(40)]


def by_name(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The server's order: by name, unnamed records last."""
    return sorted(records, key=lambda r: (r["name"] is None, (r["name"] or "").casefold()))


@pytest.fixture
def big_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample data plus a workspace of 3,000 users and 40 clients."""
    fake_server.add_workspace(
        FakeWorkspace(
            id=BIG_WS,
            name="Big Team",
            users=[dict(u) for u in BIG_USERS],
            clients=[{**c, "archived": False} for c in BIG_CLIENTS],
        )
    )
    return fake_server


def copy_shortcut(window: PanelWindow, key: Qt.Key, ids: bool = False) -> None:
    shift = Qt.KeyboardModifier.ShiftModifier if ids else Qt.KeyboardModifier.NoModifier
    QTest.keyClick(window.tree, key, Qt.KeyboardModifier.ControlModifier | shift)


def test_select_all_and_copy_gives_every_row_once_in_view_order(
    qtbot: Any, make_window: WindowFactory, big_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, big_server)
    expand_workspace(qtbot, window, BIG_WS)
    copy_shortcut(window, Qt.Key.Key_A)  # select all: group rows too, which are not copied
    copy_shortcut(window, Qt.Key.Key_C, ids=True)
    users, clients = by_name(BIG_USERS), by_name(BIG_CLIENTS)
    workspace_ids = [SAMPLE_WORKSPACE_ID, SAMPLE_SIDE_WORKSPACE_ID, BIG_WS]
    assert clipboard().split("\n") == [
        *workspace_ids,
        *(u["id"] for u in users),
        *(c["id"] for c in clients),
    ]
    assert window.status_label.text() == "Copied IDs of 3043 rows"
    copy_shortcut(window, Qt.Key.Key_C)
    assert clipboard().split("\n") == [
        "Acme Ltd",
        "Side Project",
        "Big Team",
        *(u["name"] or "" for u in users),
        *(c["name"] for c in clients),
    ]
    window.copy_emails()
    assert clipboard().split("\n") == ["", "", "", *(u["email"] for u in users), *[""] * 40]


def test_copy_follows_a_selection_of_several_ranges(
    qtbot: Any, make_window: WindowFactory, big_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, big_server)
    ws = expand_workspace(qtbot, window, BIG_WS)
    model, selection = window.model, window.tree.selectionModel()
    flag = QItemSelectionModel.SelectionFlag
    users = ws.users.children
    first, last = model.row_of(users[0]), model.row_of(users[-1])

    def span(top: int, bottom: int, command: QItemSelectionModel.SelectionFlag) -> None:
        selected = QItemSelection(model.index(top, 0), model.index(bottom, 0))
        selection.select(selected, command | flag.Rows)

    span(first + 100, first + 199, flag.ClearAndSelect)
    span(first + 150, first + 249, flag.Select)  # overlaps the first range
    span(first + 120, first + 129, flag.Toggle)  # a hole in it
    span(first + 10, first + 12, flag.Select)  # above it, selected last
    span(last, last + 2, flag.Select)  # the last user and the Clients group row
    window.copy_ids()
    wanted = [*range(10, 13), *range(100, 120), *range(130, 250), len(users) - 1]
    assert clipboard().split("\n") == [
        *(users[i].record.id for i in wanted),
        ws.clients.children[0].record.id,
    ]
    # The same rows as Qt's own (slower) list of selected rows.
    reference = sorted({i.row() for i in selection.selectedRows()})
    kept = [model.node(model.index(r, 0)) for r in reference]
    assert window.selected_nodes() == [n for n in kept if not isinstance(n, GroupNode)]


def test_left_on_a_deep_row_selects_its_group_then_its_workspace(
    qtbot: Any, make_window: WindowFactory, big_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, big_server)
    ws = expand_workspace(qtbot, window, BIG_WS)
    model, tree = window.model, window.tree
    tree.setCurrentIndex(model.index_of(ws.users.children[-1]))
    QTest.keyClick(tree, Qt.Key.Key_Left)
    assert model.node(tree.currentIndex()) is ws.users
    assert [model.node(i) for i in tree.selectionModel().selectedRows()] == [ws.users]
    assert model.is_expanded(ws.users)  # moving up does not collapse
    tree.setCurrentIndex(model.index_of(ws.clients.children[-1]))
    QTest.keyClick(tree, Qt.Key.Key_Left)
    assert model.node(tree.currentIndex()) is ws.clients
    QTest.keyClick(tree, Qt.Key.Key_Left)  # an open group closes first
    assert not model.is_expanded(ws.clients)
    QTest.keyClick(tree, Qt.Key.Key_Left)  # then its workspace, past the Users branch
    assert model.node(tree.currentIndex()) is ws
    QTest.keyClick(tree, Qt.Key.Key_Left)
    assert not model.is_expanded(ws)
    QTest.keyClick(tree, Qt.Key.Key_Left)  # a closed workspace row has no parent: stays
    assert model.node(tree.currentIndex()) is ws


def test_copy_with_a_filter_copies_only_the_visible_rows(
    qtbot: Any, make_window: WindowFactory, big_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, big_server)
    type_into(window.filter_edit, "member 00")
    qtbot.waitUntil(lambda: not window.loader.busy and has_row(window, "Member 0099"))
    ws = workspace(window, BIG_WS)
    window.tree.setFocus()
    copy_shortcut(window, Qt.Key.Key_A)
    copy_shortcut(window, Qt.Key.Key_C)
    assert clipboard().split("\n") == ["Big Team", *(f"Member {i:04d}" for i in range(100))]
    # A group closed while filtering hides its matches: they are not copied either.
    window.model.set_expanded(ws.users, False)
    copy_shortcut(window, Qt.Key.Key_A)
    copy_shortcut(window, Qt.Key.Key_C, ids=True)
    assert clipboard() == BIG_WS


# -- filtering ------------------------------------------------------------------------------


@pytest.fixture
def accent_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample data plus a workspace with composed and decomposed "Zoë"."""
    fake_server.add_workspace(
        FakeWorkspace(
            id=ACCENT_WS,
            name="Design Studio",
            users=[
                {"id": ZOE_COMPOSED_ID, "name": "Zoë Müller", "email": "zm@studio.example"},
                {"id": ZOE_DECOMPOSED_ID, "name": "Zoe\u0308 Decomposed", "email": "zd@x.example"},
                {"id": "acce00000000000000000003", "name": "Bruno", "email": "b@x.example"},
            ],
            clients=[{"id": "acce0000000000000000c001", "name": "Café Zoë", "archived": False}],
        )
    )
    return fake_server


def test_filter_loads_everything_and_matches_accents(
    qtbot: Any, make_window: WindowFactory, accent_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, accent_server)
    assert window.model.record_count() == 0  # nothing loaded before filtering
    gate = accent_server.hold(("/users", "/clients"))
    type_into(window.filter_edit, "ZOE\u0308")  # decomposed, upper case
    qtbot.waitUntil(lambda: gate.held >= 1, timeout=10000)  # no list can be answered yet
    # Workspaces whose groups are still loading stay visible, and say so.
    assert any("loading" in text for text in rows(window))
    assert window.status_label.text() == "0 matches so far (still loading)"
    gate.release()
    qtbot.waitUntil(lambda: has_row(window, "Café Zoë"), timeout=5000)
    qtbot.waitUntil(lambda: not window.loader.busy, timeout=5000)
    shown = [n for n in window.model.visible_nodes() if isinstance(n, RecordNode)]
    assert sorted(n.record.id for n in shown) == sorted(
        [ZOE_COMPOSED_ID, ZOE_DECOMPOSED_ID, "acce0000000000000000c001"]
    )
    assert rows(window)[:2] == ["Design Studio", "Users (2 of 3)"]
    assert window.status_label.text() == "3 matches"
    # Every group of every workspace was loaded for the filter.
    assert all(g.state is LoadState.LOADED for ws in window.model.workspaces() for g in ws.groups)


def test_filter_by_id_and_by_email(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    type_into(window.filter_edit, GLOBEX_ID.upper())
    qtbot.waitUntil(lambda: not window.loader.busy and has_row(window, "Globex Corporation"))
    assert [n.name for n in window.model.visible_nodes() if isinstance(n, RecordNode)] == [
        "Globex Corporation"
    ]
    window.filter_edit.clear()
    type_into(window.filter_edit, "bob@ACME")
    assert [n.name for n in window.model.visible_nodes() if isinstance(n, RecordNode)] == [
        "Bob Builder"
    ]


def test_filter_keyboard_flow(
    qtbot: Any, make_window: WindowFactory, accent_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, accent_server)
    window.tree.setFocus()
    QTest.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.filter_edit
    type_into(window.filter_edit, "Zoë Mü")
    assert window.filter_edit.text() == "Zoë Mü"
    qtbot.waitUntil(lambda: has_row(window, "Zoë Müller") and not window.loader.busy)
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Down)
    assert QApplication.focusWidget() is window.tree
    assert window.tree.currentIndex().data(Role.ID) == ZOE_COMPOSED_ID
    QTest.keyClick(
        window.tree,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert clipboard() == ZOE_COMPOSED_ID
    # Esc in the filter clears it and the tree is back to its unfiltered state.
    QTest.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Escape)
    assert window.filter_edit.text() == ""
    assert window.model.query == ""
    assert rows(window) == ["Acme Ltd", "Side Project", "Design Studio"]


# -- stale results --------------------------------------------------------------------------


@pytest.fixture
def second_server() -> Iterator[FakeClockify]:
    owner = {"id": "5ec0ffee0000000000000001", "name": "Other", "email": "o@example.com"}
    server = FakeClockify(
        api_keys={TEST_KEY: owner},
        workspaces=[FakeWorkspace(id="5ec0000000000000000ws001", name="Second Server Ws")],
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_switching_servers_drops_the_slow_old_result(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify, second_server: FakeClockify
) -> None:
    window = make_window()
    gate = fake_server.hold("/workspaces")
    window.connect_client(client_for(fake_server))
    qtbot.waitUntil(lambda: gate.arrived == 1, timeout=10000)
    window.connect_client(client_for(second_server))
    qtbot.waitUntil(lambda: rows(window) == ["Second Server Ws"], timeout=10000)
    gate.release()  # the first server answers only now, after the switch
    assert fake_server.wait_answered(1, "/workspaces")
    flush(window)  # the old answer has come back and was dropped
    assert rows(window) == ["Second Server Ws"]
    assert not window.loader.busy


def test_disconnecting_drops_the_slow_result(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = make_window()
    gate = fake_server.hold("/workspaces")
    window.connect_client(client_for(fake_server))
    qtbot.waitUntil(lambda: gate.arrived == 1, timeout=10000)
    window.show_connect_state()
    gate.release()  # answered after the disconnect
    assert fake_server.wait_answered(1, "/workspaces")
    flush(window)
    assert window.model.rowCount() == 0
    assert window.stack.currentWidget() is window.connect_page
    assert window.status_label.text() == "Not connected"


def test_a_stale_group_load_is_dropped_after_a_reconnect(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify, second_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    gate = fake_server.hold(("/users", "/clients"))
    ws = workspace(window, SAMPLE_WORKSPACE_ID)
    window.loader.load_workspace(ws.workspace.id)
    qtbot.waitUntil(lambda: gate.arrived == 2, timeout=10000)
    window.connect_client(client_for(second_server))
    qtbot.waitUntil(lambda: rows(window) == ["Second Server Ws"], timeout=10000)
    gate.release()  # Acme's lists are answered only now, after the reconnect
    assert fake_server.wait_answered(2, ("/users", "/clients"))
    flush(window)
    assert window.model.record_count() == 0
    assert rows(window) == ["Second Server Ws"]


# -- failures -------------------------------------------------------------------------------


def test_forbidden_users_fail_in_their_row_while_clients_work(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    forbidden = FakeWorkspace(
        id=FORBIDDEN_WS,
        name="Partner Agency",
        users=[{"id": "f0bd00000000000000000001", "name": "Hidden Person", "email": "h@p.example"}],
        clients=[{"id": "f0bd0000000000000000c001", "name": "Partner Client", "archived": False}],
        forbid_users=True,
    )
    fake_server.add_workspace(forbidden)
    window = connected_window(qtbot, make_window, fake_server)
    ws = expand_workspace(qtbot, window, FORBIDDEN_WS)
    assert ws.users.state is LoadState.FAILED
    users_row = group_text(window, ws.users)
    assert users_row.startswith("Users: No permission to list the users")
    assert users_row.endswith("[Enter to retry]")
    assert window.model.index_of(ws.users).data(Role.STATE) == "failed"
    assert "No permission" in window.status_label.text()
    assert group_text(window, ws.clients) == "Clients (1)"
    select(window, "Partner Client")
    window.copy_ids()
    assert clipboard() == "f0bd0000000000000000c001"

    # The admin fixed the permission: Enter on the failed row retries and recovers.
    forbidden.forbid_users = False
    window.tree.setCurrentIndex(window.model.index_of(ws.users))
    QTest.keyClick(window.tree, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: group_text(window, ws.users) == "Users (1)", timeout=5000)
    assert ws.users.error is None
    window.model.set_expanded(ws.users, True)
    assert has_row(window, "Hidden Person")


# -- window state ---------------------------------------------------------------------------


def test_always_on_top_toggles_persists_and_restores(
    qtbot: Any, make_window: WindowFactory
) -> None:
    window = make_window()
    show_active(qtbot, window)
    on_top = Qt.WindowType.WindowStaysOnTopHint
    assert not window.windowFlags() & on_top
    QTest.keyClick(window.filter_edit, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert window.pin_action.isChecked()
    assert window.windowFlags() & on_top
    assert window.isVisible()  # changing the flag must not leave the panel hidden
    assert QSettings().value(SETTING_ON_TOP) in (True, "true")
    window.close()

    again = make_window()
    assert again.pin_action.isChecked()
    assert again.windowFlags() & on_top
    show_active(qtbot, again)
    again.pin_action.trigger()
    assert not again.windowFlags() & on_top
    assert QSettings().value(SETTING_ON_TOP) in (False, "false")
    again.close()
    assert not make_window().windowFlags() & on_top


def test_geometry_is_persisted_and_restored(qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.setGeometry(QRect(100, 120, 300, 500))
    qtbot.waitUntil(lambda: window.geometry() == QRect(100, 120, 300, 500))
    window.close()
    assert QSettings().value(SETTING_GEOMETRY) is not None

    again = make_window()
    assert again.geometry().size() == window.geometry().size()
    assert again.geometry().topLeft() == window.geometry().topLeft()


def test_geometry_off_every_screen_is_pulled_back(qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    window.setGeometry(QRect(100, 100, 300, 500))
    window.move(QPoint(20000, 15000))  # a monitor that is gone since
    qtbot.waitUntil(lambda: window.pos().x() > 10000)
    window.close()

    again = make_window()
    screen = QGuiApplication.primaryScreen().availableGeometry()
    assert screen.intersects(again.frameGeometry())
    assert screen.contains(again.geometry().center())
    assert again.geometry().size() == QRect(0, 0, 300, 500).size()

    # Qt's restoreGeometry corrects most saved positions itself; the panel's own check
    # covers a window that ends up off-screen anyway (a screen removed while it runs).
    again.show()
    qtbot.waitExposed(again)
    again.move(QPoint(-30000, 20000))
    qtbot.waitUntil(lambda: again.pos().x() < -10000)
    again._pull_onto_screen()
    assert screen.contains(again.frameGeometry().topLeft())
    assert screen.intersects(again.frameGeometry())


def test_inactive_and_archived_toggles_persist_and_reload(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    ws = expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    assert group_text(window, ws.users) == "Users (3)"
    assert group_text(window, ws.clients) == "Clients (3)"
    window.inactive_action.trigger()
    qtbot.waitUntil(lambda: group_text(window, ws.users) == "Users (5)", timeout=5000)
    assert has_row(window, "Ivy Inactive")
    window.archived_action.trigger()
    qtbot.waitUntil(lambda: group_text(window, ws.clients) == "Clients (4)", timeout=5000)
    assert has_row(window, "Archived Holdings")
    assert QSettings().value(SETTING_INACTIVE) in (True, "true")
    assert QSettings().value(SETTING_ARCHIVED) in (True, "true")
    flush(window)
    window.close()

    again = connected_window(qtbot, make_window, fake_server)
    assert again.inactive_action.isChecked()
    assert again.archived_action.isChecked()
    ws2 = expand_workspace(qtbot, again, SAMPLE_WORKSPACE_ID)
    assert group_text(again, ws2.users) == "Users (5)"
    assert group_text(again, ws2.clients) == "Clients (4)"
    again.inactive_action.trigger()
    qtbot.waitUntil(lambda: group_text(again, ws2.users) == "Users (3)", timeout=5000)
    assert QSettings().value(SETTING_INACTIVE) in (False, "false")


# -- keyboard only --------------------------------------------------------------------------


def test_keyboard_only_tab_right_left(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    QTest.keyClick(window.tree, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.filter_edit
    QTest.keyClick(window.filter_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.tree
    window.tree.setCurrentIndex(window.model.index(0, 0))
    ws = workspace(window, SAMPLE_WORKSPACE_ID)
    QTest.keyClick(window.tree, Qt.Key.Key_Right)
    assert window.model.is_expanded(ws)
    qtbot.waitUntil(lambda: group_text(window, ws.users) == "Users (3)", timeout=5000)
    QTest.keyClick(window.tree, Qt.Key.Key_Right)  # on an open row: to its first child
    assert window.model.node(window.tree.currentIndex()) is ws.users
    QTest.keyClick(window.tree, Qt.Key.Key_Right)
    assert window.model.is_expanded(ws.users)
    QTest.keyClick(window.tree, Qt.Key.Key_Left)
    assert not window.model.is_expanded(ws.users)
    QTest.keyClick(window.tree, Qt.Key.Key_Left)  # on a closed row: to its parent
    assert window.model.node(window.tree.currentIndex()) is ws
    QTest.keyClick(window.tree, Qt.Key.Key_Left)
    assert not window.model.is_expanded(ws)
    assert rows(window) == ["Acme Ltd", "Side Project"]
    # The other workspace is untouched, and Side's groups were never asked for.
    side = workspace(window, SAMPLE_SIDE_WORKSPACE_ID)
    assert all(g.state is LoadState.IDLE for g in side.groups)


def test_no_key_start_shows_the_connect_page(qtbot: Any, make_window: WindowFactory) -> None:
    window = make_window()
    show_active(qtbot, window)
    assert not window.connected
    assert window.stack.currentWidget() is window.connect_page
    assert window.connect_button.isVisible()
    assert "API key" in window.connect_label.text()
    assert QApplication.activeModalWidget() is None
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    # F5 without a connection asks for the settings instead of failing.
    with qtbot.waitSignal(window.settings_requested, timeout=1000):
        QTest.keyClick(window.tree, Qt.Key.Key_F5)


def test_group_kind_rows_are_not_copied(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    ws = expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    selection = window.tree.selectionModel()
    users_row = window.model.index_of(ws.users)
    clients_row = window.model.index_of(ws.clients)
    # The Users and Clients rows selected among records: only the records are copied.
    select(window, ws.users.label, "Bob Builder", ws.clients.label, "Initech")
    assert selection.isSelected(users_row)
    assert selection.isSelected(clients_row)
    window.copy_names()
    assert clipboard() == "Bob Builder\nInitech"
    assert window.status_label.text() == "Copied names of 2 rows"
    window.copy_ids()
    assert clipboard() == f"{BOB_ID}\n64b0c11e0000000000000002"
    # A group row alone is selected and current: nothing is copied, and the panel says so.
    QGuiApplication.clipboard().setText("before")
    selection.clearSelection()
    window.tree.setCurrentIndex(users_row)
    assert [window.model.node(i) for i in selection.selectedRows()] == [ws.users]
    window.copy_names()
    assert clipboard() == "before"
    assert window.status_label.text() == "Nothing selected to copy"
