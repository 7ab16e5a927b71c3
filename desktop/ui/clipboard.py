"""Copying rows: the text put on the clipboard for names, IDs and e-mails, and what it says."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication
from PySide6.QtGui import QGuiApplication

from desktop.ui.tree_model import (
    RecordNode,
    WorkspaceNode,
    no_name,
    node_ids,
    node_name,
    node_names,
    visible_text,
)

#: The rows' values to copy, one per row (node_names, node_ids, node_emails, names_and_ids).
Values = Callable[[list[RecordNode | WorkspaceNode]], list[str]]

#: (English; `nothing_selected()` is the text in the interface's language.)
NOTHING_SELECTED: str = QT_TRANSLATE_NOOP("clipboard", "Nothing selected to copy")  # type: ignore[assignment]


def nothing_selected() -> str:
    """The status message when no row is selected to copy, in the interface's language."""
    return QCoreApplication.translate("clipboard", NOTHING_SELECTED)


def short(text: str, limit: int = 60) -> str:
    """A name for a status message: control characters visible, long names cut."""
    text = visible_text(text)
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def names_and_ids(nodes: list[RecordNode | WorkspaceNode]) -> list[str]:
    """One "name<TAB>id" line per node."""
    return [f"{n}\t{i}" for n, i in zip(node_names(nodes), node_ids(nodes), strict=True)]


def copied_message(what: str, nodes: list[RecordNode | WorkspaceNode]) -> str:
    """The status message after copying `what` ("name", "ID", ...) of `nodes` (not empty).

    `what` is one of the words of `copied_what` (translated there, with its plural).
    """
    if len(nodes) == 1:
        return QCoreApplication.translate("clipboard", "Copied {what} of {name}").format(
            what=copied_what(what), name=short(node_name(nodes[0]) or no_name())
        )
    return QCoreApplication.translate("clipboard", "Copied {what} of {count} rows").format(
        what=copied_what(what, plural=True), count=len(nodes)
    )


#: The words `copied_message` is given, singular and plural (English adds an "s").
_COPIED_WHAT = {
    "name": (
        QT_TRANSLATE_NOOP("clipboard", "name"),
        QT_TRANSLATE_NOOP("clipboard", "names"),
    ),
    "ID": (QT_TRANSLATE_NOOP("clipboard", "ID"), QT_TRANSLATE_NOOP("clipboard", "IDs")),
    "e-mail": (
        QT_TRANSLATE_NOOP("clipboard", "e-mail"),
        QT_TRANSLATE_NOOP("clipboard", "e-mails"),
    ),
    "name and ID": (
        QT_TRANSLATE_NOOP("clipboard", "name and ID"),
        QT_TRANSLATE_NOOP("clipboard", "name and IDs"),
    ),
    "bill-to block": (
        QT_TRANSLATE_NOOP("clipboard", "bill-to block"),
        QT_TRANSLATE_NOOP("clipboard", "bill-to blocks"),
    ),
}


def copied_what(what: str, plural: bool = False) -> str:
    """`what` ("name", "ID"...) as the status message says it, in the interface's language."""
    words = _COPIED_WHAT.get(what)
    if words is None:  # a word not listed: English, with an "s" for more than one
        return what + "s" if plural else what
    return QCoreApplication.translate("clipboard", str(words[1] if plural else words[0]))


def copy_rows(what: str, nodes: list[RecordNode | WorkspaceNode], values: Values) -> str:
    """Put `values` of `nodes` on the clipboard, one per line; the status message to show.

    With no rows nothing is copied (the clipboard keeps what it holds).
    """
    if not nodes:
        return nothing_selected()
    QGuiApplication.clipboard().setText("\n".join(values(nodes)))
    return copied_message(what, nodes)
