"""The docs101 cross-reference in the panel (issue 19, points 1, 2 and 4).

The settings dialog's docs101 section (key, Test, Save, Disconnect) against FakeDocs101
on 127.0.0.1; the key is stored in the encrypted file like the Clockify key, in its own
entry.
"""

from __future__ import annotations

import csv
import gc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shiboken6
from conftest import TEST_KEY
from fake_clockify import SAMPLE_WORKSPACE_ID, FakeClockify
from fake_docs101 import DOCS101_TEST_KEY, FakeDocs101
from PySide6.QtCore import QCoreApplication, QSettings, Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QApplication
from test_settings_dialog import (
    _KEEP,
    FAST_RETRY,
    PASSPHRASE,
    delete_qt_objects,
    runner,
)

from desktop.clockify import ApiKey, ClockifyClient, Connection
from desktop.docs101.client import Docs101Client
from desktop.store import DOCS101_KEY_ENTRY, EncryptedFileStore, paths
from desktop.ui.main_window import PanelWindow
from desktop.ui.session import PanelSession
from desktop.ui.settings_dialog import SettingsDialog
from desktop.ui.tree_model import LoadState, RecordNode, Role
from desktop.workers import JobRunner

__all__ = ["delete_qt_objects", "runner"]  # fixtures (test_settings_dialog's), used by name


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


# -- the panel: markers, the card, the toggle, the export ------------------------------------

GLOBEX_ID = "64b0c11e0000000000000001"
INITECH_ID = "64b0c11e0000000000000002"
MARKUP_ID = "64b0c11e0000000000000004"


def _customer(ident: int, name: str, email: str | None, vat_id: str | None) -> dict[str, Any]:
    return {
        "id": ident,
        "organization_name": name,
        "first_name": None,
        "last_name": None,
        "email": email,
        "vat_id": vat_id,
        "is_active": True,
    }


CUSTOMERS = [
    _customer(10, "GLOBEX Corporation.", "ap@globex.example", "DE123456789"),
    _customer(11, "Initechs", None, None),
    _customer(12, "Umbrella", "info@umbrella.example", None),
]


def fast_client(connection: Connection, key: ApiKey) -> ClockifyClient:
    return ClockifyClient(connection, key, timeout=(3.0, 5.0), retry=FAST_RETRY)


class Panel:
    """One window + session against a FakeClockify and a FakeDocs101."""

    def __init__(self, qtbot: Any, docs101: FakeDocs101 | None) -> None:
        self.window = PanelWindow()
        qtbot.addWidget(self.window)
        base_url = docs101.base_url if docs101 is not None else "http://127.0.0.1:9/api/v1"
        self.session = PanelSession(
            self.window,
            client_factory=fast_client,
            docs101_factory=lambda key: Docs101Client(base_url, key, timeout=(2.0, 3.0)),
        )
        self.session.ask_passphrase = lambda _creating: pytest.fail("unexpected passphrase box")
        self.runner = self.window.runner
        self.model = self.window.model

    def close(self) -> None:
        self.session._save_timer.stop()
        self.window.loader.cancel_all()
        assert self.runner.wait_idle(10)
        QCoreApplication.processEvents()
        if self.session.dialog is not None:
            self.session.dialog.close()
        self.window.close()
        self.runner.shutdown()


@pytest.fixture
def panel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    QSettings().clear()
    monkeypatch.setenv("CLOCKIFY_PANEL_CREDENTIALS", "file")
    monkeypatch.setenv("CLOCKIFY_PANEL_PASSPHRASE", PASSPHRASE)
    monkeypatch.delenv("DOCS101_API_KEY", raising=False)


@pytest.fixture
def panels(qtbot: Any, panel_env: None) -> Iterator[list[Panel]]:
    made: list[Panel] = []
    yield made
    for panel in made:
        panel.close()
    for panel in made:
        if shiboken6.isValid(panel.window):
            shiboken6.delete(panel.window)
    made.clear()
    gc.collect()


def started(
    qtbot: Any,
    panels: list[Panel],
    server: FakeClockify,
    docs101: FakeDocs101,
    *,
    docs101_key: str | None = DOCS101_TEST_KEY,
) -> Panel:
    """A panel on the stored keys, Acme's clients loaded."""
    connection = Connection.for_base_url(server.base_url)
    store = _file_store()
    store.set_api_key(connection, ApiKey(TEST_KEY))
    if docs101_key is not None:
        store.set_docs101_key(ApiKey(docs101_key))
    panel = Panel(qtbot, docs101)
    panels.append(panel)
    panel.session.start(connection, None)
    qtbot.waitUntil(lambda: panel.model.workspace(SAMPLE_WORKSPACE_ID) is not None, timeout=10000)
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    panel.model.set_expanded(acme, True)
    panel.model.set_expanded(acme.clients, True)
    panel.window.loader.load_workspace(SAMPLE_WORKSPACE_ID)
    qtbot.waitUntil(lambda: acme.clients.state is LoadState.LOADED, timeout=10000)
    return panel


def client_node(panel: Panel, client_id: str) -> RecordNode:
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    return next(n for n in acme.clients.children if n.record.id == client_id)


def wait_xref(qtbot: Any, panel: Panel) -> None:
    qtbot.waitUntil(lambda: client_node(panel, GLOBEX_ID).xref is not None, timeout=10000)
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()


def statuses(panel: Panel) -> dict[str, Any]:
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    return {
        node.record.id: panel.model.index_of(node).data(Role.XREF)
        for node in acme.clients.children
        if panel.model.row_of(node) >= 0
    }


@pytest.fixture
def customers_docs101() -> Iterator[FakeDocs101]:
    with FakeDocs101(customers=CUSTOMERS) as server:
        yield server


def test_client_rows_are_marked_match_similar_missing(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    assert statuses(panel) == {GLOBEX_ID: "match", INITECH_ID: "similar", MARKUP_ID: "missing"}
    tooltip = panel.model.index_of(client_node(panel, GLOBEX_ID)).data(Qt.ItemDataRole.ToolTipRole)
    assert "In docs101: GLOBEX Corporation. (10)" in tooltip
    tooltip = panel.model.index_of(client_node(panel, INITECH_ID)).data(Qt.ItemDataRole.ToolTipRole)
    assert "Similar in docs101: Initechs (11), score 98" in tooltip
    tooltip = panel.model.index_of(client_node(panel, MARKUP_ID)).data(Qt.ItemDataRole.ToolTipRole)
    assert "Not in docs101" in tooltip
    accessible = Qt.ItemDataRole.AccessibleTextRole
    assert (
        panel.model.index_of(client_node(panel, GLOBEX_ID)).data(accessible)
        == "Client, Globex Corporation, in docs101"
    )
    assert (
        panel.model.index_of(client_node(panel, INITECH_ID)).data(accessible)
        == "Client, Initech, similar in docs101"
    )
    # Users are never marked; docs101 was asked once.
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    assert all(panel.model.index_of(u).data(Role.XREF) is None for u in acme.users.children)
    assert [r.path for r in customers_docs101.requests] == ["/api/v1/customer/"]
    panel.window.tree.viewport().repaint()  # the delegate draws the markers without error


def test_the_card_shows_the_docs101_customer(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    panel.window.details_action.setChecked(True)
    panel.window.tree.setCurrentIndex(panel.model.index_of(client_node(panel, GLOBEX_ID)))
    fields = dict(panel.window.details.fields())
    assert fields["docs101"] == "In docs101"
    assert fields["docs101 customer ID"] == "10"
    assert fields["docs101 customer"] == "GLOBEX Corporation."
    assert fields["docs101 e-mail"] == "ap@globex.example"
    assert fields["docs101 VAT ID"] == "DE123456789"
    labels = [label for label, _ in panel.window.details.fields()]
    index = labels.index("docs101 VAT ID")
    with qtbot.waitSignal(panel.window.details.copied, timeout=2000) as signal:
        panel.window.details._rows[index].button.click()
    assert QGuiApplication.clipboard().text() == "DE123456789"
    assert signal.args == ["Copied docs101 VAT ID of Globex Corporation"]

    panel.window.tree.setCurrentIndex(panel.model.index_of(client_node(panel, INITECH_ID)))
    fields = dict(panel.window.details.fields())
    assert fields["docs101"] == "Similar, score 98"
    assert fields["docs101 customer"] == "Initechs"
    assert "docs101 e-mail" not in fields

    panel.window.tree.setCurrentIndex(panel.model.index_of(client_node(panel, MARKUP_ID)))
    assert dict(panel.window.details.fields())["docs101"] == "Not in docs101"


def test_only_clients_not_in_docs101(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    panel.window.only_missing_action.setChecked(True)
    assert statuses(panel) == {MARKUP_ID: "missing"}
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    assert panel.model.index_of(acme.clients).data() == "Clients (1 of 3)"
    assert QSettings().value("view/only_clients_not_in_docs101") in (True, "true")
    panel.window.only_missing_action.setChecked(False)
    assert len(statuses(panel)) == 3
    assert panel.model.index_of(acme.clients).data() == "Clients (3)"


def test_export_writes_the_xref_columns(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    assert panel.window.export_xref_action.isEnabled()
    target = tmp_path / "xref.csv"
    panel.window.ask_export_path = lambda: str(target)
    panel.window.export_xref_action.trigger()
    qtbot.waitUntil(lambda: "Exported" in panel.window.status_label.text(), timeout=5000)
    assert panel.window.status_label.text() == f"Exported 3 clients to {target}."
    with target.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    assert rows == [
        ["clockify_id", "clockify_name", "status", "docs101_id", "docs101_name", "score"],
        [MARKUP_ID, "<b>x</b><img src=x>", "missing", "", "", ""],  # the tree's order
        [GLOBEX_ID, "Globex Corporation", "match", "10", "GLOBEX Corporation.", "100.0"],
        [INITECH_ID, "Initech", "similar", "11", "Initechs", "98.0"],
    ]


def test_docs101_failing_leaves_the_tree_and_says_so(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    customers_docs101.status = 401
    panel = started(qtbot, panels, fake_server, customers_docs101)
    qtbot.waitUntil(lambda: panel.session.docs101.state == "failed", timeout=10000)
    assert "docs101 could not be loaded" in panel.window.status_label.text()
    assert "Invalid API key" in panel.window.status_label.text()
    assert DOCS101_TEST_KEY not in panel.window.status_label.text()
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    assert acme.clients.state is LoadState.LOADED
    assert set(statuses(panel)) == {GLOBEX_ID, INITECH_ID, MARKUP_ID}
    assert set(statuses(panel).values()) == {None}
    assert not panel.window.export_xref_action.isEnabled()


def test_without_a_docs101_key_docs101_is_never_asked(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101, docs101_key=None)
    qtbot.waitUntil(lambda: panel.session.docs101.state == "none", timeout=10000)
    assert panel.runner.wait_idle(5)
    assert customers_docs101.requests == []
    assert set(statuses(panel).values()) == {None}


def test_docs101_disconnect_clears_the_markers(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    panel.session.open_settings()
    dialog = panel.session.dialog
    assert dialog is not None
    assert dialog.docs101_disconnect_button.isEnabled()
    dialog.confirm = lambda _question: True
    with qtbot.waitSignal(dialog.docs101_disconnected, timeout=8000):
        dialog.docs101_disconnect_button.click()
    assert set(statuses(panel).values()) == {None}
    assert _file_store().get_docs101_key() is None
    assert panel.window.status_label.text() == "docs101 disconnected: its key was removed."


def test_the_dialog_knows_a_stored_docs101_key_before_docs101_is_asked(
    qtbot: Any, panels: list[Panel], fake_server: FakeClockify, customers_docs101: FakeDocs101
) -> None:
    connection = Connection.for_base_url(fake_server.base_url)
    store = _file_store()
    store.set_api_key(connection, ApiKey(TEST_KEY))
    store.set_docs101_key(ApiKey(DOCS101_TEST_KEY))
    panel = Panel(qtbot, customers_docs101)
    panels.append(panel)
    panel.session.docs101.model.clients_loaded.disconnect()  # no clients: docs101 not asked
    panel.session.open_settings()
    dialog = panel.session.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.docs101_disconnect_button.isEnabled, timeout=8000)
    assert dialog.docs101_key_edit.placeholderText() == "Stored; paste a new key to replace it"
    assert customers_docs101.requests == []


@pytest.mark.parametrize("scale", [1, 2])
def test_no_docs101_message_is_cut_off(
    qtbot: Any, runner: JobRunner, docs101: FakeDocs101, scale: int
) -> None:
    from test_settings_dialog import LONG_SERVER_MESSAGE, assert_nothing_cut

    original = QApplication.font()
    scaled = QFont(original)
    scaled.setPointSizeF(original.pointSizeF() * scale)
    QApplication.setFont(scaled)
    try:
        dialog = make_dialog(qtbot, runner, docs101)
        dialog.tabs.setCurrentIndex(1)
        assert_nothing_cut(qtbot, dialog)
        docs101.status = 402
        docs101.error_body = {"error": LONG_SERVER_MESSAGE}
        dialog.docs101_key_edit.setText(DOCS101_TEST_KEY)
        dialog.docs101_test_button.click()
        qtbot.waitUntil(lambda: not dialog.busy, timeout=8000)
        assert "The API key you sent does not exist" in dialog.docs101_result.text()
        assert_nothing_cut(qtbot, dialog)
    finally:
        QApplication.setFont(original)


def test_demo_mode_marks_the_clients(qtbot: Any, panels: list[Panel]) -> None:
    """The demo's docs101 (desktop.demo.docs101) through `use_docs101`, as run_panel does:
    the studio's clients are marked; the stored key is not read. (At THRESHOLD 97 no demo
    client is `similar`: its near names are equal once normalised, or not close enough.)"""
    from desktop.demo import DEMO_API_KEY, demo_server
    from desktop.demo.docs101 import demo_docs101

    clockify = demo_server()[0].start()
    docs101_server, docs101_key = demo_docs101()
    docs101_server.start()
    try:
        panel = Panel(qtbot, None)
        panels.append(panel)
        panel.session.docs101.read_key = lambda: pytest.fail("the stored key was read")
        panel.session.use_docs101(
            ApiKey(docs101_key), lambda key: Docs101Client(docs101_server.base_url, key)
        )
        panel.session.start(Connection.for_base_url(clockify.base_url), ApiKey(DEMO_API_KEY))
        qtbot.waitUntil(lambda: len(panel.model.workspaces()) >= 4, timeout=10000)
        studio = next(
            ws for ws in panel.model.workspaces() if ws.workspace.name == "Zoë's Design Studio"
        )
        panel.window.loader.load_workspace(studio.workspace.id)
        qtbot.waitUntil(
            lambda: any(node.xref is not None for node in studio.clients.children),
            timeout=10000,
        )
        found = {
            node.record.name: node.xref.entry.status
            for node in studio.clients.children
            if node.xref is not None
        }
        assert found["Café Müller"] == "match"
        assert found["Crème Brûlée Bistro"] == "match"  # "Creme Brulee Bistro GmbH"
        assert "missing" in found.values()
    finally:
        panel.close()
        panels.remove(panel)
        clockify.stop()
        docs101_server.stop()


# -- a CSV file of customers instead of the docs101 API (issue 19, point 2) ------------------

CSV_TEXT = "organization_name;email\nGLOBEX Corporation.;ap@globex.example\nInitechs;\nUmbrella;\n"


def choose_csv(monkeypatch: pytest.MonkeyPatch, panel: Panel, path: Path) -> None:
    """ "Customers from a CSV file…" with `path` chosen in the file dialog."""
    from PySide6.QtWidgets import QFileDialog

    asked: list[str] = []

    def get_open_file_name(*args: Any, **_kwargs: Any) -> tuple[str, str]:
        asked.append(args[3])
        return str(path), ""

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(get_open_file_name))
    panel.window.customers_csv_action.trigger()
    assert asked == ["CSV files (*.csv);;All files (*)"]


def test_choosing_a_csv_file_marks_the_clients_without_docs101(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101, docs101_key=None)
    qtbot.waitUntil(lambda: panel.session.docs101.state == "none", timeout=10000)
    assert "Customers from a CSV file" in panel.window.customers_csv_action.text()
    assert "docs101 key is saved" in panel.window.customers_csv_action.toolTip()
    customers = tmp_path / "customers.csv"
    customers.write_text(CSV_TEXT, encoding="utf-8")
    choose_csv(monkeypatch, panel, customers)
    wait_xref(qtbot, panel)
    assert statuses(panel) == {GLOBEX_ID: "match", INITECH_ID: "similar", MARKUP_ID: "missing"}
    assert panel.window.status_label.text() == f"3 customers from {customers}"
    assert QSettings().value("xref/customers_csv") == str(customers)
    panel.window.details_action.setChecked(True)
    panel.window.tree.setCurrentIndex(panel.model.index_of(client_node(panel, GLOBEX_ID)))
    fields = dict(panel.window.details.fields())
    assert fields["docs101 customer"] == "GLOBEX Corporation."
    assert fields["docs101 e-mail"] == "ap@globex.example"
    assert panel.window.export_xref_action.isEnabled()
    assert customers_docs101.requests == []


def test_a_bad_csv_file_is_said_and_changes_nothing(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    before = statuses(panel)
    assert before == {GLOBEX_ID: "match", INITECH_ID: "similar", MARKUP_ID: "missing"}
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    choose_csv(monkeypatch, panel, empty)
    qtbot.waitUntil(lambda: "empty" in panel.window.status_label.text(), timeout=5000)
    assert panel.runner.wait_idle(5)
    QCoreApplication.processEvents()
    assert panel.window.status_label.text() == f"{empty} is empty."
    assert statuses(panel) == before
    acme = panel.model.workspace(SAMPLE_WORKSPACE_ID)
    assert acme is not None
    assert acme.clients.state is LoadState.LOADED
    assert QSettings().value("xref/customers_csv") is None
    assert panel.session.docs101.csv_path is None


def test_the_csv_file_is_used_again_at_the_next_start(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
) -> None:
    """The remembered file wins over a stored docs101 key: docs101 is not asked."""
    customers = tmp_path / "customers.csv"
    customers.write_text(CSV_TEXT, encoding="utf-8")
    QSettings().setValue("xref/customers_csv", str(customers))
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    assert statuses(panel) == {GLOBEX_ID: "match", INITECH_ID: "similar", MARKUP_ID: "missing"}
    assert customers_docs101.requests == []


def test_a_remembered_csv_file_that_is_gone_is_one_status_line(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
) -> None:
    gone = tmp_path / "gone.csv"
    QSettings().setValue("xref/customers_csv", str(gone))
    panel = started(qtbot, panels, fake_server, customers_docs101)
    qtbot.waitUntil(lambda: panel.session.docs101.state == "failed", timeout=10000)
    assert panel.window.status_label.text() == f"{gone} does not exist."
    assert set(statuses(panel).values()) == {None}
    assert customers_docs101.requests == []


def test_saving_a_docs101_key_forgets_the_csv_file(
    qtbot: Any,
    panels: list[Panel],
    fake_server: FakeClockify,
    customers_docs101: FakeDocs101,
    tmp_path: Path,
) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text("name\nGlobex Corporation\n", encoding="utf-8")
    QSettings().setValue("xref/customers_csv", str(customers))
    panel = started(qtbot, panels, fake_server, customers_docs101)
    wait_xref(qtbot, panel)
    assert statuses(panel)[INITECH_ID] == "missing"  # the file has no Initech
    panel.session.docs101.reload()  # what saving a key in the settings dialog does
    qtbot.waitUntil(lambda: statuses(panel)[INITECH_ID] == "similar", timeout=10000)
    assert QSettings().value("xref/customers_csv") is None
    assert [r.path for r in customers_docs101.requests] == ["/api/v1/customer/"]
