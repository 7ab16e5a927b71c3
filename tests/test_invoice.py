"""The invoice moment in the window (issue 16): the details card, Ctrl+E and Ctrl+B, Copy as
and the user's templates, Show IDs, `*`, and rows dragged out to a drop target."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fake_clockify import (
    SAMPLE_BILLED_ADDRESS,
    SAMPLE_BILLED_CLIENT_ID,
    SAMPLE_WORKSPACE_ID,
    FakeClockify,
    FakeWorkspace,
)
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAccessible, QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu, QToolButton, QWidget
from test_panel import (
    WindowFactory,
    clipboard,
    connected_window,
    expand_workspace,
    index_named,
    make_window,
    select,
    settings_dir,
    workspace,
)

from desktop.ui import formats
from desktop.ui.main_window import SETTING_DETAILS, SETTING_IDS, PanelWindow
from desktop.ui.tree_model import MIME_JSON, MIME_TEXT, LoadState

__all__ = ["make_window", "settings_dir"]  # fixtures, used by name

BILLING_WS = "b111000000000000000000ws"
MULTI_LINE = "Müller & Söhne GmbH"
MULTI_LINE_ADDRESS = "z. Hd. Frau Weber\nHauptstraße 5\n80331 München"
ONE_LINE = "Bäckerei Schmidt OHG"
ONE_LINE_ADDRESS = "Am Markt 1, 04109 Leipzig"
MAIL_ONLY = "Nur Mail KG"
BARE = "Ohne Alles e.K."
NO_MAIL = "Ohne Mail AG"
USER = "Erika Mustermann"
BEFORE = "what the clipboard held"


def _client(number: int, name: str, address: str | None, email: str | None) -> dict[str, Any]:
    return {
        "id": f"b111c{number:019d}",
        "name": name,
        "workspaceId": BILLING_WS,
        "archived": False,
        "address": address,
        "email": email,
        "ccEmails": ["buchhaltung@example.de"] if email else None,
        "currencyCode": "EUR",
        "currencyId": "64b0cc0000000000000000e2",
        "note": "Leitweg-ID 991-12345-06" if address else None,
    }


@pytest.fixture
def billing_server(fake_server: FakeClockify) -> FakeClockify:
    """The sample data and a workspace of clients with every shape of bill-to block."""
    fake_server.add_workspace(
        FakeWorkspace(
            id=BILLING_WS,
            name="Rechnungen",
            users=[
                {
                    "id": "b111u0000000000000000001",
                    "name": USER,
                    "email": None,
                    "status": "ACTIVE",
                    "_membership": "ACTIVE",
                }
            ],
            clients=[
                _client(1, MULTI_LINE, MULTI_LINE_ADDRESS, "rechnung@mueller.example"),
                _client(2, ONE_LINE, ONE_LINE_ADDRESS, "info@schmidt.example"),
                _client(3, MAIL_ONLY, None, "post@nurmail.example"),
                _client(4, NO_MAIL, "Weg 2\n12345 Dorf", None),
                _client(5, BARE, None, None),
            ],
            plan="FREE",
            currency="EUR",
            hourly_rate=8550,
        )
    )
    return fake_server


def billing_window(qtbot: Any, make_window: WindowFactory, server: FakeClockify) -> PanelWindow:
    window = connected_window(qtbot, make_window, server)
    expand_workspace(qtbot, window, BILLING_WS)
    return window


def press(window: PanelWindow, key: Qt.Key, shift: bool = False) -> None:
    modifiers = Qt.KeyboardModifier.ControlModifier
    if shift:
        modifiers |= Qt.KeyboardModifier.ShiftModifier
    QTest.keyClick(window.tree, key, modifiers)


# -- Ctrl+B: the bill-to block ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "block"),
    [
        (MULTI_LINE, f"{MULTI_LINE}\n{MULTI_LINE_ADDRESS}\nrechnung@mueller.example"),
        (ONE_LINE, f"{ONE_LINE}\n{ONE_LINE_ADDRESS}\ninfo@schmidt.example"),
        (MAIL_ONLY, f"{MAIL_ONLY}\npost@nurmail.example"),
        (NO_MAIL, f"{NO_MAIL}\nWeg 2\n12345 Dorf"),
        (BARE, BARE),
    ],
    ids=["multi-line-address", "one-line-address", "no-address", "no-e-mail", "name-only"],
)
def test_ctrl_b_copies_the_bill_to_block(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify, name: str, block: str
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    select(window, name)
    press(window, Qt.Key.Key_B)
    assert clipboard() == block
    assert window.status_label.text() == f"Copied bill-to block of {name}"


def test_ctrl_b_on_three_clients_separates_the_blocks_by_one_empty_line(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    select(window, USER, MULTI_LINE, ONE_LINE, MAIL_ONLY)  # the user row is left out
    press(window, Qt.Key.Key_B)
    assert clipboard() == (  # in the tree's order: the server sorts clients by name
        f"{ONE_LINE}\n{ONE_LINE_ADDRESS}\ninfo@schmidt.example\n\n"
        f"{MULTI_LINE}\n{MULTI_LINE_ADDRESS}\nrechnung@mueller.example\n\n"
        f"{MAIL_ONLY}\npost@nurmail.example"
    )
    assert window.status_label.text() == "Copied bill-to blocks of 3 rows"


@pytest.mark.parametrize("name", [USER, "Rechnungen"])
def test_ctrl_b_without_a_client_says_so_and_leaves_the_clipboard(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify, name: str
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    QGuiApplication.clipboard().setText(BEFORE)
    select(window, name)
    press(window, Qt.Key.Key_B)
    assert clipboard() == BEFORE
    assert window.status_label.text() == f"{name} has no bill-to block (only clients have one)"


# -- Ctrl+E: the e-mail ----------------------------------------------------------------------


def test_ctrl_e_copies_a_clients_e_mail(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    select(window, ONE_LINE)
    press(window, Qt.Key.Key_E)
    assert clipboard() == "info@schmidt.example"
    assert window.status_label.text() == f"Copied e-mail of {ONE_LINE}"


@pytest.mark.parametrize("names", [(NO_MAIL,), (USER, BARE)])
def test_ctrl_e_without_an_e_mail_says_so_and_leaves_the_clipboard(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify, names: tuple[str, ...]
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    QGuiApplication.clipboard().setText(BEFORE)
    select(window, *names)
    press(window, Qt.Key.Key_E)
    assert clipboard() == BEFORE
    who = names[0] if len(names) == 1 else f"The {len(names)} rows"
    verb = "has" if len(names) == 1 else "have"
    assert window.status_label.text() == f"{who} {verb} no e-mail: nothing copied"


# -- the details card ------------------------------------------------------------------------


def test_ctrl_i_shows_the_card_of_the_current_row_and_is_remembered(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    assert window.details.isHidden()
    select(window, MULTI_LINE)
    press(window, Qt.Key.Key_I)
    assert window.details.isVisible()
    assert window.details.fields() == [
        ("Name", MULTI_LINE),
        ("ID", "b111c0000000000000000001"),
        ("Address", MULTI_LINE_ADDRESS),
        ("E-mail", "rechnung@mueller.example"),
        ("CC e-mails", "buchhaltung@example.de"),
        ("Currency", "EUR"),
        ("Note", "Leitweg-ID 991-12345-06"),
    ]
    select(window, BARE)  # the card follows the current row
    assert window.details.fields() == [
        ("Name", BARE),
        ("ID", "b111c0000000000000000005"),
        ("Currency", "EUR"),
    ]
    window.tree.setCurrentIndex(window.model.index_of(workspace(window, BILLING_WS)))
    assert window.details.fields() == [
        ("Name", "Rechnungen"),
        ("ID", BILLING_WS),
        ("Plan", "FREE"),
        ("Currency", "EUR"),
        ("Hourly rate", "85.50 EUR"),
    ]
    assert QSettings().value(SETTING_DETAILS) in (True, "true")
    second = make_window()
    assert not second.details.isHidden()
    assert second.details_action.isChecked()
    press(window, Qt.Key.Key_I)
    assert window.details.isHidden()
    assert QSettings().value(SETTING_DETAILS) in (False, "false")


def test_a_copy_button_of_the_card_copies_and_the_status_bar_says_so(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    window.details_action.trigger()
    select(window, MULTI_LINE)
    buttons = [
        b for b in window.details.findChildren(QToolButton) if b.accessibleName() == "Copy Address"
    ]
    assert len(buttons) == 1
    qtbot.mouseClick(buttons[0], Qt.MouseButton.LeftButton)
    assert clipboard() == MULTI_LINE_ADDRESS
    assert window.status_label.text() == f"Copied address of {MULTI_LINE}"


def test_the_card_shows_the_rows_a_refresh_brought(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    window.details_action.trigger()
    select(window, ONE_LINE)
    billing = next(ws for ws in billing_server.workspaces if ws.id == BILLING_WS)
    billing.clients[1]["address"] = "Neue Straße 9\n04109 Leipzig"
    window.refresh()
    qtbot.waitUntil(
        lambda: ("Address", "Neue Straße 9\n04109 Leipzig") in window.details.fields(),
        timeout=5000,
    )


def test_the_card_and_its_fields_have_accessible_names(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    window.details_action.trigger()
    select(window, MULTI_LINE)

    def name_of(widget: QWidget) -> str:
        interface = QAccessible.queryAccessibleInterface(widget)
        assert interface is not None
        return interface.text(QAccessible.Text.Name)

    assert name_of(window.details) == "Details"
    named = {name_of(w) for w in window.details.findChildren(QWidget) if w.isVisible()}
    assert {"Address", "Copy Address", "E-mail", "Copy E-mail", "Note"} <= named
    assert name_of(window.filter_edit) == "Filter"
    index = index_named(window, MULTI_LINE)
    assert index.data(Qt.ItemDataRole.AccessibleTextRole) == f"Client, {MULTI_LINE}"


# -- Show IDs ---------------------------------------------------------------------------------


def test_show_ids_adds_the_id_column_and_is_remembered(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    assert window.model.columnCount() == 1
    window.show_ids_action.trigger()
    assert window.model.columnCount() == 2
    index = index_named(window, MULTI_LINE)
    assert index.siblingAtColumn(1).data() == "b111c0000000000000000001"
    assert QSettings().value(SETTING_IDS) in (True, "true")
    assert make_window().model.columnCount() == 2
    select(window, MULTI_LINE)  # copying still reads the row, whatever the column
    press(window, Qt.Key.Key_C)
    assert clipboard() == MULTI_LINE
    window.show_ids_action.trigger()
    assert window.model.columnCount() == 1


@pytest.mark.qt_log_ignore("This plugin does not support")  # offscreen: no raise(), no grabs
def test_the_context_menu_offers_the_new_actions(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    shown: list[list[str]] = []

    def read_and_close() -> None:
        popup = QApplication.activePopupWidget()
        assert isinstance(popup, QMenu)
        shown.append([action.text() for action in popup.actions()])
        popup.close()

    for name in (MULTI_LINE, USER):
        rect = window.tree.visualRect(index_named(window, name))
        QTimer.singleShot(0, read_and_close)  # runs inside the menu's own event loop
        window.tree.customContextMenuRequested.emit(rect.center())
    client_menu, user_menu = shown
    assert {"Copy e-mail", "Copy bill-to block", "Copy as", "Show IDs", "Show details"} <= set(
        client_menu
    )
    assert "Copy bill-to block" not in user_menu
    assert {"Copy e-mail", "Copy as", "Show IDs"} <= set(user_menu)


# -- Copy as and templates -------------------------------------------------------------------


def copy_as_actions(window: PanelWindow) -> dict[str, Any]:
    window.copy_as_menu.aboutToShow.emit()  # the menu is filled as it opens
    return {a.text(): a for a in window.copy_as_menu.actions() if a.text()}


def test_copy_as_offers_every_built_in_format(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    select(window, MULTI_LINE, MAIL_ONLY)
    actions = copy_as_actions(window)
    first, second = "b111c0000000000000000001", "b111c0000000000000000003"
    expected = {
        "Name<TAB>ID": f"{MULTI_LINE}\t{first}\n{MAIL_ONLY}\t{second}",
        "Name (ID)": f"{MULTI_LINE} ({first})\n{MAIL_ONLY} ({second})",
        "Name <e-mail>": f"{MULTI_LINE} <rechnung@mueller.example>\n"
        f"{MAIL_ONLY} <post@nurmail.example>",
        "Bill-to block": f"{MULTI_LINE}\n{MULTI_LINE_ADDRESS}\nrechnung@mueller.example\n\n"
        f"{MAIL_ONLY}\npost@nurmail.example",
    }
    for label, text in expected.items():
        actions[label].trigger()
        assert clipboard() == text, label
        assert window.status_label.text() == f"Copied 2 rows as {label}"
    actions["JSON"].trigger()
    records = json.loads(clipboard())
    assert [r["id"] for r in records] == [first, second]
    assert records[0]["address"] == MULTI_LINE_ADDRESS
    assert records[0]["workspaceId"] == BILLING_WS
    assert "Edit templates\u2026" in actions


def test_a_saved_template_copies_its_text_and_a_bad_one_is_not_offered(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    QSettings().setValue(
        formats.SETTINGS_KEY,
        json.dumps(
            [
                {"name": "Rechnung", "template": "{name} | {address} | {workspace}"},
                {"name": "Kaputt", "template": "{name.__class__}"},
                {"name": "Offen", "template": "{name"},
            ]
        ),
    )
    window = billing_window(qtbot, make_window, billing_server)
    select(window, ONE_LINE)
    actions = copy_as_actions(window)
    assert "Kaputt" not in actions
    assert "Offen" not in actions
    actions["Rechnung"].trigger()
    assert clipboard() == f"{ONE_LINE} | {ONE_LINE_ADDRESS} | Rechnungen"
    assert window.status_label.text() == f"Copied {ONE_LINE} as Rechnung"


def test_edit_templates_saves_what_the_dialog_returns(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    select(window, MAIL_ONLY)
    window.edit_templates_action.trigger()
    dialog = window.template_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    dialog.name_edit.selectAll()
    qtbot.keyClicks(dialog.name_edit, "Kurz")
    dialog.template_edit.setPlainText("{name} <{email}>")
    assert dialog.preview.toPlainText() == f"{MAIL_ONLY} <post@nurmail.example>"
    assert dialog.ok_button.isEnabled()
    dialog.accept()
    assert formats.templates_from_json(QSettings().value(formats.SETTINGS_KEY)) == [
        ("Kurz", "{name} <{email}>")
    ]
    copy_as_actions(window)["Kurz"].trigger()
    assert clipboard() == f"{MAIL_ONLY} <post@nurmail.example>"


# -- * and dragging rows out -----------------------------------------------------------------


def test_star_on_a_workspace_opens_and_loads_everything_under_it(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, billing_server)
    ws = workspace(window, BILLING_WS)
    window.tree.setFocus()
    window.tree.setCurrentIndex(window.model.index_of(ws))
    QTest.keyClick(window.tree, Qt.Key.Key_Asterisk)
    assert window.model.is_expanded(ws)
    assert all(window.model.is_expanded(group) for group in ws.groups)
    qtbot.waitUntil(lambda: all(g.state is LoadState.LOADED for g in ws.groups), timeout=5000)
    assert index_named(window, BARE).isValid()


class DropTarget(QWidget):
    """A widget that takes drops and keeps each format's bytes (as a browser field would)."""

    def __init__(self) -> None:
        super().__init__()
        self.setAcceptDrops(True)
        self.received: dict[str, bytes] = {}

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        self.received = {name: bytes(data.data(name).data()) for name in data.formats()}
        event.acceptProposedAction()


def drop(target: DropTarget, data: QMimeData) -> bool:
    """Deliver `data` to `target` as a drag enter and a drop; whether the drop was taken."""
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(QPoint(5, 5), Qt.DropAction.CopyAction, data, buttons, modifiers)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    dropped = QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, data, buttons, modifiers)
    QApplication.sendEvent(target, dropped)
    return dropped.isAccepted()


def test_a_drag_of_rows_carries_their_names_and_their_records(
    qtbot: Any, make_window: WindowFactory, billing_server: FakeClockify
) -> None:
    window = billing_window(qtbot, make_window, billing_server)
    assert window.tree.dragEnabled()
    select(window, "Clients", MULTI_LINE, ONE_LINE)  # the group row is not dragged
    data = window.model.mimeData(window.tree.selectionModel().selectedIndexes())
    assert set(data.formats()) >= {MIME_TEXT, MIME_JSON}
    target = DropTarget()
    qtbot.addWidget(target)
    assert drop(target, data)
    # In the tree's order (the server sorts clients by name).
    assert target.received[MIME_TEXT].decode("utf-8") == f"{ONE_LINE}\n{MULTI_LINE}"
    records = json.loads(target.received[MIME_JSON].decode("utf-8"))
    assert [(r["kind"], r["name"], r["address"]) for r in records] == [
        ("client", ONE_LINE, ONE_LINE_ADDRESS),
        ("client", MULTI_LINE, MULTI_LINE_ADDRESS),
    ]
    assert all(r["workspaceId"] == BILLING_WS for r in records)
    group = window.model.index_of(workspace(window, BILLING_WS).clients)
    assert not window.model.flags(group) & Qt.ItemFlag.ItemIsDragEnabled


def test_a_drag_from_the_sample_client_carries_its_two_line_address(
    qtbot: Any, make_window: WindowFactory, fake_server: FakeClockify
) -> None:
    window = connected_window(qtbot, make_window, fake_server)
    expand_workspace(qtbot, window, SAMPLE_WORKSPACE_ID)
    select(window, "Globex Corporation")
    data = window.model.mimeData([index_named(window, "Globex Corporation")])
    (record,) = json.loads(bytes(data.data(MIME_JSON).data()))
    assert record["id"] == SAMPLE_BILLED_CLIENT_ID
    assert record["address"] == SAMPLE_BILLED_ADDRESS
    assert data.text() == "Globex Corporation"
