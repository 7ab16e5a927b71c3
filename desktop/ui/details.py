"""The details card under the tree: every field of the selected workspace, user or client.

Each value is selectable plain text with a Copy button beside it; the button puts the exact
stored value on the clipboard, while the label shows it for reading (control characters as
visible symbols, long values shortened; see `display_text`).
"""

from __future__ import annotations

import re
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QSizePolicy, QToolButton, QWidget

from desktop.clockify.models import User
from desktop.ui.clipboard import short
from desktop.ui.lazy_qt import Qt, set_plain_text
from desktop.ui.tree_model import (
    ConnectionNode,
    GroupNode,
    Node,
    RecordNode,
    WorkspaceNode,
    no_name,
    plain_tooltip,
    visible_text,
)

if TYPE_CHECKING:
    from desktop.ui.client_xref import ClientXref

#: What the card says when no workspace, user or client row is selected.
HINT: str = QT_TRANSLATE_NOOP(  # type: ignore[assignment]
    "DetailsCard", "Select a workspace, user or client to see its details."
)

#: A value longer than this many characters is shown cut, with "\u2026" (copies are whole).
DISPLAY_MAX_CHARS = 160
#: A multi-line value (address, note) shows at most this many of its lines.
DISPLAY_MAX_LINES = 6

#: Fields whose own line breaks are kept on screen; in the others a line break is shown as
#: its visible symbol, as in the tree, so a stray one in a name or an e-mail is noticed.
MULTI_LINE_LABELS = frozenset({"Address", "Note"})

#: The field as a status message names it: "Copied e-mail of Acme GmbH" (English; the
#: card shows them, and the labels, translated).
_WHAT: dict[str, object] = {
    "Name": QT_TRANSLATE_NOOP("DetailsCard", "name"),
    "ID": QT_TRANSLATE_NOOP("DetailsCard", "ID"),
    "Plan": QT_TRANSLATE_NOOP("DetailsCard", "plan"),
    "Currency": QT_TRANSLATE_NOOP("DetailsCard", "currency"),
    "Hourly rate": QT_TRANSLATE_NOOP("DetailsCard", "hourly rate"),
    "E-mail": QT_TRANSLATE_NOOP("DetailsCard", "e-mail"),
    "Status": QT_TRANSLATE_NOOP("DetailsCard", "status"),
    "Address": QT_TRANSLATE_NOOP("DetailsCard", "address"),
    "CC e-mails": QT_TRANSLATE_NOOP("DetailsCard", "CC e-mails"),
    "Note": QT_TRANSLATE_NOOP("DetailsCard", "note"),
    "Archived": QT_TRANSLATE_NOOP("DetailsCard", "archived state"),
    "docs101": QT_TRANSLATE_NOOP("DetailsCard", "docs101 status"),
    "docs101 customer ID": QT_TRANSLATE_NOOP("DetailsCard", "docs101 customer ID"),
    "docs101 customer": QT_TRANSLATE_NOOP("DetailsCard", "docs101 customer name"),
    "docs101 e-mail": QT_TRANSLATE_NOOP("DetailsCard", "docs101 e-mail"),
    "docs101 VAT ID": QT_TRANSLATE_NOOP("DetailsCard", "docs101 VAT ID"),
    "Account": QT_TRANSLATE_NOOP("DetailsCard", "account name"),
}

#: The labels of `record_fields` (English, as `fields()` gives them), for lupdate: the card
#: shows them translated.
_LABELS = (
    QT_TRANSLATE_NOOP("DetailsCard", "Name"),
    QT_TRANSLATE_NOOP("DetailsCard", "ID"),
    QT_TRANSLATE_NOOP("DetailsCard", "Plan"),
    QT_TRANSLATE_NOOP("DetailsCard", "Currency"),
    QT_TRANSLATE_NOOP("DetailsCard", "Hourly rate"),
    QT_TRANSLATE_NOOP("DetailsCard", "E-mail"),
    QT_TRANSLATE_NOOP("DetailsCard", "Status"),
    QT_TRANSLATE_NOOP("DetailsCard", "Address"),
    QT_TRANSLATE_NOOP("DetailsCard", "CC e-mails"),
    QT_TRANSLATE_NOOP("DetailsCard", "Note"),
    QT_TRANSLATE_NOOP("DetailsCard", "Archived"),
    QT_TRANSLATE_NOOP("DetailsCard", "docs101"),
    QT_TRANSLATE_NOOP("DetailsCard", "docs101 customer ID"),
    QT_TRANSLATE_NOOP("DetailsCard", "docs101 customer"),
    QT_TRANSLATE_NOOP("DetailsCard", "docs101 e-mail"),
    QT_TRANSLATE_NOOP("DetailsCard", "docs101 VAT ID"),
    QT_TRANSLATE_NOOP("DetailsCard", "Account"),
)

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def record_fields(node: WorkspaceNode | GroupNode | RecordNode | None) -> list[tuple[str, str]]:
    """The (label, exact value) pairs the card shows for `node`, in the card's order.

    Empty fields (None, "", no CC e-mails) are left out; a client's "Archived" is "Yes" when
    it is archived and left out otherwise. A group row and None have no fields.
    """
    pairs: list[tuple[str, str | None]]
    if isinstance(node, WorkspaceNode):
        ws = node.workspace
        pairs = [
            ("Name", ws.name),
            ("ID", ws.id),
            ("Plan", ws.plan),
            ("Currency", ws.currency),
            ("Hourly rate", ws.hourly_rate),
        ]
    elif isinstance(node, RecordNode):
        record = node.record
        if isinstance(record, User):
            pairs = [
                ("Name", record.name),
                ("ID", record.id),
                ("E-mail", record.email),
                ("Status", record.status),
            ]
        else:
            pairs = [
                ("Name", record.name),
                ("ID", record.id),
                ("Address", record.address),
                ("E-mail", record.email),
                ("CC e-mails", ", ".join(record.cc_emails)),
                ("Currency", record.currency),
                ("Note", record.note),
                (
                    "Archived",
                    QCoreApplication.translate("DetailsCard", "Yes") if record.archived else None,
                ),
            ]
            if node.xref is not None:
                pairs.extend(xref_fields(node.xref))
    else:
        pairs = []
    return [(label, value) for label, value in pairs if value]


def xref_fields(xref: ClientXref) -> list[tuple[str, str | None]]:
    """A client's docs101 fields: its status, then the customer's id, name, e-mail, VAT id."""
    entry = xref.entry
    if entry.status == "match":
        status = QCoreApplication.translate("DetailsCard", "In docs101")
    elif entry.status == "similar":
        status = QCoreApplication.translate("DetailsCard", "Similar, score {score}").format(
            score=f"{entry.score or 0:.0f}"
        )
    else:
        return [("docs101", QCoreApplication.translate("DetailsCard", "Not in docs101"))]
    customer = xref.customer
    return [
        ("docs101", status),
        ("docs101 customer ID", entry.docs101_id),
        ("docs101 customer", customer.name if customer is not None else entry.docs101_name),
        ("docs101 e-mail", customer.email if customer is not None else None),
        ("docs101 VAT ID", customer.vat_id if customer is not None else None),
    ]


def display_text(value: str, multi_line: bool = False) -> str:
    """`value` as the card shows it: control characters as visible symbols (`visible_text`).

    With `multi_line`, the value's own line breaks (LF, CRLF or CR) start new lines, and
    each line is made visible on its own; otherwise a line break shows as its symbol. A
    value longer than DISPLAY_MAX_CHARS characters, or than DISPLAY_MAX_LINES lines, is
    cut and ends in "\u2026".
    """
    cut = len(value) > DISPLAY_MAX_CHARS
    text = value[:DISPLAY_MAX_CHARS]
    if not multi_line:
        shown = visible_text(text)
    else:
        lines = _LINE_BREAK.split(text)
        if len(lines) > DISPLAY_MAX_LINES:
            lines = lines[:DISPLAY_MAX_LINES]
            cut = True
        shown = "\n".join(visible_text(line) for line in lines)
    return shown + "\u2026" if cut else shown


class _Row:
    """The three widgets of one field: its caption, its value and its Copy button.

    A plain class, not a dataclass: making a dataclass costs about 2 ms at import, before
    the panel's first paint, and nothing compares or prints these.
    """

    __slots__ = ("button", "caption", "value")

    def __init__(self, caption: QLabel, value: QLabel, button: QToolButton) -> None:
        self.caption = caption
        self.value = value
        self.button = button

    def set_visible(self, visible: bool) -> None:
        for widget in (self.caption, self.value, self.button):
            widget.setVisible(visible)


class DetailsCard(QFrame):
    """Every field of the selected row, each selectable and with its own Copy button.

    Layout: a grid of caption, value and button columns; the value column takes the width
    left. Width: the value labels wrap at word boundaries and have an Ignored horizontal
    size policy, so no value (a 10,000-character one, or a long word with no space) ever
    asks for more width than the panel has: a word wider than the column is clipped at its
    right edge, and the label's tooltip shows it. Height: values are shown at most
    DISPLAY_MAX_CHARS characters and DISPLAY_MAX_LINES lines long (see `display_text`), so
    the card stays a few lines tall; the Copy button always copies the exact value.

    The widgets of a row are made once and reused: `show_node` sets texts and hides the
    rows it does not need, so a selection change creates nothing after the first client.
    """

    #: A status message after a Copy button put a value on the clipboard.
    copied = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(self.tr("Details"))
        self._fields: list[tuple[str, str]] = []
        self._name = ""  # the shown record's exact name, for the status messages
        self._rows: list[_Row] = []
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(6, 4, 6, 4)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(2)
        self._grid.setColumnStretch(1, 1)
        self._hint = QLabel(self.tr(HINT), self)
        self._hint.setObjectName("detailsHint")
        set_plain_text(self._hint)
        self._hint.setWordWrap(True)
        self._hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        # The rows go below it, from grid row 1; a hidden widget takes no room in a grid.
        self._grid.addWidget(self._hint, 0, 0, 1, 3)

    def fields(self) -> list[tuple[str, str]]:
        """The (label, exact value) pairs shown now, top to bottom; empty with the hint."""
        return list(self._fields)

    def show_node(self, node: Node | None, account: str | None = None) -> None:
        """Show the fields of a workspace, user or client row; the hint for others or None.

        `account`: the name of the Clockify account the row belongs to, shown last (the
        panel passes it when it holds more than one)."""
        self._fields = record_fields(node) if not isinstance(node, ConnectionNode) else []
        if account and self._fields:
            self._fields.append(("Account", account))
        if isinstance(node, WorkspaceNode):
            self._name = node.workspace.name or ""
        elif isinstance(node, RecordNode):
            self._name = node.record.name or ""
        else:
            self._name = ""
        while len(self._rows) < len(self._fields):
            self._rows.append(self._make_row(len(self._rows)))
        for row, (label, value) in zip(self._rows, self._fields, strict=False):
            caption = self.tr(label)
            row.caption.setText(caption)
            row.value.setText(display_text(value, label in MULTI_LINE_LABELS))
            row.value.setToolTip(plain_tooltip(_LINE_BREAK.split(value)))
            row.value.setAccessibleName(caption)
            row.button.setAccessibleName(self.tr("Copy {field}").format(field=caption))
            row.button.setToolTip(
                self.tr("Copy the {what} to the clipboard").format(
                    what=self.tr(str(_WHAT[label])) if label in _WHAT else caption
                )
            )
            row.set_visible(True)
        for row in self._rows[len(self._fields) :]:
            row.set_visible(False)
        self._hint.setVisible(not self._fields)

    def _make_row(self, index: int) -> _Row:
        """The widgets of field number `index`, placed in the grid (below the hint)."""
        caption = QLabel(self)
        caption.setTextFormat(Qt.TextFormat.PlainText)
        value = QLabel(self)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setWordWrap(True)
        value.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        value.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        value.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        caption.setBuddy(value)
        button = QToolButton(self)
        button.setText(self.tr("Copy"))
        button.setAutoRaise(True)
        button.clicked.connect(partial(self._copy, index))
        top_left = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop
        self._grid.addWidget(caption, index + 1, 0, top_left)
        self._grid.addWidget(value, index + 1, 1)
        self._grid.addWidget(button, index + 1, 2, Qt.AlignmentFlag.AlignTop)
        return _Row(caption, value, button)

    def _copy(self, index: int) -> None:
        """Put the exact value of field number `index` on the clipboard, and say so."""
        if index >= len(self._fields):  # a hidden row's button: nothing to copy
            return
        label, value = self._fields[index]
        QGuiApplication.clipboard().setText(value)
        what = self.tr(str(_WHAT[label])) if label in _WHAT else label.lower()
        self.copied.emit(
            self.tr("Copied {what} of {name}").format(
                what=what, name=short(self._name or no_name())
            )
        )
