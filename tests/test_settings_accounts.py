"""The settings dialog's named accounts (issue 20, point 1): list, add, rename, remove, save.

Two fake Clockify servers on 127.0.0.1 (each knows its own key), the registry of named
connections in this test's config folder, the keys in the encrypted file store (its
passphrase given by the test's store factory, so no box asks it). `ask_name` and `confirm`
are replaced, as test_settings_dialog replaces `confirm` and `ask_passphrase`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from fake_clockify import FakeClockify
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QInputDialog
from test_settings_dialog import (
    _KEEP,
    PASSPHRASE,
    delete_qt_objects,
    fast_client,
    isolated_settings,
    runner,
)

from desktop.clockify import ApiKey, Connection
from desktop.clockify.models import User, Workspace
from desktop.store import (
    FILE_NAME,
    EncryptedFileStore,
    Forgotten,
    cache_key_entry,
    file_store,
    paths,
)
from desktop.store.cache import EncryptedCache, Snapshot, WorkspaceSnapshot
from desktop.store.connections import (
    ConnectionNameError,
    ConnectionRegistry,
    NamedConnection,
    check_name,
)
from desktop.store.ledger import LEDGER_FILE, RequestLedger
from desktop.ui.settings_dialog import CUSTOM, SettingsDialog
from desktop.workers import JobRunner

__all__ = ["delete_qt_objects", "isolated_settings", "runner"]  # fixtures, used by name

SECOND_KEY = "second-account-key-0123456789abcdef01"
GERMAN_NAME = "Müller & Söhne GmbH"


@pytest.fixture(autouse=True)
def cheap_kdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """A cheap scrypt for new key files: these tests are about accounts, not the KDF."""
    monkeypatch.setattr(file_store, "SCRYPT_N", 2**10)


@pytest.fixture
def second_server() -> Iterator[FakeClockify]:
    """Another Clockify server, another account: it knows SECOND_KEY only."""
    with FakeClockify.with_sample_data(api_key=SECOND_KEY) as server:
        yield server


@pytest.fixture
def registry(isolated_home: Path) -> ConnectionRegistry:
    return ConnectionRegistry(paths.config_dir() / "connections.json")


def _store() -> EncryptedFileStore:
    return EncryptedFileStore(paths.data_dir() / FILE_NAME, lambda _creating: PASSPHRASE)


def _snapshot(name: str) -> Snapshot:
    return Snapshot(
        saved_at=1_700_000_000.0,
        workspaces=[
            WorkspaceSnapshot(
                workspace=Workspace(f"ws-{name}", name),
                users=[User(f"u-{name}", "Alice", "alice@example.com", "ACTIVE")],
                clients=[],
            )
        ],
    )


def _keep_everything(connection: Connection, key: str, workspace: str) -> None:
    """A key, a cache file, a cache key and request-ledger entries for `connection`."""
    store = _store()
    store.set_api_key(connection, ApiKey(key))
    EncryptedCache(store).save(connection, _snapshot(workspace))
    RequestLedger().note_workspaces(connection.id, [Workspace(f"ws-{workspace}", workspace)])


def _ledger_connections() -> dict[str, list[str]]:
    document = json.loads((paths.state_dir() / LEDGER_FILE).read_text())
    connections = document["connections"]
    assert isinstance(connections, dict)
    return connections


def _two_accounts(
    registry: ConnectionRegistry, first: FakeClockify, second: FakeClockify
) -> tuple[NamedConnection, NamedConnection]:
    """Acme on `first` (the slot of earlier versions) and Side work on `second` (a slot)."""
    acme = registry.add("Acme", Connection.for_base_url(first.base_url))
    side = registry.add("Side work", Connection.for_base_url(second.base_url))
    assert acme.connection.account is None
    assert side.connection.account is not None
    return acme, side


def accounts_dialog(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    *,
    connection: Connection | None = None,
    select: str | None = None,
    in_use: Connection | None = None,
) -> SettingsDialog:
    """A dialog on `registry`, shown, its list read; boxes replaced (they fail if asked)."""
    shown = connection or registry.load()[0].connection
    dialog = SettingsDialog(
        runner,
        shown,
        in_use=in_use,
        registry=registry,
        select=select,
        store_factory=lambda _provider: _store(),
        client_factory=fast_client,
    )
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.confirm = lambda _question: pytest.fail("unexpected confirmation box")
    dialog.ask_passphrase = lambda _creating, _reason: pytest.fail("unexpected passphrase box")
    dialog.ask_name = lambda _question, _current: pytest.fail("unexpected name box")
    dialog.show()
    qtbot.waitUntil(lambda: dialog.accounts_read, timeout=5000)
    return dialog


def _rows(dialog: SettingsDialog) -> list[str]:
    box = dialog.accounts_box
    return [box.itemText(index) for index in range(box.count())]


def _select(dialog: SettingsDialog, name: str) -> None:
    rows = [account.name for account in dialog.accounts]
    dialog.accounts_box.setCurrentIndex(rows.index(name))


def _idle(qtbot: Any, dialog: SettingsDialog, runner: JobRunner) -> None:
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    assert runner.wait_idle(5)
    QCoreApplication.processEvents()


# -- the list ---------------------------------------------------------------------------------


def test_the_list_shows_two_accounts_and_which_has_no_key(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    acme, side = _two_accounts(registry, fake_server, second_server)
    eu = registry.add("Acme (EU)", Connection.for_region("eu"))
    _store().set_api_key(acme.connection, ApiKey(TEST_KEY))
    _store().set_api_key(eu.connection, ApiKey(SECOND_KEY))
    dialog = accounts_dialog(qtbot, runner, registry, select=side.connection.id)
    assert _rows(dialog) == [
        f"Acme · {fake_server.base_url}",
        f"Side work · {second_server.base_url} · no key stored",
        f"Acme (EU) · EU (Germany) ({eu.connection.host})",
    ]
    assert [account.name for account in dialog.accounts] == ["Acme", "Side work", "Acme (EU)"]
    assert dialog.current_account() == dialog.accounts[1]  # `select` picked it
    assert dialog.region_combo.currentData() == CUSTOM
    assert dialog.url_edit.text() == second_server.base_url
    assert dialog.key_edit.placeholderText() == "Paste your Clockify API key"
    assert fake_server.requests == second_server.requests == []  # reading asks no server


def test_one_account_is_a_list_of_one_and_the_given_connection_picks_it(
    qtbot: Any, runner: JobRunner, registry: ConnectionRegistry, fake_server: FakeClockify
) -> None:
    acme = registry.add("Acme", Connection.for_base_url(fake_server.base_url))
    _store().set_api_key(acme.connection, ApiKey(TEST_KEY))
    dialog = accounts_dialog(qtbot, runner, registry, connection=acme.connection)
    assert _rows(dialog) == [f"Acme · {fake_server.base_url}"]
    assert dialog.key_edit.placeholderText() == "Stored; paste a new key to replace it"
    assert dialog.add_button.isEnabled()
    assert dialog.rename_button.isEnabled()
    assert dialog.remove_button.isEnabled()


def test_selecting_an_account_loads_its_address_into_the_form(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    _acme, side = _two_accounts(registry, fake_server, second_server)
    eu = registry.add("Acme (EU)", Connection.for_region("eu"))
    dialog = accounts_dialog(qtbot, runner, registry, select=eu.connection.id)
    assert dialog.region_combo.currentData() == "eu"
    assert not dialog.url_edit.isEnabled()

    dialog.key_edit.setText(TEST_KEY)
    _select(dialog, "Side work")
    assert dialog.region_combo.currentData() == CUSTOM
    assert dialog.url_edit.isEnabled()
    assert dialog.url_edit.text() == second_server.base_url
    assert dialog.connection() == Connection.for_base_url(second_server.base_url)
    assert dialog.key_edit.text() == ""  # a key typed for one account is not another's
    assert dialog.current_account() is not None
    assert dialog.current_account().connection == side.connection

    _select(dialog, "Acme (EU)")
    assert dialog.region_combo.currentData() == "eu"
    assert dialog.connection().same_address(eu.connection)


# -- add and save -----------------------------------------------------------------------------


@pytest.mark.parametrize("same_server", [False, True], ids=["other-server", "same-server"])
def test_adding_a_german_name_and_saving_stores_the_key_in_a_slot_of_its_own(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
    isolated_home: Path,
    caplog: pytest.LogCaptureFixture,
    same_server: bool,
) -> None:
    caplog.set_level(logging.DEBUG)
    acme = registry.add("Acme", Connection.for_base_url(fake_server.base_url))
    _store().set_api_key(acme.connection, ApiKey(TEST_KEY))
    dialog = accounts_dialog(qtbot, runner, registry)
    asked: list[tuple[str, str]] = []
    dialog.ask_name = lambda question, current: asked.append((question, current)) or GERMAN_NAME
    dialog.key_edit.setText(TEST_KEY)

    dialog.add_button.click()
    assert asked == [("The new account's name (the organisation it belongs to, say):", "")]
    assert [account.name for account in dialog.accounts] == ["Acme", GERMAN_NAME]
    assert dialog.current_account() == dialog.accounts[1]
    assert _rows(dialog)[1] == f"{GERMAN_NAME} · {fake_server.base_url} · not saved yet"
    assert dialog.key_edit.text() == ""  # the new account's key is typed afresh
    assert [n.name for n in registry.load()] == ["Acme"]  # written only when Save stores

    server = fake_server if same_server else second_server
    key = TEST_KEY if same_server else SECOND_KEY
    dialog.url_edit.setText(server.base_url)
    dialog.key_edit.setText(key)
    with qtbot.waitSignal(dialog.saved, timeout=8000) as saved:
        dialog.save_button.click()  # tests the key first, then stores it
    connection, stored_key = saved.args
    assert stored_key == ApiKey(key)
    assert connection.account is not None  # a storage slot of its own
    assert connection.same_address(Connection.for_base_url(server.base_url))
    assert connection != acme.connection
    assert registry.load() == [acme, NamedConnection(GERMAN_NAME, connection)]
    assert not dialog.isVisible()
    assert runner.wait_idle(5)
    assert _store().get_api_key(connection) == ApiKey(key)
    assert _store().get_api_key(acme.connection) == ApiKey(TEST_KEY)  # untouched
    # The registry names the account, never its key; the log neither.
    assert GERMAN_NAME in registry.path.read_text(encoding="utf-8")
    for path in isolated_home.rglob("*"):
        if path.is_file():
            assert key.encode() not in path.read_bytes(), path
    assert key not in caplog.text


@pytest.mark.parametrize(
    ("typed", "existing"),
    [("", "Acme"), ("   ", "Acme"), ("x" * 81, "Acme"), ("ACME", "acme"), ("a\tb", "Acme")],
    ids=["empty", "blank", "81-characters", "duplicate-ignoring-case", "control-character"],
)
def test_an_invalid_name_is_said_and_changes_nothing(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
    typed: str,
    existing: str,
) -> None:
    registry.add(existing, Connection.for_base_url(fake_server.base_url))
    registry.add("Side work", Connection.for_base_url(second_server.base_url))
    before = registry.path.read_bytes()
    with pytest.raises(ConnectionNameError) as raised:
        check_name(typed, registry.load())
    sentence = raised.value.message
    dialog = accounts_dialog(qtbot, runner, registry)
    rows = _rows(dialog)
    dialog.ask_name = lambda _question, _current: typed

    dialog.add_button.click()
    assert dialog.result_label.text() == sentence
    assert _rows(dialog) == rows
    assert not dialog.busy

    if typed.strip().casefold() != existing.casefold():  # renaming it to itself is no clash
        _select(dialog, "Side work")
        dialog.rename_button.click()
        assert dialog.result_label.text() == sentence
        assert _rows(dialog) == rows
    assert runner.wait_idle(5)
    assert registry.path.read_bytes() == before


def test_the_name_sentences_are_clear(registry: ConnectionRegistry) -> None:
    registry.add("acme", Connection.for_region("eu"))
    expected = {
        "": "A connection's name cannot be empty.",
        "x" * 81: "A connection's name can have at most 80 characters; this one has 81.",
        "ACME": 'There is a connection named "acme" already (names are compared ignoring '
        "case): choose another name.",
    }
    for typed, sentence in expected.items():
        with pytest.raises(ConnectionNameError) as raised:
            check_name(typed, registry.load())
        assert raised.value.message == sentence


def test_cancelling_the_name_box_adds_nothing(
    qtbot: Any, runner: JobRunner, registry: ConnectionRegistry, fake_server: FakeClockify
) -> None:
    registry.add("Acme", Connection.for_base_url(fake_server.base_url))
    dialog = accounts_dialog(qtbot, runner, registry)
    dialog.ask_name = lambda _question, _current: None
    dialog.add_button.click()
    dialog.rename_button.click()
    assert [account.name for account in dialog.accounts] == ["Acme"]
    assert dialog.result_label.text() == ""


def test_saving_a_stored_account_at_another_address_keeps_its_name_and_slot(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    acme, side = _two_accounts(registry, fake_server, second_server)
    _keep_everything(acme.connection, TEST_KEY, "acme")
    _keep_everything(side.connection, SECOND_KEY, "side")
    dialog = accounts_dialog(qtbot, runner, registry, select=side.connection.id)
    dialog.url_edit.setText(fake_server.base_url)  # Side work moved to the first server
    dialog.key_edit.setText(TEST_KEY)
    with qtbot.waitSignal(dialog.saved, timeout=8000) as saved:
        dialog.save_button.click()
    moved = saved.args[0]
    assert moved == Connection.for_base_url(fake_server.base_url).with_account(
        side.connection.account
    )
    assert registry.load() == [acme, NamedConnection("Side work", moved)]
    assert runner.wait_idle(5)
    store = _store()
    assert store.get_api_key(moved) == ApiKey(TEST_KEY)
    assert store.get_api_key(side.connection) is None  # the old address's key went
    assert store.get(cache_key_entry(side.connection)) is None
    assert not EncryptedCache(store).path_for(side.connection).exists()
    assert store.get_api_key(acme.connection) == ApiKey(TEST_KEY)  # Acme untouched
    assert EncryptedCache(store).open(acme.connection) is not None


# -- rename -----------------------------------------------------------------------------------


def test_rename_writes_the_registry_and_says_so(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    acme, side = _two_accounts(registry, fake_server, second_server)
    dialog = accounts_dialog(qtbot, runner, registry, select=side.connection.id)
    asked: list[tuple[str, str]] = []
    dialog.ask_name = lambda question, current: asked.append((question, current)) or GERMAN_NAME
    with qtbot.waitSignal(dialog.renamed, timeout=8000) as renamed:
        dialog.rename_button.click()
    assert asked == [("The new name of Side work:", "Side work")]
    assert renamed.args == [side.connection, GERMAN_NAME]
    _idle(qtbot, dialog, runner)
    assert registry.load() == [acme, NamedConnection(GERMAN_NAME, side.connection)]
    assert _rows(dialog)[1].startswith(f"{GERMAN_NAME} · ")
    assert dialog.result_label.text() == f"The account is now named {GERMAN_NAME}."
    assert dialog.isVisible()

    # Another case of its own name is a rename too.
    dialog.ask_name = lambda _question, _current: GERMAN_NAME.upper()
    with qtbot.waitSignal(dialog.renamed, timeout=8000):
        dialog.rename_button.click()
    _idle(qtbot, dialog, runner)
    assert [n.name for n in registry.load()] == ["Acme", GERMAN_NAME.upper()]


# -- remove -----------------------------------------------------------------------------------


def test_remove_deletes_everything_of_that_account_only(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    acme, side = _two_accounts(registry, fake_server, second_server)
    _keep_everything(acme.connection, TEST_KEY, "acme")
    _keep_everything(side.connection, SECOND_KEY, "side")
    store = _store()
    cache = EncryptedCache(store)
    assert cache.path_for(side.connection).is_file()
    assert store.get(cache_key_entry(side.connection)) is not None
    assert set(_ledger_connections()) == {acme.connection.id, side.connection.id}

    dialog = accounts_dialog(
        qtbot, runner, registry, select=side.connection.id, in_use=acme.connection
    )
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or True
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.remove_button.click()
    assert questions == [
        "Remove the account Side work? Its stored API key, cached data and request counts "
        "are removed from this computer."
    ]
    assert signal.args == [side.connection, Forgotten(api_key=True, cached_data=True)]
    _idle(qtbot, dialog, runner)
    # Not the panel's account: the dialog stays open, on the one left.
    assert dialog.isVisible()
    assert [account.name for account in dialog.accounts] == ["Acme"]
    assert dialog.url_edit.text() == fake_server.base_url
    assert dialog.result_label.text() == (
        "Side work was removed: its API key, cached data and request counts are gone from "
        "this computer."
    )
    assert registry.load() == [acme]
    store = _store()
    assert store.get_api_key(side.connection) is None
    assert store.get(cache_key_entry(side.connection)) is None
    assert not cache.path_for(side.connection).exists()
    assert set(_ledger_connections()) == {acme.connection.id}
    # The other account is untouched.
    assert store.get_api_key(acme.connection) == ApiKey(TEST_KEY)
    assert EncryptedCache(store).open(acme.connection) is not None
    assert fake_server.requests == second_server.requests == []

    # Removing the panel's own account disconnects it, and the dialog closes as before.
    with qtbot.waitSignal(dialog.disconnected, timeout=8000) as signal:
        dialog.remove_button.click()
    assert signal.args[0] == acme.connection
    assert not dialog.isVisible()
    assert runner.wait_idle(5)
    assert registry.load() == []
    assert _store().get_api_key(acme.connection) is None


def test_a_declined_removal_removes_nothing(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    acme, side = _two_accounts(registry, fake_server, second_server)
    _store().set_api_key(side.connection, ApiKey(SECOND_KEY))
    dialog = accounts_dialog(qtbot, runner, registry, select=side.connection.id)
    dialog.confirm = lambda _question: False
    gone: list[object] = []
    dialog.disconnected.connect(gone.append)
    dialog.remove_button.click()
    assert not dialog.busy
    assert runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert gone == []
    assert registry.load() == [acme, side]
    assert _store().get_api_key(side.connection) == ApiKey(SECOND_KEY)


def test_removing_an_account_not_saved_yet_only_takes_it_off_the_list(
    qtbot: Any, runner: JobRunner, registry: ConnectionRegistry, fake_server: FakeClockify
) -> None:
    acme = registry.add("Acme", Connection.for_base_url(fake_server.base_url))
    _store().set_api_key(acme.connection, ApiKey(TEST_KEY))
    dialog = accounts_dialog(qtbot, runner, registry)
    dialog.ask_name = lambda _question, _current: "Later"
    dialog.add_button.click()
    assert [account.name for account in dialog.accounts] == ["Acme", "Later"]
    dialog.remove_button.click()  # nothing of it is stored: no question, no worker
    assert not dialog.busy
    assert [account.name for account in dialog.accounts] == ["Acme"]
    assert dialog.result_label.text() == "Later was not saved; it is no longer in the list."
    assert registry.load() == [acme]
    assert _store().get_api_key(acme.connection) == ApiKey(TEST_KEY)


def test_an_address_no_account_has_is_shown_as_an_account_to_save(
    qtbot: Any,
    runner: JobRunner,
    registry: ConnectionRegistry,
    fake_server: FakeClockify,
    second_server: FakeClockify,
) -> None:
    """A dialog opened on a connection the registry lacks (an earlier caller, say) shows it
    as an account not stored yet; renaming it writes nothing; Save adds it by that name."""
    acme = registry.add("Acme", Connection.for_base_url(fake_server.base_url))
    given = Connection.for_base_url(second_server.base_url)
    dialog = accounts_dialog(qtbot, runner, registry, connection=given)
    host = given.host
    assert _rows(dialog) == [
        f"Acme · {fake_server.base_url} · no key stored",
        f"{host} · {given.base_url} · no key stored",
    ]
    assert dialog.current_account() == dialog.accounts[1]
    renamed: list[object] = []
    dialog.renamed.connect(lambda *args: renamed.append(args))
    dialog.ask_name = lambda _question, _current: "Zweitfirma"
    dialog.rename_button.click()
    assert not dialog.busy
    assert _rows(dialog)[1] == f"Zweitfirma · {given.base_url} · no key stored"
    assert renamed == []  # not in the registry: nothing for the panel to know yet
    assert registry.load() == [acme]

    dialog.key_edit.setText(SECOND_KEY)
    with qtbot.waitSignal(dialog.saved, timeout=8000) as saved:
        dialog.save_button.click()
    connection = saved.args[0]
    assert connection.same_address(given)
    assert connection.account is not None
    assert registry.load() == [acme, NamedConnection("Zweitfirma", connection)]
    assert runner.wait_idle(5)
    assert _store().get_api_key(connection) == ApiKey(SECOND_KEY)


@pytest.mark.parametrize("accept", [True, False], ids=["ok", "cancel"])
def test_the_name_box_returns_what_was_typed_or_none(
    qtbot: Any, runner: JobRunner, registry: ConnectionRegistry, accept: bool
) -> None:
    registry.add("Acme", Connection.for_region("eu"))
    dialog = accounts_dialog(qtbot, runner, registry)
    seen: list[tuple[str, str]] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QInputDialog):
            QTimer.singleShot(10, answer)  # not shown yet
            return
        seen.append((box.labelText(), box.textValue()))
        box.setTextValue(GERMAN_NAME)
        if accept:
            box.accept()
        else:
            box.reject()

    QTimer.singleShot(0, answer)
    result = dialog._name_with_box("The new name of Acme:", "Acme")
    assert seen == [("The new name of Acme:", "Acme")]
    assert result == (GERMAN_NAME if accept else None)
