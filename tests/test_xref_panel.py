"""The docs101 cross-reference in the panel (issue 19, points 1 and 4).

The settings dialog's docs101 section (key, Test, Save, Disconnect) against FakeDocs101
on 127.0.0.1; the key is stored in the encrypted file like the Clockify key, in its own
entry.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_docs101 import DOCS101_TEST_KEY, FakeDocs101
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from desktop.clockify import ApiKey, Connection
from desktop.docs101.client import Docs101Client
from desktop.store import DOCS101_KEY_ENTRY, EncryptedFileStore, paths
from desktop.ui.settings_dialog import SettingsDialog
from desktop.workers import JobRunner

PASSPHRASE = "correct horse battery staple"
_KEEP: list[Any] = []


@pytest.fixture(autouse=True)
def delete_qt_objects(qapp: QApplication) -> Iterator[None]:
    """Delete this test's widgets and runner on the GUI thread (see test_settings_dialog)."""
    yield
    for obj in reversed(_KEEP):
        if shiboken6.isValid(obj):
            shiboken6.delete(obj)
    _KEEP.clear()
    gc.collect()


@pytest.fixture
def runner(qapp: QApplication) -> Iterator[JobRunner]:
    job_runner = JobRunner(max_workers=4)
    _KEEP.append(job_runner)
    yield job_runner
    assert job_runner.wait_idle(10)
    QCoreApplication.processEvents()
    job_runner.shutdown()


@pytest.fixture
def docs101() -> Iterator[FakeDocs101]:
    with FakeDocs101() as server:
        yield server


@pytest.fixture
def key_file(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    return paths.data_dir() / "credentials.enc"


def _file_store() -> EncryptedFileStore:
    return EncryptedFileStore(paths.data_dir() / "credentials.enc", lambda _creating: PASSPHRASE)


def make_dialog(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, *, stored: bool = False
) -> SettingsDialog:
    connection = Connection.for_base_url("http://127.0.0.1:9/api/v1")
    dialog = SettingsDialog(
        runner,
        connection,
        in_use=connection,
        docs101_factory=lambda key: Docs101Client(docs101.base_url, key, timeout=(2.0, 2.0)),
        docs101_stored=stored,
    )
    qtbot.addWidget(dialog)
    _KEEP.append(dialog)
    dialog.confirm = lambda _question: pytest.fail("unexpected confirmation box")
    dialog.ask_passphrase = lambda _creating, _reason: PASSPHRASE
    dialog.show()
    return dialog


# -- the settings dialog's docs101 section ---------------------------------------------------


def test_docs101_test_counts_the_customers(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101
) -> None:
    dialog = make_dialog(qtbot, runner, docs101)
    assert dialog.docs101_key_edit.echoMode() == dialog.docs101_key_edit.EchoMode.Password
    dialog.docs101_key_edit.setText(DOCS101_TEST_KEY)
    dialog.docs101_test_button.click()
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    count = len(docs101.customers)
    assert dialog.docs101_result.text() == f"Connected: {count} customers."
    assert [r.path for r in docs101.requests] == ["/api/v1/customer/"]
    assert dialog.docs101_test_button.text() == "&Test connection"


def test_docs101_test_says_why_it_failed(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101
) -> None:
    dialog = make_dialog(qtbot, runner, docs101)
    dialog.docs101_key_edit.setText("ak_live_wrongwrongwrongwrongwrong")
    dialog.docs101_test_button.click()
    qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
    text = dialog.docs101_result.text()
    assert "Invalid API key" in text or "refused" in text
    assert "wrongwrong" not in text


def test_docs101_test_without_a_key_asks_for_one(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101
) -> None:
    dialog = make_dialog(qtbot, runner, docs101)
    dialog.docs101_test_button.click()
    assert not dialog.busy
    assert dialog.docs101_result.text() == "Enter your docs101 API key first."
    assert docs101.requests == []


def test_docs101_save_stores_its_own_entry(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, key_file: Path
) -> None:
    connection = Connection.for_base_url("http://127.0.0.1:9/api/v1")
    _file_store().set_api_key(connection, ApiKey(TEST_KEY))
    dialog = make_dialog(qtbot, runner, docs101)
    assert not dialog.docs101_disconnect_button.isEnabled()
    dialog.docs101_key_edit.setText(DOCS101_TEST_KEY)
    with qtbot.waitSignal(dialog.docs101_saved, timeout=8000) as signal:
        dialog.docs101_save_button.click()
    assert signal.args[0].reveal() == DOCS101_TEST_KEY
    assert dialog.isVisible()  # the Clockify part may still be edited
    assert dialog.docs101_key_edit.text() == ""
    assert dialog.docs101_result.text() == "The docs101 key is stored."
    assert dialog.docs101_disconnect_button.isEnabled()
    store = _file_store()
    assert store.get(DOCS101_KEY_ENTRY) == DOCS101_TEST_KEY
    assert store.get_docs101_key() == ApiKey(DOCS101_TEST_KEY)
    assert store.get_api_key(connection) == ApiKey(TEST_KEY)  # the Clockify key stays
    assert DOCS101_TEST_KEY.encode() not in key_file.read_bytes()  # encrypted


def test_docs101_disconnect_removes_only_the_docs101_key(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, key_file: Path
) -> None:
    connection = Connection.for_base_url("http://127.0.0.1:9/api/v1")
    store = _file_store()
    store.set_api_key(connection, ApiKey(TEST_KEY))
    store.set_docs101_key(ApiKey(DOCS101_TEST_KEY))
    dialog = make_dialog(qtbot, runner, docs101, stored=True)
    questions: list[str] = []
    dialog.confirm = lambda question: questions.append(question) or True
    with qtbot.waitSignal(dialog.docs101_disconnected, timeout=8000) as signal:
        dialog.docs101_disconnect_button.click()
    assert signal.args == [True]
    assert questions == [
        "Remove the stored docs101 API key from this computer? The Clockify connection "
        "stays as it is."
    ]
    assert dialog.docs101_result.text() == "The docs101 key was removed from this computer."
    assert not dialog.docs101_disconnect_button.isEnabled()
    store = _file_store()
    assert store.get_docs101_key() is None
    assert store.get_api_key(connection) == ApiKey(TEST_KEY)
    assert docs101.requests == []


def test_clockify_disconnect_leaves_the_docs101_key(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, key_file: Path
) -> None:
    connection = Connection.for_base_url("http://127.0.0.1:9/api/v1")
    store = _file_store()
    store.set_api_key(connection, ApiKey(TEST_KEY))
    store.set_docs101_key(ApiKey(DOCS101_TEST_KEY))
    dialog = make_dialog(qtbot, runner, docs101, stored=True)
    dialog.confirm = lambda _question: True
    with qtbot.waitSignal(dialog.disconnected, timeout=8000):
        dialog.disconnect_button.click()
    assert runner.wait_idle(5)
    store = _file_store()
    assert store.get_api_key(connection) is None
    assert store.get_docs101_key() == ApiKey(DOCS101_TEST_KEY)


def test_docs101_save_without_a_passphrase_changes_nothing(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, key_file: Path
) -> None:
    dialog = make_dialog(qtbot, runner, docs101)
    dialog.ask_passphrase = lambda _creating, _reason: None
    dialog.docs101_key_edit.setText(DOCS101_TEST_KEY)
    dialog.docs101_save_button.click()
    qtbot.waitUntil(lambda: "Nothing was changed" in dialog.docs101_result.text(), timeout=8000)
    assert not key_file.exists()
