"""The template dialog (desktop/ui/template_dialog.py): live preview, errors, add, remove."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from desktop.clockify.models import Client, User, Workspace
from desktop.ui.formats import MAX_TEMPLATES, Item
from desktop.ui.template_dialog import FIELDS_HINT, TemplateDialog

WS = Workspace(id="ws1", name="Acme Studio")
ADA: Item = (User(id="u1", name="Ada", email="ada@example.com", status="ACTIVE"), WS)
BOB: Item = (Client(id="c2", name="Bob AG", archived=False, email=None, address="Hof 2"), WS)


def make_dialog(
    qtbot: Any,
    templates: Sequence[tuple[str, str]] = (("Invoice", "{name}"),),
    sample: Sequence[Item] = (),
) -> TemplateDialog:
    dialog = TemplateDialog(list(templates), list(sample))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def retype(qtbot: Any, edit: QPlainTextEdit | QLineEdit, text: str) -> None:
    """Clear `edit` and type `text` key by key, as the user would."""
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    qtbot.keyClicks(edit, text)


def test_typing_a_good_template_updates_the_preview_of_the_example(qtbot: Any) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.preview.toPlainText() == "Muster GmbH"
    retype(qtbot, dialog.template_edit, "{name} <{email}>")
    assert dialog.preview.toPlainText() == "Muster GmbH <rechnung@muster.example>"
    qtbot.keyClicks(dialog.template_edit, " {address}")
    assert dialog.preview.toPlainText() == (
        "Muster GmbH <rechnung@muster.example> Musterstraße 1\n10115 Berlin"
    )
    assert dialog.message.text() == ""
    assert not dialog.message.isVisible()
    assert dialog.ok_button.isEnabled()
    assert dialog.templates() == [("Invoice", "{name} <{email}> {address}")]


def test_the_preview_renders_the_selected_rows(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, sample=[ADA, BOB])
    retype(qtbot, dialog.template_edit, "{{{id}}} {name} @ {workspace}")
    assert dialog.preview.toPlainText() == "{u1} Ada @ Acme Studio\n{c2} Bob AG @ Acme Studio"
    assert dialog.preview.isReadOnly()


def test_the_preview_updates_on_every_keystroke(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, sample=[ADA])
    retype(qtbot, dialog.template_edit, "{id}")
    seen = []
    for char in "-x":
        qtbot.keyClicks(dialog.template_edit, char)
        seen.append(dialog.preview.toPlainText())
    assert seen == ["u1-", "u1-x"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{name.__class__}", "attribute or index access"),
        ("{nmae}", 'Unknown field "nmae"'),
        ("{name", "is never closed"),
        ("{name:>10}", "format spec"),
    ],
)
def test_a_bad_template_shows_the_message_and_disables_ok(
    qtbot: Any, text: str, expected: str
) -> None:
    dialog = make_dialog(qtbot)
    assert dialog.ok_button.isEnabled()
    retype(qtbot, dialog.template_edit, text)
    assert expected in dialog.message.text()
    assert dialog.message.isVisible()
    assert not dialog.ok_button.isEnabled()
    assert dialog.preview.toPlainText() == ""
    retype(qtbot, dialog.template_edit, "{id}")  # fixed: the message goes, OK comes back
    assert dialog.message.text() == ""
    assert dialog.ok_button.isEnabled()
    assert dialog.preview.toPlainText() == "64a1b2c3d4e5f60718293a4b"


def test_an_empty_or_duplicate_name_disables_ok(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("Invoice", "{name}"), ("Ids", "{id}")])
    dialog.list.setCurrentRow(1)
    retype(qtbot, dialog.name_edit, " invoice ")
    assert dialog.message.text() == 'Another template is already called "invoice".'
    assert not dialog.ok_button.isEnabled()
    retype(qtbot, dialog.name_edit, "")
    assert dialog.message.text() == "The template needs a name."
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Ids2")
    assert dialog.ok_button.isEnabled()
    assert dialog.list.item(1).text() == "Ids2"
    assert dialog.templates() == [("Invoice", "{name}"), ("Ids2", "{id}")]


def test_a_bad_template_elsewhere_in_the_list_is_named(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("Good", "{name}"), ("Broken", "{0}")])
    assert dialog.list.currentRow() == 0
    assert dialog.message.text().startswith('Template "Broken": The positional placeholder')
    assert not dialog.ok_button.isEnabled()
    assert dialog.preview.toPlainText() == "Muster GmbH"


def test_add_selects_a_new_valid_template(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("Template 1", "{name}")])
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert dialog.list.count() == 2
    assert dialog.list.currentRow() == 1
    assert dialog.name_edit.text() == "Template 2"
    assert dialog.focusWidget() is dialog.name_edit
    assert dialog.template_edit.toPlainText() == "{name}\t{id}"
    assert dialog.preview.toPlainText() == "Muster GmbH\t64a1b2c3d4e5f60718293a4b"
    assert dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.name_edit, "Tabbed")  # the name was selected: typing replaces it
    assert dialog.templates() == [("Template 1", "{name}"), ("Tabbed", "{name}\t{id}")]


def test_add_stops_at_the_limit(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [(f"T{i}", "{id}") for i in range(MAX_TEMPLATES - 1)])
    assert dialog.add_button.isEnabled()
    qtbot.mouseClick(dialog.add_button, Qt.MouseButton.LeftButton)
    assert len(dialog.templates()) == MAX_TEMPLATES
    assert not dialog.add_button.isEnabled()
    dialog.add_template()
    assert len(dialog.templates()) == MAX_TEMPLATES


def test_remove_selects_the_next_and_empties_the_editors_at_the_end(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("A", "{name}"), ("B", "{id}"), ("C", "{email}")])
    dialog.list.setCurrentRow(1)
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.templates() == [("A", "{name}"), ("C", "{email}")]
    assert dialog.list.currentRow() == 1
    assert dialog.name_edit.text() == "C"
    assert dialog.preview.toPlainText() == "rechnung@muster.example"
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.name_edit.text() == "A"
    qtbot.mouseClick(dialog.remove_button, Qt.MouseButton.LeftButton)
    assert dialog.templates() == []
    assert dialog.list.count() == 0
    assert not dialog.remove_button.isEnabled()
    assert not dialog.name_edit.isEnabled()
    assert not dialog.template_edit.isEnabled()
    assert dialog.preview.toPlainText() == ""
    assert dialog.ok_button.isEnabled()  # no templates is a fine answer


def test_removing_a_bad_template_enables_ok(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("Good", "{name}"), ("Bad", "{oops}")])
    assert not dialog.ok_button.isEnabled()
    dialog.list.setCurrentRow(1)
    dialog.remove_template()
    assert dialog.ok_button.isEnabled()
    assert dialog.message.text() == ""
    assert dialog.templates() == [("Good", "{name}")]


def test_switching_rows_shows_each_template(qtbot: Any) -> None:
    dialog = make_dialog(qtbot, [("A", "{name}"), ("B", "{id}")], sample=[ADA])
    dialog.list.setCurrentRow(1)
    assert (dialog.name_edit.text(), dialog.template_edit.toPlainText()) == ("B", "{id}")
    assert dialog.preview.toPlainText() == "u1"
    dialog.list.setCurrentRow(0)
    assert dialog.preview.toPlainText() == "Ada"
    assert dialog.templates() == [("A", "{name}"), ("B", "{id}")]  # switching edits nothing


def test_accessible_names_and_the_fields_hint(qtbot: Any) -> None:
    dialog = make_dialog(qtbot)
    inputs: list[QWidget] = [
        dialog.list,
        dialog.add_button,
        dialog.remove_button,
        dialog.name_edit,
        dialog.template_edit,
        dialog.preview,
        dialog.message,
    ]
    for widget in inputs:
        assert widget.accessibleName(), widget
    assert dialog.template_edit.accessibleName() == "Template"
    assert dialog.name_edit.accessibleName() == "Template name"
    assert dialog.preview.accessibleName() == "Preview"
    assert dialog.hint.text() == FIELDS_HINT
    assert (
        "{name} {id} {email} {address} {currency} {note} {workspace} {workspace_id}"
        in dialog.hint.text()
    )
    assert dialog.hint.textFormat() == Qt.TextFormat.PlainText
    assert dialog.message.label.textFormat() == Qt.TextFormat.PlainText


def test_ok_accepts_with_the_edited_list(qtbot: Any) -> None:
    dialog = make_dialog(qtbot)
    retype(qtbot, dialog.name_edit, "Mail")
    retype(qtbot, dialog.template_edit, "{email}")
    with qtbot.waitSignal(dialog.accepted, timeout=2000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.templates() == [("Mail", "{email}")]
