"""Several Clockify accounts in one panel (issue 20): one tree, each account on its own.

Two fake Clockify servers with different keys: "Acme" (the sample data; its Side Project
lists no users to this key, 403) and "Beta" (one workspace, a German client). The panel
runs as in test_session: the real encrypted key file and cache, the real request ledger,
all under this test's private folders.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from threading import Event
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify
from fake_docs101 import DOCS101_TEST_KEY, FakeDocs101
from PySide6.QtCore import QCoreApplication, QItemSelectionModel
from PySide6.QtGui import QGuiApplication
from test_cli_connections import BETA_WS, KEY_B, _beta_server
from test_session import (  # noqa: F401  (fixtures: found by name)
    Panel,
    cache_file,
    gate,
    isolated_settings,
    new_panel,
    panels,
    store,
    store_key,
)

from desktop.clockify import ApiKey, Connection
from desktop.docs101.client import Docs101Client
from desktop.store import connection_file, paths
from desktop.store.cache import EncryptedCache
from desktop.store.connections import ConnectionRegistry, NamedConnection
from desktop.ui.stored import saved_connection
from desktop.ui.tree_model import (
    ConnectionNode,
    Kind,
    LoadState,
    RecordNode,
    Role,
    WorkspaceNode,
)


@pytest.fixture
def servers() -> Iterator[tuple[FakeClockify, FakeClockify]]:
    with FakeClockify.with_sample_data(api_key=TEST_KEY) as acme, _beta_server() as beta:
        for ws in acme.workspaces:
            if ws.id == SAMPLE_SIDE_WORKSPACE_ID:
                ws.forbid_users = True  # a restricted workspace: its users answer 403
        beta.workspaces[0].clients[0]["email"] = "ap@mueller.example"
        yield acme, beta


class Accounts:
    def __init__(self, acme: NamedConnection, beta: NamedConnection) -> None:
        self.acme = acme
        self.beta = beta


@pytest.fixture
def accounts(servers: tuple[FakeClockify, FakeClockify]) -> Accounts:
    """Two named connections with their keys stored, Acme first (the panel's own)."""
    acme_server, beta_server = servers
    registry = ConnectionRegistry()
    acme = registry.add("Acme", Connection.for_base_url(acme_server.base_url))
    beta = registry.add("Beta", Connection.for_base_url(beta_server.base_url))
    store_key(acme.connection, TEST_KEY)
    store_key(beta.connection, KEY_B)
    return Accounts(acme, beta)


def started(qtbot: Any, panels: list[Panel], accounts: Accounts) -> Panel:  # noqa: F811
    """A panel started as at a start: on the first named connection, the others beside."""
    assert saved_connection() == accounts.acme.connection
    panel = new_panel(qtbot, panels)
    panel.session.start(saved_connection(), None)
    qtbot.waitUntil(lambda: len(panel.model.connections()) == 2, timeout=10000)
    qtbot.waitUntil(
        lambda: (
            all(c.state is LoadState.LOADED for c in panel.model.connections())
            and not panel.window.busy
        ),
        timeout=10000,
    )
    return panel


def visible(panel: Panel) -> list[str]:
    return [str(panel.model.index_of(n).data(Role.NAME)) for n in panel.model.visible_nodes()]


def account_of(panel: Panel, key: str) -> ConnectionNode:
    conn = panel.model.connection(key)
    assert conn is not None
    return conn


def workspace(panel: Panel, workspace_id: str) -> WorkspaceNode:
    ws = panel.model.workspace(workspace_id)
    assert ws is not None
    return ws


def open_workspace(qtbot: Any, panel: Panel, ws: WorkspaceNode) -> None:
    """Expand the workspace and both its groups, as a user's clicks would (loads both)."""
    panel.window._on_tree_expand_all_requested(panel.model.index_of(ws))
    qtbot.waitUntil(
        lambda: (
            all(g.state in (LoadState.LOADED, LoadState.FAILED) for g in ws.groups)
            and not panel.window.busy
        ),
        timeout=10000,
    )


def record(panel: Panel, name: str) -> RecordNode:
    for node in panel.model.visible_nodes():
        if isinstance(node, RecordNode) and node.name == name:
            return node
    raise AssertionError(f"{name} is not shown; rows: {visible(panel)}")


def select(panel: Panel, node: RecordNode) -> None:
    """Make the row the only one selected and the current one (whatever keyboard modifiers
    an earlier test left Qt believing are held, which setCurrentIndex would follow)."""
    panel.window.details_action.setChecked(True)
    flags = QItemSelectionModel.SelectionFlag
    panel.window.tree.selectionModel().setCurrentIndex(
        panel.model.index_of(node), flags.ClearAndSelect | flags.Rows
    )
    QCoreApplication.processEvents()


def test_both_trees_load_under_their_accounts(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    servers: tuple[FakeClockify, FakeClockify],
    accounts: Accounts,
) -> None:
    acme_server, beta_server = servers
    panel = started(qtbot, panels, accounts)
    own, beta = panel.model.connections()
    assert (own.name, beta.name) == ("Acme", "Beta")
    assert visible(panel) == ["Acme", "Acme Ltd", "Side Project", "Beta", "Beta GmbH"]
    # The account rows are level 0; workspaces, groups and records one level lower.
    rows = panel.model.visible_nodes()
    depths = [panel.model.index_of(n).data(Role.DEPTH) for n in rows]
    assert depths == [0, 1, 1, 0, 1]
    assert panel.model.index_of(rows[3]).data(Role.KIND) == Kind.CONNECTION
    assert "Beta" in panel.model.index_of(rows[3]).data()

    open_workspace(qtbot, panel, workspace(panel, BETA_WS))
    open_workspace(qtbot, panel, workspace(panel, SAMPLE_WORKSPACE_ID))
    assert {"Bert Beta", "Müller & Söhne KG", "Alice Admin", "Globex Corporation"} <= set(
        visible(panel)
    )
    # Each account asked its own server, with its own key, for its own workspaces only.
    assert not any(BETA_WS in r.path for r in acme_server.requests)
    assert not any(SAMPLE_WORKSPACE_ID in r.path for r in beta_server.requests)

    # The restricted workspace fails on its own group; everything else stays loaded.
    side = workspace(panel, SAMPLE_SIDE_WORKSPACE_ID)
    open_workspace(qtbot, panel, side)
    assert side.users.state is LoadState.FAILED
    assert side.clients.state is LoadState.LOADED
    assert all(c.state is LoadState.LOADED for c in panel.model.connections())


def test_a_rejected_key_on_one_account_leaves_the_other_usable(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    servers: tuple[FakeClockify, FakeClockify],
    accounts: Accounts,
) -> None:
    _acme_server, beta_server = servers
    panel = started(qtbot, panels, accounts)
    beta_server.api_keys.pop(KEY_B)  # the key is regenerated in Clockify

    panel.window.refresh_action.trigger()  # F5: both accounts refresh
    beta = account_of(panel, accounts.beta.connection.id)
    qtbot.waitUntil(lambda: beta.state is LoadState.FAILED, timeout=10000)
    qtbot.waitUntil(lambda: panel.window.notice.isVisibleTo(panel.window), timeout=5000)
    assert panel.window.notice_label.text() == (
        "Beta: Clockify rejected the API key. It may have been regenerated."
    )
    assert panel.window.notice_button.text() == "Update key"
    assert "Beta GmbH" in visible(panel)  # its rows stay, its row says what failed
    assert "rejected" in panel.model.index_of(beta).data()

    # Acme is untouched and still loads.
    own = account_of(panel, "")
    qtbot.waitUntil(lambda: own.state is LoadState.LOADED and not panel.window.busy, timeout=10000)
    open_workspace(qtbot, panel, workspace(panel, SAMPLE_WORKSPACE_ID))
    assert "Globex Corporation" in visible(panel)

    panel.window.notice_button.click()  # "Update key" opens the settings on that account
    dialog = panel.session.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.accounts_read, timeout=5000)
    current = dialog.current_account()
    assert current is not None
    assert current.connection == accounts.beta.connection


def test_a_server_failing_after_a_while_fails_only_its_account(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    servers: tuple[FakeClockify, FakeClockify],
    accounts: Accounts,
) -> None:
    acme_server, _beta_server = servers
    panel = started(qtbot, panels, accounts)
    acme_server.server_error_first = 100  # from now on, Acme's server answers 503

    panel.window.refresh_action.trigger()
    own = account_of(panel, "")
    beta = account_of(panel, accounts.beta.connection.id)
    qtbot.waitUntil(lambda: own.state is LoadState.FAILED, timeout=15000)
    qtbot.waitUntil(lambda: beta.state is LoadState.LOADED and not panel.window.busy, timeout=10000)
    assert {"Acme Ltd", "Side Project", "Beta GmbH"} <= set(visible(panel))  # nothing hidden
    open_workspace(qtbot, panel, workspace(panel, BETA_WS))
    assert "Müller & Söhne KG" in visible(panel)


def test_filter_copy_and_card_work_in_both_accounts(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
) -> None:
    panel = started(qtbot, panels, accounts)
    panel.window.filter_edit.setText("b")  # the filter loads every group of both accounts
    qtbot.waitUntil(
        lambda: (
            not panel.window.busy
            and all(
                g.state is not LoadState.IDLE and g.state is not LoadState.LOADING
                for ws in panel.model.workspaces()
                for g in ws.groups
            )
        ),
        timeout=10000,
    )
    shown = set(visible(panel))
    assert {"Bob Builder", "Bert Beta", "Acme", "Beta"} <= shown

    for name, account_name in (("Bert Beta", "Beta"), ("Bob Builder", "Acme")):
        node = record(panel, name)
        select(panel, node)
        panel.window.copy_names()
        assert QGuiApplication.clipboard().text() == name
        fields = dict(panel.window.details._fields)
        assert fields["Name"] == name
        assert fields["Account"] == account_name

    panel.window.filter_edit.setText("müller")
    node = record(panel, "Müller & Söhne KG")
    select(panel, node)
    panel.window.copy_emails()
    assert QGuiApplication.clipboard().text() == "ap@mueller.example"


def _files_of(connection: Connection) -> list[str]:
    """Every trace of the connection in the app's folders: its key and cache key (by
    name, in the key store), its cache file, and ledger entries of its id."""
    traces = []
    if store().get_api_key(connection) is not None:
        traces.append("api key")
    if store().get(f"cache-key:{connection.id}") is not None:
        traces.append("cache key")
    if cache_file(connection).exists():
        traces.append("cache file")
    ledger_dir = paths.state_dir()
    for path in ledger_dir.rglob("*") if ledger_dir.exists() else []:
        if path.is_file() and connection.id.encode() in path.read_bytes():
            traces.append(f"ledger {path.name}")
    return traces


def test_removing_one_account_leaves_nothing_of_it_and_the_other_untouched(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
) -> None:
    panel = started(qtbot, panels, accounts)
    open_workspace(qtbot, panel, workspace(panel, BETA_WS))
    open_workspace(qtbot, panel, workspace(panel, SAMPLE_WORKSPACE_ID))
    panel.session._save_cache()
    for extra in panel.session.accounts.extras.values():
        extra._save_cache()
    assert panel.runner.wait_idle(10)
    beta, acme = accounts.beta.connection, accounts.acme.connection
    assert {"api key", "cache key", "cache file"} <= set(_files_of(beta))
    assert {"api key", "cache key", "cache file"} <= set(_files_of(acme))

    # Settings, the account list, Beta, Remove...: as a user removes it.
    panel.window.settings_action.trigger()
    dialog = panel.session.dialog
    assert dialog is not None
    dialog.confirm = lambda _question: True
    qtbot.waitUntil(lambda: dialog.accounts_read, timeout=5000)
    names = [a.name for a in dialog.accounts]
    dialog.accounts_box.setCurrentIndex(names.index("Beta"))
    with qtbot.waitSignal(dialog.disconnected, timeout=10000):
        dialog.remove_button.click()
    qtbot.waitUntil(lambda: len(panel.model.connections()) == 1, timeout=5000)
    assert panel.runner.wait_idle(10)

    assert _files_of(beta) == []
    assert {"api key", "cache key", "cache file"} <= set(_files_of(acme))
    assert [n.name for n in ConnectionRegistry().load()] == ["Acme"]
    # One account again: the tree is as before, workspaces at the top; Acme still works.
    assert "Beta GmbH" not in visible(panel)
    assert visible(panel)[0] == "Acme Ltd"
    assert panel.window.connected


def test_an_upgrade_keeps_the_single_connection_and_starts_on_its_cache(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    servers: tuple[FakeClockify, FakeClockify],
    isolated_home: Path,
) -> None:
    acme_server, _beta = servers
    # What version 0.1 left: connection.json, the key under the connection's plain id, a cache.
    legacy = Connection.for_base_url(acme_server.base_url)
    connection_file.save(legacy)
    store_key(legacy)
    first = new_panel(qtbot, panels)
    first.session.start(legacy, None)
    qtbot.waitUntil(lambda: first.window.loader.loaded_at is not None, timeout=10000)
    open_workspace(qtbot, first, workspace(first, SAMPLE_WORKSPACE_ID))
    first.session._save_cache()
    assert first.runner.wait_idle(10)
    first.close()
    assert cache_file(legacy).is_file()
    assert not (paths.config_dir() / "connections.json").exists()

    named = ConnectionRegistry().load()
    assert [n.connection for n in named] == [legacy]  # the same slot: key and cache found
    assert named[0].connection.account is None
    assert saved_connection() == legacy

    with acme_server.hold():  # the server does not answer: only the cache can show rows
        panel = new_panel(qtbot, panels)
        panel.session.start(saved_connection(), None)
        qtbot.waitUntil(lambda: "Globex Corporation" in _all_records(panel), timeout=10000)
        assert len(panel.model.connections()) == 1
        assert visible(panel)[0] == "Acme Ltd"  # one account: no account row
        panel.window.loader.cancel_all()


def _all_records(panel: Panel) -> set[str]:
    return {node.name for ws in panel.model.workspaces() for g in ws.groups for node in g.children}


def test_the_docs101_cross_reference_marks_clients_of_both_accounts(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
) -> None:
    customers = [
        {"id": 10, "organization_name": "GLOBEX Corporation.", "is_active": True},
        {"id": 11, "organization_name": "Müller & Söhne KG", "is_active": True},
    ]
    with FakeDocs101(customers=customers) as docs101:
        panel = new_panel(qtbot, panels)
        panel.session.use_docs101(
            ApiKey(DOCS101_TEST_KEY),
            lambda key: Docs101Client(docs101.base_url, key, timeout=(2.0, 3.0)),
        )
        panel.session.start(saved_connection(), None)
        qtbot.waitUntil(lambda: len(panel.model.connections()) == 2, timeout=10000)
        qtbot.waitUntil(lambda: panel.model.workspace(BETA_WS) is not None, timeout=10000)
        open_workspace(qtbot, panel, workspace(panel, BETA_WS))
        open_workspace(qtbot, panel, workspace(panel, SAMPLE_WORKSPACE_ID))

        def status(name: str) -> Any:
            return panel.model.index_of(record(panel, name)).data(Role.XREF)

        qtbot.waitUntil(
            lambda: (
                status("Müller & Söhne KG") == "match" and status("Globex Corporation") == "match"
            ),
            timeout=10000,
        )
        assert status("Initech") == "missing"
        panel.close()


def test_without_a_key_for_the_first_account_the_others_still_show(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
) -> None:
    store().delete_api_key(accounts.acme.connection)  # the panel's own has no key
    panel = new_panel(qtbot, panels)
    panel.session.start(saved_connection(), None)
    beta = None

    def beta_loaded() -> bool:
        nonlocal beta
        beta = panel.model.connection(accounts.beta.connection.id)
        return beta is not None and beta.state is LoadState.LOADED and not panel.window.busy

    qtbot.waitUntil(beta_loaded, timeout=10000)
    own = account_of(panel, "")
    qtbot.waitUntil(lambda: own.state is LoadState.FAILED, timeout=10000)
    assert not panel.window.connected
    assert panel.window.stack.currentWidget() is panel.window.tree_page  # not the invitation
    assert visible(panel) == ["Acme", "Beta", "Beta GmbH"]
    assert "No API key stored" in panel.model.index_of(own).data()


def test_an_account_added_in_the_settings_joins_the_tree_beside_the_first(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    servers: tuple[FakeClockify, FakeClockify],
) -> None:
    acme_server, beta_server = servers
    acme = ConnectionRegistry().add("Acme", Connection.for_base_url(acme_server.base_url))
    store_key(acme.connection, TEST_KEY)
    panel = new_panel(qtbot, panels)
    panel.session.start(saved_connection(), None)
    qtbot.waitUntil(lambda: panel.window.loader.loaded_at is not None, timeout=10000)
    assert visible(panel) == ["Acme Ltd", "Side Project"]  # one account: as before

    panel.window.settings_action.trigger()
    dialog = panel.session.dialog
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.accounts_read, timeout=5000)
    dialog.ask_name = lambda _question, _current: "Beta"
    dialog.add_button.click()
    dialog.url_edit.setText(beta_server.base_url)
    dialog.key_edit.setText(KEY_B)
    with qtbot.waitSignal(dialog.saved, timeout=10000):
        dialog.save_button.click()  # tests the key, stores it, adds the account

    qtbot.waitUntil(lambda: "Beta GmbH" in visible(panel), timeout=10000)
    assert visible(panel) == ["Acme", "Acme Ltd", "Side Project", "Beta", "Beta GmbH"]
    assert panel.window.connected  # the panel's own account stayed connected
    assert panel.session.connection == acme.connection
    assert [n.name for n in ConnectionRegistry().load()] == ["Acme", "Beta"]


def test_the_tree_reopens_as_it_was_left_in_every_account(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
) -> None:
    first = started(qtbot, panels, accounts)
    open_workspace(qtbot, first, workspace(first, BETA_WS))  # Beta GmbH and both its groups
    first.window._save_view()
    first.close()

    panel = new_panel(qtbot, panels)
    panel.session.start(saved_connection(), None)
    beta_ws: list[WorkspaceNode] = []

    def reopened() -> bool:
        ws = panel.model.workspace(BETA_WS)
        if ws is None or not ws.expanded:
            return False
        beta_ws[:] = [ws]
        return all(g.expanded and g.state is LoadState.LOADED for g in ws.groups)

    qtbot.waitUntil(reopened, timeout=10000)
    assert {"Bert Beta", "Müller & Söhne KG"} <= set(visible(panel))
    assert not workspace(panel, SAMPLE_WORKSPACE_ID).expanded  # Acme's stayed closed


def test_a_cache_save_of_an_account_being_removed_leaves_nothing_behind(
    qtbot: Any,
    panels: list[Panel],  # noqa: F811
    accounts: Accounts,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Beta's first cache save (which makes the cache key) is writing when Remove... runs:
    the removal waits for it (one lock for every account's saves and removals), then
    deletes what it wrote; nothing of Beta is left."""
    panel = started(qtbot, panels, accounts)
    open_workspace(qtbot, panel, workspace(panel, BETA_WS))
    assert panel.runner.wait_idle(10)
    panel.session._save_timer.stop()
    extra = panel.session.accounts.extras[accounts.beta.connection.id]
    extra._save_timer.stop()
    arrived, release = gate(monkeypatch, EncryptedCache, "save")
    forgetting = Event()
    real_forget = panel.session.forget

    def forget(store: Any, connection: Connection) -> Any:
        forgetting.set()
        return real_forget(store, connection)

    panel.session.forget = forget  # type: ignore[method-assign]
    extra._save_cache()
    assert arrived.wait(10)  # the save holds the lock, inside EncryptedCache.save

    panel.window.settings_action.trigger()
    dialog = panel.session.dialog
    assert dialog is not None
    dialog.confirm = lambda _question: True
    qtbot.waitUntil(lambda: dialog.accounts_read, timeout=5000)
    dialog.accounts_box.setCurrentIndex([a.name for a in dialog.accounts].index("Beta"))
    with qtbot.waitSignal(dialog.disconnected, timeout=15000):
        dialog.remove_button.click()
        assert forgetting.wait(10)  # the removal has started...
        time.sleep(0.3)  # ...and, were it not waiting for the save, would be done by now
        release.set()
    assert panel.runner.wait_idle(10)
    assert _files_of(accounts.beta.connection) == []
    assert "api key" in _files_of(accounts.acme.connection)
