"""Editing the user's own "Copy as..." templates, with a live preview of the selected rows.

The dialog edits a list of (name, template) pairs and gives it back with `templates()`;
loading and saving them (formats.templates_from_json / templates_to_json under
formats.SETTINGS_KEY) is the caller's.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt, Slot
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.clockify.models import Client, Workspace
from desktop.ui.fitting import FittingDialog, MessageArea, wrapped_label
from desktop.ui.formats import (
    FIELDS,
    MAX_NAME_LENGTH,
    MAX_TEMPLATES,
    Item,
    Template,
    TemplateError,
    name_problem,
    render_template,
    same_name,
)

#: The preview shows at most this many of the sample rows (it is redrawn on every key).
PREVIEW_ROWS = 20

EXAMPLE_WORKSPACE = Workspace(id="5f0c1d2e3a4b5c6d7e8f9a0b", name="Example workspace")
#: The row previewed when none is selected.
EXAMPLE_CLIENT = Client(
    id="64a1b2c3d4e5f60718293a4b",
    name="Muster GmbH",
    archived=False,
    email="rechnung@muster.example",
    address="Musterstraße 1\n10115 Berlin",
    currency="EUR",
)
EXAMPLE_ITEM: Item = (EXAMPLE_CLIENT, EXAMPLE_WORKSPACE)

FIELDS_HINT = (
    "Fields: "
    + " ".join("{" + field + "}" for field in FIELDS)
    + '. Write "{{" and "}}" for literal braces.'
)


def fields_hint() -> str:
    """FIELDS_HINT in the interface's language."""
    return QCoreApplication.translate(
        "TemplateDialog", 'Fields: %1. Write "{{" and "}}" for literal braces.'
    ).replace("%1", " ".join("{" + field + "}" for field in FIELDS))


#: The template a new entry starts with.
NEW_TEMPLATE = "{name}\t{id}"


class TemplateDialog(FittingDialog):
    """Edits the user's templates: a list (add, remove), a name, a template, a preview.

    The preview renders the current template for `sample` (the rows the user selected;
    the first PREVIEW_ROWS of them), or for EXAMPLE_ITEM when there are none, on every
    keystroke. The message area below says what is wrong with the current entry, or, when
    it is fine, with the first other entry that is not; OK is off while any entry has a
    bad template, a name refused by formats.name_problem, or a name another entry has
    (formats.same_name: case and outer spaces ignored). Add is off at MAX_TEMPLATES
    entries. An empty list is fine (the user removed every template).
    """

    def __init__(
        self,
        templates: Sequence[tuple[str, str]],
        sample: Sequence[Item] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Copy templates"))
        self._entries: list[list[str]] = [[name, text] for name, text in templates]
        self._sample: list[Item] = list(sample[:PREVIEW_ROWS]) or [EXAMPLE_ITEM]
        self._loading = False
        self._build()
        for name, _ in self._entries:
            self.list.addItem(name)
        if self._entries:
            self.list.setCurrentRow(0)
        self._show_current()

    # Building ---------------------------------------------------------------------------

    def _build(self) -> None:
        self.list = QListWidget(self)
        self.list.setAccessibleName(self.tr("Templates"))
        self.list.currentRowChanged.connect(self._on_row_changed)
        self.add_button = QPushButton(self.tr("&Add"), self)
        self.add_button.setAccessibleName(self.tr("Add template"))
        self.add_button.clicked.connect(self.add_template)
        self.remove_button = QPushButton(self.tr("&Remove"), self)
        self.remove_button.setAccessibleName(self.tr("Remove template"))
        self.remove_button.clicked.connect(self.remove_template)
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(self.add_button)
        buttons_row.addWidget(self.remove_button)
        left = QVBoxLayout()
        left.addWidget(self.list)
        left.addLayout(buttons_row)

        self.name_edit = QLineEdit(self)
        self.name_edit.setAccessibleName(self.tr("Template name"))
        self.name_edit.setMaxLength(MAX_NAME_LENGTH)
        self.name_edit.textEdited.connect(self._on_name_edited)
        self.template_edit = QPlainTextEdit(self)
        self.template_edit.setAccessibleName(self.tr("Template"))
        self.template_edit.setAccessibleDescription(fields_hint())
        self.template_edit.setTabChangesFocus(True)  # Tab moves on; a tab can be pasted
        self.template_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.template_edit.setFixedHeight(self._lines_height(3))
        self.template_edit.textChanged.connect(self._on_template_changed)
        self.hint = wrapped_label(fields_hint(), self)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.preview = QPlainTextEdit(self)
        self.preview.setReadOnly(True)
        self.preview.setAccessibleName(self.tr("Preview"))
        self.preview.setTabChangesFocus(True)
        self.preview.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.preview.setFixedHeight(self._lines_height(5))
        self.message = MessageArea(self)
        self.message.setAccessibleName(self.tr("Template problem"))

        form = QFormLayout()
        form.addRow(self.tr("&Name:"), self.name_edit)
        form.addRow(self.tr("&Template:"), self.template_edit)
        form.addRow("", self.hint)
        form.addRow(self.tr("&Preview:"), self.preview)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

        right = QVBoxLayout()
        right.addLayout(form)
        right.addWidget(self.message)
        right.addStretch(1)
        columns = QHBoxLayout()
        columns.addLayout(left, 1)
        columns.addLayout(right, 2)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.buttons)

    def _lines_height(self, lines: int) -> int:
        """The height of a text box showing `lines` lines of the dialog's font."""
        return self.fontMetrics().lineSpacing() * lines + 12

    # State ------------------------------------------------------------------------------

    @property
    def ok_button(self) -> QPushButton:
        button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert button is not None
        return button

    def templates(self) -> list[tuple[str, str]]:
        """The edited (name, template) pairs, in list order, names as typed."""
        return [(name, text) for name, text in self._entries]

    def problem(self, row: int) -> str | None:
        """What is wrong with entry `row` (one sentence), or None if it can be saved."""
        name, text = self._entries[row]
        trouble = name_problem(name)
        if trouble is not None:
            return trouble
        if any(same_name(name, other) for i, (other, _) in enumerate(self._entries) if i != row):
            return self.tr('Another template is already called "{name}".').format(name=name.strip())
        try:
            Template.parse(text)
        except TemplateError as error:
            return str(error)
        return None

    def _first_problem(self) -> tuple[int, str] | None:
        """The current entry's problem, else the first other entry's; None if all are fine."""
        current = self.list.currentRow()
        rows = range(len(self._entries))
        order = ([current] if current in rows else []) + [r for r in rows if r != current]
        for row in order:
            trouble = self.problem(row)
            if trouble is not None:
                return row, trouble
        return None

    # Updating ---------------------------------------------------------------------------

    def _show_current(self) -> None:
        """Fill the editors from the current entry (empty and off when there is none)."""
        row = self.list.currentRow()
        has_entry = 0 <= row < len(self._entries)
        self._loading = True
        try:
            self.name_edit.setText(self._entries[row][0] if has_entry else "")
            self.template_edit.setPlainText(self._entries[row][1] if has_entry else "")
        finally:
            self._loading = False
        self.name_edit.setEnabled(has_entry)
        self.template_edit.setEnabled(has_entry)
        self.remove_button.setEnabled(has_entry)
        self._refresh()

    def _refresh(self) -> None:
        """Redraw the preview, the message and the buttons from the entries."""
        row = self.list.currentRow()
        preview = ""
        if 0 <= row < len(self._entries):
            try:
                template = Template.parse(self._entries[row][1])
            except TemplateError:
                pass
            else:
                preview = render_template(template, self._sample)
        if self.preview.toPlainText() != preview:
            self.preview.setPlainText(preview)
        found = self._first_problem()
        if found is None:
            message = ""
        elif found[0] == row:
            message = found[1]
        else:
            other = self._entries[found[0]][0].strip()
            label = (
                self.tr('"{name}"').format(name=other)
                if other
                else self.tr("number {number}").format(number=found[0] + 1)
            )
            message = self.tr("Template {label}: {problem}").format(label=label, problem=found[1])
        if self.message.text() != message:
            self.message.setText(message)
        self.message.setVisible(bool(message))
        self.ok_button.setEnabled(found is None)
        self.add_button.setEnabled(len(self._entries) < MAX_TEMPLATES)

    @Slot(int)
    def _on_row_changed(self, _row: int) -> None:
        self._show_current()

    @Slot(str)
    def _on_name_edited(self, text: str) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self._entries):
            return
        self._entries[row][0] = text
        item = self.list.item(row)
        if item is not None:
            item.setText(text)
        self._refresh()

    @Slot()
    def _on_template_changed(self) -> None:
        row = self.list.currentRow()
        if self._loading or not 0 <= row < len(self._entries):
            return
        self._entries[row][1] = self.template_edit.toPlainText()
        self._refresh()

    # Actions ----------------------------------------------------------------------------

    @Slot()
    def add_template(self) -> None:
        """Add an entry ("Template N", NEW_TEMPLATE), select it and focus its name."""
        if len(self._entries) >= MAX_TEMPLATES:
            return
        number = len(self._entries) + 1
        while any(same_name(self._new_name(number), name) for name, _ in self._entries):
            number += 1
        name = self._new_name(number)
        self._entries.append([name, NEW_TEMPLATE])
        self.list.addItem(name)
        self.list.setCurrentRow(len(self._entries) - 1)
        self.name_edit.setFocus()
        self.name_edit.selectAll()

    def _new_name(self, number: int) -> str:
        return self.tr("Template {number}").format(number=number)

    @Slot()
    def remove_template(self) -> None:
        """Remove the current entry and select the one now in its place (or the last)."""
        row = self.list.currentRow()
        if not 0 <= row < len(self._entries):
            return
        del self._entries[row]
        self.list.takeItem(row)  # may move the current row: _show_current reads the entries
        if self._entries:
            self.list.setCurrentRow(min(row, len(self._entries) - 1))
        self._show_current()
