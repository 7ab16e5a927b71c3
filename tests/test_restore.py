"""Issue 14: a restart restores the tree (open groups, selection, current row, scroll).

Each test runs a panel (PanelWindow + PanelSession) against FakeClockify, opens and selects
things, quits it the way the app does (the window closes), then starts a new panel on the
same HOME and looks at what it shows. "With a cache" the key is in the encrypted file and
the cache is written; "without" the key comes from the environment, which leaves no cache.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify, FakeWorkspace
from hypothesis import given
from hypothesis import strategies as st
from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QSettings, Qt
from PySide6.QtTest import QTest

from desktop.clockify import ApiKey, ClockifyClient, Connection, RetryPolicy
from desktop.store import FILE_NAME, EncryptedFileStore, Forgotten, paths
from desktop.store.cache import EncryptedCache
from desktop.ui.main_window import SETTING_VIEW, PanelWindow
from desktop.ui.saved_view import SavedView
from desktop.ui.session import PanelSession
from desktop.ui.tree_model import Kind, LoadState, RecordNode, Role, WorkspaceNode

PASSPHRASE = "restore test passphrase"
FAST_RETRY = RetryPolicy(attempts=1, base_delay=0.01, max_delay=0.01, max_total=0.05)
BIG_WS = "b19a0000000000000000ws01"
CLIENTS = [
    {
        "id": f"b19c11e00000000000{n:06d}",
        "name": f"Client {n:03d}",
        "workspaceId": BIG_WS,
        "archived": False,
        "email": f"client{n:03d}@big.example",
    }
    for n in range(300)
]
PICKED_ID = str(CLIENTS[150]["id"])  # the client selected and made current
BOB_ID = "64b0c0ffee00000000000002"
NAMES_AND_EMAILS = (
    "Big Team",
    "Acme Ltd",
    "Side Project",
    "Client 150",
    "client150@big.example",
    "Bob Builder",
    "bob@acme.example",
    "Alice Admin",
    "alice@acme.example",
)


# -- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def file_store(monkeypatch: pytest.MonkeyPatch) -> None:
    """The key file (its passphrase from the environment); settings start empty."""
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)
    QCoreApplication.setOrganizationName(paths.ORGANISATION)
    QCoreApplication.setApplicationName(paths.APP_NAME)
    QSettings().clear()


@pytest.fixture
def server(fake_server: FakeClockify) -> FakeClockify:
    """The sample data (Acme Ltd, Side Project) and "Big Team" with 300 clients."""
    fake_server.add_workspace(
        FakeWorkspace(id=BIG_WS, name="Big Team", clients=[dict(c) for c in CLIENTS])
    )
    return fake_server


def fast_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    return ClockifyClient(connection, key, timeout=(3.0, 5.0), retry=FAST_RETRY)


class Panel:
    """One window and session; `quit` closes the window as the app does at the end."""

    def __init__(self, qtbot: Any) -> None:
        self.window = PanelWindow()
        qtbot.addWidget(self.window)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.session = PanelSession(self.window, client_factory=fast_client)
        self.session.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
        self.runner = self.window.runner
        self.model = self.window.model
        self.tree = self.window.tree
        self.closed = False

    def quit(self, after_close: Callable[[], None] | None = None) -> None:
        """As run_panel: the window closes (saving its state), then every job is dropped.

        `after_close` runs right after the window closed (to open a server gate, say).
        """
        if self.closed:
            return
        self.closed = True
        self.window.close()
        if after_close is not None:
            after_close()
        self.session._save_timer.stop()
        self.runner.cancel_all()
        self.window.loader.cancel_all()
        assert self.runner.wait_idle(10)
        self.runner.shutdown()


@pytest.fixture
def panels(qtbot: Any) -> Iterator[list[Panel]]:
    """Every panel of a test, quit and deleted on the GUI thread at the end."""
    made: list[Panel] = []
    yield made
    for panel in made:
        panel.quit()
    for panel in made:
        if shiboken6.isValid(panel.window):
            shiboken6.delete(panel.window)
    made.clear()
    gc.collect()


def start(
    qtbot: Any, panels: list[Panel], server: FakeClockify, *, cached: bool
) -> tuple[Panel, Connection]:
    """A new panel on this HOME: the stored key (and its cache) or a key from the env."""
    connection = Connection.for_base_url(server.base_url)
    panel = Panel(qtbot)
    panels.append(panel)
    if cached:
        key_file().set_api_key(connection, ApiKey(TEST_KEY))
        panel.session.start(connection, None)
    else:
        panel.session.start(connection, ApiKey(TEST_KEY))
    return panel, connection


_STORES: dict[Path, EncryptedFileStore] = {}


def key_file() -> EncryptedFileStore:
    path = paths.data_dir() / FILE_NAME
    if path not in _STORES:
        _STORES[path] = EncryptedFileStore(path, lambda _creating: PASSPHRASE)
    return _STORES[path]


def cache_path(connection: Connection) -> Path:
    return EncryptedCache(key_file(), paths.cache_dir()).path_for(connection)


def settings_file() -> Path:
    QSettings().sync()
    path = Path(QSettings().fileName())
    assert path.is_file()
    return path


def ws(panel: Panel, workspace_id: str) -> WorkspaceNode:
    node = panel.model.workspace(workspace_id)
    assert node is not None
    return node


def wait_idle(qtbot: Any, panel: Panel) -> None:
    qtbot.waitUntil(
        lambda: panel.window.loader.loaded_at is not None and not panel.window.loader.busy,
        timeout=10000,
    )


def press_right_on(qtbot: Any, panel: Panel, node: WorkspaceNode | Any) -> None:
    """The keyboard way to open a row: make it current, press Right."""
    panel.tree.setFocus()
    panel.tree.setCurrentIndex(panel.model.index_of(node))
    QTest.keyClick(panel.tree, Qt.Key.Key_Right)
    assert panel.model.is_expanded(node)


def row_of_id(panel: Panel, record_id: str) -> int:
    for row, node in enumerate(panel.model.visible_nodes()):
        if isinstance(node, RecordNode) and node.record.id == record_id:
            return row
    raise AssertionError(f"no row with id {record_id}")


def selected_ids(panel: Panel) -> set[str]:
    rows = panel.tree.selectionModel().selectedRows()
    return {str(index.data(Role.ID)) for index in rows}


def current_id(panel: Panel) -> str:
    return str(panel.tree.currentIndex().data(Role.ID) or "")


def arrange_first_run(qtbot: Any, panel: Panel) -> int:
    """Open Acme and its Users, Big Team and its Clients; select Bob and Client 150
    (current); scroll. Returns the scroll value."""
    wait_idle(qtbot, panel)
    acme, big = ws(panel, SAMPLE_WORKSPACE_ID), ws(panel, BIG_WS)
    for workspace in (acme, big):
        press_right_on(qtbot, panel, workspace)
        qtbot.waitUntil(
            lambda w=workspace: all(g.state is LoadState.LOADED for g in w.groups), timeout=10000
        )
    press_right_on(qtbot, panel, acme.users)
    press_right_on(qtbot, panel, big.clients)
    wait_idle(qtbot, panel)
    selection = panel.tree.selectionModel()
    flag = QItemSelectionModel.SelectionFlag
    bob = panel.model.index(row_of_id(panel, BOB_ID), 0)
    picked = panel.model.index(row_of_id(panel, PICKED_ID), 0)
    selection.select(bob, flag.ClearAndSelect | flag.Rows)
    selection.select(picked, flag.Select | flag.Rows)
    selection.setCurrentIndex(picked, flag.NoUpdate)
    bar = panel.tree.verticalScrollBar()
    assert bar.maximum() > 3000  # the tree is long enough to scroll
    bar.setValue(2345)
    assert panel.tree.rowAt(0) > 0
    return bar.value()


def assert_restored(panel: Panel, scroll: int) -> None:
    acme, big = ws(panel, SAMPLE_WORKSPACE_ID), ws(panel, BIG_WS)
    side = ws(panel, SAMPLE_SIDE_WORKSPACE_ID)
    assert [acme.expanded, acme.users.expanded, acme.clients.expanded] == [True, True, False]
    assert [big.expanded, big.users.expanded, big.clients.expanded] == [True, False, True]
    assert not side.expanded
    assert selected_ids(panel) == {BOB_ID, PICKED_ID}
    assert current_id(panel) == PICKED_ID
    assert panel.tree.verticalScrollBar().value() == scroll


def group_requests(server: FakeClockify) -> list[str]:
    """The users and clients paths asked for, first pages only, in order."""
    return [
        r.path.rsplit("/api/v1", 1)[-1]
        for r in server.requests
        if r.path.endswith(("/users", "/clients")) and r.query.get("page", "1") == "1"
    ]


# -- restoring ------------------------------------------------------------------------------


def test_without_a_cache_the_view_comes_back_after_the_first_load(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    first, _ = start(qtbot, panels, server, cached=False)
    scroll = arrange_first_run(qtbot, first)
    first.quit()
    assert not cache_path(Connection.for_base_url(server.base_url)).exists()

    server.requests.clear()
    second, _ = start(qtbot, panels, server, cached=False)
    qtbot.waitUntil(lambda: current_id(second) == PICKED_ID, timeout=10000)
    wait_idle(qtbot, second)
    qtbot.waitUntil(lambda: second.tree.verticalScrollBar().value() == scroll, timeout=5000)
    assert_restored(second, scroll)
    # Only what opening Acme and Big Team asks for (both groups each, as a click does).
    assert sorted(group_requests(server)) == sorted(
        f"/workspaces/{w}/{kind}"
        for w in (SAMPLE_WORKSPACE_ID, BIG_WS)
        for kind in ("users", "clients")
    )
    assert sum(1 for r in server.requests if r.path.endswith("/workspaces")) == 1


def test_with_a_cache_the_view_comes_back_from_it_offline(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    first, connection = start(qtbot, panels, server, cached=True)
    scroll = arrange_first_run(qtbot, first)
    first.session._save_cache()
    assert first.runner.wait_idle(10)
    assert cache_path(connection).is_file()
    first.quit()

    server.stop()  # offline: every row of the second panel comes from the cache
    second, _ = start(qtbot, panels, server, cached=True)
    qtbot.waitUntil(lambda: current_id(second) == PICKED_ID, timeout=10000)
    qtbot.waitUntil(lambda: second.tree.verticalScrollBar().value() == scroll, timeout=5000)
    assert_restored(second, scroll)
    assert ws(second, BIG_WS).from_cache_age is not None


def test_with_a_cache_and_a_refresh_no_request_is_added(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    """The refresh reloads the cached groups; restoring asks for nothing more."""
    first, _ = start(qtbot, panels, server, cached=True)
    scroll = arrange_first_run(qtbot, first)
    first.session._save_cache()
    assert first.runner.wait_idle(10)
    first.quit()

    server.requests.clear()
    second, _ = start(qtbot, panels, server, cached=True)
    qtbot.waitUntil(lambda: second.window.loader.loaded_at is not None, timeout=10000)
    wait_idle(qtbot, second)
    assert_restored(second, scroll)
    assert sorted(group_requests(server)) == sorted(
        f"/workspaces/{w}/{kind}"
        for w in (SAMPLE_WORKSPACE_ID, BIG_WS)
        for kind in ("users", "clients")
    )


def test_with_a_cache_and_no_refresh_at_start_nothing_is_asked(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    """ "Refresh at start" off (rate-limited plans): the cached rows alone, not one request."""
    first, _ = start(qtbot, panels, server, cached=True)
    scroll = arrange_first_run(qtbot, first)
    first.session._save_cache()
    assert first.runner.wait_idle(10)
    first.window.auto_refresh_action.setChecked(False)
    first.quit()

    server.requests.clear()
    second, _ = start(qtbot, panels, server, cached=True)
    qtbot.waitUntil(lambda: current_id(second) == PICKED_ID, timeout=10000)
    qtbot.waitUntil(lambda: second.tree.verticalScrollBar().value() == scroll, timeout=5000)
    assert second.runner.wait_idle(10)
    assert_restored(second, scroll)
    assert server.requests == []


@pytest.mark.parametrize("cached", [False, True], ids=["no-cache", "cache"])
def test_a_removed_client_is_skipped(
    qtbot: Any, panels: list[Panel], server: FakeClockify, cached: bool
) -> None:
    first, _ = start(qtbot, panels, server, cached=cached)
    arrange_first_run(qtbot, first)
    if cached:
        first.session._save_cache()
        assert first.runner.wait_idle(10)
    first.quit()

    big = next(w for w in server.workspaces if w.id == BIG_WS)
    big.clients = [c for c in big.clients if c["id"] != PICKED_ID]
    second, _ = start(qtbot, panels, server, cached=cached)
    qtbot.waitUntil(lambda: selected_ids(second) == {BOB_ID}, timeout=10000)
    wait_idle(qtbot, second)
    assert selected_ids(second) == {BOB_ID}
    assert current_id(second) != PICKED_ID
    assert ws(second, BIG_WS).clients.expanded
    assert "Client 150" not in {
        n.record.name for n in second.model.visible_nodes() if isinstance(n, RecordNode)
    }


def test_the_users_click_before_the_rows_arrive_wins(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    first, _ = start(qtbot, panels, server, cached=False)
    arrange_first_run(qtbot, first)
    first.quit()

    with server.hold(f"{BIG_WS}/clients") as gate:  # Big Team's clients wait for the click
        second, _ = start(qtbot, panels, server, cached=False)
        qtbot.waitUntil(lambda: gate.held == 1, timeout=10000)
        big = ws(second, BIG_WS)
        assert big.clients.expanded
        side = second.model.index_of(ws(second, SAMPLE_SIDE_WORKSPACE_ID))
        QTest.mouseClick(
            second.tree.viewport(),
            Qt.MouseButton.LeftButton,
            pos=second.tree.visualRect(side).center(),
        )
        assert current_id(second) == SAMPLE_SIDE_WORKSPACE_ID
    qtbot.waitUntil(lambda: big.clients.state is LoadState.LOADED, timeout=10000)
    qtbot.waitUntil(lambda: not second.window._row_restore_timer.isActive(), timeout=5000)
    QCoreApplication.processEvents()
    assert current_id(second) == SAMPLE_SIDE_WORKSPACE_ID
    assert selected_ids(second) == {SAMPLE_SIDE_WORKSPACE_ID}
    assert big.clients.expanded  # the open groups still come back


# -- what is saved ----------------------------------------------------------------------------


def test_the_settings_file_holds_ids_and_kinds_only(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    first, _ = start(qtbot, panels, server, cached=False)
    arrange_first_run(qtbot, first)
    first.quit()
    text = settings_file().read_text(encoding="utf-8")
    assert PICKED_ID in text  # the view was saved in this file
    assert BOB_ID in text
    for secret in (*NAMES_AND_EMAILS, TEST_KEY):
        assert secret not in text, secret
    saved = SavedView.from_json(QSettings().value(SETTING_VIEW))
    assert saved is not None
    assert saved.current == (Kind.CLIENT, BIG_WS, PICKED_ID)
    assert set(saved.selected) == {
        (Kind.USER, SAMPLE_WORKSPACE_ID, BOB_ID),
        (Kind.CLIENT, BIG_WS, PICKED_ID),
    }


def test_the_view_is_saved_a_moment_after_a_change_without_quitting(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    """A panel that is killed still has what it showed a moment before (written on a worker)."""
    panel, _ = start(qtbot, panels, server, cached=False)
    wait_idle(qtbot, panel)
    press_right_on(qtbot, panel, ws(panel, BIG_WS))

    def on_disk() -> str:
        path = Path(QSettings().fileName())
        return path.read_text(encoding="utf-8") if path.is_file() else ""

    qtbot.waitUntil(lambda: BIG_WS in on_disk(), timeout=10000)
    saved = SavedView.from_json(QSettings().value(SETTING_VIEW))
    assert saved is not None
    assert (Kind.WORKSPACE, BIG_WS, "") in saved.expanded


def test_quitting_before_the_rows_arrive_keeps_what_was_saved(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    """Closed while Big Team's clients are still on their way: nothing saved is lost."""
    first, _ = start(qtbot, panels, server, cached=False)
    arrange_first_run(qtbot, first)
    first.quit()
    saved = QSettings().value(SETTING_VIEW)
    assert SavedView.from_json(saved) is not None

    gate = server.hold(f"{BIG_WS}/clients")
    second, _ = start(qtbot, panels, server, cached=False)
    qtbot.waitUntil(lambda: gate.held == 1, timeout=10000)
    assert ws(second, BIG_WS).clients.expanded
    # What has arrived is restored already: Bob (Acme's users are not held).
    qtbot.waitUntil(lambda: selected_ids(second) == {BOB_ID}, timeout=10000)
    second.quit(after_close=gate.close)
    assert QSettings().value(SETTING_VIEW) == saved


def test_quitting_offline_without_rows_keeps_what_was_saved(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> None:
    first, _ = start(qtbot, panels, server, cached=False)
    arrange_first_run(qtbot, first)
    first.quit()
    saved = QSettings().value(SETTING_VIEW)

    server.stop()  # offline and no cache: no row arrives
    second, _ = start(qtbot, panels, server, cached=False)
    qtbot.waitUntil(lambda: second.window.notice.isVisibleTo(second.window), timeout=10000)
    second.quit()
    assert QSettings().value(SETTING_VIEW) == saved


def test_disconnect_forgets_the_view(qtbot: Any, panels: list[Panel], server: FakeClockify) -> None:
    first, connection = start(qtbot, panels, server, cached=False)
    arrange_first_run(qtbot, first)
    first.window._save_view()
    assert QSettings().value(SETTING_VIEW)
    first.session._on_dialog_disconnected(connection, Forgotten(api_key=True, cached_data=False))
    first.quit()
    assert QSettings().value(SETTING_VIEW) is None


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        "[1, 2]",
        '{"expanded": 5, "selected": [["nope", "x", ""]], "current": ["client", "", "1"]}',
        '{"offset": -3, "scroll": true, "top": ["workspace", "w", "r"]}',
        "[" * 100_000,
    ],
    ids=["garbled", "not-an-object", "wrong-shapes", "odd-values", "deep"],
)
def test_a_damaged_saved_view_is_ignored(
    qtbot: Any,
    panels: list[Panel],
    server: FakeClockify,
    text: str,
) -> None:
    QSettings().setValue(SETTING_VIEW, text)
    panel, _ = start(qtbot, panels, server, cached=False)
    wait_idle(qtbot, panel)
    assert not any(w.expanded for w in panel.model.workspaces())
    assert not panel.tree.selectionModel().hasSelection()


@given(
    st.one_of(
        st.text(max_size=200),
        st.recursive(
            st.none() | st.integers() | st.text(),
            lambda c: st.lists(c) | st.dictionaries(st.text(), c),
            max_leaves=30,
        ).map(json.dumps),
    )
)
def test_any_saved_text_gives_a_view_or_none(text: str) -> None:
    view = SavedView.from_json(text)
    assert view is None or isinstance(view, SavedView)
    if view is not None:
        assert SavedView.from_json(view.to_json()) == view


def test_the_window_uses_the_apps_settings_whatever_was_set_before(qtbot: Any) -> None:
    """The identity is set by the code that makes QSettings, not left to the caller."""
    QCoreApplication.setOrganizationName("")
    QCoreApplication.setApplicationName("")
    window = PanelWindow()
    qtbot.addWidget(window)
    assert window.settings.organizationName() == paths.ORGANISATION
    assert window.settings.applicationName() == paths.APP_NAME
    window.runner.shutdown()
