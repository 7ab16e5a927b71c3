"""The panel's session (issues 5 and 6): the stored key, key rotation, and the cache.

PanelWindow + PanelSession against FakeClockify, with the real credential store (the
encrypted file, forced by CLOCKIFY_PANEL_CREDENTIALS=file, its passphrase from
CLOCKIFY_PANEL_PASSPHRASE) and the real encrypted cache under the isolated XDG_CACHE_HOME.
"""

from __future__ import annotations

import gc
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from threading import Event
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_clockify import SAMPLE_SIDE_WORKSPACE_ID, SAMPLE_WORKSPACE_ID, FakeClockify
from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog

from desktop.clockify import ApiKey, ClockifyClient, Connection, RetryPolicy
from desktop.store import (
    FILE_NAME,
    EncryptedFileStore,
    api_key_entry,
    cache_key_entry,
    connection_file,
    forget,
    paths,
)
from desktop.store.cache import EncryptedCache
from desktop.ui.main_window import SETTING_AUTO_REFRESH, PanelWindow
from desktop.ui.session import PanelSession
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.stored import prefetch
from desktop.ui.tree_model import Kind, LoadState, RecordNode, Role, WorkspaceNode

PASSPHRASE = "correct horse battery staple"
NEW_KEY = "new-key-fedcba9876543210fedcba987654"
FAST_RETRY = RetryPolicy(attempts=2, base_delay=0.01, max_delay=0.02, max_total=0.1)
SECRETS_IN_DATA = (
    "Alice Admin",
    "alice@acme.example",
    "Bob Builder",
    "bob@acme.example",
    "Acme Ltd",
    "Side Project",
    "Globex Corporation",
    "Hobby Client",
)


# -- fixtures and helpers ----------------------------------------------------------------------


@pytest.fixture(autouse=True)
def isolated_settings(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings start empty (conftest points QSettings at this test's config dir)."""
    config = isolated_home / "config"
    QSettings().clear()
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)
    return config


def fast_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    return ClockifyClient(connection, key, timeout=(3.0, 5.0), retry=FAST_RETRY)


class Panel:
    """One window + session, closed cleanly (runner idle before widgets go)."""

    def __init__(self, qtbot: Any) -> None:
        self.window = PanelWindow()
        qtbot.addWidget(self.window)
        self.session = PanelSession(self.window, client_factory=fast_client)
        self.session.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
        self.runner = self.window.runner
        self.model = self.window.model
        self.closed = False

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        self.session._save_timer.stop()
        self.window.loader.cancel_all()
        assert self.runner.wait_idle(10)
        QCoreApplication.processEvents()
        if self.session.dialog is not None:
            self.session.dialog.close()
        self.window.close()
        self.runner.shutdown()


@pytest.fixture
def panels(qtbot: Any) -> Iterator[list[Panel]]:
    """Every panel of a test, kept alive until the end and then deleted on the GUI thread.

    qtbot only holds widgets weakly: a window left to the garbage collector may be
    destroyed by a collection that happens to run on a worker thread, which crashes Qt.
    """
    made: list[Panel] = []
    yield made
    for panel in made:
        panel.close()
    for panel in made:
        if shiboken6.isValid(panel.window):
            shiboken6.delete(panel.window)
    made.clear()
    gc.collect()


def new_panel(qtbot: Any, panels: list[Panel]) -> Panel:
    panel = Panel(qtbot)
    panels.append(panel)
    return panel


_STORES: dict[Path, EncryptedFileStore] = {}


def store() -> EncryptedFileStore:
    """This test's key file; one object per test, so scrypt runs once, not at every look."""
    path = paths.data_dir() / FILE_NAME
    if path not in _STORES:
        _STORES[path] = EncryptedFileStore(path, lambda _creating: PASSPHRASE)
    return _STORES[path]


def cache_file(connection: Connection) -> Path:
    return EncryptedCache(store(), paths.cache_dir()).path_for(connection)


def store_key(connection: Connection, key: str = TEST_KEY) -> None:
    store().set_api_key(connection, ApiKey(key))


def workspace_rows(panel: Panel) -> list[WorkspaceNode]:
    return [n for n in panel.model.visible_nodes() if isinstance(n, WorkspaceNode)]


def names(panel: Panel) -> set[str]:
    return {str(panel.model.index_of(n).data(Role.NAME)) for n in panel.model.visible_nodes()}


def workspace_calls(server: FakeClockify) -> int:
    return sum(1 for r in server.requests if r.path.endswith("/workspaces"))


def wait_loaded(qtbot: Any, panel: Panel) -> None:
    """Workspaces in, and every group asked for so far loaded."""
    qtbot.waitUntil(
        lambda: panel.window.loader.loaded_at is not None and not panel.window.loader.busy,
        timeout=10000,
    )


def load_acme(qtbot: Any, panel: Panel) -> WorkspaceNode:
    """Expand Acme Ltd and its users group, so its users and clients are loaded."""
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    panel.model.set_expanded(acme, True)
    panel.model.set_expanded(acme.users, True)
    panel.window.loader.load_workspace(SAMPLE_WORKSPACE_ID)
    qtbot.waitUntil(
        lambda: acme.users.state is LoadState.LOADED and acme.clients.state is LoadState.LOADED,
        timeout=10000,
    )
    wait_loaded(qtbot, panel)
    return acme


def started_with_acme(
    qtbot: Any, panels: list[Panel], server: FakeClockify
) -> tuple[Panel, Connection]:
    """A panel started on the stored key, its workspaces in and Acme's groups loaded."""
    connection = Connection.for_base_url(server.base_url)
    store_key(connection)
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    wait_loaded(qtbot, panel)
    load_acme(qtbot, panel)
    return panel, connection


def connected_and_cached(qtbot: Any, panels: list[Panel], server: FakeClockify) -> Connection:
    """A first run: key stored, data loaded, cache written; that panel is closed again."""
    panel, connection = started_with_acme(qtbot, panels, server)
    panel.session._save_cache()
    assert panel.runner.wait_idle(5)
    assert cache_file(connection).is_file()
    panel.close()
    return connection


def find_record(panel: Panel, name: str) -> RecordNode:
    for node in panel.model.visible_nodes():
        if isinstance(node, RecordNode) and node.name == name:
            return node
    raise AssertionError(f"{name} is not shown; rows: {sorted(names(panel))}")


# -- issue 5: the panel flow ----------------------------------------------------------------


def test_no_stored_key_shows_the_connect_state_without_a_popup(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    panel = new_panel(qtbot, panels)
    panel.session.start(Connection.for_base_url(fake_server.base_url), None)
    qtbot.waitUntil(lambda: panel.window.status_label.text() == "Not connected", timeout=5000)
    assert panel.runner.wait_idle(5)
    assert panel.window.stack.currentWidget() is panel.window.connect_page
    assert not panel.window.connected
    assert panel.session.dialog is None
    assert QApplication.activeModalWidget() is None
    assert not [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    assert fake_server.requests == []


def test_key_rotation_notice_and_update_key(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, isolated_home: Path
) -> None:
    connection = Connection.for_base_url(fake_server.base_url)
    store_key(connection)
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    wait_loaded(qtbot, panel)
    assert {"Acme Ltd", "Side Project"} <= names(panel)

    # The key is regenerated in Clockify: the old one is unknown now.
    owner = fake_server.api_keys.pop(TEST_KEY)
    fake_server.api_keys[NEW_KEY] = owner
    panel.window.refresh_action.trigger()  # F5
    qtbot.waitUntil(lambda: panel.window.notice.isVisibleTo(panel.window), timeout=5000)
    wait_loaded(qtbot, panel)
    QCoreApplication.processEvents()
    assert panel.window.notice_label.text() == (
        "Clockify rejected the API key. It may have been regenerated."
    )
    assert panel.window.notice_button.text() == "Update key"
    assert {"Acme Ltd", "Side Project"} <= names(panel)  # rows stay

    panel.window.notice_button.click()
    dialog = panel.session.dialog
    assert dialog is not None
    assert dialog.isVisible()
    dialog.confirm = lambda _question: pytest.fail("unexpected confirmation box")
    dialog.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
    assert dialog.url_edit.text() == connection.base_url
    dialog.key_edit.setText(NEW_KEY)
    before = workspace_calls(fake_server)
    with qtbot.waitSignal(dialog.saved, timeout=8000):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: workspace_calls(fake_server) > before + 1, timeout=5000)
    wait_loaded(qtbot, panel)
    assert {"Acme Ltd", "Side Project"} <= names(panel)
    assert panel.window.notice.isHidden()
    assert panel.window.connected
    assert store().get_api_key(connection) == ApiKey(NEW_KEY)
    QCoreApplication.processEvents()
    assert panel.session.dialog is None

    # The connection was remembered in its file; the key is only in the store.
    panel.session._save_cache()
    assert panel.runner.wait_idle(5)
    QSettings().sync()
    saved = connection_file.path()
    assert saved.is_relative_to(isolated_home)
    assert connection_file.load() == connection
    assert connection.base_url in saved.read_text()
    for key in (TEST_KEY, NEW_KEY):
        found = [
            p for p in isolated_home.rglob("*") if p.is_file() and key.encode() in p.read_bytes()
        ]
        assert found == [], key


def test_disconnect_through_the_dialog_clears_everything(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    wait_loaded(qtbot, panel)
    assert workspace_rows(panel)

    panel.window.settings_action.trigger()
    dialog = panel.session.dialog
    assert dialog is not None
    dialog.confirm = lambda _question: True
    dialog.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        dialog.disconnect_button.click()
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert panel.model.rowCount() == 0
    assert panel.window.stack.currentWidget() is panel.window.connect_page
    assert not panel.window.connected
    assert store().get_api_key(connection) is None
    assert not cache_file(connection).exists()
    assert store().get(f"cache-key:{connection.id}") is None


# -- Disconnect: the connection in use, everything of it, and no save brings it back ---------


def cache_key(connection: Connection) -> str | None:
    return store().get(cache_key_entry(connection))


def assert_forgotten(connection: Connection) -> None:
    assert store().get_api_key(connection) is None
    assert not cache_file(connection).exists()
    assert cache_key(connection) is None


def open_dialog(panel: Panel) -> SettingsDialog:
    panel.window.settings_action.trigger()
    dialog = panel.session.dialog
    assert dialog is not None
    dialog.confirm = lambda _question: True
    dialog.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
    return dialog


def saved_once(qtbot: Any, panels: list[Panel], server: FakeClockify) -> tuple[Panel, Connection]:
    """A panel on the stored key with Acme loaded and its cache written once."""
    panel, connection = started_with_acme(qtbot, panels, server)
    panel.session._save_cache()
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()  # the save's result: its cache key exists now
    assert cache_file(connection).is_file()
    assert cache_key(connection) is not None
    return panel, connection


def test_disconnect_forgets_the_panels_connection_whatever_the_form_shows(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    panel, connection = saved_once(qtbot, panels, fake_server)
    other = Connection.for_region("eu")  # another account, stored earlier: left alone
    store_key(other, NEW_KEY)
    EncryptedCache(store(), paths.cache_dir()).save(other, panel.session.snapshot())
    other_cache_key = cache_key(other)
    assert other_cache_key is not None

    dialog = open_dialog(panel)
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or True
    dialog.region_combo.setCurrentIndex(dialog.region_combo.findData("eu"))  # the form: EU
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        dialog.disconnect_button.click()
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    # Remove... acts on the account selected in the list (the panel's), not on the form's
    # region; the account is named after its host, as an upgraded connection is.
    assert questions[0].startswith(f"Remove the account {connection.host}?")
    assert_forgotten(connection)
    assert store().get_api_key(other) == ApiKey(NEW_KEY)
    assert cache_file(other).is_file()
    assert cache_key(other) == other_cache_key
    assert not panel.window.connected
    assert panel.window.stack.currentWidget() is panel.window.connect_page
    assert panel.window.status_label.text() == (
        f"Disconnected from {connection.label}: its API key and cached data were removed "
        "from this computer."
    )


def gate(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> tuple[Event, Event]:
    """Hold every call of owner.name until `release` is set; `arrived` tells one is held."""
    arrived, release = Event(), Event()
    real = getattr(owner, name)

    def held(*args: Any, **kwargs: Any) -> Any:
        arrived.set()
        assert release.wait(10), "the test never released the gate"
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, held)
    return arrived, release


def test_a_save_writing_during_disconnect_is_removed_with_the_rest(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, connection = started_with_acme(qtbot, panels, fake_server)
    arrived, release = gate(monkeypatch, EncryptedCache, "save")  # inside the cache lock
    panel.session._save_cache()
    assert arrived.wait(10)
    dialog = open_dialog(panel)
    dialog.disconnect_button.click()
    QCoreApplication.processEvents()
    assert dialog.busy  # the forgetting waits for the save to finish writing
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        release.set()
    assert panel.runner.wait_idle(5)
    assert_forgotten(connection)


def test_a_save_scheduled_before_disconnect_writes_nothing_after_it(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    panel, connection = started_with_acme(qtbot, panels, fake_server)
    arrived, release = gate(monkeypatch, panel.session, "_store")  # before the cache lock
    panel.session._save_cache()
    assert arrived.wait(10)
    dialog = open_dialog(panel)
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        dialog.disconnect_button.click()
    assert_forgotten(connection)
    release.set()  # the save goes on, after the forgetting
    assert panel.runner.wait_idle(5)
    assert_forgotten(connection)


def test_a_save_scheduled_after_the_forgetting_but_before_the_panel_heard_writes_nothing(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    panel, connection = started_with_acme(qtbot, panels, fake_server)
    panel.session._save_cache()  # the first save of the session: it makes the cache key
    assert panel.runner.wait_idle(5)  # (its result is not handled yet)
    assert cache_file(connection).is_file()
    panel.session.forget(store(), connection)  # the dialog's worker, done
    assert panel.window.connected  # its "disconnected" signal is not handled yet
    panel.session._save_cache()  # the save timer fires now, allowed to make a key
    assert panel.runner.wait_idle(5)
    assert_forgotten(connection)

    # Connected again through the dialog (the old save's result arrives meanwhile): the
    # cache is saved again, with a new key.
    store_key(connection)
    panel.session._on_dialog_saved(connection, ApiKey(TEST_KEY))
    wait_loaded(qtbot, panel)
    panel.session._save_cache()
    assert panel.runner.wait_idle(5)
    assert cache_file(connection).is_file()
    assert cache_key(connection) is not None


def test_a_cache_removed_elsewhere_is_not_recreated_by_the_next_save(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    """`clockify-panel key clear` in a terminal while the panel runs."""
    panel, connection = saved_once(qtbot, panels, fake_server)
    forget(store(), connection, paths.cache_dir())
    panel.session._save_cache()
    assert panel.runner.wait_idle(5)
    assert_forgotten(connection)


def test_after_disconnect_nothing_in_the_apps_folders_decrypts_to_the_account(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, isolated_home: Path
) -> None:
    panel, connection = saved_once(qtbot, panels, fake_server)
    old_cache_key = cache_key(connection)
    assert old_cache_key is not None
    dialog = open_dialog(panel)
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        dialog.disconnect_button.click()
    assert panel.runner.wait_idle(5)
    panel.close()
    QSettings().sync()

    # Everything the app writes lives under these (paths.py); look at every file.
    folders = [paths.config_dir(), paths.data_dir(), paths.cache_dir(), paths.log_dir()]
    assert all(folder.is_relative_to(isolated_home) for folder in folders)
    files = [
        p for d in ("config", "data", "cache", "state") for p in (isolated_home / d).rglob("*")
    ]
    files = [p for p in files if p.is_file()]
    assert files  # at least connection.json and the settings
    # What decrypted the cache before: try it on every file, as if it were the cache.
    old_key = {cache_key_entry(connection): old_cache_key}
    probe = EncryptedCache(DictStore(old_key), isolated_home / "probe")
    probe.directory.mkdir()
    for path in files:
        data = path.read_bytes()
        for text in (TEST_KEY, *SECRETS_IN_DATA):
            assert text.encode() not in data, (text, path)
        probe.path_for(connection).write_bytes(data)
        assert probe.open(connection) is None, path
        if path.name == FILE_NAME:  # the key file decrypts: nothing of this account in it
            assert store().get(api_key_entry(connection)) is None
            assert store().get(cache_key_entry(connection)) is None


class DictStore:
    """A secret store in memory (what EncryptedCache needs: get, set, delete)."""

    def __init__(self, entries: dict[str, str]) -> None:
        self.entries = dict(entries)

    def get(self, entry: str) -> str | None:
        return self.entries.get(entry)

    def set(self, entry: str, value: str) -> None:
        self.entries[entry] = value

    def delete(self, entry: str) -> bool:
        return self.entries.pop(entry, None) is not None


def test_an_unusable_env_base_url_leaves_the_panel_unconnected_with_a_way_out(
    qtbot: Any, panels: list[Panel]
) -> None:
    panel = new_panel(qtbot, panels)
    problem = "CLOCKIFY_BASE_URL holds an unusable address, so the panel is not connected."
    panel.session.start_unconnected(problem)
    assert panel.session.connection is None
    assert not panel.window.connected
    assert panel.window.notice.isVisibleTo(panel.window)
    assert panel.window.notice_label.text() == problem
    assert panel.window.notice_button.text() == "Settings\u2026"
    panel.window.notice_button.click()
    dialog = panel.session.dialog
    assert dialog is not None
    assert dialog.in_use is None
    assert panel.runner.wait_idle(5)


# -- issue 6: the cache ---------------------------------------------------------------------


def test_cache_round_trip_is_encrypted(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, isolated_home: Path
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    path = cache_file(connection)
    assert path.parent == isolated_home / "cache" / paths.APP_NAME
    for text in SECRETS_IN_DATA:
        for found in paths.cache_dir().rglob("*"):
            if found.is_file():
                assert text.encode() not in found.read_bytes(), (text, found)
    # And it reads back: the same rows.
    snapshot = EncryptedCache(store(), paths.cache_dir()).load(connection)
    assert snapshot is not None
    acme = next(w for w in snapshot.workspaces if w.workspace.id == SAMPLE_WORKSPACE_ID)
    assert acme.users is not None
    assert {u.name for u in acme.users} >= {"Alice Admin", "Bob Builder"}
    assert acme.clients is not None
    assert {c.name for c in acme.clients} >= {"Globex Corporation", "Initech"}


def test_cached_rows_show_before_the_server_answers(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    assert fake_server.wait_answered(len(fake_server.requests))  # the first run's, every one
    answered_before = len(fake_server.answered)
    gate = fake_server.hold()  # the server answers nothing until released
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=10000)
    assert panel.window.loader.loaded_at is None  # no /workspaces answer yet
    # The refresh starts once the cached users and clients are in (a worker builds them).
    qtbot.waitUntil(lambda: panel.window.loader.busy, timeout=10000)
    qtbot.waitUntil(lambda: gate.held >= 1, timeout=10000)  # its request waits at the server
    assert panel.window.loader.loaded_at is None
    for node in workspace_rows(panel):
        assert node.from_cache_age == "updated just now"
        assert "updated just now" in str(panel.model.index_of(node).data())
    assert panel.window.status_label.text().startswith("Saved data, updated")

    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    qtbot.waitUntil(lambda: acme.users.state is LoadState.LOADED, timeout=10000)  # from cache
    assert panel.window.loader.loaded_at is None
    assert len(fake_server.answered) == answered_before  # shown from the cache alone
    panel.model.set_expanded(acme, True)
    panel.model.set_expanded(acme.users, True)
    bob = find_record(panel, "Bob Builder")
    panel.window.tree.setCurrentIndex(panel.model.index_of(bob))
    side = panel.model.workspace(SAMPLE_SIDE_WORKSPACE_ID)
    assert side is not None
    assert not panel.model.is_expanded(side)

    gate.release()
    wait_loaded(qtbot, panel)
    assert panel.window.loader.loaded_at is not None
    assert all(node.from_cache_age is None for node in workspace_rows(panel))
    assert panel.window.status_label.text().startswith("2 workspaces")
    assert panel.model.workspace(SAMPLE_WORKSPACE_ID) is acme
    assert panel.model.is_expanded(acme)
    assert panel.model.is_expanded(acme.users)
    assert not panel.model.is_expanded(side)
    assert "Bob Builder" in names(panel)
    # The selected user row itself: see test_selected_user_row_survives_a_refresh.


def test_a_prefetched_read_shows_the_cached_rows(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    gate = fake_server.hold()  # the server answers nothing until released
    future = prefetch(connection)  # as run_panel does, before the window exists
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None, future)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=10000)
    assert all(node.from_cache_age == "updated just now" for node in workspace_rows(panel))
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    qtbot.waitUntil(lambda: acme.users.state is LoadState.LOADED, timeout=10000)
    assert panel.window.loader.loaded_at is None  # the cached users, not the server's
    gate.release()
    wait_loaded(qtbot, panel)


def test_the_refresh_starts_after_the_cached_groups_are_in(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    """Workspace rows first, then the cached users and clients, and only then the refresh.

    Live data must replace cached rows, never be overwritten by them.
    """
    connection = connected_and_cached(qtbot, panels, fake_server)
    panel = new_panel(qtbot, panels)
    acme_states: list[tuple[LoadState, LoadState]] = []
    refresh = panel.window.loader.refresh

    def spy(**kwargs: Any) -> None:
        acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
        assert acme is not None
        acme_states.append((acme.users.state, acme.clients.state))
        refresh(**kwargs)

    panel.window.loader.refresh = spy  # type: ignore[method-assign]
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: bool(acme_states), timeout=5000)
    assert acme_states == [(LoadState.LOADED, LoadState.LOADED)]
    wait_loaded(qtbot, panel)
    assert "Bob Builder" in {
        n.name for n in panel.model.workspace(SAMPLE_WORKSPACE_ID).users.children
    }


def test_cached_rows_arriving_after_a_disconnect_are_dropped(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import desktop.ui.stored as stored_module

    connection = connected_and_cached(qtbot, panels, fake_server)
    release = threading.Event()
    real_prepare = stored_module.prepare_nodes

    def slow_prepare(cached: Any) -> Any:
        release.wait(5)
        return real_prepare(cached)

    monkeypatch.setattr(stored_module, "prepare_nodes", slow_prepare)
    panel = new_panel(qtbot, panels)
    refreshes: list[int] = []
    panel.window.loader.refresh = lambda: refreshes.append(1)  # type: ignore[method-assign]
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=5000)
    panel.window.show_connect_state()  # what Disconnect does, while the rows are being built
    release.set()
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert refreshes == []
    assert not panel.window.connected
    assert workspace_rows(panel) == []  # the old account's rows did not come back


def test_a_prefetch_without_the_passphrase_asks_for_it(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    monkeypatch.delenv("CLOCKIFY_PANEL_PASSPHRASE")
    future = prefetch(connection)
    panel = new_panel(qtbot, panels)
    asked: list[bool] = []
    panel.session.ask_passphrase = lambda creating: asked.append(creating) or PASSPHRASE
    panel.session.start(connection, None, future)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=5000)
    assert asked == [False]
    wait_loaded(qtbot, panel)


def test_the_session_asks_in_the_same_box_and_again_after_a_wrong_passphrase(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtCore import QTimer

    from desktop.ui.passphrase_dialog import PassphraseDialog

    connection = connected_and_cached(qtbot, panels, fake_server)
    monkeypatch.delenv("CLOCKIFY_PANEL_PASSPHRASE")
    panel = new_panel(qtbot, panels)
    panel.session.ask_passphrase = panel.session._ask_passphrase_with_box  # the real box
    answers = ["wrong passphrase", PASSPHRASE]
    seen: list[tuple[bool, bool, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, PassphraseDialog):
            QTimer.singleShot(10, answer)
            return
        seen.append((box.creating, box.second_edit.isVisible(), panel.window.status_label.text()))
        box.first_edit.setText(answers.pop(0))
        box.ok_button.click()
        if answers:
            QTimer.singleShot(0, answer)

    QTimer.singleShot(0, answer)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=15000)
    assert [(creating, twice) for creating, twice, _status in seen] == [(False, False)] * 2
    assert seen[1][2].startswith("The passphrase does not open the key file")
    wait_loaded(qtbot, panel)


def test_a_locked_keyring_at_start_says_so(qtbot: Any, panels: list[Panel]) -> None:
    from desktop.store import KeyringLockedError

    def locked(_provider: Any) -> Any:
        raise KeyringLockedError()

    panel = new_panel(qtbot, panels)
    panel.session.store_factory = locked
    panel.session.start(Connection.for_region("eu"), None)
    qtbot.waitUntil(
        lambda: panel.window.stack.currentWidget() is panel.window.connect_page, timeout=5000
    )
    assert not panel.window.connected
    assert panel.window.connect_label.text() == (
        f"The stored API key could not be read: {KeyringLockedError()}"
    )


def test_selected_user_row_survives_a_refresh(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    panel, _connection = started_with_acme(qtbot, panels, fake_server)
    bob = find_record(panel, "Bob Builder")
    panel.window.tree.setCurrentIndex(panel.model.index_of(bob))
    assert panel.window.tree.currentIndex().data(Role.NAME) == "Bob Builder"
    loaded_at = panel.window.loader.loaded_at
    panel.window.refresh_action.trigger()
    qtbot.waitUntil(lambda: panel.window.loader.loaded_at != loaded_at, timeout=5000)
    wait_loaded(qtbot, panel)
    assert "Bob Builder" in names(panel)
    assert panel.window.tree.currentIndex().data(Role.NAME) == "Bob Builder"


def test_offline_start_shows_the_cache_and_offers_retry(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    fake_server.stop()
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: panel.window.notice.isVisibleTo(panel.window), timeout=8000)
    text = panel.window.notice_label.text()
    assert text.startswith("Offline, showing data from ")
    assert "refused the connection" in text
    assert panel.window.notice_button.text() == "Retry"
    assert len(workspace_rows(panel)) == 2

    panel.model.set_filter("bob")
    bob = find_record(panel, "Bob Builder")
    panel.window.tree.setCurrentIndex(panel.model.index_of(bob))
    panel.window.copy_names()
    assert QGuiApplication.clipboard().text() == "Bob Builder"
    panel.window.copy_emails()
    assert QGuiApplication.clipboard().text() == "bob@acme.example"

    before = len(fake_server.requests)
    panel.window.notice_button.click()  # Retry: fails again, the cache stays
    qtbot.waitUntil(lambda: panel.window.notice.isVisibleTo(panel.window), timeout=8000)
    assert panel.runner.wait_idle(5)
    assert len(fake_server.requests) == before  # the server is gone: nothing reached it
    assert panel.window.notice_label.text().startswith("Offline, showing data from ")
    assert "Bob Builder" in names(panel)


@pytest.mark.parametrize(
    ("fault", "notice"),
    [
        ("malformed", "Could not refresh, showing data from "),
        ("key revoked", None),  # the window's "Update key" bar stays: no Retry over it
    ],
)
def test_a_refresh_failing_over_the_cache_says_why_by_the_error(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, fault: str, notice: str | None
) -> None:
    """The session tells the failures apart by the exception the window's signal carries."""
    connection = connected_and_cached(qtbot, panels, fake_server)
    if fault == "malformed":
        fake_server.malformed = "object"
    else:
        fake_server.api_keys.clear()
    panel = new_panel(qtbot, panels)
    with qtbot.waitSignal(panel.window.workspaces_failed, timeout=8000) as blocker:
        panel.session.start(connection, None)
    error = blocker.args[0]
    text = panel.window.notice_label.text()
    if notice is None:
        assert text == "Clockify rejected the API key. It may have been regenerated."
        assert panel.window.notice_button.text() == "Update key"
    else:
        assert text.startswith(notice)
        assert text.endswith(error.message)
        assert panel.window.notice_button.text() == "Retry"
    assert len(workspace_rows(panel)) == 2  # the cached rows stay


def test_corrupt_cache_is_discarded_with_a_warning(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    caplog: pytest.LogCaptureFixture,
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    cache_file(connection).write_bytes(b"\x00garbage, not a cache file" * 10)
    caplog.set_level(logging.WARNING)
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    wait_loaded(qtbot, panel)
    assert len(workspace_rows(panel)) == 2
    assert all(node.from_cache_age is None for node in workspace_rows(panel))
    assert panel.window.notice.isHidden()
    assert "Discarding the cache file" in caplog.text
    assert not cache_file(connection).exists()


def test_auto_refresh_off_shows_the_cache_and_waits_for_f5(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify
) -> None:
    connection = connected_and_cached(qtbot, panels, fake_server)
    panels[0].window.auto_refresh_action.setChecked(False)  # the menu's "Refresh at start"
    assert QSettings().value(SETTING_AUTO_REFRESH) in (False, "false")
    before = workspace_calls(fake_server)
    panel = new_panel(qtbot, panels)
    assert not panel.window.auto_refresh
    assert not panel.window.auto_refresh_action.isChecked()
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=5000)
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert panel.window.status_label.text().startswith("Showing saved data, updated")
    assert all(node.from_cache_age for node in workspace_rows(panel))
    assert workspace_calls(fake_server) == before
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    assert acme.group(Kind.USERS).state is LoadState.LOADED

    panel.window.refresh_action.trigger()  # F5
    wait_loaded(qtbot, panel)
    assert workspace_calls(fake_server) == before + 1
    assert all(node.from_cache_age is None for node in workspace_rows(panel))


def test_refused_port_without_cache_is_a_plain_failure(qtbot: Any, panels: list[Panel]) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    connection = Connection.for_base_url(f"http://127.0.0.1:{port}")
    store_key(connection)
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: panel.window.notice.isVisibleTo(panel.window), timeout=8000)
    assert panel.window.notice_label.text() == (
        f"No connection: 127.0.0.1:{port} refused the connection."
    )
    assert panel.window.notice_button.text() == "Retry"
    assert panel.model.rowCount() == 0


def test_a_connection_that_cannot_be_remembered_still_connects_and_says_so(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.store import connection_file

    def full_disk(_connection: Connection) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(connection_file, "save", full_disk)
    panel = new_panel(qtbot, panels)
    connection = Connection.for_base_url(fake_server.base_url)
    panel.session._on_dialog_saved(connection, ApiKey(TEST_KEY))  # the dialog's Save
    assert panel.window.connected
    wait_loaded(qtbot, panel)
    assert len(workspace_rows(panel)) == 2
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert panel.window.notice.isVisibleTo(panel.window)  # there, and still there once loaded
    assert "will not remember this connection: No space left on device" in (
        panel.window.notice_label.text()
    )
    panel.window.notice_button.click()
    assert not panel.window.notice.isVisibleTo(panel.window)


def test_cached_users_found_unusable_after_the_workspaces_showed_are_refreshed(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, monkeypatch: pytest.MonkeyPatch
) -> None:
    from desktop.store.cache import OpenedCache

    connection = connected_and_cached(qtbot, panels, fake_server)
    monkeypatch.setattr(OpenedCache, "complete", lambda _self: None)  # as if discarded
    gate = fake_server.hold()  # the rows from the cache are seen before the refresh answers
    panel = new_panel(qtbot, panels)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: len(workspace_rows(panel)) == 2, timeout=10000)
    assert all(node.from_cache_age for node in workspace_rows(panel))  # the cached workspaces
    gate.release()
    wait_loaded(qtbot, panel)  # the refresh ran all the same
    assert all(node.from_cache_age is None for node in workspace_rows(panel))
    load_acme(qtbot, panel)
    assert "Bob Builder" in names(panel)
