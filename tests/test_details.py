"""DetailsCard: the fields of each kind of row, copying exact values, accessibility, size."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QAccessible, QGuiApplication
from PySide6.QtWidgets import QFrame, QLabel, QToolButton, QVBoxLayout, QWidget

from desktop.clockify import Client, User, Workspace
from desktop.ui.details import DISPLAY_MAX_CHARS, HINT, DetailsCard, display_text
from desktop.ui.tree_model import Kind, RecordNode, WorkspaceNode

WS_ID = "aaaaaaaaaaaaaaaaaaaaaa01"
CLIENT_ID = "64b0c0ffee0000000000cc01"
USER_ID = "64b0c0ffee0000000000aa01"
TRICKY = "tab\there <b>markup</b> & <i>more</i>"

FULL_CLIENT = Client(
    id=CLIENT_ID,
    name="Acme GmbH",
    archived=True,
    email="billing@acme.example",
    address="Musterstraße 1\n10115 Berlin",
    cc_emails=("a@acme.example", "b@acme.example"),
    currency="EUR",
    note=TRICKY,
)

FULL_CLIENT_FIELDS = [
    ("Name", "Acme GmbH"),
    ("ID", CLIENT_ID),
    ("Address", "Musterstraße 1\n10115 Berlin"),
    ("E-mail", "billing@acme.example"),
    ("CC e-mails", "a@acme.example, b@acme.example"),
    ("Currency", "EUR"),
    ("Note", TRICKY),
    ("Archived", "Yes"),
]


def client_node(client: Client) -> RecordNode:
    return RecordNode(Kind.CLIENT, client)


def user_node(user: User) -> RecordNode:
    return RecordNode(Kind.USER, user)


def bare_client(name: str | None = "Bare Ltd", **fields: Any) -> Client:
    values: dict[str, Any] = {"archived": False, "email": None, "address": None}
    values.update(fields)
    return Client(id=CLIENT_ID, name=name, **values)


@pytest.fixture
def card(qtbot: Any) -> DetailsCard:
    widget = DetailsCard()
    qtbot.addWidget(widget)
    widget.resize(340, 300)
    widget.show()
    return widget


def shown(widget: QWidget) -> bool:
    return not widget.isHidden()


def value_labels(card: DetailsCard) -> list[QLabel]:
    """The shown value labels, top to bottom (those with keyboard-selectable text)."""
    found = [
        label
        for label in card.findChildren(QLabel)
        if shown(label)
        and label.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByKeyboard
    ]
    return sorted(found, key=lambda label: label.y())


def value_label(card: DetailsCard, label: str) -> QLabel:
    matches = [w for w in value_labels(card) if w.accessibleName() == label]
    assert len(matches) == 1, f"{len(matches)} value labels named {label!r}"
    return matches[0]


def copy_buttons(card: DetailsCard) -> list[QToolButton]:
    return [b for b in card.findChildren(QToolButton) if shown(b)]


def copy_button(card: DetailsCard, label: str) -> QToolButton:
    matches = [b for b in copy_buttons(card) if b.accessibleName() == f"Copy {label}"]
    assert len(matches) == 1, f"{len(matches)} buttons named 'Copy {label}'"
    return matches[0]


def hint(card: DetailsCard) -> QLabel:
    label = card.findChild(QLabel, "detailsHint")
    assert label is not None
    return label


def accessible_name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return str(interface.text(QAccessible.Text.Name))


# -- the fields of each kind of row -------------------------------------------------------


def test_a_full_client_shows_every_field_in_order(card: DetailsCard) -> None:
    card.show_node(client_node(FULL_CLIENT))
    assert card.fields() == FULL_CLIENT_FIELDS
    assert [w.accessibleName() for w in value_labels(card)] == [f for f, _ in FULL_CLIENT_FIELDS]
    assert len(copy_buttons(card)) == len(FULL_CLIENT_FIELDS)
    assert not shown(hint(card))


def test_a_client_with_only_id_and_name_shows_only_those(card: DetailsCard) -> None:
    card.show_node(client_node(FULL_CLIENT))  # the rows it leaves must go again
    card.show_node(client_node(bare_client()))
    assert card.fields() == [("Name", "Bare Ltd"), ("ID", CLIENT_ID)]
    assert [w.text() for w in value_labels(card)] == ["Bare Ltd", CLIENT_ID]
    assert len(copy_buttons(card)) == 2
    assert "None" not in [w.text() for w in card.findChildren(QLabel) if shown(w)]


def test_empty_texts_and_an_empty_cc_list_are_left_out(card: DetailsCard) -> None:
    client = bare_client(name="", email="", address="", cc_emails=(), currency="", note="")
    card.show_node(client_node(client))
    assert card.fields() == [("ID", CLIENT_ID)]


def test_a_multi_line_address_keeps_its_lines(card: DetailsCard) -> None:
    address = "Musterstraße 1\n10115 Berlin"
    card.show_node(client_node(bare_client(address=address)))
    assert card.fields() == [("Name", "Bare Ltd"), ("ID", CLIENT_ID), ("Address", address)]
    label = value_label(card, "Address")
    assert label.text() == "Musterstraße 1\n10115 Berlin"
    one_line = label.fontMetrics().lineSpacing()
    assert label.height() >= 2 * one_line  # really on two lines


def test_control_characters_are_shown_as_symbols_line_by_line(card: DetailsCard) -> None:
    client = bare_client(name="two\nlines", address="a\tb\r\nc\x07")
    card.show_node(client_node(client))
    assert value_label(card, "Name").text() == "two\u240alines"  # one line in a name
    assert value_label(card, "Address").text() == "a\u2409b\nc\u2407"


def test_a_user_shows_name_id_email_and_status(card: DetailsCard) -> None:
    user = User(id=USER_ID, name="Zoë Müller", email="zoe@acme.example", status="ACTIVE")
    card.show_node(user_node(user))
    assert card.fields() == [
        ("Name", "Zoë Müller"),
        ("ID", USER_ID),
        ("E-mail", "zoe@acme.example"),
        ("Status", "ACTIVE"),
    ]


def test_a_user_without_name_email_or_status_shows_its_id(card: DetailsCard) -> None:
    card.show_node(user_node(User(id=USER_ID, name=None, email=None, status=None)))
    assert card.fields() == [("ID", USER_ID)]


def test_a_workspace_shows_plan_currency_and_rate(card: DetailsCard) -> None:
    workspace = Workspace(WS_ID, "Acme Ltd", plan="PRO", currency="EUR", hourly_rate="105.00 EUR")
    card.show_node(WorkspaceNode(workspace))
    assert card.fields() == [
        ("Name", "Acme Ltd"),
        ("ID", WS_ID),
        ("Plan", "PRO"),
        ("Currency", "EUR"),
        ("Hourly rate", "105.00 EUR"),
    ]


def test_a_workspace_without_plan_currency_or_rate_leaves_them_out(card: DetailsCard) -> None:
    card.show_node(WorkspaceNode(Workspace(WS_ID, "Acme Ltd")))
    assert card.fields() == [("Name", "Acme Ltd"), ("ID", WS_ID)]
    assert len(value_labels(card)) == 2


@pytest.mark.parametrize("which", ["users group", "clients group", "nothing"])
def test_a_group_row_or_nothing_shows_the_hint_only(card: DetailsCard, which: str) -> None:
    workspace = WorkspaceNode(Workspace(WS_ID, "Acme Ltd"))
    card.show_node(client_node(FULL_CLIENT))
    node = {"users group": workspace.users, "clients group": workspace.clients}.get(which)
    card.show_node(node)
    assert card.fields() == []
    assert value_labels(card) == []
    assert copy_buttons(card) == []
    assert shown(hint(card))
    assert hint(card).text() == HINT
    assert hint(card).textFormat() == Qt.TextFormat.PlainText


def test_a_new_card_shows_the_hint(qtbot: Any) -> None:
    card = DetailsCard()
    qtbot.addWidget(card)
    assert card.fields() == []
    assert shown(hint(card))
    assert copy_buttons(card) == []


# -- copying --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("Name", "Copied name of Acme GmbH"),
        ("ID", "Copied ID of Acme GmbH"),
        ("Address", "Copied address of Acme GmbH"),
        ("E-mail", "Copied e-mail of Acme GmbH"),
        ("CC e-mails", "Copied CC e-mails of Acme GmbH"),
        ("Currency", "Copied currency of Acme GmbH"),
        ("Note", "Copied note of Acme GmbH"),
        ("Archived", "Copied archived state of Acme GmbH"),
    ],
)
def test_each_copy_button_copies_the_exact_value(
    qtbot: Any, card: DetailsCard, label: str, message: str
) -> None:
    card.show_node(client_node(FULL_CLIENT))
    QGuiApplication.clipboard().setText("before")
    with qtbot.waitSignal(card.copied, timeout=1000) as blocker:
        qtbot.mouseClick(copy_button(card, label), Qt.MouseButton.LeftButton)
    assert blocker.args == [message]
    assert QGuiApplication.clipboard().text() == dict(FULL_CLIENT_FIELDS)[label]


def test_markup_and_a_tab_are_shown_as_plain_text_and_copied_exactly(
    qtbot: Any, card: DetailsCard
) -> None:
    card.show_node(client_node(FULL_CLIENT))
    label = value_label(card, "Note")
    assert label.textFormat() == Qt.TextFormat.PlainText
    assert label.text() == TRICKY.replace("\t", "\u2409")  # markup as typed, not rendered
    with qtbot.waitSignal(card.copied, timeout=1000):
        copy_button(card, "Note").click()
    assert QGuiApplication.clipboard().text() == TRICKY


def test_every_value_label_is_plain_wrapped_and_selectable(card: DetailsCard) -> None:
    card.show_node(client_node(FULL_CLIENT))
    selectable = (
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.TextSelectableByKeyboard
    )
    labels = value_labels(card)
    assert len(labels) == len(FULL_CLIENT_FIELDS)
    for label in labels:
        assert label.textFormat() == Qt.TextFormat.PlainText
        assert label.wordWrap()
        assert label.textInteractionFlags() & selectable == selectable
    for caption in card.findChildren(QLabel):
        assert caption.textFormat() == Qt.TextFormat.PlainText
    for button in copy_buttons(card):
        assert button.text() == "Copy"
        assert button.autoRaise()


def test_a_record_without_a_name_is_named_no_name(qtbot: Any, card: DetailsCard) -> None:
    card.show_node(user_node(User(id=USER_ID, name=None, email="x@y.example", status=None)))
    with qtbot.waitSignal(card.copied, timeout=1000) as blocker:
        copy_button(card, "ID").click()
    assert blocker.args == ["Copied ID of (no name)"]
    assert QGuiApplication.clipboard().text() == USER_ID


def test_a_long_name_is_shortened_in_the_message(qtbot: Any, card: DetailsCard) -> None:
    name = "N\t" + "x" * 200
    card.show_node(WorkspaceNode(Workspace(WS_ID, name)))
    with qtbot.waitSignal(card.copied, timeout=1000) as blocker:
        copy_button(card, "Name").click()
    (message,) = blocker.args
    assert message.startswith("Copied name of N\u2409xxx")
    assert message.endswith("\u2026")
    assert len(message) < 100
    assert QGuiApplication.clipboard().text() == name


def test_the_buttons_copy_the_values_of_the_record_now_shown(qtbot: Any, card: DetailsCard) -> None:
    card.show_node(client_node(FULL_CLIENT))
    card.show_node(WorkspaceNode(Workspace(WS_ID, "Other", plan="FREE")))
    with qtbot.waitSignal(card.copied, timeout=1000) as blocker:
        copy_button(card, "Plan").click()
    assert blocker.args == ["Copied plan of Other"]
    assert QGuiApplication.clipboard().text() == "FREE"


# -- accessibility --------------------------------------------------------------------------


def test_accessible_names_of_the_card_values_and_buttons(card: DetailsCard) -> None:
    assert accessible_name(card) == "Details"
    card.show_node(client_node(FULL_CLIENT))
    labels = value_labels(card)
    buttons = copy_buttons(card)
    assert [accessible_name(w) for w in labels] == [f for f, _ in FULL_CLIENT_FIELDS]
    names = sorted(accessible_name(b) for b in buttons)
    assert names == sorted(f"Copy {f}" for f, _ in FULL_CLIENT_FIELDS)
    assert all(b.toolTip() for b in buttons)
    assert accessible_name(value_label(card, "Address")) == "Address"
    assert accessible_name(copy_button(card, "E-mail")) == "Copy E-mail"


def test_reused_rows_take_the_names_of_their_new_fields(card: DetailsCard) -> None:
    card.show_node(client_node(FULL_CLIENT))
    card.show_node(WorkspaceNode(Workspace(WS_ID, "Acme Ltd", plan="PRO")))
    assert [accessible_name(w) for w in value_labels(card)] == ["Name", "ID", "Plan"]
    assert sorted(accessible_name(b) for b in copy_buttons(card)) == [
        "Copy ID",
        "Copy Name",
        "Copy Plan",
    ]


# -- size and cost --------------------------------------------------------------------------


@pytest.mark.parametrize("word", ["spaced ", "x"], ids=["with spaces", "one long word"])
def test_a_very_long_value_does_not_widen_the_panel(qtbot: Any, word: str) -> None:
    panel = QWidget()
    qtbot.addWidget(panel)
    layout = QVBoxLayout(panel)
    card = DetailsCard(panel)
    layout.addWidget(card)
    panel.resize(340, 400)
    panel.show()
    value = (word * 10_000)[:10_000]
    client = bare_client(name=value, email=value, address=value, note=value)
    card.show_node(client_node(client))
    qtbot.wait(10)  # let the layout settle
    layout.activate()
    assert panel.minimumSizeHint().width() <= 340
    assert panel.width() == 340
    assert card.width() <= 340
    assert value_label(card, "Name").text() == display_text(value)
    assert len(value_label(card, "Note").text()) == DISPLAY_MAX_CHARS + 1
    with qtbot.waitSignal(card.copied, timeout=1000):
        copy_button(card, "Note").click()
    assert QGuiApplication.clipboard().text() == value  # the copy is whole


def test_display_text_cuts_long_values_and_many_lines() -> None:
    assert display_text("short") == "short"
    assert display_text("x" * 10_000) == "x" * DISPLAY_MAX_CHARS + "\u2026"
    many = "\n".join(str(n) for n in range(20))
    assert display_text(many, multi_line=True) == "0\n1\n2\n3\n4\n5\u2026"
    assert display_text("a\nb") == "a\u240ab"


def test_the_number_of_widgets_stays_bounded(card: DetailsCard) -> None:
    workspace = WorkspaceNode(Workspace(WS_ID, "Acme Ltd", plan="PRO", currency="EUR"))
    nodes: list[Any] = [
        client_node(FULL_CLIENT),
        user_node(User(id=USER_ID, name="Zoë", email="z@acme.example", status="ACTIVE")),
        workspace,
        workspace.users,
        None,
        client_node(bare_client()),
    ]
    for node in nodes:
        card.show_node(node)
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    first = len(card.findChildren(QWidget))
    for at in range(1000):
        card.show_node(nodes[at % len(nodes)])
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert len(card.findChildren(QWidget)) == first
    assert first <= 1 + 3 * len(FULL_CLIENT_FIELDS)  # the hint and three per field


def test_the_card_is_a_styled_panel(card: DetailsCard) -> None:
    assert card.frameShape() == QFrame.Shape.StyledPanel
